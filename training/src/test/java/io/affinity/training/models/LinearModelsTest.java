package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.Test;

@UnitTest
class LinearModelsTest {
    @Test
    void denseInverseMatchesCommonsMath() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 2 * DenseSpd.BLOCK + 22; // three column blocks
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = rnd.nextDouble();
                m[i][j] = v;
                m[j][i] = v;
            }
            m[i][i] += n;
        }
        double[][] inv = DenseSpd.inverse(m, 1);
        RealMatrix expected = new LUDecomposition(new Array2DRowRealMatrix(m)).getSolver().getInverse();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(expected.getEntry(i, j), inv[i][j], 1e-12);
            }
        }
        // every row is computed by one thread in a fixed order: any thread count gives the same bits
        double[][] three = DenseSpd.inverse(m, 3);
        for (int i = 0; i < n; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(inv[i], three[i]);
        }
    }

    @Test
    void easeMatchesClosedFormComputedDirectly() {
        Interactions x = TinyData.small();
        double lambda = 0.5;
        Ease ease = Ease.fit(x, lambda, 100);
        RealMatrix xm = new Array2DRowRealMatrix(TinyData.dense(x));
        RealMatrix g = xm.transpose().multiply(xm);
        for (int i = 0; i < 4; i++) {
            g.addToEntry(i, i, lambda);
        }
        RealMatrix p = new LUDecomposition(g).getSolver().getInverse();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double b = i == j ? 0 : -p.getEntry(i, j) / p.getEntry(j, j);
                assertEquals(b, ease.weight(i, j), 1e-6, "B(" + i + "," + j + ")");
            }
        }
        float[] out = new float[4];
        ease.score(2, out); // items 1 and 2
        assertEquals(ease.weight(1, 3) + ease.weight(2, 3), out[3], 1e-6);
    }

    @Test
    void easeRestrictedToMostPopularItems() {
        Ease ease = Ease.fit(TinyData.small(), 1, 3);
        assertEquals(3, ease.modelledItems());
        float[] out = new float[4];
        ease.score(3, out);
        assertEquals(0f, out[3], "item 3 (2 customers) is outside the 3 most popular");
        assertEquals(0f, ease.weight(0, 3));
    }

    @Test
    void alsItemFactorsSolveTheirNormalEquations() {
        Interactions x = TinyData.of(new int[][] {{0, 1}, {0, 1, 2}, {1, 2}, {2, 3}, {0, 3}, {3, 4}, {4}}, 5);
        int f = 3;
        double reg = 0.1;
        double alpha = 4;
        // enough CG steps for an exact solve of a 3x3 system: the last half-step (items) is then exact
        ImplicitAls als = ImplicitAls.fit(x, new ImplicitAls.Params(f, reg, alpha, 4, 10, 42), 2);
        float[] uf = als.userFactors();
        float[] itf = als.itemFactors();
        double[][] d = TinyData.dense(x);
        for (int i = 0; i < 5; i++) {
            // (X^T C_i X + reg I) y_i = X^T C_i p_i, dense and direct
            RealMatrix a = new Array2DRowRealMatrix(f, f);
            RealVector b = new ArrayRealVector(f);
            for (int u = 0; u < d.length; u++) {
                double c = 1 + (d[u][i] > 0 ? alpha : 0); // one order each: log weight 1
                for (int r = 0; r < f; r++) {
                    for (int s = 0; s < f; s++) {
                        a.addToEntry(r, s, c * uf[u * f + r] * uf[u * f + s]);
                    }
                    b.addToEntry(r, c * d[u][i] * uf[u * f + r]);
                }
            }
            for (int r = 0; r < f; r++) {
                a.addToEntry(r, r, reg);
            }
            RealVector y = new LUDecomposition(a).getSolver().solve(b);
            for (int r = 0; r < f; r++) {
                assertEquals(y.getEntry(r), itf[i * f + r], 1e-4, "item " + i + " factor " + r);
            }
        }
    }

    @Test
    void alsIsReproducibleAcrossThreadCounts() {
        Interactions x = TinyData.small();
        ImplicitAls.Params p = new ImplicitAls.Params(2, 0.1, 10, 5, 3, 1);
        assertArrayEquals(ImplicitAls.fit(x, p, 1).itemFactors(), ImplicitAls.fit(x, p, 2).itemFactors());
        float[] s = new float[4];
        ImplicitAls.fit(x, p, 2).score(0, s);
        // user 0 bought 0 and 1: both should outscore item 3, which nobody with 0 or 1 bought except user 4
        assertEquals(true, s[0] > s[3] && s[1] > s[3]);
    }

    /** Scoring four items at a time gives each item the float it gets alone: the factors' dot product in order. */
    @Test
    void alsScoresAreEachItemsDotProductToTheBit() {
        int[][] rows = new int[40][];
        java.util.Random random = new java.util.Random(28);
        for (int u = 0; u < rows.length; u++) {
            rows[u] = java.util.stream.IntStream.range(0, 11).filter(i -> random.nextInt(3) == 0).toArray();
        }
        ImplicitAls als = ImplicitAls.fit(TinyData.of(rows, 11), new ImplicitAls.Params(7, 0.1, 10, 3, 3, 5), 1);
        float[] users = als.userFactors();
        float[] items = als.itemFactors();
        float[] s = new float[11]; // 11: two blocks of four and a tail of three
        for (int u = 0; u < rows.length; u++) {
            als.score(u, s);
            for (int j = 0; j < 11; j++) {
                float dot = 0;
                for (int a = 0; a < 7; a++) {
                    dot += users[u * 7 + a] * items[j * 7 + a];
                }
                assertEquals(Float.floatToIntBits(dot), Float.floatToIntBits(s[j]), "customer " + u + ", item " + j);
            }
        }
    }

    /**
     * Customers and items without purchases (in an evaluation: those first seen after the cutoff) change no factor:
     * each row starts from its own draw, and an empty one at 0, where it stays. Drawn from one stream, every item's
     * start moved with the number of customers, and a customer without purchases scored items at random.
     */
    @Test
    void alsIgnoresCustomersAndItemsWithoutPurchases() {
        int[][] rows = {{0, 1}, {0, 1, 2}, {1, 2}, {2, 3}, {0, 3}};
        int[][] withEmpty = java.util.Arrays.copyOf(rows, rows.length + 3);
        for (int u = rows.length; u < withEmpty.length; u++) {
            withEmpty[u] = new int[0];
        }
        ImplicitAls.Params p = new ImplicitAls.Params(3, 0.1, 10, 5, 3, 7);
        ImplicitAls small = ImplicitAls.fit(TinyData.of(rows, 4), p, 2);
        ImplicitAls larger = ImplicitAls.fit(TinyData.of(withEmpty, 6), p, 2); // 3 customers, 2 items more, unbought
        float[] a = small.itemFactors();
        assertArrayEquals(a, java.util.Arrays.copyOf(larger.itemFactors(), a.length));
        assertArrayEquals(small.userFactors(), java.util.Arrays.copyOf(larger.userFactors(), rows.length * 3));
        float[] s = new float[6];
        larger.score(6, s);
        assertArrayEquals(new float[6], s, "a customer without purchases: no opinion");
        larger.score(0, s);
        assertEquals(0f, s[4]);
        assertEquals(0f, s[5], "an item nobody bought scores 0");
    }
}
