package io.affinity.training.customers;

import java.util.Arrays;

/**
 * RFM quintile scores and the usual recency x frequency segment grid.
 *
 * <p>Scores come from competition ("min") ranks, so equal values always get the same score, that of the
 * first position they share: {@code score = 1 + floor(5 * worse / n)}, {@code worse} = number of customers
 * with a strictly worse value. Many customers share a frequency of 1; splitting them across scores by input
 * order would be arbitrary, and mid-ranks would lift all one-time buyers to score 2 so that the
 * "new customers" and "promising" cells could never occur.
 */
public final class Rfm {
    private Rfm() {
    }

    /** Quintile scores 1..5; {@code higherIsBetter = false} for recency in days (recent = 5). */
    public static int[] scores(double[] values, boolean higherIsBetter) {
        int n = values.length;
        double[] sorted = values.clone();
        for (double v : sorted) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("RFM value is NaN");
            }
        }
        Arrays.sort(sorted);
        int[] scores = new int[n];
        for (int i = 0; i < n; i++) {
            double v = values[i];
            int below = lowerBound(sorted, v);
            int ties = upperBound(sorted, v) - below;
            int worse = higherIsBetter ? below : n - below - ties;
            scores[i] = Math.min(5, 1 + (int) Math.floor(5.0 * worse / n));
        }
        return scores;
    }

    /**
     * The widely used RF grid (R score first, F score second): champions 5/4-5; loyal 3-4/4-5; potential
     * loyalists 4-5/2-3; new customers 5/1; promising 4/1; need attention 3/3; about to sleep 3/1-2;
     * can't lose them 1-2/5; at risk 1-2/3-4; hibernating 1-2/1-2. Every one of the 25 cells has a name.
     */
    public static String segment(int r, int f) {
        if (r < 1 || r > 5 || f < 1 || f > 5) {
            throw new IllegalArgumentException("scores must be 1..5, was " + r + "/" + f);
        }
        if (r <= 2) {
            return f <= 2 ? "hibernating" : f <= 4 ? "at_risk" : "cant_lose_them";
        }
        if (r == 3) {
            return f <= 2 ? "about_to_sleep" : f == 3 ? "need_attention" : "loyal";
        }
        if (f >= 4) {
            return r == 5 ? "champions" : "loyal";
        }
        if (f >= 2) {
            return "potential_loyalists";
        }
        return r == 5 ? "new_customers" : "promising";
    }

    private static int lowerBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
