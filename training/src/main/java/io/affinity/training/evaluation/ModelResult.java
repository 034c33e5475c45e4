package io.affinity.training.evaluation;

import java.util.Map;

/**
 * One model's outcome on the test split.
 *
 * @param name              model key, e.g. {@code "ease"} or {@code "blend"}
 * @param parameters        hyper-parameters chosen on validation (for the blend: its weights)
 * @param validationNdcg10  NDCG@10 on the validation split with those parameters
 * @param trainSeconds      time to train on the full training period (the blend: sum of its models plus fitting)
 * @param modelBytes        heap held by the trained model's arrays
 * @param metrics           test metrics: {@code "ndcg@10"}, {@code "repeat.recall@20"}, ...
 */
public record ModelResult(String name, Map<String, Object> parameters, double validationNdcg10, double trainSeconds,
                          long modelBytes, Map<String, Double> metrics) {
    public ModelResult {
        parameters = Map.copyOf(parameters);
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }
}
