package io.affinity.spark;

import io.affinity.training.RecommenderParameters;
import io.affinity.training.TrainingParameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the Spark model stage computes, with documented defaults ({@link #DEFAULTS}). The rule parameters mean
 * exactly what {@link TrainingParameters}' do, and the list length what {@link RecommenderParameters#topN()} does.
 *
 * @param minSupport         minimum support of a frequent itemset, as a fraction of baskets (default
 *                           {@value TrainingParameters#DEFAULT_MIN_SUPPORT}); the support count used is at least
 *                           {@link TrainingParameters#MIN_SUPPORT_COUNT}, as in single-machine training
 * @param minConfidence      minimum rule confidence (default {@value TrainingParameters#DEFAULT_MIN_CONFIDENCE})
 * @param minLift            minimum rule lift (default {@value TrainingParameters#DEFAULT_MIN_LIFT})
 * @param maxLength          largest itemset kept (default {@value TrainingParameters#DEFAULT_MAX_LENGTH}). Spark's
 *                           FP-growth has no length limit: longer itemsets are mined and then dropped, so a low
 *                           support costs what it costs without the limit
 * @param maxRulesPerItem    rules kept per antecedent item and kind, best first (default
 *                           {@value TrainingParameters#DEFAULT_MAX_RULES_PER_ITEM})
 * @param popularItems       popular items stored as the cold-start fallback (default
 *                           {@value TrainingParameters#DEFAULT_POPULAR_ITEMS})
 * @param topN               items stored per customer (default 50, as {@link RecommenderParameters#DEFAULTS}); 0
 *                           stores no lists (customers are then served by rules fired by their history)
 * @param alsRank            implicit ALS factors (default 64, as the evaluation's ALS)
 * @param alsRegularization  Spark's regParam (default 0.1). Spark scales it by each user's and item's number of
 *                           ratings (ALS-WR), so it is not the single-machine ALS's regularization of the same value
 * @param alsAlpha           confidence scale: a cell's confidence is {@code 1 + alpha x r} with {@code r = 1 + ln
 *                           orders}, the single-machine ALS's {@code c} (default 10, its first grid setting)
 * @param alsIterations      ALS sweeps (default 12, as the evaluation's ALS)
 * @param seed               seed of ALS's initial factors (default 42, single-machine training's seed)
 * @param repeatHalfLifeDays half-life of a purchase's weight in the repeat score, in days (default 90, the middle
 *                           of the evaluation's grid for repeat-frequency)
 * @param newItemWeight      how new items mix with repeat items in one list: each kind's scores are min-max
 *                           normalised to (0.1, 1] within the customer's list, new items' then multiplied by this
 *                           (default 0.1: the best new item ties the last repeat item, so a customer's own
 *                           items come first, then new ones. Chosen on the UCI data's validation window, train
 *                           before 2011-06-03 and 90 days of test, out of 1, 0.5, 0.3 and 0.1: ndcg@10 0.2415,
 *                           0.3148, 0.3237, 0.3276 (benchmarks/RESULTS.md); not tuned per run, unlike the
 *                           single-machine blend)
 * @param orderSequence      true when the exports had an order sequence instead of timestamps ({@code time} then
 *                           holds day n after 1970-01-01 for sequence n, as both loaders read it): recorded in the
 *                           manifest, so the served snapshot knows its dates are sequence numbers, and customer value
 *                           models are skipped, as in single-machine training (default false)
 */
public record SparkModelOptions(double minSupport, double minConfidence, double minLift, int maxLength,
                                int maxRulesPerItem, int popularItems, int topN, int alsRank,
                                double alsRegularization, double alsAlpha, int alsIterations, long seed,
                                double repeatHalfLifeDays, double newItemWeight, boolean orderSequence) {
    public static final int DEFAULT_TOP_N = 50;
    public static final int DEFAULT_ALS_RANK = 64;
    public static final double DEFAULT_ALS_REGULARIZATION = 0.1;
    public static final double DEFAULT_ALS_ALPHA = 10;
    public static final int DEFAULT_ALS_ITERATIONS = 12;
    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_REPEAT_HALF_LIFE_DAYS = 90;
    public static final double DEFAULT_NEW_ITEM_WEIGHT = 0.1;

    public static final SparkModelOptions DEFAULTS = new SparkModelOptions(TrainingParameters.DEFAULT_MIN_SUPPORT,
            TrainingParameters.DEFAULT_MIN_CONFIDENCE, TrainingParameters.DEFAULT_MIN_LIFT,
            TrainingParameters.DEFAULT_MAX_LENGTH, TrainingParameters.DEFAULT_MAX_RULES_PER_ITEM,
            TrainingParameters.DEFAULT_POPULAR_ITEMS, DEFAULT_TOP_N, DEFAULT_ALS_RANK, DEFAULT_ALS_REGULARIZATION,
            DEFAULT_ALS_ALPHA, DEFAULT_ALS_ITERATIONS, DEFAULT_SEED, DEFAULT_REPEAT_HALF_LIFE_DAYS,
            DEFAULT_NEW_ITEM_WEIGHT, false);

    public SparkModelOptions {
        TrainingParameters.checkRuleParameters(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem,
                popularItems);
        if (topN < 0 || topN > 1000) {
            throw new IllegalArgumentException("--top-n must be in 0..1000, was " + topN);
        }
        if (alsRank < 1 || alsRank > 1000) {
            throw new IllegalArgumentException("--als-rank must be in 1..1000, was " + alsRank);
        }
        if (!(alsRegularization >= 0) || Double.isInfinite(alsRegularization)) {
            throw new IllegalArgumentException("--als-regularization must be finite and >= 0, was " + alsRegularization);
        }
        if (!(alsAlpha >= 0) || Double.isInfinite(alsAlpha)) {
            throw new IllegalArgumentException("--als-alpha must be finite and >= 0, was " + alsAlpha);
        }
        if (alsIterations < 1) {
            throw new IllegalArgumentException("--als-iterations must be >= 1, was " + alsIterations);
        }
        if (!(repeatHalfLifeDays > 0) || Double.isInfinite(repeatHalfLifeDays)) {
            throw new IllegalArgumentException("--repeat-half-life-days must be finite and > 0, was " + repeatHalfLifeDays);
        }
        if (!(newItemWeight > 0) || Double.isInfinite(newItemWeight)) {
            throw new IllegalArgumentException("--new-item-weight must be finite and > 0, was " + newItemWeight);
        }
    }

    /** These options with another {@code newItemWeight}. */
    public SparkModelOptions withNewItemWeight(double weight) {
        return new SparkModelOptions(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem, popularItems,
                topN, alsRank, alsRegularization, alsAlpha, alsIterations, seed, repeatHalfLifeDays, weight,
                orderSequence);
    }

    /** These options with another {@code repeatHalfLifeDays}. */
    public SparkModelOptions withRepeatHalfLifeDays(double days) {
        return new SparkModelOptions(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem, popularItems,
                topN, alsRank, alsRegularization, alsAlpha, alsIterations, seed, days, newItemWeight,
                orderSequence);
    }

    /** These options for input whose {@code time} is (or is not) an order sequence number. */
    public SparkModelOptions withOrderSequence(boolean sequence) {
        return new SparkModelOptions(minSupport, minConfidence, minLift, maxLength, maxRulesPerItem, popularItems,
                topN, alsRank, alsRegularization, alsAlpha, alsIterations, seed, repeatHalfLifeDays, newItemWeight,
                sequence);
    }

    /** The options as recorded in the snapshot manifest. */
    public Map<String, Object> asManifestMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("minSupport", minSupport);
        m.put("minConfidence", minConfidence);
        m.put("minLift", minLift);
        m.put("maxLength", maxLength);
        m.put("maxRulesPerItem", maxRulesPerItem);
        m.put("popularItems", popularItems);
        m.put("topN", topN);
        m.put("alsRank", alsRank);
        m.put("alsRegularization", alsRegularization);
        m.put("alsAlpha", alsAlpha);
        m.put("alsIterations", alsIterations);
        m.put("seed", seed);
        m.put("repeatHalfLifeDays", repeatHalfLifeDays);
        m.put("newItemWeight", newItemWeight);
        m.put("orderSequence", orderSequence);
        return m;
    }
}
