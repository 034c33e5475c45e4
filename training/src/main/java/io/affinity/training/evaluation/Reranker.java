package io.affinity.training.evaluation;

import io.affinity.training.models.HistoryFeatures;
import io.affinity.training.models.Workers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import smile.classification.GradientTreeBoost;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.type.StructType;
import smile.regression.RegressionTree;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;
import smile.math.MathEx;

/**
 * A learned re-ranker over the union of every model's candidates (the {@link Blend.Table}): gradient-boosted
 * trees (Smile, logistic loss) predict from per (customer, candidate) features whether the customer buys the
 * candidate in the next period; candidates are ranked by that probability. Features: each model's normalised
 * score and rank of the candidate, and the {@link HistoryFeatures} of the pair (times bought, days since, the
 * customer's own rhythm for the item, customer activity, item popularity and repurchase rate).
 *
 * <p>Trained on a validation split (labels from its held-out period, never the test period). Every positive
 * row is kept and negatives are sampled with a fixed seed; Smile's tree building is deterministic without row
 * subsampling, so reruns give identical models.
 */
final class Reranker {
    /**
     * @param trees       boosting rounds
     * @param maxDepth    tree depth
     * @param maxNodes    leaves per tree
     * @param nodeSize    minimum rows per leaf
     * @param shrinkage   learning rate
     * @param negativeRate share of negative rows kept for training
     * @param seed        seed of the negative sampling
     */
    record Params(int trees, int maxDepth, int maxNodes, int nodeSize, double shrinkage, double negativeRate,
                  long seed) {
        static Params defaults(long seed) {
            return new Params(60, 5, 16, 50, 0.15, 0.06, seed);
        }

        Map<String, Object> describe() {
            return ModelSpec.params("trees", trees, "maxDepth", maxDepth, "maxNodes", maxNodes, "nodeSize",
                    nodeSize, "shrinkage", shrinkage, "negativeRate", negativeRate);
        }
    }

    /** Per table row (customer position), the feature vectors of its candidates: [candidate * width + f]. */
    static final class Features {
        final List<String> names;
        final int width;
        final float[][] rows;

        Features(Blend.Table table, List<ModelRun> runs, EvalSplit split, int threads) {
            int models = table.models;
            List<String> n = new ArrayList<>();
            for (ModelRun r : runs) {
                n.add("score." + r.name);
            }
            for (ModelRun r : runs) {
                n.add("rank." + r.name);
            }
            n.addAll(HistoryFeatures.NAMES);
            names = List.copyOf(n);
            width = names.size();
            int users = table.items.length;
            rows = new float[users][];
            HistoryFeatures history = HistoryFeatures.of(split.train());
            Workers.runAll(threads, t -> () -> {
                for (int p = t; p < users; p += threads) {
                    int[] items = table.items[p];
                    float[] f = new float[items.length * width];
                    for (int c = 0; c < items.length; c++) {
                        for (int m = 0; m < models; m++) {
                            f[c * width + m] = table.features[p][c * models + m];
                            f[c * width + models + m] = ABSENT_RANK;
                        }
                    }
                    for (int m = 0; m < models; m++) {
                        ranks(items, runs.get(m).repeat[p], f, models + m);
                        ranks(items, runs.get(m).fresh[p], f, models + m);
                    }
                    history.fill(split.testUsers()[p], items, f, width, 2 * models);
                    rows[p] = f;
                }
            });
        }

        private void ranks(int[] items, int[] ranked, float[] f, int column) {
            // candidates are few (hundreds): a linear scan per ranked item is cheap enough
            for (int r = 0; r < ranked.length; r++) {
                for (int c = 0; c < items.length; c++) {
                    if (items[c] == ranked[r]) {
                        f[c * width + column] = r + 1;
                        break;
                    }
                }
            }
        }
    }

    /** Rank given to a candidate a model did not propose (beyond every real rank). */
    static final float ABSENT_RANK = 1000;

    final Params params;
    final List<String> featureNames;
    private final GradientTreeBoost model;

    private Reranker(Params params, List<String> featureNames, GradientTreeBoost model) {
        this.params = params;
        this.featureNames = featureNames;
        this.model = model;
    }

    /** One labelled period to learn from: a split, its candidate table and the candidates' features. */
    record Window(EvalSplit split, Blend.Table table, Features features) {
        static Window of(EvalSplit split, List<ModelRun> runs, int threads) {
            Blend.Table table = new Blend.Table(runs, split.testUsers().length);
            return new Window(split, table, new Features(table, runs, split, threads));
        }
    }

    /** Fits on the rows of the table positions {@code positions}, labelled by the split's truth. */
    static Reranker fit(Blend.Table table, Features f, EvalSplit split, int[] positions, Params params) {
        return fit(List.of(new Window(split, table, f)), List.of(positions), params);
    }

    /** Fits on the rows of {@code positions.get(w)} of each window {@code w}, labelled by the window's truth. */
    static Reranker fit(List<Window> windows, List<int[]> positions, Params params) {
        SplittableRandom random = new SplittableRandom(params.seed());
        List<double[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        Features f = windows.get(0).features();
        for (int w = 0; w < windows.size(); w++) {
            Window win = windows.get(w);
            for (int p : positions.get(w)) {
                int[] truth = win.split().truth()[win.split().testUsers()[p]];
                int[] items = win.table().items[p];
                for (int c = 0; c < items.length; c++) {
                    boolean positive = Arrays.binarySearch(truth, items[c]) >= 0;
                    if (!positive && random.nextDouble() >= params.negativeRate()) {
                        continue;
                    }
                    double[] row = new double[f.width];
                    for (int j = 0; j < f.width; j++) {
                        row[j] = win.features().rows[p][c * f.width + j];
                    }
                    x.add(row);
                    y.add(positive ? 1 : 0);
                }
            }
        }
        if (!y.contains(1) || !y.contains(0)) {
            throw new IllegalArgumentException("the re-ranker needs both bought and not-bought candidates in its "
                    + "training split; got " + y.size() + " rows of one kind");
        }
        DataFrame data = frame(x.toArray(new double[0][]), y.stream().mapToInt(Integer::intValue).toArray(),
                f.names);
        rowsUsed = y.size();
        MathEx.setSeed(params.seed());
        GradientTreeBoost gbt = GradientTreeBoost.fit(Formula.lhs(LABEL), data, params.trees(), params.maxDepth(),
                params.maxNodes(), params.nodeSize(), params.shrinkage(), 1.0);
        return new Reranker(params, f.names, gbt);
    }

    private static final String LABEL = "bought";
    /** Rows of the last fit (positives plus sampled negatives), for progress messages. */
    static volatile int rowsUsed;

    private static DataFrame frame(double[][] x, int[] y, List<String> names) {
        return DataFrame.of(x, names.toArray(new String[0])).merge(IntVector.of(LABEL, y));
    }

    /**
     * Per candidate, the boosted trees' summed output: the log-odds of a purchase up to Smile's constant intercept
     * and learning rate, so it ranks exactly like the probability. For the table positions {@code positions}
     * (others stay null). Calls the trees directly: Smile's formula binding is per thread.
     */
    float[][] score(Features f, int[] positions, int threads) {
        float[][] out = new float[f.rows.length][];
        StructType schema = DataFrame.of(new double[1][f.width], f.names.toArray(new String[0])).schema();
        RegressionTree[] trees = model.trees();
        Workers.runAll(threads, t -> () -> {
            double[] x = new double[f.width];
            Tuple row = Tuple.of(x, schema);
            for (int q = t; q < positions.length; q += threads) {
                int p = positions[q];
                int n = f.rows[p].length / f.width;
                float[] s = new float[n];
                for (int c = 0; c < n; c++) {
                    for (int j = 0; j < f.width; j++) {
                        x[j] = f.rows[p][c * f.width + j];
                    }
                    double v = 0;
                    for (RegressionTree tree : trees) {
                        v += tree.predict(row);
                    }
                    s[c] = (float) v;
                }
                out[p] = s;
            }
        });
        return out;
    }

    /** Feature name to Smile's importance (total loss reduction of its splits), largest first. */
    List<Map.Entry<String, Double>> importance() {
        double[] imp = model.importance();
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        for (int j = 0; j < imp.length && j < featureNames.size(); j++) {
            out.add(Map.entry(featureNames.get(j), imp[j]));
        }
        out.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return out;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
