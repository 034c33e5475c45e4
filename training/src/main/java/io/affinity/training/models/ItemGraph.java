package io.affinity.training.models;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A sparse item x item matrix with at most k entries per row, and the scorer that applies it to a customer's
 * history: {@code score(j) = sum over bought i of w(u, i) * S(i, j)}. Shared by item kNN and RP3beta.
 */
final class ItemGraph implements Scorer {
    private final String name;
    private final Interactions x;
    private final float[] userWeight; // per non-zero cell, row order
    final int[] ptr;
    final int[] idx;
    final float[] val;

    private ItemGraph(String name, Interactions x, float[] userWeight, int[] ptr, int[] idx, float[] val) {
        this.name = name;
        this.x = x;
        this.userWeight = userWeight;
        this.ptr = ptr;
        this.idx = idx;
        this.val = val;
    }

    /**
     * Computes {@code S(i, j) = post(i, j, sum_u left[i, u] * right[u, j])} for j != i, keeping the k largest
     * positive entries of each row. {@code left} is indexed in column order (item -> customers),
     * {@code right} in row order. Rows are split over {@code threads} threads; each row is computed by one
     * thread in a fixed order, so the result does not depend on scheduling.
     */
    static ItemGraph build(String name, Interactions x, float[] left, float[] right, PairWeight post, int k,
                           float[] userWeight, int threads) {
        int items = x.itemCount();
        int[][] rowIdx = new int[items][];
        float[][] rowVal = new float[items][];
        IntFunction<Runnable> worker = t -> () -> {
            float[] acc = new float[items];
            int[] touched = new int[items];
            boolean[] seen = new boolean[items];
            for (int i = t; i < items; i += threads) {
                int n = 0;
                for (int p = x.colPtr[i]; p < x.colPtr[i + 1]; p++) {
                    int u = x.rowIdx[p];
                    float a = left[p];
                    for (int q = x.rowPtr[u]; q < x.rowPtr[u + 1]; q++) {
                        int j = x.colIdx[q];
                        if (!seen[j]) {
                            seen[j] = true;
                            touched[n++] = j;
                        }
                        acc[j] += a * right[q];
                    }
                }
                float[] cand = new float[n];
                int m = 0;
                int[] candIdx = new int[n];
                for (int c = 0; c < n; c++) {
                    int j = touched[c];
                    float v = post == null ? acc[j] : post.apply(i, j, acc[j]);
                    acc[j] = 0;
                    seen[j] = false;
                    if (j != i && v > 0) {
                        candIdx[m] = j;
                        cand[m++] = v;
                    }
                }
                float[] dense = new float[m];
                System.arraycopy(cand, 0, dense, 0, m);
                int[] best = TopK.select(dense, Math.min(k, m), null);
                int[] bi = new int[best.length];
                float[] bv = new float[best.length];
                for (int b = 0; b < best.length; b++) {
                    bi[b] = candIdx[best[b]];
                    bv[b] = dense[best[b]];
                }
                rowIdx[i] = bi;
                rowVal[i] = bv;
            }
        };
        Workers.runAll(threads, worker);
        int[] ptr = new int[items + 1];
        for (int i = 0; i < items; i++) {
            ptr[i + 1] = ptr[i] + rowIdx[i].length;
        }
        int[] idx = new int[ptr[items]];
        float[] val = new float[ptr[items]];
        for (int i = 0; i < items; i++) {
            System.arraycopy(rowIdx[i], 0, idx, ptr[i], rowIdx[i].length);
            System.arraycopy(rowVal[i], 0, val, ptr[i], rowVal[i].length);
        }
        return new ItemGraph(name, x, userWeight, ptr, idx, val);
    }

    /** Turns the accumulated product of a pair into its similarity. */
    @FunctionalInterface
    interface PairWeight {
        float apply(int i, int j, float dot);
    }

    /** S(i, j), or 0 when j is not among i's neighbours. */
    float similarity(int i, int j) {
        for (int p = ptr[i]; p < ptr[i + 1]; p++) {
            if (idx[p] == j) {
                return val[p];
            }
        }
        return 0;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void score(int user, float[] out) {
        Arrays.fill(out, 0f);
        if (user >= x.userCount()) {
            return;
        }
        for (int k = x.rowPtr[user]; k < x.rowPtr[user + 1]; k++) {
            int i = x.colIdx[k];
            float w = userWeight[k];
            for (int p = ptr[i]; p < ptr[i + 1]; p++) {
                out[idx[p]] += w * val[p];
            }
        }
    }

    @Override
    public long bytes() {
        return 4L * (ptr.length + idx.length + val.length + userWeight.length);
    }
}
