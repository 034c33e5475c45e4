package io.affinity.training.models;

import java.util.Arrays;
import java.util.List;

/**
 * TIFU-KNN (Hu et al., "Modeling Personalized Item Frequency Information for Next-basket Recommendation", SIGIR
 * 2020), one of the strongest next-basket methods in Li et al.'s reality check (TOIS 2023).
 *
 * <p>Each customer's baskets, newest first, are cut into groups of {@code m} (the oldest group may be shorter).
 * A basket is a binary item vector; a group is {@code (1/m) * sum r_b^j * basket}, j = 0 for the group's newest
 * basket; the customer is {@code (1/g) * sum r_g^i * group}, i = 0 for the newest of the g groups. So basket q
 * (0 = the newest) weighs {@code r_b^(q mod m) * r_g^(q div m) / (m * g)}. The prediction is
 * {@code alpha * own + (1 - alpha) * mean of the k most similar customers' vectors} (cosine). Items with no
 * score from the customer or the neighbours follow in global popularity order, below every scored item (as in
 * {@link RepeatFrequency}), so lists are full and customers without history get popularity.
 *
 * <p>Baskets are the customer's distinct purchase times (one order's lines share its time; two orders of one
 * customer in the same minute count as one basket), as in {@link HistoryFeatures}. The paper's published code
 * uses a fixed number of groups and Euclidean neighbours; this follows the paper's formulas (groups of m,
 * cosine).
 *
 * <p>A customer's vector has the same items as their row of {@link Interactions}, so it is kept per non-zero
 * cell and the neighbour search walks the column index: cost is the sum over items of their buyer count squared.
 */
public final class TifuKnn implements Scorer {
    /**
     * @param neighbours  k, the number of similar customers averaged
     * @param alpha       weight of the customer's own vector, in [0, 1]
     * @param groupSize   m, baskets per group (>= 1)
     * @param withinDecay r_b, decay per basket inside a group, in (0, 1]
     * @param groupDecay  r_g, decay per group, in (0, 1]
     */
    public record Params(int neighbours, double alpha, int groupSize, double withinDecay, double groupDecay) {
        public Params {
            if (neighbours < 0) {
                throw new IllegalArgumentException("neighbours must be >= 0, was " + neighbours);
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1], was " + alpha);
            }
            if (groupSize < 1) {
                throw new IllegalArgumentException("groupSize must be >= 1, was " + groupSize);
            }
            if (!(withinDecay > 0 && withinDecay <= 1) || !(groupDecay > 0 && groupDecay <= 1)) {
                throw new IllegalArgumentException("decays must be in (0, 1], were " + withinDecay + " and "
                        + groupDecay);
            }
        }
    }

    /**
     * The settings tried on validation, by the evaluation (its {@code tifu-knn} grid) and by the Spark job
     * ({@code ListValidation}); see benchmarks/RESULTS.md, fifth session.
     */
    public static final List<Params> VALIDATION_GRID = List.of(
            new Params(100, 0.5, 7, 0.9, 0.7),
            new Params(100, 0.5, 3, 0.9, 0.6),
            new Params(100, 0.5, 7, 0.8, 0.6),
            new Params(300, 0.7, 7, 0.9, 0.7));

    private final Interactions x;
    private final float[] vec;      // per non-zero cell (row order): the customer's decayed item frequency
    private final int[] nbrPtr;     // users + 1
    private final int[] nbrIdx;     // each customer's neighbours, most similar first
    private final float alpha;
    private final float[] popularity; // in [0, 1)

    private TifuKnn(Interactions x, float[] vec, int[] nbrPtr, int[] nbrIdx, float alpha, float[] popularity) {
        this.x = x;
        this.vec = vec;
        this.nbrPtr = nbrPtr;
        this.nbrIdx = nbrIdx;
        this.alpha = alpha;
        this.popularity = popularity;
    }

    public static TifuKnn fit(Interactions x, Params p, int threads) {
        float[] vec = vectors(x, p.groupSize(), p.withinDecay(), p.groupDecay());
        int users = x.userCount();
        float[] norm = new float[users];
        for (int u = 0; u < users; u++) {
            double s = 0;
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                s += (double) vec[k] * vec[k];
            }
            norm[u] = (float) Math.sqrt(s);
        }
        int[][] nbrs = new int[users][];
        int t = Math.max(1, threads);
        Workers.runAll(t, w -> () -> {
            float[] dot = new float[users];
            float[] sim = new float[users];
            Arrays.fill(sim, Float.NaN);
            int[] touched = new int[users];
            int[] mark = new int[users];
            for (int u = w; u < users; u += t) {
                nbrs[u] = neighbours(x, vec, norm, u, p.neighbours(), dot, sim, touched, mark);
            }
        });
        int[] ptr = new int[users + 1];
        for (int u = 0; u < users; u++) {
            ptr[u + 1] = ptr[u] + nbrs[u].length;
        }
        int[] idx = new int[ptr[users]];
        for (int u = 0; u < users; u++) {
            System.arraycopy(nbrs[u], 0, idx, ptr[u], nbrs[u].length);
        }
        float[] pop = x.popularityBelowOne();
        return new TifuKnn(x, vec, ptr, idx, (float) p.alpha(), pop);
    }

    /** Each cell's weight: the sum of the decay weights of the customer's baskets that hold the item. */
    static float[] vectors(Interactions x, int m, double rb, double rg) {
        float[] vec = new float[x.nonZeros()];
        float[] ages = new float[0];
        int[] seen = new int[0];
        double[] weight = new double[0];
        for (int u = 0; u < x.userCount(); u++) {
            int from = x.rowPtr[u];
            int to = x.rowPtr[u + 1];
            if (from == to) {
                continue;
            }
            int e0 = x.eventPtr[from];
            int len = x.eventPtr[to] - e0;
            if (ages.length < len) {
                ages = new float[len * 2];
                seen = new int[len * 2];
                weight = new double[len * 2];
            }
            System.arraycopy(x.eventAgeDays, e0, ages, 0, len);
            Arrays.sort(ages, 0, len); // newest first
            int n = 0;
            for (int e = 0; e < len; e++) {
                if (e == 0 || ages[e] != ages[n - 1]) {
                    ages[n++] = ages[e];
                }
            }
            int groups = (n + m - 1) / m;
            for (int q = 0; q < n; q++) {
                weight[q] = Math.pow(rb, q % m) * Math.pow(rg, q / m) / ((double) m * groups);
                seen[q] = -1;
            }
            for (int k = from; k < to; k++) {
                double s = 0;
                for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                    int q = Arrays.binarySearch(ages, 0, n, x.eventAgeDays[e]);
                    if (seen[q] != k) { // two orders in one basket hold the item once
                        seen[q] = k;
                        s += weight[q];
                    }
                }
                vec[k] = (float) s;
            }
        }
        return vec;
    }

    /**
     * The up to {@code k} customers most similar to {@code u} by cosine (similarity > 0), best first, ties to the
     * lower number. {@code dot} must be all 0 and {@code sim} all NaN on entry; both are left so. {@code mark}
     * holds no {@code u + 1} on entry.
     */
    private static int[] neighbours(Interactions x, float[] vec, float[] norm, int u, int k, float[] dot,
                                    float[] sim, int[] touched, int[] mark) {
        if (k == 0 || !(norm[u] > 0)) {
            return new int[0];
        }
        int nt = 0;
        for (int ku = x.rowPtr[u]; ku < x.rowPtr[u + 1]; ku++) {
            int i = x.colIdx[ku];
            float a = vec[ku];
            for (int c = x.colPtr[i]; c < x.colPtr[i + 1]; c++) {
                int v = x.rowIdx[c];
                if (mark[v] != u + 1) {
                    mark[v] = u + 1;
                    touched[nt++] = v;
                }
                dot[v] += a * vec[x.colToRow[c]];
            }
        }
        for (int j = 0; j < nt; j++) {
            int v = touched[j];
            if (v != u && dot[v] > 0) {
                sim[v] = dot[v] / (norm[u] * norm[v]);
            }
            dot[v] = 0;
        }
        // only the touched customers can have a similarity (the others are NaN): a pass over every customer here
        // made the fit quadratic in customers (176,000 customers: minutes per setting)
        int[] best = TopK.selectAmong(sim, k, touched, nt);
        for (int j = 0; j < nt; j++) {
            sim[touched[j]] = Float.NaN;
        }
        return best;
    }

    /** The neighbours of {@code user}, most similar first (for tests, also the Spark job's parity test). */
    public int[] neighboursOf(int user) {
        return Arrays.copyOfRange(nbrIdx, nbrPtr[user], nbrPtr[user + 1]);
    }

    /**
     * The customer's own decayed item frequency of {@code item}, 0 when never bought (for tests, also the Spark
     * job's parity test).
     */
    public float ownWeight(int user, int item) {
        int k = Arrays.binarySearch(x.colIdx, x.rowPtr[user], x.rowPtr[user + 1], item);
        return k >= 0 ? vec[k] : 0;
    }

    @Override
    public String name() {
        return "tifu-knn";
    }

    @Override
    public void score(int user, float[] out) {
        Arrays.fill(out, 0f);
        if (user < x.userCount()) {
            for (int k = x.rowPtr[user]; k < x.rowPtr[user + 1]; k++) {
                out[x.colIdx[k]] += alpha * vec[k];
            }
            int from = nbrPtr[user];
            int to = nbrPtr[user + 1];
            if (to > from) {
                float w = (1 - alpha) / (to - from);
                for (int n = from; n < to; n++) {
                    int v = nbrIdx[n];
                    for (int k = x.rowPtr[v]; k < x.rowPtr[v + 1]; k++) {
                        out[x.colIdx[k]] += w * vec[k];
                    }
                }
            }
        }
        float least = Float.POSITIVE_INFINITY;
        for (float s : out) {
            if (s > 0 && s < least) {
                least = s;
            }
        }
        // Unscored items follow in popularity order, all below the least scored item.
        float scale = least == Float.POSITIVE_INFINITY ? 1f : 0.5f * least;
        for (int i = 0; i < out.length; i++) {
            if (!(out[i] > 0)) {
                out[i] = scale * popularity[i];
            }
        }
    }

    @Override
    public long bytes() {
        return 4L * (vec.length + nbrPtr.length + nbrIdx.length + popularity.length);
    }
}
