package io.affinity.training.mining;

import java.util.Objects;

/**
 * Which rules to keep.
 *
 * @param minConfidence  lowest confidence kept, in [0, 1]
 * @param minLift        lowest lift kept, finite and &gt;= 0 (0 keeps all)
 * @param topK           keep only the best {@code topK} rules by {@code sortBy}; 0 keeps all (in itemset order).
 *                       The support floor is the mining threshold: every rule comes from a frequent itemset
 * @param sortBy         the measure {@code topK} ranks by; ties go to the higher support count, then the shorter
 *                       antecedent, then smaller ids, so the selection is deterministic
 * @param pruneRedundant drop a rule A =&gt; c when some rule A' =&gt; c with A' a proper non-empty subset of A has at
 *                       least the same confidence (the more general rule says as much)
 */
public record RuleParameters(double minConfidence, double minLift, int topK, RuleMeasure sortBy,
                             boolean pruneRedundant) {
    public RuleParameters {
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("minConfidence must be in [0, 1], was " + minConfidence);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw new IllegalArgumentException("minLift must be finite and >= 0, was " + minLift);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = all), was " + topK);
        }
        Objects.requireNonNull(sortBy, "sortBy");
    }

    /** All rules passing the two thresholds, unranked and unpruned. */
    public RuleParameters(double minConfidence, double minLift) {
        this(minConfidence, minLift, 0, RuleMeasure.LIFT, false);
    }
}
