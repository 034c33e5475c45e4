package io.affinity.training.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * How sure a metric or a difference between two models is, from per-customer values: percentile bootstrap intervals
 * over test customers and a paired t-test.
 *
 * <p>The bootstrap draws {@link #RESAMPLES} samples of the customers with replacement (seed {@link #SEED}, its own,
 * so the intervals move only when the per-customer values do, not with the models' {@code --seed}), and takes the
 * 2.5th and 97.5th percentiles of the resampled means (commons-math3 {@link Percentile}, linear interpolation as in
 * R's and NumPy's default). Every column is resampled with the same draws, so a difference of two models is paired:
 * each customer's pair of values stays together.
 *
 * <p>The p-value is the paired t-test's (commons-math3 {@link TTest#pairedTTest}, two-sided). It tests the mean
 * difference, the quantity the intervals and the reported aggregates are about; with thousands of customers the
 * mean of the differences is close to normal however skewed each customer's values are. The Wilcoxon signed-rank
 * test of commons-math3 3.6.1 is not used: it ranks zero differences and counts them on the negative side, so two
 * identical models (every difference 0, as for many customers of any two models) come out "significant" at
 * p = 4e-18.
 */
public final class Significance {
    /** Bootstrap resamples: the 2.5th percentile then rests on about 25 resampled means. */
    public static final int RESAMPLES = 1000;
    /** The bootstrap's own seed. */
    public static final long SEED = 42;
    /** Two-sided coverage of the intervals. */
    public static final double CONFIDENCE = 0.95;

    private Significance() {
    }

    /** A closed interval of a mean or of a mean difference. */
    public record Interval(double low, double high) {
        public Interval {
            if (!(low <= high)) { // also refuses NaN
                throw new IllegalArgumentException("need low <= high, was [" + low + ", " + high + "]");
            }
        }

        /** Whether 0 lies outside: the difference is then called significant (marked with a star). */
        public boolean excludesZero() {
            return low > 0 || high < 0;
        }
    }

    /**
     * NEW minus BASE over the same customers.
     *
     * @param difference mean of the per-customer differences (the difference of the two means, up to rounding)
     * @param interval   its paired percentile bootstrap interval
     * @param pValue     the paired t-test's two-sided p-value; 1 when every difference is 0, NaN for fewer than 2
     *                   customers
     * @param customers  how many customers were paired
     */
    public record Paired(double difference, Interval interval, double pValue, int customers) {
        public Paired {
            Objects.requireNonNull(interval, "interval");
            if (customers < 1) {
                throw new IllegalArgumentException("customers must be >= 1, was " + customers);
            }
        }

        public boolean significant() {
            return interval.excludesZero();
        }
    }

    /**
     * Percentile bootstrap intervals of each column's mean, every column resampled with the same draws of rows
     * (customers). Reproducible: the same columns, resamples and seed give the same intervals.
     *
     * @param columns per column, one value per row; all of the same length, at least 1, no NaN
     */
    public static List<Interval> bootstrapMeans(List<double[]> columns, int resamples, long seed) {
        if (columns.isEmpty()) {
            return List.of();
        }
        int n = columns.get(0).length;
        if (n == 0) {
            throw new IllegalArgumentException("no customers to resample");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, was " + resamples);
        }
        for (double[] c : columns) {
            if (c.length != n) {
                throw new IllegalArgumentException("columns of different lengths: " + n + " and " + c.length);
            }
            for (double v : c) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("a column holds NaN");
                }
            }
        }
        // java.util.Random: its algorithm is part of its specification, so the draws are the same on every JDK.
        Random random = new Random(seed);
        int[] rows = new int[n];
        double[][] means = new double[columns.size()][resamples];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                rows[i] = random.nextInt(n);
            }
            for (int c = 0; c < columns.size(); c++) {
                double[] col = columns.get(c);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += col[rows[i]];
                }
                means[c][b] = sum / n;
            }
        }
        Percentile percentile = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        double tail = (1 - CONFIDENCE) / 2 * 100;
        List<Interval> out = new ArrayList<>(columns.size());
        for (double[] m : means) {
            percentile.setData(m);
            out.add(new Interval(percentile.evaluate(tail), percentile.evaluate(100 - tail)));
        }
        return out;
    }

    /** Per row {@code changed[i] - base[i]}. */
    public static double[] differences(double[] base, double[] changed) {
        if (base.length != changed.length) {
            throw new IllegalArgumentException("cannot pair " + base.length + " with " + changed.length + " values");
        }
        double[] d = new double[base.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = changed[i] - base[i];
        }
        return d;
    }

    /**
     * The paired t-test's two-sided p-value of CHANGED minus BASE. When every difference is the same the test
     * statistic has no variance: commons-math3 answers NaN for all-zero differences (0/0), taken here as 1 (nothing
     * differs), and 0 for one non-zero constant (every customer moved the same way by the same amount).
     */
    public static double pairedTTestP(double[] base, double[] changed) {
        if (base.length != changed.length) {
            throw new IllegalArgumentException("cannot pair " + base.length + " with " + changed.length + " values");
        }
        if (base.length < 2) {
            return Double.NaN;
        }
        double p = new TTest().pairedTTest(changed, base);
        return Double.isNaN(p) && allZero(differences(base, changed)) ? 1 : p;
    }

    private static boolean allZero(double[] d) {
        for (double v : d) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Paired comparisons of several (base, changed) column pairs over the same customers, all bootstrapped with the
     * same draws.
     */
    public static List<Paired> paired(List<double[]> bases, List<double[]> changes, int resamples, long seed) {
        if (bases.size() != changes.size()) {
            throw new IllegalArgumentException(bases.size() + " bases for " + changes.size() + " changed columns");
        }
        List<double[]> diffs = new ArrayList<>();
        for (int k = 0; k < bases.size(); k++) {
            diffs.add(differences(bases.get(k), changes.get(k)));
        }
        List<Interval> intervals = bootstrapMeans(diffs, resamples, seed);
        List<Paired> out = new ArrayList<>();
        for (int k = 0; k < diffs.size(); k++) {
            out.add(new Paired(mean(diffs.get(k)), intervals.get(k), pairedTTestP(bases.get(k), changes.get(k)),
                    diffs.get(k).length));
        }
        return out;
    }

    /** Summed in row order, as the evaluation sums its aggregates. */
    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
