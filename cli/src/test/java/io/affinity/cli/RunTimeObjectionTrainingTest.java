package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.api.ConsentJournal;
import io.affinity.recommender.Consent;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.Words;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An objection to profiling made through the API ({@code PUT /v1/customers/{id}/consent/profiling}, journalled by the
 * servers' own {@link ConsentJournal}) keeps the customer out of the next {@code train}, as a consent-list row does:
 * before, served versions hid them but every retrain profiled them again until the CRM's list said so too.
 */
@IntegrationTest
class RunTimeObjectionTrainingTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    private Path orders() throws IOException {
        List<String> rows = new ArrayList<>(List.of(HEADER));
        for (int c = 0; c < 30; c++) {
            for (int o = 0; o < 2; o++) {
                String day = "2011-05-" + (10 + c % 9 + 9 * o);
                rows.add("c" + c + ",o" + c + "-" + o + "," + day + ",A,1,1.0");
                rows.add("c" + c + ",o" + c + "-" + o + "," + day + ",B" + (c % 3) + ",1,2.0");
            }
        }
        return Files.write(dir.resolve("orders.csv"), rows);
    }

    private static CommandErrorsTest.Run train(Path input, Path models, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--input", input.toString(), "--models",
                models.toString(), "--recommender", "rules"));
        args.addAll(List.of(more));
        return CommandErrorsTest.run(args.toArray(String[]::new));
    }

    @Test
    void theStoresJournalKeepsAnObjectorOutOfTheNextVersionAndAWithdrawalLetsThemBackIn() throws Exception {
        Path input = orders();
        Path models = dir.resolve("models");
        assertEquals(0, train(input, models).code());
        try (Snapshot first = ModelStore.open(models).openCurrent()) {
            assertTrue(first.customer("c7").isPresent() && first.profile("c7").isPresent());
            assertTrue(first.manifest().sections().get("profilingObjections") == null,
                    "neither a list nor a journal: nothing to record");
        }
        // what a server does on PUT /v1/customers/c7/consent/profiling {"state": "opted_out"}
        try (ConsentJournal journal = ConsentJournal.open(models.resolve("consent.journal"))) {
            journal.record("c7", Consent.Channel.PROFILING, Consent.State.OPTED_OUT);
            journal.record("c8", Consent.Channel.EMAIL, Consent.State.OPTED_OUT);
        }
        CommandErrorsTest.Run second = train(input, models);
        assertEquals(0, second.code(), second.err());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c7").isEmpty() && s.profile("c7").isEmpty(), "nothing of the objector");
            assertTrue(s.customer("c8").isPresent() && s.profile("c8").isPresent(), "an e-mail opt-out is no objection");
            assertEquals(29, s.customerCount());
            JsonNode objections = s.manifest().sections().get("profilingObjections");
            assertEquals(1, objections.get("customers").asInt());
            assertEquals(0, objections.get("byConsentList").asInt());
            assertEquals(1, objections.get("byConsentJournal").asInt());
            assertEquals(1, objections.get("inTransactions").asInt());
            assertEquals(2, objections.get("ordersAnonymised").asInt());
            JsonNode journal = s.manifest().sections().get("consentJournal");
            assertEquals(models.resolve("consent.journal").toAbsolutePath().toString(), journal.get("file").asText());
            assertEquals(2, journal.get("sequence").asInt());
            assertEquals(1, journal.get("customersWithProfilingChange").asInt());
            // the orders still count as baskets
            assertEquals(60, s.manifest().sections().get("training").get("baskets").asInt());
            assertFalse(Words.containsWord(s.manifest().sections().toString(), "c7"), "no id in the manifest");
        }

        try (ConsentJournal journal = ConsentJournal.open(models.resolve("consent.journal"))) {
            journal.record("c7", Consent.Channel.PROFILING, Consent.State.OPTED_IN);
        }
        assertEquals(0, train(input, models).code());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c7").isPresent() && s.profile("c7").isPresent(), "the withdrawal is honoured");
            assertEquals(0, s.manifest().sections().get("profilingObjections").get("customers").asInt());
        }
    }

    @Test
    void aJournalElsewhereIsNamedAndADamagedOneStopsTheRunBeforeAnythingIsPublished() throws Exception {
        Path input = orders();
        Path models = dir.resolve("models");
        Path shared = dir.resolve("shared").resolve("consent.journal");
        try (ConsentJournal journal = ConsentJournal.open(shared)) {
            journal.record("c3", Consent.Channel.PROFILING, Consent.State.OPTED_OUT);
        }
        assertEquals(0, train(input, models, "--consent-journal", shared.toString()).code());
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c3").isEmpty());
        }
        String served = ModelStore.open(models).currentVersion().orElseThrow();

        // a line this software cannot read may be an objection: the run stops rather than guess
        Files.writeString(shared, "{\"seq\":2,\"customerId\":\"c4\",\"channel\":\"profiling\"}\n",
                StandardOpenOption.APPEND);
        CommandErrorsTest.Run damaged = train(input, models, "--consent-journal", shared.toString());
        damaged.failsWith("consent journal " + shared + " line 2 is unreadable", "nothing was trained");
        assertFalse(Words.containsWord(damaged.err(), "c4"), damaged.err());
        assertEquals(served, ModelStore.open(models).currentVersion().orElseThrow());
        assertEquals(1, ModelStore.open(models).versions().size(), "nothing published");

        train(input, models, "--consent-journal", dir.resolve("typo.journal").toString())
                .failsWith("--consent-journal: file " + dir.resolve("typo.journal") + " does not exist");
    }
}
