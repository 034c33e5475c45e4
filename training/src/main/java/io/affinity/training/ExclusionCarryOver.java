package io.affinity.training;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses a training run that would silently use again the customers the served model was trained without. An
 * erasure or an objection to profiling is carried out by training with {@code --exclude-customers}; the order
 * exports still hold those customers, so the next scheduled retrain that leaves the option out profiles them again
 * and publishes their histories, as if they had never asked. Publishing without the list must therefore be said
 * (a list with the header only), not happen because an option was left out of a nightly job.
 */
public final class ExclusionCarryOver {
    /** The manifest section {@code train} and {@code spark-train} record the list in. */
    public static final String SECTION = "excludedCustomers";

    private ExclusionCarryOver() {
    }

    /**
     * The reason to refuse, when {@code models}' CURRENT version was trained with a list of excluded customers
     * that names at least one customer and the run has none; empty when the run has a list, or the store has no
     * CURRENT, or one holding no version id (a first run, or a store being repaired: nothing served that a run could
     * read). A CURRENT that cannot be read, or whose version's manifest cannot be, is a refusal too.
     */
    public static Optional<String> refusal(Path models, boolean runHasList) {
        if (runHasList) {
            return Optional.empty();
        }
        Optional<io.affinity.store.Manifest> served;
        try {
            served = ServedManifest.of(models);
        } catch (ServedManifest.Unknown e) {
            return Optional.of(ServedManifest.refusal(e, "was trained without excluded customers", "this run has no "
                    + "--exclude-customers; pass the current list with --exclude-customers FILE (a file with only the "
                    + "header line customer_id to exclude nobody on purpose)"));
        }
        return served.flatMap(m -> {
            JsonNode section = m.sections().get(SECTION);
            long customers = section == null ? 0 : section.path("customers").asLong(0);
            if (customers == 0) {
                return Optional.empty();
            }
            return Optional.of(String.format(Locale.ROOT, "the served version %s was trained without %,d excluded "
                    + "customers (--exclude-customers %s) and this run has no --exclude-customers: the new version "
                    + "would profile and recommend to them again (their erasure or objection undone once it is "
                    + "activated). Pass the current list with --exclude-customers FILE (a file with only the "
                    + "header line customer_id to exclude nobody on purpose)", m.version(), customers,
                    section.path("file").asText("")));
        });
    }
}
