package io.affinity.training;

import io.affinity.recommender.CustomerProfile;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import io.affinity.training.customers.CustomerReportWriter;
import io.affinity.training.customers.FitDiagnostics;
import io.affinity.training.customers.ItemCosts;
import io.affinity.training.ingest.Transactions;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The training step that puts customer value profiles into the snapshot, calibrated on all the data (the
 * calibration end is the last purchase date seen). When the models cannot be fitted (too little data, e.g.
 * fewer than two repeat customers) the snapshot is published without profiles and the manifest's
 * {@code customerModels} section says why: profiles are an addition, not a reason to withhold rules.
 */
final class CustomerProfilesStep {
    /** Why sequence-only input gets no profiles (manifest and training output). */
    static final String SEQUENCE_ONLY = "the input has an order sequence, not timestamps: customer value models "
            + "(RFM, P(alive), value, tiers, strategies) need order dates";

    private CustomerProfilesStep() {
    }

    /**
     * Puts the profiles (also handed to {@code profiles}); returns the manifest section describing what was done.
     * A degenerate fit goes to {@code progress} as a {@code WARNING} line, as {@code affinity customers} prints it:
     * the served P(alive), tiers and strategies come from that fit.
     */
    static Map<String, Object> run(Transactions tx, SnapshotBuilder builder,
                                   BiConsumer<String, CustomerProfile> profiles,
                                   ItemCosts costs,
                                   Consumer<String> progress) {
        Map<String, Object> section = new LinkedHashMap<>();
        if (tx.sequenceOnly()) {
            // Sequence n is day n after 1970-01-01: P(alive), tiers and strategies fitted on that would look like
            // facts about customers while describing days that never were.
            section.put("profiles", 0);
            section.put("skipped", SEQUENCE_ONLY);
            return section;
        }
        LocalDate last = null;
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.customerOf(o) >= 0) {
                LocalDate d = tx.timestampOf(o).toLocalDate();
                last = last == null || d.isAfter(last) ? d : last;
            }
        }
        if (last == null) {
            section.put("profiles", 0);
            section.put("skipped", "no identified customers");
            return section;
        }
        CustomerAnalysis analysis;
        try {
            // every return netted, also one made after the last purchase day: nothing after it is scored
            analysis = CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(last).withEveryReturnNetted(),
                    costs);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            section.put("profiles", 0);
            section.put("skipped", e.getMessage());
            return section;
        }
        analysis.rows().forEach(r -> {
            builder.putProfile(r.customerId(), r.profile());
            profiles.accept(r.customerId(), r.profile());
        });
        section.putAll(CustomerReportWriter.report(analysis));
        List<String> warnings = FitDiagnostics.warnings(analysis, "a longer export");
        section.put("warnings", warnings);
        warnings.forEach(w -> progress.accept("WARNING: " + w));
        section.put("profiles", analysis.rows().size());
        return section;
    }
}
