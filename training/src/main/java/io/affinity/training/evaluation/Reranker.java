package io.affinity.training.evaluation;

import io.affinity.training.models.HistoryFeatures;
import io.affinity.training.models.Workers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * A learned re-ranker over the union of every model's candidates (the {@link Blend.Table}): gradient-boosted
 * trees ({@link RankBoost}, by default the LambdaMART objective) score each (customer, candidate) from its
 * features so that the candidates the customer buys in the next period come first; candidates are ranked by
 * that score. Features: each model's normalised
 * score and rank of the candidate, and the {@link HistoryFeatures} of the pair (times bought, days since, the
 * customer's own rhythm for the item, customer activity, item popularity and repurchase rate).
 *
 * <p>Trained on a validation split (labels from its held-out period, never the test period). Every positive
 * row is kept and negatives are sampled with a fixed seed (as are customers, beyond {@link Params#maxQueries}); the
 * trees are built without row subsampling, so reruns give identical models.
 */
final class Reranker {
    /**
     * @param boost        the boosted trees' objective and size
     * @param negativeRate share of negative rows kept for training
     * @param seed         seed of the negative sampling (and of the query sample, see {@code maxQueries})
     * @param maxQueries   most (window, customer) queries one fit learns from: beyond it a seeded sample of that
     *                     many, so a fit's cost stops growing with the number of customers. The UCI data gives
     *                     about 4,600 (4,555 in evaluate's validation windows), so its figures are unchanged; on the
     *                     UCI data taken 4 times (23,408 customers) the re-ranker step took 342 s with the sample
     *                     instead of 405 s, at the same out-of-fold NDCG@10 (benchmarks/RESULTS.md, "Training at
     *                     scale").
     */
    record Params(RankBoost.Params boost, double negativeRate, long seed, int maxQueries) {
        /** See {@code maxQueries}. */
        static final int DEFAULT_MAX_QUERIES = 10_000;

        Params {
            if (maxQueries < 1) {
                throw new IllegalArgumentException("maxQueries must be positive, was " + maxQueries);
            }
        }

        Params(RankBoost.Params boost, double negativeRate, long seed) {
            this(boost, negativeRate, seed, DEFAULT_MAX_QUERIES);
        }
        /**
         * Chosen on the UCI data's validation split, out of fold (benchmarks/RESULTS.md has every variant tried):
         * LambdaMART truncated at rank 20 with 20% of the negatives reached 0.3800, pointwise log loss 0.3789 with
         * 15% and 0.3752 with 6% (the second session's setting), customer-weighted log loss 0.3744.
         */
        static Params defaults(long seed) {
            return new Params(new RankBoost.Params(RankBoost.Objective.LAMBDA_NDCG, 60, 5, 16, 50, 0.15, 20), 0.2,
                    seed);
        }

        Map<String, Object> describe() {
            return ModelSpec.params("objective", boost.objective().name().toLowerCase(Locale.ROOT),
                    "trees", boost.trees(), "maxDepth", boost.maxDepth(), "maxNodes", boost.maxNodes(), "nodeSize",
                    boost.nodeSize(), "shrinkage", boost.shrinkage(), "truncation", boost.truncation(),
                    "negativeRate", negativeRate, "maxQueries", maxQueries);
        }
    }

    /** Per table row (customer position), the feature vectors of its candidates: [candidate * width + f]. */
    static final class Features {
        final List<String> names;
        final int width;
        final float[][] rows;

        private Features(List<String> names, float[][] rows) {
            this.names = names;
            this.width = names.size();
            this.rows = rows;
        }

        /**
         * The features of the customers at the runs' positions {@code positions}, whose candidate rows
         * {@code table} holds in the same order: row {@code q} is position {@code positions[q]}.
         */
        Features(Blend.Table table, List<ModelRun> runs, int[] positions, EvalSplit split, HistoryFeatures history,
                 int threads) {
            int models = table.models;
            names = names(runs);
            width = names.size();
            int users = positions.length;
            rows = new float[users][];
            Workers.runAll(threads, t -> () -> {
                for (int q = t; q < users; q += threads) {
                    int p = positions[q];
                    int[] items = table.items[q];
                    float[] f = new float[items.length * width];
                    for (int c = 0; c < items.length; c++) {
                        for (int m = 0; m < models; m++) {
                            f[c * width + m] = table.features[q][c * models + m];
                            f[c * width + models + m] = ABSENT_RANK;
                        }
                    }
                    for (int m = 0; m < models; m++) {
                        ranks(items, runs.get(m).repeat[p], f, models + m);
                        ranks(items, runs.get(m).fresh[p], f, models + m);
                    }
                    history.fill(split.testUsers()[p], items, f, width, 2 * models);
                    rows[q] = f;
                }
            });
        }

        /** The feature names of candidates from these runs: each model's score, its rank, then the history's. */
        static List<String> names(List<ModelRun> runs) {
            List<String> n = new ArrayList<>();
            for (ModelRun r : runs) {
                n.add("score." + r.name);
            }
            for (ModelRun r : runs) {
                n.add("rank." + r.name);
            }
            n.addAll(HistoryFeatures.NAMES);
            return List.copyOf(n);
        }

        /** The same rows restricted to the named features, in the given order. */
        Features select(List<String> keep) {
            int[] cols = keep.stream().mapToInt(k -> {
                int j = names.indexOf(k);
                if (j < 0) {
                    throw new IllegalArgumentException("no feature " + k);
                }
                return j;
            }).toArray();
            float[][] out = new float[rows.length][];
            for (int p = 0; p < rows.length; p++) {
                int n = rows[p].length / width;
                float[] r = new float[n * cols.length];
                for (int c = 0; c < n; c++) {
                    for (int j = 0; j < cols.length; j++) {
                        r[c * cols.length + j] = rows[p][c * width + cols[j]];
                    }
                }
                out[p] = r;
            }
            return new Features(List.copyOf(keep), out);
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
    private final RankBoost model;
    /** Training rows of this fit (positives plus sampled negatives). */
    final int rows;
    /** The (window, customer) queries those rows came from, and how many there were before the sample. */
    final int queries;
    final int eligibleQueries;

    private Reranker(Params params, List<String> featureNames, RankBoost model, int rows, int queries,
                     int eligibleQueries) {
        this.params = params;
        this.featureNames = featureNames;
        this.model = model;
        this.rows = rows;
        this.queries = queries;
        this.eligibleQueries = eligibleQueries;
    }

    /**
     * One labelled period to learn from: a split and its models' candidate runs. The candidate table and the
     * candidates' features, the bulk of the memory (about 50 KB a customer at 11 models), are made for a block of
     * customers at a time ({@link #table}, {@link #features}) and dropped after use, so a window of 100,000
     * customers holds only its runs; a customer's rows depend on nothing but the runs and that customer, so blocks
     * give the same rows as one piece.
     *
     * @param history the split's history features (made once: a pass over its training purchases)
     * @param keep    the features to use, in that order; null: all of {@link Features#names}
     */
    record Window(EvalSplit split, List<ModelRun> runs, HistoryFeatures history, List<String> keep) {
        static Window of(EvalSplit split, List<ModelRun> runs, int horizonDays) {
            return new Window(split, List.copyOf(runs), HistoryFeatures.of(split.train(), horizonDays), null);
        }

        /** This window with only the named features, in that order. */
        Window select(List<String> features) {
            return new Window(split, runs, history, List.copyOf(features));
        }

        int customers() {
            return split.testUsers().length;
        }

        List<String> featureNames() {
            return keep != null ? keep : Features.names(runs);
        }

        /** The candidate rows of the customers at {@code positions}, row {@code q} for {@code positions[q]}. */
        Blend.Table table(int[] positions) {
            return new Blend.Table(runs, positions);
        }

        /** The features of the customers at {@code positions}, whose candidate rows {@code rows} holds in order. */
        Features features(Blend.Table rows, int[] positions, int threads) {
            Features all = new Features(rows, runs, positions, split, history, threads);
            return keep == null ? all : all.select(keep);
        }

        /** Every customer's candidate rows at once: for small windows (tests, experiments). */
        Blend.Table table() {
            return table(range(customers()));
        }

        /** Every customer's features at once, rows in {@link #table()}'s order: for small windows. */
        Features features(int threads) {
            int[] all = range(customers());
            return features(table(all), all, threads);
        }

        /**
         * The trees' scores of every customer's candidates, in {@link #table}'s candidate order, made
         * {@code block} customers at a time.
         */
        float[][] score(Reranker r, int threads, int block) {
            float[][] out = new float[customers()][];
            for (int from = 0; from < customers(); from += block) {
                int[] chunk = IntStream.range(from, Math.min(customers(), from + block)).toArray();
                float[][] s = r.score(features(table(chunk), chunk, threads), range(chunk.length), threads);
                for (int q = 0; q < chunk.length; q++) {
                    out[chunk[q]] = s[q];
                }
            }
            return out;
        }
    }

    /** Fits on the rows of {@code positions} (ascending) of each window, labelled by the window's truth. */
    static Reranker fit(List<Window> windows, List<int[]> positions, Params params) {
        return fitAll(windows, List.of(positions), params, 1, EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK).get(0);
    }

    /**
     * One fit per entry of {@code fits}: each fits on the rows of {@code fits.get(i).get(w)} (ascending positions)
     * of each window {@code w}, labelled by the window's truth; each (window, customer) is one query of the ranking
     * objective. Customers none of whose candidates was bought carry no ranking signal and are left out; of the
     * others, at most {@link Params#maxQueries} (a seeded sample). The sampled customers' rows are gathered for all
     * fits in one pass over the windows, {@code block} customers' features at a time (a fit keeps only its
     * sampled rows: positives and a share of the negatives), then the fits run on up to {@code threads} threads.
     */
    static List<Reranker> fitAll(List<Window> windows, List<List<int[]>> fits, Params params, int threads,
                                 int block) {
        List<String> names = windows.get(0).featureNames();
        for (Window win : windows) {
            if (!win.featureNames().equals(names)) {
                throw new IllegalArgumentException("windows disagree on the feature list");
            }
        }
        List<Rows> rows = new ArrayList<>();
        for (List<int[]> positions : fits) {
            for (int[] p : positions) {
                for (int k = 1; k < p.length; k++) {
                    if (p[k] <= p[k - 1]) {
                        throw new IllegalArgumentException("positions must be ascending");
                    }
                }
            }
            long[] eligible = queries(windows, positions);
            rows.add(new Rows(params, names.size(), sample(eligible, params.maxQueries(), params.seed()),
                    eligible.length));
        }
        for (int w = 0; w < windows.size(); w++) {
            Window win = windows.get(w);
            int window = w;
            // the customers some fit sampled, in ascending order: queries are in window and position order, so
            // each fit meets its queries, and draws its negatives, in the order of one piece
            int[] needed = rows.stream().flatMapToInt(r -> r.positionsIn(window)).distinct().sorted().toArray();
            for (int from = 0; from < needed.length; from += block) {
                int[] chunk = Arrays.copyOfRange(needed, from, Math.min(needed.length, from + block));
                Blend.Table table = win.table(chunk);
                Features f = win.features(table, chunk, threads);
                for (Rows r : rows) {
                    r.add(window, win, chunk, table, f);
                }
            }
        }
        return Workers.call(threads, rows.stream().map(r -> (Callable<Reranker>) () -> r.fit(names)).toList());
    }

    /** One fit's training rows, gathered block by block in query order. */
    private static final class Rows {
        private final Params params;
        private final int width;
        private final long[] queries;
        private final int eligible;
        private final SplittableRandom random;
        private int next;
        /** Kept as the features' floats, half a double row's size, until the fit widens them. */
        private final List<float[]> x = new ArrayList<>();
        private final List<Integer> y = new ArrayList<>();
        private final List<Integer> starts = new ArrayList<>();
        private final List<Double> ideal = new ArrayList<>();

        Rows(Params params, int width, long[] queries, int eligible) {
            this.params = params;
            this.width = width;
            this.queries = queries;
            this.eligible = eligible;
            this.random = new SplittableRandom(params.seed());
        }

        IntStream positionsIn(int w) {
            return Arrays.stream(queries).filter(q -> (int) (q >>> 32) == w).mapToInt(q -> (int) q);
        }

        /** The rows of this fit's queries among the block {@code chunk} (ascending) of window {@code w}. */
        void add(int w, Window win, int[] chunk, Blend.Table table, Features f) {
            while (next < queries.length && (int) (queries[next] >>> 32) == w) {
                int p = (int) queries[next];
                int q = Arrays.binarySearch(chunk, p);
                if (q < 0) {
                    return; // in a later block
                }
                int[] truth = win.split().truth()[win.split().testUsers()[p]];
                int[] items = table.items[q];
                starts.add(y.size());
                ideal.add(idealDcg10(truth.length));
                for (int c = 0; c < items.length; c++) {
                    boolean positive = Arrays.binarySearch(truth, items[c]) >= 0;
                    if (!positive && random.nextDouble() >= params.negativeRate()) {
                        continue;
                    }
                    x.add(Arrays.copyOfRange(f.rows[q], c * width, (c + 1) * width));
                    y.add(positive ? 1 : 0);
                }
                next++;
            }
        }

        Reranker fit(List<String> names) {
            if (next != queries.length) {
                throw new IllegalStateException("rows of " + (queries.length - next) + " queries not gathered");
            }
            starts.add(y.size());
            if (!y.contains(1) || !y.contains(0)) {
                throw new IllegalArgumentException("the re-ranker needs both bought and not-bought candidates in its "
                        + "training split; got " + y.size() + " rows of one kind");
            }
            double[][] rows = new double[x.size()][];
            for (int i = 0; i < rows.length; i++) {
                float[] row = x.set(i, null);
                rows[i] = new double[width];
                for (int j = 0; j < width; j++) {
                    rows[i][j] = row[j];
                }
            }
            x.clear();
            RankBoost model = RankBoost.fit(rows, y.stream().mapToInt(Integer::intValue).toArray(),
                    starts.stream().mapToInt(Integer::intValue).toArray(),
                    ideal.stream().mapToDouble(Double::doubleValue).toArray(), names, params.boost());
            return new Reranker(params, names, model, y.size(), queries.length, eligible);
        }
    }

    /**
     * The (window, position) pairs, as {@code window << 32 | position} in window and position order, of the
     * customers at least one of whose candidates was bought: the others carry no ranking signal.
     */
    private static long[] queries(List<Window> windows, List<int[]> positions) {
        long[] out = new long[positions.stream().mapToInt(a -> a.length).sum()];
        int n = 0;
        for (int w = 0; w < windows.size(); w++) {
            Window win = windows.get(w);
            for (int p : positions.get(w)) {
                int[] truth = win.split().truth()[win.split().testUsers()[p]];
                if (anyCandidateIn(win.runs(), p, truth)) {
                    out[n++] = (long) w << 32 | p;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Whether a model's candidate (its table row: the union of every run's repeat and new lists) was bought. */
    private static boolean anyCandidateIn(List<ModelRun> runs, int p, int[] truth) {
        for (ModelRun run : runs) {
            for (int[] candidates : new int[][] {run.repeat[p], run.fresh[p]}) {
                for (int item : candidates) {
                    if (Arrays.binarySearch(truth, item) >= 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** All of {@code queries} when they are at most {@code max}, else a seeded sample of {@code max}, in order. */
    static long[] sample(long[] queries, int max, long seed) {
        if (queries.length <= max) {
            return queries;
        }
        long[] shuffled = queries.clone();
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < max; i++) {
            int j = i + random.nextInt(shuffled.length - i);
            long t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        long[] kept = Arrays.copyOf(shuffled, max);
        Arrays.sort(kept);
        return kept;
    }

    /** NDCG's denominator for a customer with {@code relevant} bought items: the DCG@10 of a perfect list. */
    static double idealDcg10(int relevant) {
        double d = 0;
        for (int r = 0; r < Math.min(10, relevant); r++) {
            d += RankingMetrics.discount(r);
        }
        return d;
    }

    /** One customer's NDCG@10 of {@code ranked} (best first) against the sorted bought items {@code relevant}. */
    static double ndcg10(int[] ranked, int[] relevant) {
        double dcg = 0;
        for (int r = 0; r < Math.min(10, ranked.length); r++) {
            if (Arrays.binarySearch(relevant, ranked[r]) >= 0) {
                dcg += RankingMetrics.discount(r);
            }
        }
        return dcg / idealDcg10(relevant.length);
    }

    /**
     * Per candidate, the boosted trees' summed output (higher ranks first), for the table positions
     * {@code positions} (others stay null).
     */
    float[][] score(Features f, int[] positions, int threads) {
        float[][] out = new float[f.rows.length][];
        Workers.runAll(threads, t -> () -> {
            RankBoost.Scorer scorer = model.scorer();
            double[] x = new double[f.width];
            for (int q = t; q < positions.length; q += threads) {
                int p = positions[q];
                int n = f.rows[p].length / f.width;
                float[] s = new float[n];
                for (int c = 0; c < n; c++) {
                    for (int j = 0; j < f.width; j++) {
                        x[j] = f.rows[p][c * f.width + j];
                    }
                    s[c] = (float) scorer.score(x);
                }
                out[p] = s;
            }
        });
        return out;
    }

    /** Feature name to importance (total loss reduction of its splits over all trees), largest first. */
    List<Map.Entry<String, Double>> importance() {
        double[] imp = model.importance;
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
