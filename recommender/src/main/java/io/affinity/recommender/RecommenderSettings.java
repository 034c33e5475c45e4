package io.affinity.recommender;

/**
 * Tuning of the online scorer. Defaults are {@link #DEFAULTS}.
 *
 * @param historyItemsConsidered how many of a customer's most bought items fire rules (default 50): bounds
 *                               the lookups per request for customers with long histories
 * @param minLift                rules at or below this lift never produce candidates (default 1.0: a rule
 *                               that is no better than chance is not a reason to recommend)
 */
public record RecommenderSettings(int historyItemsConsidered, double minLift) {
    public static final RecommenderSettings DEFAULTS = new RecommenderSettings(50, 1.0);

    public RecommenderSettings {
        if (historyItemsConsidered < 1) {
            throw new IllegalArgumentException("historyItemsConsidered must be >= 1, was " + historyItemsConsidered);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw new IllegalArgumentException("minLift must be finite and >= 0, was " + minLift);
        }
    }
}
