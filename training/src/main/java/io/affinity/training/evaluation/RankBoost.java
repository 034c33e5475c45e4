package io.affinity.training.evaluation;

import java.util.Arrays;
import java.util.List;
import smile.base.cart.CART;
import smile.base.cart.Loss;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.type.DataTypes;
import smile.data.type.StructField;
import smile.data.type.StructType;
import smile.regression.RegressionTree;

/**
 * Gradient-boosted regression trees for ranking candidates per customer ("query"), with Smile's
 * {@link RegressionTree} as the weak learner and the objective's gradient and Newton leaf values supplied
 * through Smile's {@link Loss} hook (the same mechanism Smile's own {@code GradientTreeBoost} uses). Objectives:
 * <ul>
 *   <li>{@link Objective#LOGISTIC}: pointwise log loss, every row counts the same, so customers with many
 *   candidates weigh more;</li>
 *   <li>{@link Objective#LOGISTIC_PER_CUSTOMER}: the same loss with each customer's rows weighted so every
 *   customer carries the same total weight (NDCG is a per-customer mean);</li>
 *   <li>{@link Objective#LAMBDA_NDCG}: LambdaMART (Burges, "From RankNet to LambdaRank to LambdaMART", 2010):
 *   for every (bought, not bought) pair of a customer, a RankNet gradient scaled by the change of that
 *   customer's NDCG when the two swap places in the current ranking.</li>
 * </ul>
 * Deterministic: no row subsampling, ties in the current ranking broken by row order.
 */
final class RankBoost {
    enum Objective { LOGISTIC, LOGISTIC_PER_CUSTOMER, LAMBDA_NDCG }

    /**
     * @param truncation LAMBDA_NDCG only: pairs where neither row is ranked above this position carry no
     *                   gradient (0: no truncation)
     */
    record Params(Objective objective, int trees, int maxDepth, int maxNodes, int nodeSize, double shrinkage,
                  int truncation) {
        Params {
            if (trees < 1 || maxDepth < 2 || maxNodes < 2 || nodeSize < 1 || !(shrinkage > 0) || truncation < 0) {
                throw new IllegalArgumentException("bad boosting parameters: " + this);
            }
        }
    }

    private final RegressionTree[] trees;
    private final StructType schema;
    final double[] importance;

    private RankBoost(RegressionTree[] trees, StructType schema, double[] importance) {
        this.trees = trees;
        this.schema = schema;
        this.importance = importance;
    }

    /**
     * @param x           one row per (customer, candidate)
     * @param label       1 bought, 0 not
     * @param queryStart  rows of customer q are {@code [queryStart[q], queryStart[q + 1])}
     * @param idealDcg    per customer, the DCG@10 of a perfect ranking of their whole truth (NDCG's denominator;
     *                    LAMBDA_NDCG only)
     */
    static RankBoost fit(double[][] x, int[] label, int[] queryStart, double[] idealDcg, List<String> names,
                         Params params) {
        int n = x.length;
        if (label.length != n || queryStart[queryStart.length - 1] != n) {
            throw new IllegalArgumentException("rows, labels and query bounds disagree");
        }
        DataFrame frame = DataFrame.of(x, names.toArray(new String[0]));
        int[][] order = CART.order(frame);
        int[] samples = new int[n];
        Arrays.fill(samples, 1);
        double[] f = new double[n];
        Objectives loss = new Objectives(params, label, queryStart, idealDcg, f);
        StructField field = new StructField("gradient", DataTypes.DoubleType);
        RegressionTree[] trees = new RegressionTree[params.trees()];
        double[] importance = new double[names.size()];
        for (int t = 0; t < trees.length; t++) {
            loss.update();
            trees[t] = new RegressionTree(frame, loss, field, params.maxDepth(), params.maxNodes(), params.nodeSize(),
                    names.size(), samples, order);
            for (int i = 0; i < n; i++) {
                f[i] += params.shrinkage() * trees[t].predict(frame.get(i));
            }
            double[] imp = trees[t].importance();
            for (int j = 0; j < importance.length; j++) {
                importance[j] += imp[j];
            }
        }
        return new RankBoost(trees, frame.schema(), importance);
    }

    /** A reusable scorer for one thread (Smile tuples are bound to an array). */
    Scorer scorer() {
        double[] x = new double[schema.length()];
        Tuple row = Tuple.of(x, schema);
        return features -> {
            System.arraycopy(features, 0, x, 0, x.length);
            double v = 0;
            for (RegressionTree tree : trees) {
                v += tree.predict(row);
            }
            return v;
        };
    }

    interface Scorer {
        /** The model's score of one row: higher ranks first (log-odds up to scale for the logistic objectives). */
        double score(double[] features);
    }

    /**
     * The gradient of the chosen objective at the current scores {@code f}: Smile calls {@link #response()} once
     * per tree for the values to fit (the negative gradient) and {@link #output} for each leaf's value (a Newton
     * step, sum of negative gradients over sum of second derivatives).
     */
    private static final class Objectives implements Loss {
        private final Params params;
        private final int[] label;
        private final int[] queryStart;
        private final double[] idealDcg;
        private final double[] f;
        private final double[] weight;
        private final double[] gradient;
        private final double[] hessian;
        private double[] discounts = new double[0];

        Objectives(Params params, int[] label, int[] queryStart, double[] idealDcg, double[] f) {
            this.params = params;
            this.label = label;
            this.queryStart = queryStart;
            this.idealDcg = idealDcg;
            this.f = f;
            int n = label.length;
            gradient = new double[n];
            hessian = new double[n];
            weight = new double[n];
            int queries = queryStart.length - 1;
            for (int q = 0; q < queries; q++) {
                int size = queryStart[q + 1] - queryStart[q];
                for (int i = queryStart[q]; i < queryStart[q + 1]; i++) {
                    // every customer carries the weight of an average customer
                    weight[i] = params.objective() == Objective.LOGISTIC_PER_CUSTOMER
                            ? n / (double) queries / size : 1;
                }
            }
        }

        void update() {
            if (params.objective() == Objective.LAMBDA_NDCG) {
                lambdas();
                return;
            }
            for (int i = 0; i < f.length; i++) {
                double p = 1 / (1 + Math.exp(-f[i]));
                gradient[i] = weight[i] * (label[i] - p);
                hessian[i] = weight[i] * Math.max(p * (1 - p), 1e-6);
            }
        }

        private void lambdas() {
            Arrays.fill(gradient, 0);
            Arrays.fill(hessian, 0);
            int[] rank = new int[0];
            Integer[] idx = new Integer[0];
            for (int q = 0; q + 1 < queryStart.length; q++) {
                int from = queryStart[q];
                int size = queryStart[q + 1] - from;
                if (idx.length < size) {
                    idx = new Integer[size];
                    rank = new int[size];
                }
                for (int r = 0; r < size; r++) {
                    idx[r] = from + r;
                }
                Arrays.sort(idx, 0, size, (a, b) -> {
                    int c = Double.compare(f[b], f[a]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
                for (int r = 0; r < size; r++) {
                    rank[idx[r] - from] = r;
                }
                double norm = idealDcg[q] > 0 ? 1 / idealDcg[q] : 0;
                int cut = params.truncation() == 0 ? Integer.MAX_VALUE : params.truncation();
                if (discounts.length < Math.min(size, cut)) {
                    discounts = discounts(Math.min(size, cut));
                }
                for (int i = from; i < from + size; i++) {
                    if (label[i] == 0) {
                        continue;
                    }
                    int ri = rank[i - from];
                    for (int j = from; j < from + size; j++) {
                        if (label[j] != 0) {
                            continue;
                        }
                        int rj = rank[j - from];
                        if (ri >= cut && rj >= cut) {
                            continue;
                        }
                        double delta = Math.abs((ri < cut ? discounts[ri] : 0) - (rj < cut ? discounts[rj] : 0))
                                * norm;
                        double rho = 1 / (1 + Math.exp(f[i] - f[j]));
                        gradient[i] += delta * rho;
                        gradient[j] -= delta * rho;
                        double h = delta * rho * (1 - rho);
                        hessian[i] += h;
                        hessian[j] += h;
                    }
                }
            }
        }

        /** {@code 1 / log2(rank + 2)} for ranks 0..n-1, computed once instead of twice per pair. */
        private static double[] discounts(int n) {
            double[] d = new double[n];
            for (int r = 0; r < n; r++) {
                d[r] = RankingMetrics.discount(r);
            }
            return d;
        }

        @Override
        public double output(int[] nodeSamples, int[] sampleCount) {
            double g = 0;
            double h = 0;
            for (int i : nodeSamples) {
                g += gradient[i];
                h += hessian[i];
            }
            return h > 1e-12 ? g / h : 0;
        }

        @Override
        public double intercept(double[] y) {
            return 0;
        }

        @Override
        public double[] response() {
            return gradient;
        }

        @Override
        public double[] residual() {
            return f;
        }

        @Override
        public String toString() {
            return "RankBoost." + params.objective();
        }
    }
}
