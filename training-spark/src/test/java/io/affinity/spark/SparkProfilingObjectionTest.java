package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.recommender.Consent;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.Words;
import io.affinity.training.RecommenderParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consent list's objection to profiling on Spark, as in train: the customer's orders are read as anonymous baskets
 * (no history, profile or list of theirs), still mined for rules, the counts recorded; both trainers publish the same.
 */
@IntegrationTest
class SparkProfilingObjectionTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n";

    @TempDir
    Path dir;

    private Path orders() throws java.io.IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        // two groups of customers with their own items, each bought together, over a few weeks
        for (int c = 0; c < 12; c++) {
            String group = c % 2 == 0 ? "A" : "B";
            for (int o = 0; o < 3; o++) {
                String day = String.format("2024-02-%02d", 1 + c + 7 * o);
                csv.append("c").append(c).append(",o").append(c).append('-').append(o).append(',').append(day)
                        .append(',').append(group).append("1,1,2.5\n");
                csv.append("c").append(c).append(",o").append(c).append('-').append(o).append(',').append(day)
                        .append(',').append(group).append(o + 2).append(",2,4.0\n");
            }
        }
        return Files.writeString(dir.resolve("orders.csv"), csv);
    }

    @Test
    void aListedObjectorsOrdersAreAnonymousBasketsOnBothTrainers() throws Exception {
        Path orders = orders();
        // c3 objects; 99 objects too but bought nothing; c0's e-mail consent is an ordinary row
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\nc0,email,confirmed\n"
                + "c3,profiling,opted_out\n99,profiling,opted_out\nc5,profiling,opted_in\n");

        LocalSpark.get(); // the job's getOrCreate() then finds the tests' session
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(new TrainingParameters(List.of(orders), "generic", 0.1, 0.05, 1.0, 3, 100, 10, 0.01),
                RecommenderParameters.RULES, progress::add).consentFile(consent).run(dir.resolve("single"));
        SparkTrainTest.Run r = SparkTrainTest.run("--input", orders.toString(), "--models",
                dir.resolve("spark").toString(), "--format", "generic", "--consent", consent.toString(),
                "--min-support", "0.1", "--top-n", "5", "--als-rank", "4");
        assertEquals(0, r.exit(), r.err());

        String note = "consent: 2 customer(s) object to profiling (2 by the list's profiling,opted_out, 0 by a "
                + "run-time change in the consent journal); 1 of them have orders in the transactions, whose 3 "
                + "order(s) are read as anonymous baskets: this model holds no history, profile, list or value of "
                + "theirs";
        assertTrue(progress.contains(note), progress.toString());
        assertTrue(r.out().contains(note), r.out());
        try (Snapshot single = ModelStore.open(dir.resolve("single")).openCurrent();
             Snapshot spark = ModelStore.open(dir.resolve("spark")).openCurrent()) {
            for (Snapshot s : List.of(single, spark)) {
                String which = s.manifest().parameters().getOrDefault("engine", "train").toString();
                assertEquals(11, s.customerCount(), which);
                assertTrue(s.customer("c3").isEmpty() && s.profile("c3").isEmpty() && s.precomputed("c3").isEmpty(),
                        which + ": nothing of the objecting customer");
                assertTrue(s.customer("c5").isPresent() && s.profile("c5").isPresent(),
                        which + ": a customer who consents is modelled");
                // the objection itself is kept, so that every served version still hides them
                assertEquals(Optional.of(Consent.State.OPTED_OUT), s.consent("c3", Consent.Channel.PROFILING), which);
                JsonNode section = s.manifest().sections().get("profilingObjections");
                assertEquals(2, section.get("customers").asInt(), which);
                assertEquals(2, section.get("byConsentList").asInt(), which);
                assertEquals(1, section.get("inTransactions").asInt(), which);
                assertEquals(3, section.get("ordersAnonymised").asInt(), which);
                // the list's customers without orders: 99 (c0, c3 and c5 bought)
                assertEquals(1, s.manifest().sections().get("consent").get("customersNotInTransactions").asInt(),
                        which);
                assertFalse(Words.containsWord(s.manifest().sections().toString(), "c3"),
                        which + ": no id in the manifest");
            }
            // c3's orders still count as baskets: rules are the same on both trainers, and B1 -> B2 is in 6 baskets
            // (each group B customer's first order, c3's included: 5 had c3's orders been left out)
            for (String item : List.of("A1", "B1", "B2")) {
                assertEquals(single.rulesWithAntecedentItem(item), spark.rulesWithAntecedentItem(item), item);
            }
            assertTrue(single.rulesWithAntecedentItem("B1").stream()
                    .anyMatch(rule -> rule.consequent().equals("B2") && rule.supportCount() == 6),
                    single.rulesWithAntecedentItem("B1").toString());
        }
    }

    /**
     * A run-time objection (a line of the servers' consent journal, in the store where both trainers look by default)
     * is honoured on Spark as in train: the same snapshot content, the same counts.
     */
    @Test
    void aJournalledObjectionIsHonouredByBothTrainersFromTheStoresJournal() throws Exception {
        Path orders = orders();
        String journal = "{\"seq\":1,\"at\":\"2026-11-20T10:00:00Z\",\"customerId\":\"c4\",\"channel\":\"profiling\","
                + "\"state\":\"opted_out\"}\n";
        Files.createDirectories(dir.resolve("single"));
        Files.createDirectories(dir.resolve("spark"));
        Files.writeString(dir.resolve("single").resolve("consent.journal"), journal);
        Files.writeString(dir.resolve("spark").resolve("consent.journal"), journal);

        LocalSpark.get();
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(new TrainingParameters(List.of(orders), "generic", 0.1, 0.05, 1.0, 3, 100, 10, 0.01),
                RecommenderParameters.RULES, progress::add)
                .consentJournal(dir.resolve("single").resolve("consent.journal"), false).run(dir.resolve("single"));
        SparkTrainTest.Run r = SparkTrainTest.run("--input", orders.toString(), "--models",
                dir.resolve("spark").toString(), "--format", "generic", "--min-support", "0.1", "--top-n", "5",
                "--als-rank", "4");
        assertEquals(0, r.exit(), r.err());
        String note = "consent: 1 customer(s) object to profiling (0 by the list's profiling,opted_out, 1 by a "
                + "run-time change in the consent journal); 1 of them have orders in the transactions, whose 3 "
                + "order(s) are read as anonymous baskets";
        assertTrue(progress.stream().anyMatch(l -> l.startsWith(note)), progress.toString());
        assertTrue(r.out().contains(note), r.out());
        try (Snapshot single = ModelStore.open(dir.resolve("single")).openCurrent();
             Snapshot spark = ModelStore.open(dir.resolve("spark")).openCurrent()) {
            for (Snapshot s : List.of(single, spark)) {
                String which = s.manifest().parameters().getOrDefault("engine", "train").toString();
                assertEquals(11, s.customerCount(), which);
                assertTrue(s.customer("c4").isEmpty() && s.profile("c4").isEmpty() && s.precomputed("c4").isEmpty(),
                        which + ": nothing of the objecting customer");
                JsonNode section = s.manifest().sections().get("profilingObjections");
                assertEquals(1, section.get("byConsentJournal").asInt(), which);
                assertEquals(3, section.get("ordersAnonymised").asInt(), which);
                assertEquals(1, s.manifest().sections().get("consentJournal").get("sequence").asInt(), which);
                assertTrue(s.manifest().sections().get("consent") == null, which + ": no list");
            }
            for (String item : List.of("A1", "B1", "B2")) {
                assertEquals(single.rulesWithAntecedentItem(item), spark.rulesWithAntecedentItem(item), item);
            }
        }
    }
}
