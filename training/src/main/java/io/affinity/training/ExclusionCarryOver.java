package io.affinity.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.store.Manifest;
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
 */
public final class ExclusionCarryOver {
    /** The manifest section {@code train} and {@code spark-train} record the list in. */
    public static final String SECTION = "excludedCustomers";

    private ExclusionCarryOver() {
    }

    /**
     * The reason to refuse, when the run has no list and CURRENT's version, the canary's, or the newest version that
     * records a list was trained with one naming at least one customer; empty when the run has a list, or none of
     * those was (a first run, a store without lists). A version among those whose manifest cannot be read, or a
     * CURRENT or CANARY that cannot be read, is a refusal too (CURRENT or CANARY holding no version id at all, as a
     * store being repaired may, counts as none).
     */
    public static Optional<String> refusal(Path models, boolean runHasList) {
        if (runHasList) {
            return Optional.empty();
        }
        String carries = "was trained without excluded customers";
        String remedy = "this run has no --exclude-customers; pass the current list with --exclude-customers FILE (a "
                + "file with only the header line customer_id to exclude nobody on purpose)";
        try {
            Optional<String> served = ServedManifest.of(models)
                    .flatMap(m -> excluding(m, ServedManifest.CURRENT + " " + m.version(), ""));
            if (served.isPresent()) {
                return served;
            }
            Optional<String> canary = ServedManifest.canary(models)
                    .flatMap(m -> excluding(m, ServedManifest.CANARY + " " + m.version(), ""));
            if (canary.isPresent()) {
                return canary;
            }
            return ServedManifest.newestWith(models, SECTION).flatMap(m -> excluding(m, "version " + m.version()
                    + ", the newest trained with a list of excluded customers,", "; one models activate or models "
                    + "canary serves it again"));
        } catch (ServedManifest.Unknown e) {
            return Optional.of(ServedManifest.refusal(e, carries, remedy));
        }
    }

    /** The refusal for a version trained with a list naming anyone; {@code who} names the version. */
    private static Optional<String> excluding(Manifest m, String who, String note) {
        JsonNode section = m.sections().get(SECTION);
        long customers = section == null ? 0 : section.path("customers").asLong(0);
        if (customers == 0) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%s was trained without %,d excluded customers "
                + "(--exclude-customers %s%s) and this run has no --exclude-customers: the new version would profile "
                + "and recommend to them again (their erasure or objection undone once it is activated). Pass the "
                + "current list with --exclude-customers FILE (a file with only the header line customer_id to "
                + "exclude nobody on purpose)", who, customers, section.path("file").asText(""), note));
    }
}
