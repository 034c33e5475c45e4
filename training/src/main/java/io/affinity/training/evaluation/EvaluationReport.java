package io.affinity.training.evaluation;

import java.util.List;
import java.util.Map;

/**
 * Everything an evaluation run found, for the table, {@code report.json} and {@code report.html}.
 *
 * @param served the model to serve: the best validation NDCG@10 (never chosen on test numbers)
 * @param facts  split sizes and other context (ordered)
 */
public record EvaluationReport(EvaluationSettings settings, Map<String, Object> facts, List<ModelResult> models,
                               String served, double totalSeconds) {
    public EvaluationReport {
        models = List.copyOf(models);
    }

    public ModelResult model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model " + name));
    }
}
