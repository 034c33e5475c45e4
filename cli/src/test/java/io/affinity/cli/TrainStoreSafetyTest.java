package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.store.ModelStore;
import io.affinity.store.StoreBusyException;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.Words;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the on-call engineer meets when training runs overlap or the served version cannot be read (the
 * twenty-fourth session's fault injection): a run refused with one line saying why, nothing published, and the
 * consent and exclusion carry-over checks never skipped because of either.
 */
@IntegrationTest
class TrainStoreSafetyTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    private Path orders(int customers) throws IOException {
        List<String> rows = new ArrayList<>(List.of(HEADER));
        for (int c = 0; c < customers; c++) {
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",A,1,1.0");
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",B,1,2.0");
            rows.add("c" + c + ",o" + c + ",2011-05-0" + (1 + c % 9) + ",C" + (c % 7) + ",1,3.0");
        }
        return Files.write(dir.resolve("orders" + customers + ".csv"), rows);
    }

    private static List<String> storeEntries(Path models) throws IOException {
        try (Stream<Path> s = Files.list(models)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A manual run during the nightly one: refused at once with the nightly run's pid, before reading any input, and
     * nothing of it reaches the store. Before the lock both ran, both passed their carry-over checks against the same
     * CURRENT, and the one that ended last made its version CURRENT, with neither the other's consent list nor its
     * excluded customers, both exiting 0.
     */
    @Test
    void aRunIsRefusedWhileAnotherHoldsTheStoreAndRunsOnceItHasEnded() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders(30);
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--models", models.toString()).code());
        String served = ModelStore.open(models).currentVersion().orElseThrow();
        List<String> before = storeEntries(models);
        try (ModelStore.TrainingLock nightly = ModelStore.open(models).lockForTraining("affinity train")) {
            CommandErrorsTest.Run manual = CommandErrorsTest.run("train", "--input", input.toString(),
                    "--recommender", "rules", "--models", models.toString());
            manual.failsWith("affinity train: error: another training run holds the model store "
                    + models.toAbsolutePath().normalize(), "affinity train, pid " + ProcessHandle.current().pid(),
                    "wait for it to end");
            assertFalse(manual.err().contains("ingest"), "refused before reading the input: " + manual.err());
            assertEquals(before, storeEntries(models), "nothing written: no version, no temporary directory");
            assertEquals(served, ModelStore.open(models).currentVersion().orElseThrow());
        }
        CommandErrorsTest.Run after = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--models", models.toString());
        assertEquals(0, after.code(), after.err());
        assertEquals(2, ModelStore.open(models).versions().size());
    }

    /** The lock is held from the carry-over checks to the publish: a second run that starts meanwhile is refused. */
    @Test
    void aTrainingRunHoldsTheStoreUntilItHasPublished() throws Exception {
        Path input = orders(3000);
        for (int attempt = 1; ; attempt++) {
            Path models = dir.resolve("models-" + attempt);
            CompletableFuture<CommandErrorsTest.Run> run = CompletableFuture.supplyAsync(() -> CommandErrorsTest.run(
                    "train", "--input", input.toString(), "--recommender", "rules", "--models", models.toString()));
            int refused = 0;
            String message = "";
            while (!run.isDone()) {
                try (ModelStore.TrainingLock probe = ModelStore.open(models).lockForTraining("probe")) {
                    // free at this instant: the run has not started, or has ended
                } catch (StoreBusyException e) {
                    refused++;
                    message = e.getMessage();
                } catch (IOException e) {
                    // the store directory not created yet
                }
                Thread.sleep(2);
            }
            CommandErrorsTest.Run r = run.get();
            if (r.code() != 0 && r.err().contains("another training run holds the model store") && attempt < 5) {
                // The probe itself held the lock at the instant the run asked for it: the lock doing its job, not
                // the run failing (seen once on a loaded machine). Try again in a fresh store.
                continue;
            }
            assertEquals(0, r.code(), r.err());
            assertTrue(refused > 0, "the run held the store while it worked");
            assertTrue(message.contains("(affinity train, pid " + ProcessHandle.current().pid()), message);
            String published = ModelStore.open(models).currentVersion().orElseThrow();
            assertTrue(r.out().contains("published " + published), r.out());
            return;
        }
    }

    /**
     * The carry-over checks read the served version's manifest; one that cannot be read (damaged, or a version
     * directory gone) was taken for a store without a served version, and the run published and activated a
     * version without the consent list and with the excluded customer. It is refused now unless the run gives both
     * lists (or says it publishes without one).
     */
    @Test
    void aServedVersionWhoseManifestCannotBeReadIsNotTakenForNoList() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders(30);
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\nc1,web,opted_out\n");
        Path excluded = Files.writeString(dir.resolve("excluded.csv"), "customer_id\nc2\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--consent", consent.toString(), "--exclude-customers", excluded.toString(), "--models",
                models.toString()).code());
        String served = ModelStore.open(models).currentVersion().orElseThrow();
        Path manifest = models.resolve(served).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).substring(0, 100)); // a torn manifest

        CommandErrorsTest.Run noConsent = CommandErrorsTest.run("train", "--input", input.toString(),
                "--recommender", "rules", "--exclude-customers", excluded.toString(), "--models", models.toString());
        noConsent.failsWith("cannot tell whether the served version " + served + " carries a consent list",
                "manifest.json", "--consent FILE, or --no-consent");
        CommandErrorsTest.Run noExclusion = CommandErrorsTest.run("train", "--input", input.toString(),
                "--recommender", "rules", "--consent", consent.toString(), "--models", models.toString());
        noExclusion.failsWith("cannot tell whether the served version " + served + " was trained without "
                + "excluded customers", "--exclude-customers FILE");
        assertEquals(List.of(served), ModelStore.open(models).versions(), "nothing published");
        assertEquals(served, ModelStore.open(models).currentVersion().orElseThrow());

        // the run's own lists need nothing from the served version: this is how the store is repaired
        CommandErrorsTest.Run both = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--consent", consent.toString(), "--exclude-customers", excluded.toString(), "--models",
                models.toString());
        assertEquals(0, both.code(), both.err());

        // a CURRENT naming a version the store no longer holds is no better
        String repaired = ModelStore.open(models).currentVersion().orElseThrow();
        Files.writeString(models.resolve("CURRENT"), "20200101-000000-000000\n");
        CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules", "--exclude-customers",
                excluded.toString(), "--models", models.toString())
                .failsWith("cannot tell whether the served version 20200101-000000-000000 carries a consent list");
        assertEquals(2, ModelStore.open(models).versions().size(), "nothing published");
        assertTrue(ModelStore.open(models).versions().contains(repaired));
    }

    private static String publishedVersion(CommandErrorsTest.Run run) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("published (\\d{8}-\\d{6}-[0-9a-f]{6})")
                .matcher(run.out() + run.err());
        assertTrue(m.find(), run.out() + run.err());
        return m.group(1);
    }

    /**
     * The exclusion carry-over check read CURRENT only. A version trained with the list can serve without being
     * CURRENT: as a canary (the usual way to roll out the erasure's retrain, published with --no-activate), or as
     * the rollback target after CURRENT was rolled back past it; a nightly run without the option then published
     * and activated a version profiling the erased customer again. It is refused now while the canary's version, or
     * the newest version that records a list, excluded anyone; a newer list with the header only still says "nobody".
     */
    @Test
    void aRunWithoutTheListIsRefusedWhileACanaryOrTheNewestListExcludedSomeone() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders(30);
        Path excluded = Files.writeString(dir.resolve("excluded.csv"), "customer_id\nc2\n");
        CommandErrorsTest.Run first = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--models", models.toString());
        assertEquals(0, first.code(), first.err());
        String before = ModelStore.open(models).currentVersion().orElseThrow();
        CommandErrorsTest.Run erasure = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--exclude-customers", excluded.toString(), "--no-activate", "--models", models.toString());
        assertEquals(0, erasure.code(), erasure.err());
        String withList = publishedVersion(erasure);
        assertEquals(0, CommandErrorsTest.run("models", "canary", withList, "--percent", "10", "--models",
                models.toString()).code());

        CommandErrorsTest.Run nightly = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--models", models.toString());
        nightly.failsWith("the canary's version " + withList + " was trained without 1 excluded customers",
                "this run has no --exclude-customers", "--exclude-customers FILE");
        assertFalse(Words.containsWord(nightly.err(), "c2"), "no customer id in the refusal: " + nightly.err());
        assertEquals(List.of(before, withList), ModelStore.open(models).versions(), "nothing published");

        // promoted, then rolled back past: the list's version is no longer served, but may be activated again
        assertEquals(0, CommandErrorsTest.run("models", "activate", withList, "--models", models.toString()).code());
        assertEquals(0, CommandErrorsTest.run("models", "activate", before, "--models", models.toString()).code());
        CommandErrorsTest.Run afterRollback = CommandErrorsTest.run("train", "--input", input.toString(),
                "--recommender", "rules", "--models", models.toString());
        afterRollback.failsWith("version " + withList + ", the newest trained with a list of excluded customers, was "
                + "trained without 1 excluded customers", "--exclude-customers FILE");
        assertEquals(2, ModelStore.open(models).versions().size(), "nothing published");

        // a newer list naming nobody, said so, is the operator's latest word, even unactivated
        Path nobody = Files.writeString(dir.resolve("nobody.csv"), "customer_id\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--exclude-customers", nobody.toString(), "--allow-fewer-excluded-customers", "--no-activate",
                "--models", models.toString()).code());
        CommandErrorsTest.Run later = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--models", models.toString());
        assertEquals(0, later.code(), later.err());
    }

    /**
     * A stale copy of the list (the nightly job pointed at last month's file, a restored backup) passed the check,
     * since any list did: the customers added since were profiled again. A list naming fewer customers than the one
     * a version that counts was trained with is refused now, by size (the manifests hold no ids), and allowed when
     * said; a list of the same size or longer goes as before.
     */
    @Test
    void aListNamingFewerCustomersThanTheLastOneIsRefusedUnlessSaid() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders(30);
        Path current = Files.writeString(dir.resolve("erased.csv"), "customer_id\nc2\nc3\n");
        Path stale = Files.writeString(dir.resolve("erased-october.csv"), "customer_id\nc2\n");
        CommandErrorsTest.Run erasure = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--exclude-customers", current.toString(), "--models", models.toString());
        assertEquals(0, erasure.code(), erasure.err());
        String served = ModelStore.open(models).currentVersion().orElseThrow();

        CommandErrorsTest.Run nightly = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--exclude-customers", stale.toString(), "--models", models.toString());
        nightly.failsWith("the served version " + served + " was trained without 2 excluded customers "
                + "(--exclude-customers " + current.toAbsolutePath() + ", SHA-256 ",
                "this run's list " + stale + " names 1", "--allow-fewer-excluded-customers");
        // as a word: the served version's random hex suffix may hold the letters c3
        assertFalse(Words.containsWord(nightly.err(), "c3"),
                "no customer id in the refusal: " + nightly.err());
        assertEquals(List.of(served), ModelStore.open(models).versions(), "nothing published");

        Path swapped = Files.writeString(dir.resolve("erased-swapped.csv"), "customer_id\nc2\nc4\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--exclude-customers", swapped.toString(), "--models", models.toString()).code(), "as long: goes");
        CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--allow-fewer-excluded-customers", "--models", models.toString())
                .failsWith("--allow-fewer-excluded-customers applies to --exclude-customers, and none is given");
        CommandErrorsTest.Run said = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--exclude-customers", stale.toString(), "--allow-fewer-excluded-customers", "--models",
                models.toString());
        assertEquals(0, said.code(), said.err());
        try (io.affinity.store.Snapshot s = ModelStore.open(models).openCurrent()) {
            assertTrue(s.customer("c3").isPresent() && s.customer("c2").isEmpty(), "the shorter list, as said");
        }
    }

    /**
     * The same for the consent list: a canary trained with one (the new CRM export rolled out to a slice) while
     * CURRENT has none let a run without --consent publish and activate a version without its opt-outs.
     */
    @Test
    void aRunWithoutConsentIsRefusedWhileTheCanaryCarriesAList() throws Exception {
        Path models = dir.resolve("models");
        Path input = orders(30);
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\nc1,web,opted_out\n");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--models", models.toString()).code());
        CommandErrorsTest.Run listed = CommandErrorsTest.run("train", "--input", input.toString(), "--recommender",
                "rules", "--consent", consent.toString(), "--no-activate", "--models", models.toString());
        assertEquals(0, listed.code(), listed.err());
        String withList = publishedVersion(listed);
        assertEquals(0, CommandErrorsTest.run("models", "canary", withList, "--percent", "50", "--models",
                models.toString()).code());
        CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules", "--models",
                models.toString()).failsWith("the canary's version " + withList + " carries a consent list (1 "
                + "customers)", "--consent FILE, or --no-consent");
        assertEquals(2, ModelStore.open(models).versions().size(), "nothing published");
        assertEquals(0, CommandErrorsTest.run("train", "--input", input.toString(), "--recommender", "rules",
                "--no-consent", "--models", models.toString()).code(), "publishing without one, said");
    }
}
