package io.affinity.training.evaluation;

import io.affinity.training.ingest.Transactions;
import io.affinity.training.models.Scorer;
import io.affinity.training.models.TopK;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The evaluation's winning model fitted for serving: tunes every model, the blend weights and the learned
 * re-ranker exactly as {@link Evaluation} does, on a validation split carved from the end of the data (the last
 * {@code validationDays} test, everything before trains), then refits every model on all the data with the chosen
 * settings and scores every identified customer with a purchase, handing each one's top-N to a sink. The served
 * model is the best on validation NDCG@10 of the re-ranker (out of fold), the blend and the best single model;
 * a single model is served by its own scores (the manifest still records the blend weights that lost).
 */
public final class ServedBlend {

    /**
     * @param validationDays length of the validation period at the end of the data; capped to a quarter of the
     *                       data's time span so short exports still keep most of their history for training
     * @param topN           candidates stored per customer
     * @param threads        worker threads
     * @param seed           seed of randomised models (ALS)
     * @param reducedGrid    true: only each model's first hyper-parameter setting (blend weights still fitted)
     * @param seasonWindow   true: the re-ranker also learns from the served period's season one year earlier
     * @param rulesMinSupport the rules model's support: train's --min-support ({@link
     *                       EvaluationSettings#rulesMinSupport})
     * @param rulesMinConfidence the rules model's least confidence: train's --min-confidence
     * @param rulesMinLift   the rules model's least lift: train's --min-lift
     * @param customersPerBlock customers whose re-ranker candidates and features are held at once, when tuning
     *                       (see {@link EvaluationSettings#customersPerBlock}) and when serving
     */
    public record Settings(int validationDays, int topN, int threads, long seed, boolean reducedGrid,
                           boolean seasonWindow, double rulesMinSupport, double rulesMinConfidence,
                           double rulesMinLift, int customersPerBlock) {
        /** With the same-season window. */
        public Settings(int validationDays, int topN, int threads, long seed, boolean reducedGrid) {
            this(validationDays, topN, threads, seed, reducedGrid, true);
        }

        /**
         * With train's default rule thresholds, in blocks of {@link EvaluationSettings#DEFAULT_CUSTOMERS_PER_BLOCK}.
         */
        public Settings(int validationDays, int topN, int threads, long seed, boolean reducedGrid,
                        boolean seasonWindow) {
            this(validationDays, topN, threads, seed, reducedGrid, seasonWindow,
                    EvaluationSettings.DEFAULT_RULES_MIN_SUPPORT, EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE,
                    EvaluationSettings.DEFAULT_RULES_MIN_LIFT, EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK);
        }

        public Settings {
            if (validationDays < 1 || topN < 1 || threads < 1 || customersPerBlock < 1) {
                throw new IllegalArgumentException("need validationDays >= 1, topN >= 1, threads >= 1, "
                        + "customersPerBlock >= 1");
            }
        }
    }

    /**
     * Receives one customer's list from the {@code served} model: parallel arrays, best first; {@code sources} name
     * the model contributing most to each score.
     */
    @FunctionalInterface
    public interface Sink {
        void accept(String served, int customer, int[] items, float[] scores, boolean[] repeat, String[] sources);
    }

    /**
     * What was fitted, for the snapshot manifest.
     *
     * @param served                  "blend" or the single model's name
     * @param weights                 blend weights by "repeat.&lt;model&gt;" / "new.&lt;model&gt;"
     * @param hyperParameters         chosen setting per model
     * @param validationNdcg          the served model's NDCG@10 on the validation split
     * @param bestSingle              best single model on validation
     * @param bestSingleValidationNdcg its NDCG@10
     * @param validationSplit         description of the validation split
     * @param customers               customers given a list
     * @param seconds                 wall time of the whole fit
     * @param blendValidationNdcg     the blend's NDCG@10 on validation, measured on the customers its weights were
     *                                fitted on (optimistic)
     * @param blendOutOfFoldNdcg      the blend's NDCG@10 on validation out of fold (what the choice used)
     * @param rerankerValidationNdcg  the re-ranker's out-of-fold NDCG@10 on validation; null when it was skipped
     * @param reranker                the re-ranker's settings and features (empty when skipped)
     */
    public record Result(String served, Map<String, Double> weights, Map<String, Map<String, Object>> hyperParameters,
                         double validationNdcg, String bestSingle, double bestSingleValidationNdcg,
                         String validationSplit, int validationCustomers, int customers, boolean reducedGrid,
                         double seconds, double blendValidationNdcg, double blendOutOfFoldNdcg,
                         Double rerankerValidationNdcg,
                         Map<String, Object> reranker) {
    }

    private ServedBlend() {
    }

    /**
     * @throws IllegalArgumentException also when the heap the JVM may use is too small for the run
     *                                  ({@link RecommenderMemory}), before the long steps
     */
    public static Result fit(Transactions tx, Settings settings, Consumer<String> progress, Sink sink) {
        return fit(tx, settings, progress, sink, null, Runtime.getRuntime().maxMemory());
    }

    /**
     * {@link #fit}, serving {@code served} (when not null and the re-ranker was fitted) whatever validation chose
     * (for tests, as a small export seldom makes the re-ranker win), with {@code maxHeap} bytes taken for the heap
     * the JVM may use.
     */
    static Result fit(Transactions tx, Settings settings, Consumer<String> progress, Sink sink, String served,
                      long maxHeap) {
        Objects.requireNonNull(sink, "sink");
        long t0 = System.nanoTime();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int o = 0; o < tx.orderCount(); o++) {
            first = Math.min(first, tx.localEpochSecondOf(o));
            last = Math.max(last, tx.localEpochSecondOf(o));
        }
        if (tx.orderCount() == 0) {
            throw new IllegalArgumentException("no orders to fit a recommender on");
        }
        int spanDays = (int) ((last - first) / 86_400);
        int days = Math.max(1, Math.min(settings.validationDays(), spanDays / 4));
        // The validation period ends with the last order: [last - days, last], whole days.
        LocalDateTime end = LocalDateTime.ofEpochSecond(last, 0, ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay();
        LocalDateTime cutoff = end.minusDays(days);
        EvaluationSettings es = new EvaluationSettings("time", cutoff, days, settings.threads(), settings.seed(),
                EvaluationSettings.DEFAULT_EASE_MAX_ITEMS,
                Math.max(EvaluationSettings.DEFAULT_CANDIDATES, settings.topN()), settings.seasonWindow(),
                settings.rulesMinSupport(), settings.rulesMinConfidence(), settings.rulesMinLift(),
                settings.customersPerBlock());
        // Tuned and served as evaluate ranks: ties broken by first purchase, not by the rows' order (read newest
        // first, the validation period's own items would win them; the same orders exported in another order gave
        // other lists). The lists reach the sink in the caller's numbers.
        Transactions numbered = tx.numberedByFirstPurchase();
        Sink inCallersNumbers = inNumbersOf(tx, numbered, sink);
        EvalSplit validation = EvalSplit.time(numbered, cutoff, days);
        if (validation.testUsers().length == 0) {
            throw new IllegalArgumentException("no identified customer bought in the validation period ("
                    + validation.description() + "), so the blend cannot be tuned; train with the rules recommender");
        }
        List<ModelSpec> specs = ModelSpec.all(es);
        if (settings.reducedGrid()) {
            specs = specs.stream().map(s -> new ModelSpec(s.name(), List.of(s.grid().get(0)), s.fitter())).toList();
        }
        // the served lists predict the days after the data: their season one year earlier also trains the re-ranker
        List<EvalSplit> season = settings.seasonWindow() ? Evaluation.sameSeasonWindow(numbered, end, days)
                : List.of();
        EvalSplit all = EvalSplit.serving(numbered);
        new RecommenderMemory(RecommenderMemory.liveHeap(), validation.testUsers().length,
                season.stream().mapToLong(w -> w.testUsers().length).sum(), all.testUsers().length,
                numbered.itemCount(), specs.size(), es.candidates(), settings.topN(), settings.customersPerBlock(),
                Reranker.Params.DEFAULT_MAX_QUERIES, settings.threads()).check(maxHeap, progress);
        Evaluation.Tuned tuned = Evaluation.tune(specs, validation, season, es, progress);
        if (served == null || tuned.reranker() == null) {
            served = tuned.served(specs);
        }
        List<String> names = specs.stream().map(ModelSpec::name).toList();
        Blend blend = tuned.blend();

        long tf = System.nanoTime();
        int[] users = all.testUsers();
        if (Evaluation.RERANKER.equals(served)) {
            // Every model feeds the re-ranker's features: refit all, then per block of customers gather candidates
            // and order them by the trees. A customer's list depends on nothing but the models and that customer, so
            // blocks give the same lists; all customers at once held every candidate's features of every customer
            // (about 50 KB each: more than the default heap at 176,000 customers).
            List<Scorer> fitted = new ArrayList<>();
            for (int m = 0; m < specs.size(); m++) {
                fitted.add(specs.get(m).fit(all, tuned.chosen().get(m)));
            }
            int perBlock = settings.customersPerBlock();
            for (int from = 0; from < users.length; from += perBlock) {
                int[] blockUsers = Arrays.copyOfRange(users, from, Math.min(users.length, from + perBlock));
                EvalSplit block = new EvalSplit(all.description(), all.train(), all.trainBaskets(), all.truth(),
                        blockUsers, 0);
                List<ModelRun> runs = new ArrayList<>();
                for (Scorer model : fitted) {
                    runs.add(ModelRun.candidates(model, block, es.candidates(), settings.threads()));
                }
                int[] every = Reranker.range(blockUsers.length);
                Reranker.Window window = Reranker.Window.of(block, runs, days);
                Blend.Table t = window.table(every);
                float[][] scores = tuned.reranker().score(window.features(t, every, settings.threads()), every,
                        settings.threads());
                for (int p = 0; p < blockUsers.length; p++) {
                    int[] best = TopK.select(scores[p], settings.topN(), null);
                    int[] items = new int[best.length];
                    float[] margins = new float[best.length];
                    boolean[] repeat = new boolean[best.length];
                    String[] sources = new String[best.length];
                    for (int r = 0; r < best.length; r++) {
                        int c = best[r];
                        items[r] = t.items[p][c];
                        margins[r] = scores[p][c];
                        repeat[r] = t.isRepeat[p][c];
                        sources[r] = names.get(strongestSource(t, p, c));
                    }
                    float[] sc = positionWeights(margins);
                    inCallersNumbers.accept(served, blockUsers[p], items, sc, repeat, sources);
                }
            }
        } else if (!"blend".equals(served)) {
            // A single model wins: serve its own ranking (raw scores), not a re-normalised interleaving of it.
            int m = tuned.bestSingle();
            Scorer model = specs.get(m).fit(all, tuned.chosen().get(m));
            float[] s = new float[all.train().itemCount()];
            String[] sources = new String[settings.topN()];
            Arrays.fill(sources, names.get(m));
            for (int u : users) {
                model.score(u, s);
                int[] top = TopK.select(s, settings.topN(), null);
                float[] scores = new float[top.length];
                boolean[] repeat = new boolean[top.length];
                for (int r = 0; r < top.length; r++) {
                    scores[r] = s[top[r]];
                    repeat[r] = all.train().contains(u, top[r]);
                }
                inCallersNumbers.accept(served, u, top, scores, repeat, Arrays.copyOf(sources, top.length));
            }
        } else {
            List<ModelRun> runs = new ArrayList<>();
            for (int m = 0; m < specs.size(); m++) {
                if (blend.repeatWeights[m] == 0 && blend.newWeights[m] == 0) { // no say in the blend: skip fitting
                    runs.add(ModelRun.candidates(new Silent(specs.get(m).name()), all, es.candidates(), 1));
                    continue;
                }
                Scorer model = specs.get(m).fit(all, tuned.chosen().get(m));
                runs.add(ModelRun.candidates(model, all, es.candidates(), settings.threads()));
            }
            Blend.Served out = blend.serve(new Blend.Table(runs, users.length), settings.topN());
            for (int p = 0; p < users.length; p++) {
                String[] sources = new String[out.lead()[p].length];
                for (int r = 0; r < sources.length; r++) {
                    sources[r] = names.get(out.lead()[p][r]);
                }
                inCallersNumbers.accept(served, users[p], out.items()[p], out.scores()[p], out.repeat()[p], sources);
            }
        }
        progress.accept(String.format(Locale.ROOT, "serve %s: refitted on all data, %,d customers scored [%.1f s]",
                served, users.length, (System.nanoTime() - tf) / 1e9));

        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, Map<String, Object>> hyper = new LinkedHashMap<>();
        for (int m = 0; m < names.size(); m++) {
            weights.put("repeat." + names.get(m), blend.repeatWeights[m]);
            weights.put("new." + names.get(m), blend.newWeights[m]);
            hyper.put(names.get(m), tuned.chosen().get(m));
        }
        double servedNdcg = tuned.servedValidation(specs);
        return new Result(served, weights, hyper, servedNdcg, names.get(tuned.bestSingle()),
                tuned.validationNdcg().get(tuned.bestSingle()), validation.description(),
                validation.testUsers().length, users.length, settings.reducedGrid(),
                (System.nanoTime() - t0) / 1e9, tuned.blendValidation(), tuned.blendOutOfFold(),
                tuned.reranker() == null ? null : tuned.rerankerValidation(),
                tuned.reranker() == null ? Map.of() : rerankerFacts(tuned.reranker()));
    }

    /** {@code sink} fed with {@code numbered}'s customer and item numbers translated to {@code tx}'s. */
    private static Sink inNumbersOf(Transactions tx, Transactions numbered, Sink sink) {
        int[] customer = new int[numbered.customerCount()];
        Arrays.setAll(customer, c -> tx.customerIndex(numbered.customerId(c)));
        int[] item = new int[numbered.itemCount()];
        Arrays.setAll(item, i -> tx.itemIndex(numbered.itemId(i)));
        return (served, c, items, scores, repeat, sources) -> {
            int[] inTx = new int[items.length];
            Arrays.setAll(inTx, k -> item[items[k]]);
            sink.accept(served, customer[c], inTx, scores, repeat, sources);
        };
    }

    private static Map<String, Object> rerankerFacts(Reranker r) {
        Map<String, Object> m = new LinkedHashMap<>(r.params.describe());
        m.put("features", r.featureNames);
        m.put("validation", "out of fold: two customer folds, each scored by trees fitted on the other");
        return m;
    }

    /**
     * The served scores of a customer's re-ranked list, from the trees' outputs in rank order: the weight NDCG, which
     * the re-ranker optimises, gives each position, {@code 1 / log2(rank + 2)} (1, 0.63, 0.5, ...), equal outputs
     * sharing the better position's. LambdaMART's outputs are unbounded pairwise scores, not probabilities: mapped
     * through the logistic function, as before, outputs above about 17 all became 1.0 in a float, and next-best
     * offers, which weigh an item by its score over the list's best, ranked a customer's several "certain" items by
     * margin alone (18 of 150 sampled UCI customers had ties at 1.0 in their top 10); their differences, as
     * {@code exp(f - f_first)}, gave a UCI customer's second item 0.008 of the first's weight, which would leave
     * offers nothing but the first.
     */
    static float[] positionWeights(float[] outputsInRankOrder) {
        float[] weights = new float[outputsInRankOrder.length];
        int position = 0;
        for (int r = 0; r < weights.length; r++) {
            if (r > 0 && outputsInRankOrder[r] != outputsInRankOrder[r - 1]) {
                position = r;
            }
            weights[r] = (float) (1 / (Math.log(position + 2) / Math.log(2)));
        }
        return weights;
    }

    /** The model that proposed candidate {@code c} with the highest normalised score (first such in model order). */
    private static int strongestSource(Blend.Table t, int p, int c) {
        int best = 0;
        for (int m = 1; m < t.models; m++) {
            if (t.features[p][c * t.models + m] > t.features[p][c * t.models + best]) {
                best = m;
            }
        }
        return best;
    }

    /** Stands in for a model with zero weight: no opinion, nothing to fit. */
    private record Silent(String name) implements Scorer {
        @Override
        public void score(int user, float[] out) {
            Arrays.fill(out, Float.NaN);
        }

        @Override
        public long bytes() {
            return 0;
        }
    }
}
