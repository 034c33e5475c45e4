package io.affinity.cli;

import io.affinity.api.ConsentJournal;
import io.affinity.store.ConsentJournalFile;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.training.ExclusionCarryOver;
import io.affinity.training.ReadableFile;
import io.affinity.training.ingest.ExcludedCustomers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code affinity consent}: the run-time consent journal, from the command line, on its file (no server needed;
 * servers sharing it follow). Its one subcommand, {@code forget}, is an erasure's last step.
 */
@Command(name = "consent", mixinStandardHelpOptions = true,
        description = {"The run-time consent journal (PUT /v1/customers/{id}/consent/...): forget erased customers.",
                "Works on the journal file itself; servers sharing it read it again within 10 ms."},
        subcommands = {ConsentCommand.Forget.class})
final class ConsentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand: forget");
    }

    /**
     * Removes every journal line of the listed customers that no version of the store holds any more. A customer a
     * version still holds (history, profile, consent-list entry or precomputed list) keeps their lines: they record
     * an objection or opt-out that must go on being honoured while that version may serve (activated, rolled back
     * to, made the canary). The list must be the one the store's newest list was, so that every later training run
     * leaves its customers out (see {@link #requireTheStoresList}). The list itself, which every training run needs anyway ({@code --exclude-customers}),
     * is what keeps them out from then on; the journal keeps no trace of them, not even a hash (a customer id is a
     * short number: a hash of it is found again by trying them all).
     */
    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = {"Remove every run-time consent change of the listed customers from the journal, once no "
                    + "version of the store holds them (retrained with --exclude-customers, older versions pruned); "
                    + "customers a version still holds are kept and counted. Counts are printed, never ids."})
    static final class Forget implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--customers", required = true, paramLabel = "FILE",
                description = "The customers to forget: the --exclude-customers list the store's newest version with "
                        + "one was trained without (the same file: its SHA-256 is checked).")
        Path customers;
        @Option(names = "--models", defaultValue = "models", paramLabel = "DIR",
                description = "Model store directory (default: ${DEFAULT-VALUE}): no version of it may hold them.")
        Path models;
        @Option(names = "--consent-journal", paramLabel = "FILE",
                description = "The journal, as serve --consent-journal names it (default: consent.journal in the "
                        + "model store).")
        Path journal;
        @Option(names = "--dry-run", description = "Print what would be forgotten and kept; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            ReadableFile.require("--customers", customers);
            ModelStore store = ModelStores.existing(models, false);
            Path journalFile = journal != null ? journal : models.resolve(ConsentJournalFile.FILE_NAME);
            // never created here: a mistyped path must not look like a journal with nothing to forget
            ReadableFile.require("--consent-journal", journalFile);
            ExcludedCustomers list = ExcludedCustomers.read(customers);
            Set<String> listed = list.ids();
            // Held from the check to the rewrite: a run publishing meanwhile could bring a listed customer back
            // into a version after it was checked.
            try (ModelStore.TrainingLock held = store.lockForTraining("affinity consent forget")) {
                requireTheStoresList(store, list);
                Map<String, Long> holders = new TreeMap<>();
                Set<String> kept = heldByAVersion(store, listed, holders);
                Set<String> forgettable = new HashSet<>(listed);
                forgettable.removeAll(kept);
                try (ConsentJournal j = ConsentJournal.openAsIs(journalFile)) {
                    if (j.failure() != null) {
                        throw new AffinityCli.UserFacingException(j.failure() + "; nothing forgotten");
                    }
                    ConsentJournal.Forgotten keptLines = j.forgettable(kept);
                    ConsentJournal.Forgotten forgotten = dryRun ? j.forgettable(forgettable) : j.forget(forgettable);
                    report(journalFile, j.sequence(), listed.size(), forgotten, kept.size(), keptLines, holders);
                }
            }
            return 0;
        }

        /**
         * Refuses a list that is not the one the store's newest version with a list was trained without (by SHA-256;
         * the manifests hold no ids). Forgetting is safe only for customers every later run leaves out, which the
         * exclusion carry-over check guarantees for that list: a customer of another file, say one whose consent came
         * before any purchase and who is in no exclusion list yet, would lose their opt-out and could be trained in.
         */
        private void requireTheStoresList(ModelStore store, ExcludedCustomers list) throws IOException {
            List<String> versions = store.versions();
            for (int i = versions.size() - 1; i >= 0; i--) {
                io.affinity.store.Manifest m;
                try {
                    m = store.manifest(versions.get(i));
                } catch (IOException | RuntimeException e) {
                    throw new AffinityCli.UserFacingException("cannot tell which list version " + versions.get(i)
                            + " was trained without (" + ErrorMessages.describe(e) + "): repair it or prune it; "
                            + "nothing forgotten");
                }
                com.fasterxml.jackson.databind.JsonNode section = m.sections().get(ExclusionCarryOver.SECTION);
                if (section == null) {
                    continue;
                }
                String sha256 = section.path("sha256").asText("");
                if (!sha256.equalsIgnoreCase(list.sha256())) {
                    throw new AffinityCli.UserFacingException(String.format(Locale.ROOT, "--customers %s (SHA-256 %s) "
                                    + "is not the list the newest version trained with one, %s, was trained without "
                                    + "(%s, SHA-256 %s): only customers every later run leaves out may be forgotten; "
                                    + "pass that list, or train with this one first; nothing forgotten", customers,
                            list.sha256(), m.version(), section.path("file").asText("?"), sha256));
                }
                return;
            }
            throw new AffinityCli.UserFacingException("no version of model store " + models + " was trained with "
                    + "--exclude-customers: only customers every later run leaves out may be forgotten; train with it "
                    + "first (the erasure's retrain); nothing forgotten");
        }

        /** The listed customers some version of the store holds; {@code holders} counts them per version. */
        private static Set<String> heldByAVersion(ModelStore store, Set<String> listed, Map<String, Long> holders)
                throws IOException {
            Set<String> held = new HashSet<>();
            List<String> versions = store.versions();
            for (String version : versions) {
                try (Snapshot s = store.open(version)) {
                    long n = 0;
                    for (String id : listed) {
                        if (s.holdsCustomer(id)) {
                            held.add(id);
                            n++;
                        }
                    }
                    if (n > 0) {
                        holders.put(version, n);
                    }
                } catch (IOException | RuntimeException e) {
                    // whom it holds is unknown, and a version is activated once repaired
                    throw new AffinityCli.UserFacingException("cannot tell whether version " + version + " holds "
                            + "listed customers (" + ErrorMessages.describe(e) + "): repair it or prune it "
                            + "(./affinity models verify " + version + "); nothing forgotten");
                }
            }
            return held;
        }

        private void report(Path journalFile, long sequence, int listed, ConsentJournal.Forgotten forgotten,
                            int kept, ConsentJournal.Forgotten keptLines, Map<String, Long> holders) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s %,d listed customer(s) in consent journal %s: %,d line(s) %s; its sequence "
                            + "stays %,d%n", dryRun ? "would forget" : "forgot", forgotten.customers(),
                    journalFile.toAbsolutePath().normalize(), forgotten.changes(),
                    dryRun ? "would be removed" : "removed", sequence);
            if (kept > 0) {
                StringBuilder versions = new StringBuilder();
                holders.forEach((v, n) -> versions.append(versions.length() == 0 ? "" : ", ").append(v)
                        .append(" (").append(n).append(')'));
                out.printf(Locale.ROOT, "kept %,d listed customer(s) (%,d line(s)): still held by version%s %s; their "
                                + "lines stay until no version holds them: train with --exclude-customers, activate, "
                                + "prune the older versions, then run this again%n", kept, keptLines.changes(),
                        holders.size() == 1 ? "" : "s", versions);
            }
            long without = listed - kept - forgotten.customers();
            if (without > 0) {
                out.printf(Locale.ROOT, "%,d listed customer(s) have no line in the journal%n", without);
            }
            out.flush();
        }
    }
}
