package io.affinity.training.evaluation;

import io.affinity.training.TrainingParameters;
import java.time.LocalDateTime;

/**
 * What {@link Evaluation} runs.
 *
 * @param split          {@code "time"} or {@code "last-basket"}
 * @param cutoff         time split: first instant of the test period (ignored for last-basket)
 * @param testDays       time split: length of the test period; the validation period is the same length,
 *                       immediately before the cutoff
 * @param threads        worker threads for training and scoring (2 on the project's machines)
 * @param seed           seed of every randomised model (ALS), so reruns give identical numbers
 * @param easeMaxItems   EASE is dense: it models only this many most-bought items
 * @param candidates     candidates per model and kind (repeat / new) handed to the blend
 * @param seasonWindow   time split: the re-ranker also learns from the test period's season one year earlier
 *                       (when the data reach back that far); false halves the re-ranker's fitting time
 * @param rulesMinSupport the rules model's support, a share of each split's training baskets, with a support count
 *                       of at least {@link #RULES_MIN_SUPPORT_COUNT} (train's {@code --min-support}, so that the
 *                       blend weighs rules as the snapshot mines them: at a fixed 0.005 a large catalogue's
 *                       validation saw no rule and weighed the rules at 0 whatever support the user gave)
 * @param rulesMinConfidence the rules model's least confidence (train's {@code --min-confidence}; it was a fixed
 *                       0.05, train's default, whatever the user trained with)
 * @param rulesMinLift   the rules model's least lift (train's {@code --min-lift}; a fixed 1.0 before, the default)
 * @param customersPerBlock the re-ranker's candidate tables and features are made for this many customers at a time
 *                       and dropped after use (every window, its out-of-fold scoring, the test and the served
 *                       lists): about 50 KB a customer at 11 models, so 10,000 hold about 500 MB whatever the
 *                       number of customers; blocks give the same numbers as one piece
 */
public record EvaluationSettings(String split, LocalDateTime cutoff, int testDays, int threads, long seed,
                                 int easeMaxItems, int candidates, boolean seasonWindow, double rulesMinSupport,
                                 double rulesMinConfidence, double rulesMinLift, int customersPerBlock) {
    public static final int DEFAULT_TEST_DAYS = 90;
    public static final int DEFAULT_EASE_MAX_ITEMS = 2500;
    public static final int DEFAULT_CANDIDATES = 50;
    /** train's default {@code --min-support}. */
    public static final double DEFAULT_RULES_MIN_SUPPORT = TrainingParameters.DEFAULT_MIN_SUPPORT;
    /** train's default {@code --min-confidence}. */
    public static final double DEFAULT_RULES_MIN_CONFIDENCE = TrainingParameters.DEFAULT_MIN_CONFIDENCE;
    /** train's default {@code --min-lift}. */
    public static final double DEFAULT_RULES_MIN_LIFT = TrainingParameters.DEFAULT_MIN_LIFT;
    /** train's floor: no rule resting on a single basket. */
    public static final long RULES_MIN_SUPPORT_COUNT = TrainingParameters.MIN_SUPPORT_COUNT;
    public static final int DEFAULT_CUSTOMERS_PER_BLOCK = 10_000;

    /** With train's default rule thresholds for the rules model, in blocks of {@link #DEFAULT_CUSTOMERS_PER_BLOCK}. */
    public EvaluationSettings(String split, LocalDateTime cutoff, int testDays, int threads, long seed,
                              int easeMaxItems, int candidates, boolean seasonWindow) {
        this(split, cutoff, testDays, threads, seed, easeMaxItems, candidates, seasonWindow,
                DEFAULT_RULES_MIN_SUPPORT, DEFAULT_RULES_MIN_CONFIDENCE, DEFAULT_RULES_MIN_LIFT,
                DEFAULT_CUSTOMERS_PER_BLOCK);
    }

    /** With the same-season window (the default). */
    public EvaluationSettings(String split, LocalDateTime cutoff, int testDays, int threads, long seed,
                              int easeMaxItems, int candidates) {
        this(split, cutoff, testDays, threads, seed, easeMaxItems, candidates, true);
    }

    public EvaluationSettings {
        if (!"time".equals(split) && !"last-basket".equals(split)) {
            throw new IllegalArgumentException("split must be 'time' or 'last-basket', was '" + split + "'");
        }
        if ("time".equals(split) && cutoff == null) {
            throw new IllegalArgumentException("the time split needs a cutoff");
        }
        // Each named on its own, as the option is typed, with its value: one message for all left the user
        // guessing which one was wrong.
        if (testDays < 1) {
            throw new IllegalArgumentException("--test-days must be >= 1, was " + testDays);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
        }
        if (easeMaxItems < 1) {
            throw new IllegalArgumentException("--ease-max-items must be >= 1, was " + easeMaxItems);
        }
        // train's checks and wording: the options are train's
        TrainingParameters.checkRuleThresholds(rulesMinSupport, rulesMinConfidence, rulesMinLift);
        if (customersPerBlock < 1) {
            throw new IllegalArgumentException("customersPerBlock must be >= 1, was " + customersPerBlock);
        }
        if (candidates < RankingMetrics.MAX_K) {
            throw new IllegalArgumentException("candidates must be >= " + RankingMetrics.MAX_K + ", was " + candidates);
        }
    }
}
