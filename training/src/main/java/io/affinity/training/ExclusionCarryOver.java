package io.affinity.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.store.Manifest;
import io.affinity.training.ingest.ExcludedCustomers;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses a training run that would silently use again the customers a served or activatable version was trained
 * without. An erasure or an objection to profiling is carried out by training with {@code --exclude-customers}; the
 * order exports still hold those customers, so the next scheduled retrain that leaves the option out profiles them
 * again and publishes their histories, as if they had never asked. Publishing without the list must therefore be
 * said (a list with the header only), not happen because an option was left out of a nightly job.
 *
 * <p>Which versions count: CURRENT's and the canary's (both answer customers), and the newest version that records a
 * list, whatever it is now: the erasure's retrain is often published with --no-activate and rolled out as a canary,
 * and it stays the latest word on the list when CURRENT is rolled back past it (one {@code models activate} serves
 * it again). A newer list with the header only is a later word, "nobody", and lets a run go without one; an older
 * version's list does not count against it, unless that version is served.
 *
 * <p>A run with a list is refused too when its list names fewer customers than the list of one of those versions: an
 * older copy of the list (a stale path in the nightly job, a restored backup) would readmit the customers added
 * since. The manifests hold a list's size and SHA-256, never its ids, so the size is what can be compared; a list
 * that shrank on purpose (an objection to profiling withdrawn, a test customer removed) is said with
 * {@value #ALLOW_FEWER}, and so is "nobody" (a list with only the header) after a list that named anyone.
 */
public final class ExclusionCarryOver {
    /** The manifest section {@code train} and {@code spark-train} record the list in. */
    public static final String SECTION = "excludedCustomers";
    /** The option of {@code train} and {@code spark-train} that lets a run's list name fewer customers than before. */
    public static final String ALLOW_FEWER = "--allow-fewer-excluded-customers";

    private ExclusionCarryOver() {
    }

    /** {@value #ALLOW_FEWER} without {@code --exclude-customers} is a mistake (the list meant is missing). */
    public static void requireListForAllowFewer(boolean allowFewer, Path excludeCustomers) {
        if (allowFewer && excludeCustomers == null) {
            throw new IllegalArgumentException(ALLOW_FEWER + " applies to --exclude-customers, and none is given");
        }
    }

    /**
     * The reason to refuse, when the run has no list and CURRENT's version, the canary's, or the newest version that
     * records a list was trained with one naming at least one customer; empty when the run has a list, or none of
     * those was (a first run, a store without lists). A version among those whose manifest cannot be read, or a
     * CURRENT or CANARY that cannot be read, is a refusal too (CURRENT or CANARY holding no version id at all, as a
     * store being repaired may, counts as none).
     */
    public static Optional<String> refusal(Path models, boolean runHasList) {
        return runHasList ? Optional.empty() : refusal(models, null, false);
    }

    /**
     * {@link #refusal(Path, boolean)} for a run with its list as read ({@code runList}; null: none): also the reason
     * to refuse a list naming fewer customers than the list of one of the versions that count, unless
     * {@code allowFewer}.
     */
    public static Optional<String> refusal(Path models, ExcludedCustomers runList, boolean allowFewer) {
        if (runList != null && allowFewer) {
            return Optional.empty();
        }
        String carries = "was trained without excluded customers";
        String remedy = "this run has no --exclude-customers; pass the current list with --exclude-customers FILE";
        try {
            Optional<String> served = ServedManifest.of(models)
                    .flatMap(m -> excluding(m, ServedManifest.CURRENT + " " + m.version(), "", runList));
            if (served.isPresent()) {
                return served;
            }
            Optional<String> canary = ServedManifest.canary(models)
                    .flatMap(m -> excluding(m, ServedManifest.CANARY + " " + m.version(), "", runList));
            if (canary.isPresent()) {
                return canary;
            }
            return ServedManifest.newestWith(models, SECTION).flatMap(m -> excluding(m, "version " + m.version()
                    + ", the newest trained with a list of excluded customers,", "; one models activate or models "
                    + "canary serves it again", runList));
        } catch (ServedManifest.Unknown e) {
            // A run that gives a list needs no carry-over: the size comparison only guards against a stale copy, and
            // a store being repaired must not stop the erasure's own retrain.
            return runList != null ? Optional.empty() : Optional.of(ServedManifest.refusal(e, carries, remedy));
        }
    }

    /**
     * The refusal for a version trained with a list naming anyone, when the run has no list or a list naming fewer;
     * {@code who} names the version.
     */
    private static Optional<String> excluding(Manifest m, String who, String note, ExcludedCustomers runList) {
        JsonNode section = m.sections().get(SECTION);
        long customers = section == null ? 0 : section.path("customers").asLong(0);
        if (customers == 0 || runList != null && runList.ids().size() >= customers) {
            return Optional.empty();
        }
        if (runList == null) {
            return Optional.of(String.format(Locale.ROOT, "%s was trained without %,d excluded customers "
                    + "(--exclude-customers %s%s) and this run has no --exclude-customers: the new version would "
                    + "profile and recommend to them again (their erasure or objection undone once it is activated). "
                    + "Pass the current list with --exclude-customers FILE (to exclude nobody on purpose: a file with "
                    + "only the header line customer_id, and %s)", who, customers, section.path("file").asText(""),
                    note, ALLOW_FEWER));
        }
        return Optional.of(String.format(Locale.ROOT, "%s was trained without %,d excluded customers "
                + "(--exclude-customers %s, SHA-256 %s%s), and this run's list %s names %,d: an older copy of the list "
                + "would profile and recommend again to the customers added since (their erasure or objection undone "
                + "once the new version is activated). Pass the current list; if customers left the list on purpose "
                + "(an objection withdrawn), add %s", who, customers, section.path("file").asText(""),
                section.path("sha256").asText(""), note, runList.file(), runList.ids().size(), ALLOW_FEWER));
    }
}
