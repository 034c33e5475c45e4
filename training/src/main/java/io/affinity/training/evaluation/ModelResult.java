package io.affinity.training.evaluation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model's outcome on the test split.
 *
 * @param name              model key, e.g. {@code "ease"} or {@code "blend"}
 * @param parameters        hyper-parameters chosen on validation (for the blend: its weights)
 * @param validationNdcg10  NDCG@10 on the validation split with those parameters
 * @param trainSeconds      time to train on the full training period (the blend: sum of its models plus fitting)
 * @param modelBytes        heap held by the trained model's arrays
 * @param metrics           test metrics: {@code "ndcg@10"}, {@code "repeat.recall@20"}, ...; the {@code "cold."}
 *                          ones are absent when no test customer lacks history
 * @param note              what a reader must know to read the figures (e.g. a seasonal baseline without data a
 *                          year back equals popularity), or null
 */
public record ModelResult(String name, Map<String, Object> parameters, double validationNdcg10, double trainSeconds,
                          long modelBytes, Map<String, Double> metrics, String note) {
    public ModelResult {
        parameters = Map.copyOf(parameters);
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** Without a note. */
    public ModelResult(String name, Map<String, Object> parameters, double validationNdcg10, double trainSeconds,
                       long modelBytes, Map<String, Double> metrics) {
        this(name, parameters, validationNdcg10, trainSeconds, modelBytes, metrics, null);
    }
}
