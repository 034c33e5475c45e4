package io.affinity.training.models;

import java.util.function.IntConsumer;


/**
 * Inverse of a dense symmetric positive definite matrix through its Cholesky factor, on row arrays with
 * row-contiguous (axpy) inner loops that the JIT can vectorise. Written because a scratch prototype of
 * commons-math3's {@code CholeskyDecomposition} + {@code getInverse()} took about 10 s for n = 2000 on the
 * project's 2-core machine, too slow for EASE within the 3-minute evaluation budget. No JMH comparison is in
 * benchmarks/ yet, so no speed ratio is claimed; correctness is checked against commons-math3 in the tests.
 */
final class DenseSpd {
    /** Columns per block of the triangular inverse. */
    static final int BLOCK = 64;

    private DenseSpd() {
    }

    /**
     * Replaces nothing: returns {@code A^-1} for the symmetric matrix given by its rows (both triangles filled).
     * The factorisation runs on the caller's thread; the triangular inverse's column blocks and the product's rows
     * are split over {@code threads} threads (a fixed striping); every entry is computed by one thread in a fixed
     * order, so the result does not depend on scheduling or on the thread count.
     *
     * @throws IllegalArgumentException when A is not positive definite
     */
    static double[][] inverse(double[][] a, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        return inverseIn(a, threads);
    }

    private static double[][] inverseIn(double[][] a, int threads) {
        int n = a.length;
        // Upper Cholesky factor U (A = U^T U), right-looking: row j of U scales and updates the rows below.
        double[][] u = new double[n][];
        for (int i = 0; i < n; i++) {
            u[i] = a[i].clone();
        }
        for (int j = 0; j < n; j++) {
            double[] uj = u[j];
            double d = uj[j];
            if (!(d > 0)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + " = " + d + ")");
            }
            double s = Math.sqrt(d);
            for (int i = j; i < n; i++) {
                uj[i] /= s;
            }
            // Sequential: one short update per pivot. Parallel streams here, thousands of them inside a private
            // fork-join pool, once never finished (a worker parked for good in ForEachTask.invoke on JDK 17).
            for (int k = j + 1; k < n; k++) {
                double f = uj[k];
                if (f != 0) {
                    double[] uk = u[k];
                    for (int i = k; i < n; i++) {
                        uk[i] -= f * uj[i];
                    }
                }
            }
            for (int i = 0; i < j; i++) {
                uj[i] = 0; // lower part is garbage from the copy
            }
        }
        // V = U^-1 (upper), from the bottom row up: V_i = (e_i - sum_{k>i} U_ik V_k) / U_ii. Every entry only needs
        // entries of its own column, so blocks of columns run in parallel and stay in cache; each entry sees the
        // same operations in the same order (k ascending) as a row-at-a-time loop, so the bits do not depend on
        // the blocking or the thread count.
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) {
            v[i] = new double[n];
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        striped(threads, blocks, b -> {
            int c0 = b * BLOCK;
            int c1 = Math.min(n, c0 + BLOCK);
            for (int i = c1 - 1; i >= 0; i--) { // rows from c1 down hold zeros in these columns
                double[] vi = v[i];
                double[] ui = u[i];
                if (i >= c0) {
                    vi[i] = 1;
                }
                for (int k = i + 1; k < c1; k++) {
                    double f = ui[k];
                    if (f != 0) {
                        double[] vk = v[k];
                        for (int c = Math.max(k, c0); c < c1; c++) {
                            vi[c] -= f * vk[c];
                        }
                    }
                }
                double inv = 1 / ui[i];
                for (int c = Math.max(i, c0); c < c1; c++) {
                    vi[c] *= inv;
                }
            }
        });
        // W = V^T (lower), then A^-1 = V V^T: row i = sum_{k >= i} V_ik W_k.
        double[][] w = new double[n][];
        for (int k = 0; k < n; k++) {
            double[] wk = new double[k + 1];
            for (int c = 0; c <= k; c++) {
                wk[c] = v[c][k];
            }
            w[k] = wk;
        }
        double[][] out = new double[n][];
        striped(threads, n, i -> {
            double[] row = new double[n];
            double[] vi = v[i];
            for (int k = i; k < n; k++) {
                double f = vi[k];
                if (f != 0) {
                    double[] wk = w[k];
                    for (int c = 0; c <= k; c++) {
                        row[c] += f * wk[c];
                    }
                }
            }
            out[i] = row;
        });
        return out;
    }

    /** {@code body} for 0..count-1 on {@code threads} threads, thread t taking t, t + threads, ...: a fixed split. */
    private static void striped(int threads, int count, IntConsumer body) {
        Workers.runAll(Math.min(threads, Math.max(1, count)), t -> () -> {
            for (int i = t; i < count; i += threads) {
                body.accept(i);
            }
        });
    }
}
