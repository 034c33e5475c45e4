package io.affinity.training.evaluation;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Top-k ranking metrics over many customers, binary relevance, at the cut-offs {@link #CUTOFFS}: recall
 * (hits / relevant), precision (hits / k), NDCG (DCG over the ideal DCG of min(k, relevant) hits), hit rate
 * (at least one hit), MAP (average precision at k, normalised by min(k, relevant)); plus catalogue coverage
 * (distinct items recommended in anyone's top k / catalogue size, the catalogue being the items sold before the
 * cutoff when the caller says so) and novelty (mean self-information
 * {@code -log2(share of training customers who bought the item)} of the recommended items).
 *
 * <p>Not thread-safe: fill one per thread or add rankings in a fixed order, which keeps sums reproducible.
 */
public final class RankingMetrics {
    public static final int[] CUTOFFS = {5, 10, 20};
    /**
     * The metrics {@link #add(int[], int[], double[])} reports per customer, in this order: the ones whose mean over
     * customers a paired test of two models is about (the others are ratios over the catalogue or per-kind).
     */
    public static final List<String> PER_CUSTOMER = List.of("ndcg@10", "recall@10", "hitrate@10");
    static final int MAX_K = 20;

    private final double[] selfInformation;
    private final int catalogue;
    private final double[][] sums = new double[CUTOFFS.length][6]; // recall, precision, ndcg, hit, map, novelty
    private final BitSet[] covered = new BitSet[CUTOFFS.length];
    private int users;

    /** @param selfInformation per item, {@code -log2(p)} of its training popularity; every item is the catalogue */
    public RankingMetrics(double[] selfInformation) {
        this(selfInformation, selfInformation.length);
    }

    /**
     * @param selfInformation per item, {@code -log2(p)} of its training popularity
     * @param catalogue       coverage's denominator: the items a model could know (those sold before the cutoff)
     */
    public RankingMetrics(double[] selfInformation, int catalogue) {
        if (catalogue < 0 || catalogue > selfInformation.length) {
            throw new IllegalArgumentException("catalogue must be in [0, " + selfInformation.length + "], was "
                    + catalogue);
        }
        this.selfInformation = selfInformation;
        this.catalogue = catalogue;
        for (int c = 0; c < CUTOFFS.length; c++) {
            covered[c] = new BitSet(catalogue);
        }
    }

    /** One customer's ranking (best first, at least up to 20 when available) against the sorted relevant items. */
    public void add(int[] ranked, int[] relevant) {
        add(ranked, relevant, null);
    }

    /**
     * {@link #add(int[], int[])}, also writing this customer's {@link #PER_CUSTOMER} values into {@code at10} (when
     * not null): the very numbers added to the sums, so their mean over customers is the reported aggregate.
     *
     * @return whether the customer counted (false, and {@code at10} untouched, when nothing is relevant)
     */
    public boolean add(int[] ranked, int[] relevant, double[] at10) {
        if (relevant.length == 0) {
            return false;
        }
        users++;
        for (int c = 0; c < CUTOFFS.length; c++) {
            int k = CUTOFFS[c];
            int n = Math.min(k, ranked.length);
            int hits = 0;
            double dcg = 0;
            double ap = 0;
            double nov = 0;
            for (int r = 0; r < n; r++) {
                int item = ranked[r];
                covered[c].set(item);
                nov += selfInformation[item];
                if (Arrays.binarySearch(relevant, item) >= 0) {
                    hits++;
                    dcg += discount(r);
                    ap += hits / (double) (r + 1);
                }
            }
            double idcg = 0;
            for (int r = 0; r < Math.min(k, relevant.length); r++) {
                idcg += discount(r);
            }
            double[] s = sums[c];
            double recall = hits / (double) relevant.length;
            double ndcg = dcg / idcg;
            double hit = hits > 0 ? 1 : 0;
            s[0] += recall;
            s[1] += hits / (double) k;
            s[2] += ndcg;
            s[3] += hit;
            s[4] += ap / Math.min(k, relevant.length);
            s[5] += n == 0 ? 0 : nov / n;
            if (at10 != null && k == 10) {
                at10[0] = ndcg;
                at10[1] = recall;
                at10[2] = hit;
            }
        }
        return true;
    }

    /** NDCG's weight of 0-based rank {@code rank}, {@code 1 / log2(rank + 2)}: one definition for every ranker. */
    static double discount(int rank) {
        return 1 / (Math.log(rank + 2) / Math.log(2));
    }

    public int users() {
        return users;
    }

    public double ndcg(int k) {
        return mean(indexOf(k), 2);
    }

    /** Metric name ({@code "ndcg@10"}, prefixed) to mean value, in a fixed order. */
    public Map<String, Double> values(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        String[] names = {"recall", "precision", "ndcg", "hitrate", "map", "novelty"};
        for (int c = 0; c < CUTOFFS.length; c++) {
            for (int m = 0; m < names.length; m++) {
                out.put(prefix + names[m] + "@" + CUTOFFS[c], mean(c, m));
            }
            out.put(prefix + "coverage@" + CUTOFFS[c], covered[c].cardinality() / (double) Math.max(1, catalogue));
        }
        out.put(prefix + "users", (double) users);
        return out;
    }

    private double mean(int c, int m) {
        return users == 0 ? 0 : sums[c][m] / users;
    }

    private static int indexOf(int k) {
        for (int c = 0; c < CUTOFFS.length; c++) {
            if (CUTOFFS[c] == k) {
                return c;
            }
        }
        throw new IllegalArgumentException("no cutoff " + k);
    }
}
