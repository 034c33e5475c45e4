package io.affinity.training.mining;

/**
 * Thresholds a rule must reach to be kept.
 *
 * @param minConfidence lowest confidence kept, in [0, 1]
 * @param minLift       lowest lift kept, finite and &gt;= 0 (0 keeps all)
 */
public record RuleParameters(double minConfidence, double minLift) {
    public RuleParameters {
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("minConfidence must be in [0, 1], was " + minConfidence);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw new IllegalArgumentException("minLift must be finite and >= 0, was " + minLift);
        }
    }
}
