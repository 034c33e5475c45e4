package io.affinity.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code affinity train} precomputes for {@code GET /v1/customers/{id}/recommendations}, with documented
 * defaults ({@link #DEFAULTS}).
 *
 * @param recommender    {@code blend} (default): fit the offline evaluation's blend (tuned on a validation split
 *                       at the end of the data, refitted on all of it) and store every identified customer's top
 *                       {@code topN}; {@code rules}: store nothing, customers are served by association rules
 *                       fired by their history at request time (the behaviour before precomputation)
 * @param topN           candidates stored per customer (default 50)
 * @param validationDays validation period at the end of the data, in days (default 90, as in the evaluation;
 *                       capped to a quarter of the data's time span)
 * @param threads        worker threads for fitting and scoring (default 2)
 * @param reducedGrid    true: each model's first hyper-parameter setting only, blend weights still tuned
 *                       (default false: the evaluation's full grid)
 * @param seasonWindow   true (default): the re-ranker also learns from the served period's season one year earlier,
 *                       when the data reach back that far (about twice the re-ranker's fitting time)
 */
public record RecommenderParameters(String recommender, int topN, int validationDays, int threads,
                                    boolean reducedGrid, boolean seasonWindow) {
    public static final RecommenderParameters DEFAULTS = new RecommenderParameters("blend", 50, 90, 2, false);
    public static final RecommenderParameters RULES = new RecommenderParameters("rules", 50, 90, 2, false);

    /** With the same-season window (the default). */
    public RecommenderParameters(String recommender, int topN, int validationDays, int threads, boolean reducedGrid) {
        this(recommender, topN, validationDays, threads, reducedGrid, true);
    }

    public RecommenderParameters {
        if (!"blend".equals(recommender) && !"rules".equals(recommender)) {
            throw new IllegalArgumentException("--recommender must be 'blend' or 'rules', was '" + recommender + "'");
        }
        if (topN < 1 || topN > 1000) {
            throw new IllegalArgumentException("--top-n must be in 1..1000, was " + topN);
        }
        // Each named on its own, as the option is typed: one message for both left the user guessing which.
        if (validationDays < 1) {
            throw new IllegalArgumentException("--validation-days must be >= 1, was " + validationDays);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
        }
    }

    public boolean precompute() {
        return "blend".equals(recommender);
    }

    Map<String, Object> asManifestMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recommender", recommender);
        m.put("topN", topN);
        m.put("validationDays", validationDays);
        m.put("threads", threads);
        m.put("reducedGrid", reducedGrid);
        m.put("seasonWindow", seasonWindow);
        return m;
    }
}
