package io.affinity.training;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code affinity train} does, with documented defaults ({@link #defaults(List)}).
 *
 * @param inputs           transaction exports (CSV or gzip CSV), read in this order
 * @param format           column mapping preset name, or {@code auto} to detect it from each header (default)
 * @param minSupport       minimum support of a frequent itemset, as a fraction of baskets (default 0.005); train
 *                         uses a support count of at least {@link #MIN_SUPPORT_COUNT}
 * @param minConfidence    minimum rule confidence (default 0.05)
 * @param minLift          minimum rule lift (default 1.0: no rule worse than chance)
 * @param maxLength        largest itemset mined, so antecedents have at most maxLength - 1 items (default 3)
 * @param maxRulesPerItem  rules kept per antecedent item, best first (default 100): bounds per-request work
 * @param popularItems     popular items stored as the cold-start fallback (default 100)
 * @param errorBudget      share of rows that may be malformed before ingestion fails (default 0.01)
 */
public record TrainingParameters(List<Path> inputs, String format, double minSupport, double minConfidence,
                                 double minLift, int maxLength, int maxRulesPerItem, int popularItems,
                                 double errorBudget) {
    public TrainingParameters {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("at least one input file is needed");
        }
        inputs = List.copyOf(inputs);
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("format must be 'auto' or a preset name");
        }
        checkRuleParameters(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem, popularItems);
        if (!(errorBudget >= 0 && errorBudget <= 1)) {
            throw new IllegalArgumentException("error budget must be in [0, 1], was " + errorBudget);
        }
    }

    /**
     * The checks on what both training engines mine and keep (this record's and the Spark job's options), with one
     * wording for both.
     *
     * @throws IllegalArgumentException naming the first parameter out of its range
     */
    public static void checkRuleParameters(double minSupport, double minConfidence, double minLift, int maxLength,
                                           int maxRulesPerItem, int popularItems) {
        checkRuleThresholds(minSupport, minConfidence, minLift);
        if (maxLength < 2) {
            throw new IllegalArgumentException("--max-length must be >= 2 (a rule needs two items), was " + maxLength);
        }
        if (maxRulesPerItem < 1) {
            throw new IllegalArgumentException("--max-rules-per-item must be >= 1, was " + maxRulesPerItem);
        }
        if (popularItems < 1) {
            throw new IllegalArgumentException("popular items must be >= 1, was " + popularItems);
        }
    }

    /**
     * The checks on a rule's thresholds, shared with {@code evaluate}'s options of the same names (its rules model
     * mines with them), with one wording for all.
     *
     * @throws IllegalArgumentException naming the first threshold out of its range
     */
    public static void checkRuleThresholds(double minSupport, double minConfidence, double minLift) {
        if (!(minSupport > 0 && minSupport <= 1)) {
            throw new IllegalArgumentException("--min-support must be in (0, 1], was " + minSupport);
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("--min-confidence must be in [0, 1], was " + minConfidence);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw new IllegalArgumentException("--min-lift must be finite and >= 0, was " + minLift);
        }
    }

    public static final double DEFAULT_MIN_SUPPORT = 0.005;
    public static final double DEFAULT_MIN_CONFIDENCE = 0.05;
    public static final double DEFAULT_MIN_LIFT = 1.0;
    public static final int DEFAULT_MAX_LENGTH = 3;
    public static final int DEFAULT_MAX_RULES_PER_ITEM = 100;
    public static final int DEFAULT_POPULAR_ITEMS = 100;
    public static final double DEFAULT_ERROR_BUDGET = 0.01;
    /**
     * The least support count a published itemset has, whatever {@code minSupport} gives: on small data the
     * default fraction is a count of 1, and a rule seen in one basket ("in 100% of baskets with X, lift 200") is
     * an anecdote, not a pattern. The {@code mine} verb has no floor: its counts are exact by contract.
     */
    public static final long MIN_SUPPORT_COUNT = 2;

    public static TrainingParameters defaults(List<Path> inputs) {
        return new TrainingParameters(inputs, "auto", DEFAULT_MIN_SUPPORT, DEFAULT_MIN_CONFIDENCE, DEFAULT_MIN_LIFT,
                DEFAULT_MAX_LENGTH, DEFAULT_MAX_RULES_PER_ITEM, DEFAULT_POPULAR_ITEMS,
                DEFAULT_ERROR_BUDGET);
    }

    /** The parameters as recorded in the snapshot manifest (provenance). */
    public Map<String, Object> asManifestMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("minSupport", minSupport);
        m.put("minConfidence", minConfidence);
        m.put("minLift", minLift);
        m.put("maxLength", maxLength);
        m.put("maxRulesPerItem", maxRulesPerItem);
        m.put("popularItems", popularItems);
        m.put("errorBudget", errorBudget);
        return m;
    }
}
