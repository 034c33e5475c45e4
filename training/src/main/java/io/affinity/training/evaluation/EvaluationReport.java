package io.affinity.training.evaluation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an evaluation run found, for the table, {@code report.json} and {@code report.html}.
 *
 * @param served        the model to serve: the best validation NDCG@10 (never chosen on test numbers)
 * @param facts         split sizes and other context (ordered)
 * @param perCustomer   every model's per-customer test metrics (written next to report.json)
 * @param ndcgIntervals per model, the bootstrap interval of its test NDCG@10 over test customers
 * @param servedVersus  the served model's paired NDCG@10 differences to the models it is measured against
 * @param warnings      what makes the figures or the served choice doubtful (e.g. a validation split whose
 *                      customers lack the history the test split's have), one sentence each
 * @param rankings      every model's test rankings, in the per-customer rows (written on request); null when not kept
 */
public record EvaluationReport(EvaluationSettings settings, Map<String, Object> facts, List<ModelResult> models,
                               String served, double totalSeconds, PerCustomerMetrics perCustomer,
                               Map<String, Significance.Interval> ndcgIntervals, List<Versus> servedVersus,
                               List<String> warnings, Rankings rankings) {
    public EvaluationReport {
        models = List.copyOf(models);
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(perCustomer, "perCustomer");
        ndcgIntervals = Collections.unmodifiableMap(new LinkedHashMap<>(ndcgIntervals));
        servedVersus = List.copyOf(servedVersus);
    }

    public ModelResult model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model " + name));
    }

    /**
     * The served model's NDCG@10 minus another model's over the same test customers.
     *
     * @param model the other model
     * @param why   why this one (e.g. "best other single model on test ndcg@10")
     */
    public record Versus(String model, String why, Significance.Paired ndcg10) {
        public Versus {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(ndcg10, "ndcg10");
        }
    }
}
