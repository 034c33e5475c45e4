package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.api.ConsentJournal;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code affinity consent forget}: the DPO's last step of an erasure, following README's order (exclude, retrain,
 * activate, prune, forget). The run-time consent journal kept every change of an erased customer (id, channel,
 * state, time) forever; no command removed them. A customer a kept version still holds keeps their lines: those
 * record an objection or opt-out that must go on being honoured while that version may serve.
 */
@IntegrationTest
class ConsentCommandTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    private Path orders() throws IOException {
        List<String> rows = new ArrayList<>(List.of(HEADER));
        for (int c = 0; c < 30; c++) {
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",A,1,1.0");
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",B,1,2.0");
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",C" + (c % 7) + ",1,3.0");
        }
        return Files.write(dir.resolve("orders.csv"), rows);
    }

    @Test
    void anErasedCustomersConsentChangesAreForgottenOnceNoVersionHoldsThem() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders();
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--models", models.toString()).code());
        String before = ModelStore.open(models).currentVersion().orElseThrow();
        Path journalFile = models.resolve("consent.journal");
        try (ConsentJournal journal = ConsentJournal.open(journalFile)) { // what serve records at run time
            journal.record("c2", Channel.EMAIL, State.OPTED_OUT);
            journal.record("c2", Channel.PROFILING, State.OPTED_OUT); // the erasure request, at once
            journal.record("c5", Channel.EMAIL, State.OPTED_IN);
            journal.record("crm77", Channel.EMAIL, State.OPTED_OUT); // consent before any purchase
            journal.record("c5", Channel.EMAIL, State.OPTED_OUT); // supersedes: a server would compact at start
        }
        // the exclusion list the retailer keeps: c2 and crm77 asked to be erased; c99 never reached Affinity
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id,requested_at\nc2,2026-11-20\n"
                + "crm77,2026-11-21\nc99,2026-11-22\n");

        // Forgetting is for customers every later training run leaves out: the list must be the one the store's
        // newest list was, else a customer not yet excluded (crm77, consent before any purchase) would lose their
        // opt-out and could be trained in later.
        CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(), "--models", models.toString())
                .failsWith("no version of model store", "was trained with --exclude-customers", "train with it first");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--exclude-customers", erased.toString(), "--no-activate", "--models", models.toString()).code());
        Path other = Files.writeString(dir.resolve("other.csv"), "customer_id\ncrm77\n");
        CommandErrorsTest.run("consent", "forget", "--customers", other.toString(), "--models", models.toString())
                .failsWith("is not the list", "the newest version trained with one", "erased.csv");

        String recorded = Files.readString(journalFile);
        CommandErrorsTest.Run look = CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(),
                "--models", models.toString(), "--dry-run");
        assertTrue(look.out().contains("would forget 1 listed customer(s)"), look.out());
        assertEquals(recorded, Files.readString(journalFile), "a dry run changes nothing, not even by compacting");

        CommandErrorsTest.Run early = CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(),
                "--models", models.toString());
        assertEquals(0, early.code(), early.err());
        assertTrue(early.out().contains("forgot 1 listed customer(s) in consent journal "
                + journalFile.toAbsolutePath().normalize() + ": 1 line(s) removed; its sequence stays 5"), early.out());
        assertTrue(early.out().contains("kept 1 listed customer(s) (2 line(s)): still held by version " + before
                + " (1)"), early.out());
        assertTrue(early.out().contains("1 listed customer(s) have no line in the journal"), early.out());
        String journalText = Files.readString(journalFile);
        assertFalse(journalText.contains("crm77"), journalText);
        assertTrue(journalText.contains("\"c2\"") && journalText.contains("\"c5\""), journalText);
        String said = (early.out() + early.err()).replace(dir.toAbsolutePath().toString(), "DIR")
                .replaceAll("\\d{8}-\\d{6}-[0-9a-f]{6}", "VERSION");
        for (String id : List.of("c2", "crm77", "c99", "c5")) {
            assertFalse(said.contains(id), "no customer id in the output: " + said);
        }

        // README's erasure: the retrain without them is served, then the versions that hold them are pruned
        String withList = ModelStore.open(models).versions().get(1);
        assertEquals(0, CommandErrorsTest.run("models", "activate", withList, "--models", models.toString()).code());
        assertEquals(0, CommandErrorsTest.run("models", "prune", "--keep", "1", "--models", models.toString()).code());

        CommandErrorsTest.Run dry = CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(),
                "--models", models.toString(), "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("would forget 1 listed customer(s) in consent journal"), dry.out());
        assertTrue(dry.out().contains("2 line(s) would be removed"), dry.out());
        assertEquals(journalText, Files.readString(journalFile), "a dry run changes nothing");

        CommandErrorsTest.Run done = CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(),
                "--models", models.toString());
        assertEquals(0, done.code(), done.err());
        assertTrue(done.out().contains("forgot 1 listed customer(s)") && done.out().contains("2 line(s) removed"),
                done.out());
        assertFalse(done.out().contains("kept"), done.out());
        journalText = Files.readString(journalFile);
        assertFalse(journalText.contains("\"c2\""), journalText);
        assertTrue(journalText.contains("\"c5\""), "the others' changes stay: " + journalText);
        try (ConsentJournal reopened = ConsentJournal.open(journalFile)) {
            assertEquals(5, reopened.sequence());
        }
        CommandErrorsTest.Run again = CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(),
                "--models", models.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("3 listed customer(s) have no line in the journal"), again.out());
    }

    /**
     * A training run publishing meanwhile could bring a customer back into a version after the check, so the verb
     * takes the store's training lock; a journal that cannot be used, or is not there, is not rewritten.
     */
    @Test
    void itWaitsForNoTrainingRunAndRewritesNoUnusableJournal() throws Exception {
        Path models = dir.resolve("models");
        assertEquals(0, CommandErrorsTest.run("train", "--input", orders().toString(), "--recommender", "rules",
                "--models", models.toString()).code());
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id\ncrm77\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", orders().toString(), "--recommender", "rules",
                "--exclude-customers", erased.toString(), "--models", models.toString()).code());
        Path journalFile = models.resolve("consent.journal");
        CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(), "--models", models.toString())
                .failsWith("--consent-journal", "consent.journal does not exist");
        assertFalse(Files.exists(journalFile), "not created by the verb");
        try (ConsentJournal journal = ConsentJournal.open(journalFile)) {
            journal.record("crm77", Channel.EMAIL, State.OPTED_OUT);
            journal.record("c1", Channel.EMAIL, State.OPTED_OUT);
        }
        try (ModelStore.TrainingLock nightly = ModelStore.open(models).lockForTraining("affinity train")) {
            CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(), "--models",
                    models.toString()).failsWith("another training run holds the model store", "affinity train");
        }
        assertTrue(Files.readString(journalFile).contains("crm77"));

        List<String> lines = Files.readAllLines(journalFile);
        Files.write(journalFile, List.of(lines.get(0), "{\"seq\":2,\"at\":"));
        String damaged = Files.readString(journalFile);
        CommandErrorsTest.run("consent", "forget", "--customers", erased.toString(), "--models", models.toString())
                .failsWith("line 2 is unreadable", "nothing forgotten");
        assertEquals(damaged, Files.readString(journalFile));
    }
}
