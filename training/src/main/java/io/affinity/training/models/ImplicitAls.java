package io.affinity.training.models;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Implicit-feedback matrix factorisation (Hu, Koren &amp; Volinsky 2008): minimises
 * {@code sum c_ui (p_ui - x_u.y_i)^2 + reg (|x|^2 + |y|^2)} over all cells, with preference {@code p = 1} for
 * bought items, 0 otherwise, and confidence {@code c = 1 + alpha (1 + ln count)}. Each half-step solves every
 * customer's (then item's) normal equations approximately by a few warm-started conjugate-gradient steps
 * (Takács et al. 2011, as in the {@code implicit} library), touching only the bought cells plus a shared
 * {@code Y^T Y}.
 *
 * <p>Rows are split over {@code threads} threads; each row's solve is sequential and reads only the other
 * side's factors, so results are identical for any thread count and run. Factors start from a seeded
 * N(0, 0.01) draw per row (0 for a row without purchases, which stays 0: a customer without history scores every item
 * 0, and so does an item nobody bought).
 */
public final class ImplicitAls implements Scorer {
    private final int factors;
    private final float[] userF; // users x factors
    private final float[] itemF; // items x factors
    private final int users;

    private ImplicitAls(int factors, float[] userF, float[] itemF, int users) {
        this.factors = factors;
        this.userF = userF;
        this.itemF = itemF;
        this.users = users;
    }

    /** Hyper-parameters; {@code cgSteps} per half-step (3 is the usual choice). */
    public record Params(int factors, double regularization, double alpha, int iterations, int cgSteps, long seed) {
        public Params {
            if (factors < 1 || !(regularization >= 0) || !(alpha >= 0) || iterations < 1 || cgSteps < 1) {
                throw new IllegalArgumentException("invalid ALS parameters: factors=" + factors + ", reg="
                        + regularization + ", alpha=" + alpha + ", iterations=" + iterations + ", cg=" + cgSteps);
            }
        }
    }

    public static ImplicitAls fit(Interactions x, Params p, int threads) {
        int f = p.factors();
        int users = x.userCount();
        int items = x.itemCount();
        float[] uf = new float[users * f];
        float[] itf = new float[items * f];
        // Each row starts from its own seeded draw, and a row without purchases at 0, which its normal equations
        // keep (their solution is 0): the factors depend on the bought cells and their rows' numbers only. Drawn
        // from one stream, every item's start moved with the number of customers before it in the matrix (customers
        // first seen after the training orders included), and a customer without purchases got a random list.
        for (int u = 0; u < users; u++) {
            if (x.degreeOfUser(u) > 0) {
                start(uf, u, f, p.seed(), 0);
            }
        }
        for (int i = 0; i < items; i++) {
            if (x.degreeOfItem(i) > 0) {
                start(itf, i, f, p.seed(), 1);
            }
        }
        int nnz = x.nonZeros();
        float[] confRow = new float[nnz];
        for (int k = 0; k < nnz; k++) {
            confRow[k] = (float) (1 + p.alpha() * x.logWeight(k));
        }
        float[] confCol = new float[nnz];
        for (int q = 0; q < nnz; q++) {
            confCol[q] = confRow[x.colToRow[q]];
        }
        for (int it = 0; it < p.iterations(); it++) {
            halfStep(uf, itf, users, f, x.rowPtr, x.colIdx, confRow, p, threads);
            halfStep(itf, uf, items, f, x.colPtr, x.rowIdx, confCol, p, threads);
        }
        return new ImplicitAls(f, uf, itf, users);
    }

    /** Row {@code row}'s N(0, 0.01) starting factors, from a stream of its own (seed, side, row). */
    private static void start(float[] factors, int row, int f, long seed, int side) {
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (2L * row + side + 1)));
        for (int a = 0; a < f; a++) {
            factors[row * f + a] = (float) (rnd.nextGaussian() * 0.01);
        }
    }

    /** Updates every row of {@code target} given the fixed {@code other} factors. */
    private static void halfStep(float[] target, float[] other, int rows, int f, int[] ptr, int[] idx, float[] conf,
                                 Params p, int threads) {
        int otherRows = other.length / f;
        double[] yty = new double[f * f];
        for (int r = 0; r < otherRows; r++) {
            int o = r * f;
            for (int a = 0; a < f; a++) {
                double va = other[o + a];
                for (int b = 0; b < f; b++) {
                    yty[a * f + b] += va * other[o + b];
                }
            }
        }
        for (int a = 0; a < f; a++) {
            yty[a * f + a] += p.regularization();
        }
        Workers.runAll(threads, t -> () -> {
            double[] x = new double[f];
            double[] r = new double[f];
            double[] d = new double[f];
            double[] ad = new double[f];
            for (int row = t; row < rows; row += threads) {
                solveRow(target, other, row, f, ptr, idx, conf, yty, p.cgSteps(), x, r, d, ad);
            }
        });
    }

    private static void solveRow(float[] target, float[] other, int row, int f, int[] ptr, int[] idx, float[] conf,
                                 double[] yty, int steps, double[] x, double[] r, double[] d, double[] ad) {
        int base = row * f;
        for (int a = 0; a < f; a++) {
            x[a] = target[base + a];
        }
        // r = b - A x with A = YtY + reg I + sum (c-1) y y^T and b = sum c y.
        mulYty(yty, x, r, f);
        for (int a = 0; a < f; a++) {
            r[a] = -r[a];
        }
        for (int k = ptr[row]; k < ptr[row + 1]; k++) {
            int o = idx[k] * f;
            double c = conf[k];
            double yx = 0;
            for (int a = 0; a < f; a++) {
                yx += other[o + a] * x[a];
            }
            double s = c - (c - 1) * yx;
            for (int a = 0; a < f; a++) {
                r[a] += s * other[o + a];
            }
        }
        System.arraycopy(r, 0, d, 0, f);
        double rsOld = dot(r, r, f);
        for (int step = 0; step < steps && rsOld > 1e-20; step++) {
            mulYty(yty, d, ad, f);
            for (int k = ptr[row]; k < ptr[row + 1]; k++) {
                int o = idx[k] * f;
                double c1 = conf[k] - 1;
                double yd = 0;
                for (int a = 0; a < f; a++) {
                    yd += other[o + a] * d[a];
                }
                yd *= c1;
                for (int a = 0; a < f; a++) {
                    ad[a] += yd * other[o + a];
                }
            }
            double alpha = rsOld / dot(d, ad, f);
            for (int a = 0; a < f; a++) {
                x[a] += alpha * d[a];
                r[a] -= alpha * ad[a];
            }
            double rsNew = dot(r, r, f);
            double beta = rsNew / rsOld;
            for (int a = 0; a < f; a++) {
                d[a] = r[a] + beta * d[a];
            }
            rsOld = rsNew;
        }
        for (int a = 0; a < f; a++) {
            target[base + a] = (float) x[a];
        }
    }

    private static void mulYty(double[] yty, double[] v, double[] out, int f) {
        for (int a = 0; a < f; a++) {
            double s = 0;
            for (int b = 0; b < f; b++) {
                s += yty[a * f + b] * v[b];
            }
            out[a] = s;
        }
    }

    private static double dot(double[] a, double[] b, int f) {
        double s = 0;
        for (int i = 0; i < f; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Copy of the user factors, row-major users x factors. */
    float[] userFactors() {
        return userF.clone();
    }

    /** Copy of the item factors, row-major items x factors. */
    float[] itemFactors() {
        return itemF.clone();
    }

    public int factors() {
        return factors;
    }

    @Override
    public String name() {
        return "als";
    }

    @Override
    public void score(int user, float[] out) {
        if (user >= users) {
            Arrays.fill(out, 0f);
            return;
        }
        int u = user * factors;
        // Four items at a time, each summed in its own variable in the same order as alone (so the same floats):
        // one item's sum is a chain of dependent additions that leaves the CPU waiting on each, and this runs
        // items x factors times per customer (45,000 items: 4 ms per customer alone, minutes per setting).
        int j = 0;
        for (; j + 3 < out.length; j += 4) {
            int o0 = j * factors;
            int o1 = o0 + factors;
            int o2 = o1 + factors;
            int o3 = o2 + factors;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int a = 0; a < factors; a++) {
                float w = userF[u + a];
                s0 += w * itemF[o0 + a];
                s1 += w * itemF[o1 + a];
                s2 += w * itemF[o2 + a];
                s3 += w * itemF[o3 + a];
            }
            out[j] = s0;
            out[j + 1] = s1;
            out[j + 2] = s2;
            out[j + 3] = s3;
        }
        for (; j < out.length; j++) {
            int o = j * factors;
            float s = 0;
            for (int a = 0; a < factors; a++) {
                s += userF[u + a] * itemF[o + a];
            }
            out[j] = s;
        }
    }

    @Override
    public long bytes() {
        return 4L * (userF.length + itemF.length);
    }
}
