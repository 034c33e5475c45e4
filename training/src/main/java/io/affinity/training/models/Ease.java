package io.affinity.training.models;

import java.util.Arrays;

/**
 * EASE (Steck 2019): the closed-form linear item-item model {@code B = I - P diag(1/diag(P))} with
 * {@code P = (X^T X + lambda I)^-1} on the binary purchase matrix, zero diagonal.
 *
 * <p>Dense, so cost grows with the cube of the catalogue: the model is restricted to the {@code maxItems}
 * items bought by the most customers (ties to the lower item number) and never scores the others. On the UCI
 * data (about 4,600 items) the default evaluation uses 2,500, which covers most purchases; the report says how
 * many items and what share of purchases the restriction kept.
 */
public final class Ease implements Scorer {
    private final Interactions x;
    private final int[] local;     // item -> local index or -1
    private final int[] global;    // local index -> item
    private final float[][] b;     // [local i][local j]

    private Ease(Interactions x, int[] local, int[] global, float[][] b) {
        this.x = x;
        this.local = local;
        this.global = global;
        this.b = b;
    }

    /** {@link #fit(Interactions, double, int, int)} on one thread. */
    public static Ease fit(Interactions x, double lambda, int maxItems) {
        return fit(x, lambda, maxItems, 1);
    }

    /** @param threads workers for the matrix inverse */
    public static Ease fit(Interactions x, double lambda, int maxItems, int threads) {
        if (!(lambda > 0) || maxItems < 1) {
            throw new IllegalArgumentException("need lambda > 0 and maxItems >= 1");
        }
        int[] global = mostPopular(x, maxItems);
        int n = global.length;
        int[] local = new int[x.itemCount()];
        Arrays.fill(local, -1);
        for (int a = 0; a < n; a++) {
            local[global[a]] = a;
        }
        double[][] g = gram(x, local, n);
        for (int a = 0; a < n; a++) {
            g[a][a] += lambda;
        }
        double[][] p = DenseSpd.inverse(g, threads);
        float[][] b = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = i == j ? 0f : (float) (-p[i][j] / p[j][j]);
            }
        }
        return new Ease(x, local, global, b);
    }

    /** X^T X of the binary matrix restricted to local items. */
    static double[][] gram(Interactions x, int[] local, int n) {
        double[][] g = new double[n][n];
        int[] buf = new int[x.itemCount()];
        for (int u = 0; u < x.userCount(); u++) {
            int m = 0;
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                int a = local[x.colIdx[k]];
                if (a >= 0) {
                    buf[m++] = a;
                }
            }
            for (int p = 0; p < m; p++) {
                double[] row = g[buf[p]];
                for (int q = 0; q < m; q++) {
                    row[buf[q]] += 1;
                }
            }
        }
        return g;
    }

    /** The {@code max} items with most customers, by degree then item number; items nobody bought excluded. */
    static int[] mostPopular(Interactions x, int max) {
        Integer[] order = new Integer[x.itemCount()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, c) -> a.equals(c) ? 0
                : x.degreeOfItem(c) != x.degreeOfItem(a) ? Integer.compare(x.degreeOfItem(c), x.degreeOfItem(a))
                : Integer.compare(a, c));
        int n = 0;
        while (n < order.length && n < max && x.degreeOfItem(order[n]) > 0) {
            n++;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = order[i];
        }
        Arrays.sort(out);
        return out;
    }

    /** Number of items the model covers. */
    public int modelledItems() {
        return global.length;
    }

    /** Weight B(i, j) between two catalogue items, 0 outside the modelled items. */
    public float weight(int i, int j) {
        int a = local[i];
        int c = local[j];
        return a < 0 || c < 0 ? 0f : b[a][c];
    }

    @Override
    public String name() {
        return "ease";
    }

    @Override
    public void score(int user, float[] out) {
        Arrays.fill(out, 0f);
        if (user >= x.userCount()) {
            return;
        }
        float[] acc = new float[global.length];
        for (int k = x.rowPtr[user]; k < x.rowPtr[user + 1]; k++) {
            int a = local[x.colIdx[k]];
            if (a < 0) {
                continue;
            }
            float[] row = b[a];
            for (int c = 0; c < acc.length; c++) {
                acc[c] += row[c];
            }
        }
        for (int c = 0; c < acc.length; c++) {
            out[global[c]] = acc[c];
        }
    }

    @Override
    public long bytes() {
        return 4L * global.length * global.length + 8L * local.length;
    }
}
