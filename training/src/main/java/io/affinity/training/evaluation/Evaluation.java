package io.affinity.training.evaluation;

import io.affinity.training.ingest.Transactions;
import io.affinity.training.models.HistoryFeatures;
import io.affinity.training.models.Popularity;
import io.affinity.training.models.Scorer;
import io.affinity.training.models.Workers;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The offline evaluation: carve a validation split out of the training period, tune every model's
 * hyper-parameters and the blend's weights on it, then retrain every model on the whole training period and
 * measure all of them, and the blend, on the test period. The test split is never looked at before the final
 * measurement; which model is served is decided on validation.
 */
public final class Evaluation {
    private final EvaluationSettings settings;
    private final Consumer<String> progress;

    public Evaluation(EvaluationSettings settings, Consumer<String> progress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Which side of the split is empty and what it needs (one side can be empty while the other is not). */
    static String emptySide(String split, int validationCustomers, int testCustomers) {
        boolean time = "time".equals(split);
        String need = validationCustomers == 0 && testCustomers > 0
                ? (time ? ": no identified customer bought in the validation period (the --test-days before --cutoff); "
                        + "use a later --cutoff or more --test-days"
                        : ": validation holds out each customer's second-to-last order, so it needs customers with at "
                        + "least 3 orders, and none has")
                : (time ? ": no identified customer bought in the test period (--test-days from --cutoff); use an "
                        + "earlier --cutoff or more --test-days"
                        : ": the test holds out each customer's last order, so it needs customers with at least 2 "
                        + "orders, and none has");
        String empty = validationCustomers == 0 && testCustomers == 0 ? "no validation and no test customers"
                : validationCustomers == 0 ? "no validation customers (" + testCustomers + " test customers)"
                : "no test customers (" + validationCustomers + " validation customers)";
        return "the " + (time ? "time" : "last-basket") + " split leaves " + empty + need;
    }

    /**
     * A warning when the validation split's customers have far less purchase history than the test split's: every
     * choice (hyper-parameters, blend weights, the re-ranker's trees, the served model) is made on validation, and
     * what wins for customers without history (popularity) is not what wins for customers with it (their own
     * purchases), so the choice need not carry over. "Far less": under half the test split's share of customers
     * with history. On the bundled sample with {@code --cutoff 2011-06-01 --test-days 30}, 7 of 1,043 validation
     * customers have history against 410 of 990 test customers, and the re-ranker chosen there scored below
     * repeat frequency on test at each of 8 seeds (benchmarks/RESULTS.md, twentieth session).
     */
    static Optional<String> historyMismatch(int validationCustomers, int validationCold, int testCustomers,
                                            int testCold) {
        double validationShare = (validationCustomers - validationCold) / (double) validationCustomers;
        double testShare = (testCustomers - testCold) / (double) testCustomers;
        if (validationShare >= testShare / 2) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%,d of %,d validation customers (%.1f%%) bought anything "
                        + "before the validation period, against %,d of %,d test customers (%.1f%%) before the test "
                        + "period: models are chosen and the re-ranker trained mostly on customers without history, "
                        + "so the served choice may not carry over to customers with history; leave more history "
                        + "before the validation period (a later --cutoff, or fewer --test-days)",
                validationCustomers - validationCold, validationCustomers, 100 * validationShare,
                testCustomers - testCold, testCustomers, 100 * testShare));
    }

    /**
     * @throws IllegalArgumentException also when the heap the JVM may use is too small for the run
     *                                  ({@link RecommenderMemory}), before the long steps
     */
    public EvaluationReport run(Transactions loaded) {
        return run(loaded, Runtime.getRuntime().maxMemory());
    }

    /** {@link #run}, with {@code maxHeap} bytes taken for the heap the JVM may use. */
    EvaluationReport run(Transactions loaded, long maxHeap) {
        long t0 = System.nanoTime();
        // Rankings break ties by item and customer number: numbered by first purchase, not by the rows' order, no
        // tie can lean towards what was bought after a split's cutoff (an export written newest first would).
        Transactions tx = loaded.numberedByFirstPurchase();
        EvalSplit validation;
        EvalSplit test;
        if ("time".equals(settings.split())) {
            if (tx.sequenceOnly()) {
                throw new IllegalArgumentException("the input has an order sequence, not timestamps, so it cannot be "
                        + "split by time; use the last-basket split");
            }
            checkTimeWindows(tx, settings.cutoff(), settings.testDays());
            validation = EvalSplit.time(tx, settings.cutoff().minusDays(settings.testDays()), settings.testDays());
            test = EvalSplit.time(tx, settings.cutoff(), settings.testDays());
        } else {
            validation = EvalSplit.lastBasket(tx, 1);
            test = EvalSplit.lastBasket(tx, 0);
        }
        if (test.testUsers().length == 0 || validation.testUsers().length == 0) {
            throw new IllegalArgumentException(emptySide(settings.split(), validation.testUsers().length,
                    test.testUsers().length));
        }
        if (validation.coldTestUsers() == validation.testUsers().length
                || test.coldTestUsers() == test.testUsers().length) {
            // Every model would fall back to popularity for every customer: all tie, and the choice is noise.
            throw new IllegalArgumentException("no " + (validation.coldTestUsers() == validation.testUsers().length
                    ? "validation" : "test") + " customer bought anything before that period (" + test.description()
                    + "): no model can use a purchase history, so every model would tie; use more history before "
                    + "the periods (a later --cutoff or fewer --test-days)");
        }
        say(t0, "splits: validation %,d customers (%,d without history), test %,d customers (%,d without history)",
                validation.testUsers().length, validation.coldTestUsers(), test.testUsers().length,
                test.coldTestUsers());
        List<String> warnings = new ArrayList<>();
        historyMismatch(validation.testUsers().length, validation.coldTestUsers(), test.testUsers().length,
                test.coldTestUsers()).ifPresent(w -> {
                    warnings.add(w);
                    say(t0, "WARNING %s", w);
                });

        List<ModelSpec> specs = ModelSpec.all(settings);
        // The re-ranker also learns from the test period's season one year earlier (fourth session, chosen on the
        // same season's validation window: benchmarks/RESULTS.md); rolling origins 90 and 180 days back lowered
        // the out-of-fold validation NDCG@10 (third session) and are not used.
        List<EvalSplit> extra = "time".equals(settings.split()) && settings.seasonWindow()
                ? sameSeasonWindow(tx, settings.cutoff(), settings.testDays()) : List.of();
        // As train's recommender step: a shop too large for the heap stops here, not out of memory after the
        // models' validation (many minutes on a large shop).
        new RecommenderMemory(RecommenderMemory.liveHeap(), validation.testUsers().length,
                extra.stream().mapToLong(w -> w.testUsers().length).sum(), test.train().userCount(),
                test.testUsers().length, tx.itemCount(), specs.size(), settings.candidates(), RankingMetrics.MAX_K,
                settings.customersPerBlock(), Reranker.Params.DEFAULT_MAX_QUERIES, settings.threads())
                .check(maxHeap, progress);
        Tuned tuned = tune(specs, validation, extra, settings, progress);
        List<Map<String, Object>> chosen = tuned.chosen();
        List<Double> validationNdcg = tuned.validationNdcg();
        int bestSingle = tuned.bestSingle();
        Blend blend = tuned.blend();
        double blendValidation = tuned.blendValidation();
        double blendFitSeconds = tuned.blendFitSeconds();

        List<ModelResult> results = new ArrayList<>();
        List<ModelRun> testRuns = new ArrayList<>();
        Map<String, double[][]> perPosition = new LinkedHashMap<>(); // per model, as ModelRun.Measured gives them
        Map<String, int[][][]> rankedByPosition = new LinkedHashMap<>(); // the lists those values came from
        double sumTrain = 0;
        long sumBytes = 0;
        for (int m = 0; m < specs.size(); m++) {
            long ts = System.nanoTime();
            Tested t = tested(specs.get(m), chosen.get(m), validationNdcg.get(m), test, settings);
            testRuns.add(t.run());
            perPosition.put(t.result().name(), t.run().perCustomer);
            rankedByPosition.put(t.result().name(), t.run().ranked());
            sumTrain += t.result().trainSeconds();
            sumBytes += t.result().modelBytes();
            results.add(t.result());
            say(ts, "test     %-18s trained in %.1f s, %,d KiB; ndcg@10 %.4f", t.result().name(),
                    t.result().trainSeconds(), t.result().modelBytes() / 1024, t.run().metrics.get("ndcg@10"));
        }
        // Baselines outside the blend: tuned on validation the same way, reported after the other popularity models.
        List<ModelSpec> baselines = ModelSpec.baselines(settings);
        Tuned baselineTuning = tuneSingles(baselines, validation, settings, progress);
        int at = results.stream().map(ModelResult::name).toList().indexOf("popularity-country") + 1;
        for (int b = 0; b < baselines.size(); b++) {
            long ts = System.nanoTime();
            Tested t = tested(baselines.get(b), baselineTuning.chosen().get(b), baselineTuning.validationNdcg().get(b),
                    test, settings);
            results.add(at++, t.result());
            perPosition.put(t.result().name(), t.run().perCustomer);
            rankedByPosition.put(t.result().name(), t.run().ranked());
            say(ts, "test     %-18s (baseline, not blended) validation ndcg@10 %.4f; test ndcg@10 %.4f%s",
                    t.result().name(), t.result().validationNdcg10(), t.run().metrics.get("ndcg@10"),
                    t.result().note() == null ? "" : "; " + t.result().note());
        }
        Blend.Table testTable = new Blend.Table(testRuns, test.testUsers().length);
        Map<String, Object> weights = new LinkedHashMap<>();
        for (int m = 0; m < specs.size(); m++) {
            weights.put("repeat." + specs.get(m).name(), blend.repeatWeights[m]);
            weights.put("new." + specs.get(m).name(), blend.newWeights[m]);
        }
        ModelRun.Measured blendMeasured = blend.measure(testTable, test);
        results.add(new ModelResult("blend", weights, tuned.blendOutOfFold(), sumTrain + blendFitSeconds, sumBytes,
                blendMeasured.metrics()));
        perPosition.put("blend", blendMeasured.perCustomer());
        rankedByPosition.put("blend", blendMeasured.ranked());
        if (tuned.reranker() != null) {
            long tr = System.nanoTime();
            float[][] scores = Reranker.Window.of(test, testRuns, settings.testDays())
                    .score(tuned.reranker(), settings.threads(), settings.customersPerBlock());
            ModelRun.Measured measured = Blend.measureBy(testTable, scores, test);
            Map<String, Double> m = measured.metrics();
            perPosition.put(RERANKER, measured.perCustomer());
            rankedByPosition.put(RERANKER, measured.ranked());
            double seconds = (System.nanoTime() - tr) / 1e9;
            Map<String, Object> described = new LinkedHashMap<>(tuned.reranker().params.describe());
            described.put("features", tuned.reranker().featureNames.size());
            results.add(new ModelResult(RERANKER, described, tuned.rerankerValidation(),
                    sumTrain + tuned.rerankerFitSeconds() + seconds, sumBytes, m));
            say(tr, "test     %-18s scored in %.1f s; ndcg@10 %.4f", RERANKER, seconds, m.get("ndcg@10"));
        }
        String served = tuned.served(specs);

        long tu = System.nanoTime();
        String[] ids = new String[test.testUsers().length];
        for (int p = 0; p < ids.length; p++) {
            ids[p] = tx.customerId(test.testUsers()[p]);
        }
        Map<String, double[][]> inReportOrder = new LinkedHashMap<>();
        Map<String, int[][][]> rankedInReportOrder = new LinkedHashMap<>();
        results.forEach(r -> {
            inReportOrder.put(r.name(), perPosition.get(r.name()));
            rankedInReportOrder.put(r.name(), rankedByPosition.get(r.name()));
        });
        PerCustomerMetrics perCustomer = PerCustomerMetrics.of(ids, inReportOrder);
        String[] itemIds = new String[tx.itemCount()];
        Arrays.setAll(itemIds, tx::itemId);
        Rankings rankings = Rankings.of(ids, rankedInReportOrder, itemIds);
        Map<String, Significance.Interval> intervals = ndcgIntervals(perCustomer);
        List<EvaluationReport.Versus> versus = servedVersus(results, served, perCustomer);
        say(tu, "uncertainty: ndcg@10 %d%% bootstrap intervals over %,d test customers (%,d resamples)%s",
                Math.round(Significance.CONFIDENCE * 100), perCustomer.customers(), Significance.RESAMPLES,
                versus.stream().map(v -> String.format(Locale.ROOT, "; %s minus %s %+.4f [%+.4f, %+.4f]%s", served,
                        v.model(), v.ndcg10().difference(), v.ndcg10().interval().low(),
                        v.ndcg10().interval().high(), v.ndcg10().significant() ? " *" : "")).reduce("", String::concat));

        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("split", test.description());
        facts.put("validationSplit", validation.description());
        facts.put("items", tx.itemCount());
        facts.put("catalogueItems", test.catalogue()); // sold before the cutoff: coverage's denominator
        facts.put("customers", tx.customerCount());
        facts.put("orders", tx.orderCount());
        facts.put("trainInteractions", test.train().nonZeros());
        facts.put("testCustomers", test.testUsers().length);
        facts.put("testCustomersWithoutHistory", test.coldTestUsers());
        facts.put("validationCustomers", validation.testUsers().length);
        facts.put("validationCustomersWithoutHistory", validation.coldTestUsers());
        facts.put("rerankerExtraTrainingWindows", extra.stream().map(EvalSplit::description).toList());
        facts.put("easeModelledItems", Math.min(settings.easeMaxItems(), activeItems(test)));
        facts.put("easePurchaseShare", easeShare(test, settings.easeMaxItems()));
        facts.put("threads", settings.threads());
        facts.put("seed", settings.seed());
        facts.put("servedSelectedBy", "validation ndcg@10 (re-ranker and blend out of fold on two customer folds)");
        facts.put("blendValidationInSample", blendValidation);
        double total = (System.nanoTime() - t0) / 1e9;
        say(t0, "done; served model: %s", served);
        return new EvaluationReport(settings, facts, results, served, total, perCustomer, intervals, versus,
                warnings, rankings);
    }

    static final String NDCG = "ndcg@10";

    /** Each model's bootstrap interval of its test NDCG@10, all models resampled with the same draws of customers. */
    static Map<String, Significance.Interval> ndcgIntervals(PerCustomerMetrics perCustomer) {
        List<String> names = new ArrayList<>(perCustomer.byModel().keySet());
        List<Significance.Interval> intervals = Significance.bootstrapMeans(
                names.stream().map(n -> perCustomer.values(n, NDCG)).toList(), Significance.RESAMPLES,
                Significance.SEED);
        Map<String, Significance.Interval> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), intervals.get(i));
        }
        return out;
    }

    /**
     * The served model's NDCG@10 against the best other single model on test (the strongest rival on the very
     * numbers shown; chosen on test, so the comparison leans against the served model) and against
     * repeat-frequency (the simplest personal model, the bar any recommender must clear); one entry when they are
     * the same model, none for a rival that is the served model itself.
     */
    static List<EvaluationReport.Versus> servedVersus(List<ModelResult> results, String served,
                                                      PerCustomerMetrics perCustomer) {
        ModelResult best = null;
        for (ModelResult r : results) {
            boolean single = !r.name().equals("blend") && !r.name().equals(RERANKER);
            if (single && !r.name().equals(served)
                    && (best == null || r.metrics().get(NDCG) > best.metrics().get(NDCG))) {
                best = r;
            }
        }
        List<String> rivals = new ArrayList<>();
        List<String> why = new ArrayList<>();
        if (best != null) {
            rivals.add(best.name());
            why.add("best other single model on test " + NDCG);
        }
        String repeat = "repeat-frequency";
        if (!repeat.equals(served) && perCustomer.byModel().containsKey(repeat)) {
            int at = rivals.indexOf(repeat);
            if (at >= 0) {
                why.set(at, why.get(at) + "; also the simplest personal model");
            } else {
                rivals.add(repeat);
                why.add("the simplest personal model");
            }
        }
        List<Significance.Paired> paired = Significance.paired(
                rivals.stream().map(r -> perCustomer.values(r, NDCG)).toList(),
                rivals.stream().map(r -> perCustomer.values(served, NDCG)).toList(), Significance.RESAMPLES,
                Significance.SEED);
        List<EvaluationReport.Versus> out = new ArrayList<>();
        for (int i = 0; i < rivals.size(); i++) {
            out.add(new EvaluationReport.Versus(rivals.get(i), why.get(i), paired.get(i)));
        }
        return out;
    }

    /**
     * Refuses a time split whose validation period (the {@code testDays} before the cutoff) starts at or before
     * the first order, so that nothing trains before it, or whose test period ends after the data's last day (it
     * would be shorter than asked). The message names the dates and a --cutoff or --test-days that fits.
     */
    static void checkTimeWindows(Transactions tx, LocalDateTime cutoff, int testDays) {
        if (tx.orderCount() == 0) {
            throw new IllegalArgumentException("no orders to evaluate on");
        }
        LocalDateTime first = null;
        LocalDateTime last = null;
        for (int o = 0; o < tx.orderCount(); o++) {
            LocalDateTime t = tx.timestampOf(o);
            first = first == null || t.isBefore(first) ? t : first;
            last = last == null || t.isAfter(last) ? t : last;
        }
        LocalDate validationStart = cutoff.minusDays(testDays).toLocalDate();
        LocalDate testEnd = cutoff.plusDays(testDays).toLocalDate(); // exclusive
        String windows = String.format(Locale.ROOT, "validation %s to %s, test %s to %s (--cutoff %s, "
                        + "--test-days %d); the data run from %s to %s", validationStart,
                cutoff.toLocalDate().minusDays(1), cutoff.toLocalDate(), testEnd.minusDays(1), cutoff.toLocalDate(),
                testDays, first.toLocalDate(), last.toLocalDate());
        if (!first.isBefore(cutoff.minusDays(testDays))) {
            long before = ChronoUnit.DAYS.between(first.toLocalDate(), cutoff.toLocalDate());
            throw new IllegalArgumentException("the validation period starts before any training data: " + windows
                    + ". Models are trained on the orders before the validation period, so it must start after "
                    + "the first day: use --cutoff " + first.toLocalDate().plusDays(testDays + 1L) + " or later"
                    + (before > 1 ? ", or --test-days " + (before - 1) + " or fewer (better: a fraction of that, to "
                    + "leave history to learn from)" : ""));
        }
        // The latest cutoff whose test period of testDays still ends on the data's last day.
        LocalDate latestCutoff = last.toLocalDate().plusDays(1).minusDays(testDays);
        if (cutoff.isAfter(last)) {
            throw new IllegalArgumentException("the test period starts after the last order: " + windows
                    + ". Use --cutoff " + latestCutoff + " or earlier");
        }
        if (testEnd.atStartOfDay().isAfter(last.toLocalDate().plusDays(1).atStartOfDay())) {
            // A shorter test than validation period would be reported as the --test-days asked for, and the
            // re-ranker's recency features assume equal periods: refuse rather than measure a different thing.
            long held = ChronoUnit.DAYS.between(cutoff.toLocalDate(), last.toLocalDate().plusDays(1));
            throw new IllegalArgumentException("the test period runs past the data's last day " + last.toLocalDate()
                    + ": " + windows + "; it would hold only " + held + " of the " + testDays + " days. Use --cutoff "
                    + latestCutoff + " or earlier, or --test-days " + held + " or fewer");
        }
    }

    /**
     * What tuning on a validation split decided: each model's chosen hyper-parameters and its validation NDCG@10,
     * the model runs with those settings, and the blend weights fitted on them.
     */
    record Tuned(List<Map<String, Object>> chosen, List<Double> validationNdcg, List<ModelRun> runs, int bestSingle,
                 Blend blend, double blendValidation, double blendOutOfFold, double blendFitSeconds,
                 Reranker reranker, double rerankerValidation, double rerankerFitSeconds) {
        /**
         * The best on validation NDCG@10 of the re-ranker and the blend (both measured out of fold: fitted on one
         * half of the validation customers, measured on the other) and the best single model (its few
         * hyper-parameter settings picked on the same customers).
         */
        String served(List<ModelSpec> specs) {
            double single = validationNdcg.get(bestSingle);
            if (reranker != null && rerankerValidation > blendOutOfFold && rerankerValidation > single) {
                return RERANKER;
            }
            return blendOutOfFold > single ? "blend" : specs.get(bestSingle).name();
        }

        double servedValidation(List<ModelSpec> specs) {
            String s = served(specs);
            return RERANKER.equals(s) ? rerankerValidation : "blend".equals(s) ? blendOutOfFold
                    : validationNdcg.get(bestSingle);
        }
    }

    static final String RERANKER = "reranker";

    /** A model fitted with its chosen setting on the test split's training part, and its run on the test customers. */
    private record Tested(ModelResult result, ModelRun run) {
    }

    private static Tested tested(ModelSpec spec, Map<String, Object> params, double validationNdcg, EvalSplit test,
                                 EvaluationSettings settings) {
        long ts = System.nanoTime();
        Scorer model = spec.fit(test, params);
        double trainSeconds = (System.nanoTime() - ts) / 1e9;
        ModelRun run = ModelRun.score(model, test, settings.candidates(), settings.threads());
        String note = model instanceof Popularity p ? p.note() : null;
        return new Tested(new ModelResult(spec.name(), params, validationNdcg, trainSeconds, model.bytes(),
                run.metrics, note), run);
    }

    /** Picks each model's best grid setting by validation NDCG@10, then fits the blend's weights on those runs. */
    static Tuned tune(List<ModelSpec> specs, EvalSplit validation, List<EvalSplit> extraWindows,
                      EvaluationSettings settings, Consumer<String> progress) {
        Tuned singles = tuneSingles(specs, validation, settings, progress);
        // The blend's weight search is single-threaded and independent of the re-ranker: run it alongside.
        ExecutorService blendThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "affinity-blend");
            t.setDaemon(true);
            return t;
        });
        Future<Tuned> withBlend = blendThread.submit(() -> withBlend(singles, specs, validation, progress));
        blendThread.shutdown();
        Tuned models = singles;
        long tr = System.nanoTime();
        Reranker reranker = null;
        double rerankerValidation = Double.NaN;
        try {
            List<Reranker.Window> windows = windows(specs, models, validation, extraWindows, settings);
            Reranker.Params params = Reranker.Params.defaults(settings.seed());
            // The final fit and the two fold fits are independent: run them side by side (each is deterministic).
            // The final one has about twice a fold's rows, so it goes first: on two threads it then runs beside
            // the folds in turn (longest first) instead of alone after them.
            List<int[]> every = windows.stream().map(w -> Reranker.range(w.customers())).toList();
            List<Reranker> fits = Reranker.fitAll(windows, List.of(every, folds(windows, 0), folds(windows, 1)),
                    params, settings.threads(), settings.customersPerBlock());
            reranker = fits.get(0);
            rerankerValidation = outOfFold(windows, fits.get(1), fits.get(2), settings.threads(),
                    settings.customersPerBlock());
            say(progress, tr, "reranker fitted on %d window(s), %,d rows of %,d customer windows%s: out-of-fold "
                    + "validation ndcg@10 %.4f; top features %s", windows.size(), reranker.rows, reranker.queries,
                    reranker.queries < reranker.eligibleQueries
                            ? String.format(Locale.ROOT, " (a sample of %,d)", reranker.eligibleQueries) : "",
                    rerankerValidation,
                    reranker.importance().subList(0, 8));
        } catch (IllegalArgumentException e) {
            say(progress, tr, "reranker skipped: %s", e.getMessage());
        }
        double rerankerFitSeconds = (System.nanoTime() - tr) / 1e9;
        models = Workers.await(withBlend, "fitting the blend");
        return new Tuned(models.chosen(), models.validationNdcg(), models.runs(), models.bestSingle(), models.blend(),
                models.blendValidation(), models.blendOutOfFold(), models.blendFitSeconds(), reranker,
                rerankerValidation, rerankerFitSeconds);
    }

    /** {@link #tune} without the re-ranker (null in the answer). */
    static Tuned tuneModels(List<ModelSpec> specs, EvalSplit validation, EvaluationSettings settings,
                            Consumer<String> progress) {
        return withBlend(tuneSingles(specs, validation, settings, progress), specs, validation, progress);
    }

    /** Each model's best grid setting by validation NDCG@10 (blend and re-ranker null in the answer). */
    private static Tuned tuneSingles(List<ModelSpec> specs, EvalSplit validation, EvaluationSettings settings,
                                     Consumer<String> progress) {
        List<Map<String, Object>> chosen = new ArrayList<>();
        List<Double> validationNdcg = new ArrayList<>();
        List<ModelRun> validationRuns = new ArrayList<>();
        for (ModelSpec spec : specs) {
            long ts = System.nanoTime();
            ModelRun best = null;
            Map<String, Object> bestParams = null;
            for (Map<String, Object> params : spec.grid()) {
                ModelRun run = ModelRun.score(spec.fit(validation, params), validation, settings.candidates(),
                        settings.threads());
                double v = run.metrics.get("ndcg@10");
                if (best == null || v > best.metrics.get("ndcg@10")) {
                    best = run;
                    bestParams = params;
                }
            }
            chosen.add(bestParams);
            validationNdcg.add(best.metrics.get("ndcg@10"));
            validationRuns.add(best);
            say(progress, ts, "validate %-18s %d setting(s), best %s ndcg@10 %.4f", spec.name(), spec.grid().size(),
                    bestParams, best.metrics.get("ndcg@10"));
        }
        return new Tuned(chosen, validationNdcg, validationRuns, argmax(validationNdcg), null, Double.NaN, Double.NaN,
                0, null, Double.NaN, 0);
    }

    /** The singles' tuning plus the blend's weights fitted on their validation runs. */
    private static Tuned withBlend(Tuned singles, List<ModelSpec> specs, EvalSplit validation,
                                   Consumer<String> progress) {
        List<Map<String, Object>> chosen = singles.chosen();
        List<Double> validationNdcg = singles.validationNdcg();
        List<ModelRun> validationRuns = singles.runs();
        long tb = System.nanoTime();
        int bestSingle = singles.bestSingle();
        Blend.Table valTable = new Blend.Table(validationRuns, validation.testUsers().length);
        Blend blend = Blend.fit(validationRuns, valTable, validation, 2);
        double blendValidation = blend.ndcg10(valTable, validation);
        double blendOutOfFold = Blend.outOfFold(validationRuns, valTable, validation, 2);
        double blendFitSeconds = (System.nanoTime() - tb) / 1e9;
        say(progress, tb, "blend fitted on validation: ndcg@10 %.4f in sample, %.4f out of fold (best single %s %.4f)",
                blendValidation, blendOutOfFold, specs.get(bestSingle).name(), validationNdcg.get(bestSingle));
        return new Tuned(chosen, validationNdcg, validationRuns, bestSingle, blend, blendValidation, blendOutOfFold,
                blendFitSeconds, null, Double.NaN, 0);
    }

    /**
     * The extra re-ranker training window for predicting {@code days} from {@code predictedFrom}: the same period one
     * year earlier (train before {@code predictedFrom - 365 days}, labels the {@code days} after it), as a list of
     * one split; empty when the data does not reach that far back (no customer with history bought in it) or
     * when the period is longer than half a year (its labels would reach into the validation period).
     */
    static List<EvalSplit> sameSeasonWindow(Transactions tx, LocalDateTime predictedFrom, int days) {
        LocalDateTime origin = predictedFrom.minusDays(HistoryFeatures.YEAR_DAYS);
        if (days > HistoryFeatures.YEAR_DAYS - days) {
            return List.of(); // a period longer than half a year would overlap its own season's labels
        }
        EvalSplit s = EvalSplit.time(tx, origin, days);
        if (s.testUsers().length - s.coldTestUsers() == 0 || s.train().nonZeros() == 0) {
            return List.of();
        }
        return List.of(s);
    }

    /**
     * The re-ranker's labelled windows: the validation split (first; its model runs are the tuned ones) and each
     * extra split, for which every model is refitted with the chosen settings on that split's training part. Each
     * holds its runs; tables and features are made per block of customers when used.
     */
    static List<Reranker.Window> windows(List<ModelSpec> specs, Tuned models, EvalSplit validation,
                                         List<EvalSplit> extraWindows, EvaluationSettings settings) {
        List<Reranker.Window> windows = new ArrayList<>();
        windows.add(Reranker.Window.of(validation, models.runs(), settings.testDays()));
        for (EvalSplit extra : extraWindows) {
            List<ModelRun> runs = new ArrayList<>();
            for (int m = 0; m < specs.size(); m++) {
                runs.add(ModelRun.candidates(specs.get(m).fit(extra, models.chosen().get(m)), extra,
                        settings.candidates(), settings.threads()));
            }
            windows.add(Reranker.Window.of(extra, runs, settings.testDays()));
        }
        return windows;
    }

    /**
     * The re-ranker's NDCG@10 on the first window, out of fold: two folds of customers (by number parity, the same
     * in every window), each half of the first window's customers scored by trees fitted on the other half of
     * every window. So the validation figure that picks the served model is out of sample.
     */
    static double outOfFold(List<Reranker.Window> windows, Reranker.Params params, int threads, int block) {
        List<Reranker> fits = Reranker.fitAll(windows, List.of(folds(windows, 0), folds(windows, 1)), params,
                threads, block);
        return outOfFold(windows, fits.get(0), fits.get(1), threads, block);
    }

    /**
     * {@link #outOfFold} with the trees already fitted on the even and the odd customers; the first window's
     * candidates are scored and ranked {@code block} customers at a time.
     */
    static double outOfFold(List<Reranker.Window> windows, Reranker evenFit, Reranker oddFit, int threads,
                            int block) {
        Reranker.Window first = windows.get(0);
        int[] users = first.split().testUsers();
        int[][][] ranked = new int[3][users.length][];
        for (int from = 0; from < users.length; from += block) {
            int[] chunk = IntStream.range(from, Math.min(users.length, from + block)).toArray();
            Blend.Table table = first.table(chunk);
            Reranker.Features features = first.features(table, chunk, threads);
            int[] even = IntStream.range(0, chunk.length).filter(q -> users[chunk[q]] % 2 == 0).toArray();
            int[] odd = IntStream.range(0, chunk.length).filter(q -> users[chunk[q]] % 2 == 1).toArray();
            float[][] a = evenFit.score(features, odd, threads);
            float[][] b = oddFit.score(features, even, threads);
            float[][] oof = new float[chunk.length][];
            for (int q = 0; q < chunk.length; q++) {
                oof[q] = a[q] != null ? a[q] : b[q];
            }
            int[][][] r = Blend.rankBy(table, oof);
            for (int q = 0; q < chunk.length; q++) {
                for (int k = 0; k < 3; k++) {
                    ranked[k][chunk[q]] = r[k][q];
                }
            }
        }
        return ModelRun.metrics(first.split(), ranked[0], ranked[1], ranked[2]).get("ndcg@10");
    }

    private static void say(Consumer<String> progress, long startNanos, String format, Object... args) {
        progress.accept(String.format(Locale.ROOT, format, args)
                + String.format(Locale.ROOT, " [%.1f s]", (System.nanoTime() - startNanos) / 1e9));
    }

    /** Per window, the positions of its customers whose number has the given parity. */
    private static List<int[]> folds(List<Reranker.Window> windows, int parity) {
        return windows.stream().map(w -> IntStream.range(0, w.customers())
                .filter(p -> w.split().testUsers()[p] % 2 == parity).toArray()).toList();
    }

    private static int activeItems(EvalSplit s) {
        int n = 0;
        for (int i = 0; i < s.train().itemCount(); i++) {
            if (s.train().degreeOfItem(i) > 0) {
                n++;
            }
        }
        return n;
    }

    /** Share of training purchases (customer-item cells) that fall on EASE's modelled items. */
    private static double easeShare(EvalSplit s, int maxItems) {
        int[] degrees = new int[s.train().itemCount()];
        long total = 0;
        for (int i = 0; i < degrees.length; i++) {
            degrees[i] = s.train().degreeOfItem(i);
            total += degrees[i];
        }
        int[] sorted = Arrays.stream(degrees).boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
        long kept = 0;
        for (int i = 0; i < Math.min(maxItems, sorted.length); i++) {
            kept += sorted[i];
        }
        return total == 0 ? 0 : kept / (double) total;
    }

    private static int argmax(List<Double> v) {
        int best = 0;
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i) > v.get(best)) {
                best = i;
            }
        }
        return best;
    }

    private void say(long startNanos, String format, Object... args) {
        progress.accept(String.format(Locale.ROOT, format, args)
                + String.format(Locale.ROOT, " [%.1f s]", (System.nanoTime() - startNanos) / 1e9));
    }
}
