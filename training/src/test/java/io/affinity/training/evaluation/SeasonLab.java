package io.affinity.training.evaluation;

import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Not a test: the fourth session's validation-only bench (benchmarks/RESULTS.md, "Recommendation quality, fourth
 * session"). Builds several validation windows, all with labels before the test cutoff 2011-09-01, and never the
 * test split:
 * <ul>
 *   <li>{@code summer}: origin 2011-06-03, labels 2011-06-03 .. 2011-08-31 (the evaluation's own validation split;
 *       every model's hyper-parameters are tuned here, as {@link Evaluation} does);</li>
 *   <li>{@code autumn}: origin 2010-09-01, labels 2010-09-01 .. 2010-11-29, the test quarter's season one year
 *       earlier (history only from 2009-12-01, so nothing a year back: the seasonal models rank like global
 *       popularity there and the season features are missing);</li>
 *   <li>{@code winter}: origin 2010-12-02, labels 2010-12-02 .. 2011-03-01 (the first window with a full year of
 *       history, so the seasonal models see the same window one year earlier).</li>
 * </ul>
 * Every model is refitted on each window's training part with the settings chosen on {@code summer}. For each
 * model set ({@link #inSet}: the ten earlier models, those plus TIFU-KNN, or every model) and each choice of
 * re-ranker training windows, prints out-of-fold NDCG@10 (overall, customers without history, with history) of
 * the re-ranker and the blend on every window, and each single model's figures.
 *
 * <p>Run (after {@code mvn -pl training,cli -am package -DskipTests} and {@code test-compile}):
 * {@code java -cp training/target/test-classes:training/target/classes:cli/target/affinity.jar
 * io.affinity.training.evaluation.SeasonLab FILE...}
 */
public final class SeasonLab {
    static final List<String> SEASONAL = List.of("popularity-season", "popularity-season-new");

    /**
     * Model sets: {@code base} the ten models blended before the fifth session, {@code tifu} those plus TIFU-KNN
     * (the evaluation's current set), {@code all} every model including the two seasonal ones.
     */
    static boolean inSet(String set, String model) {
        return switch (set) {
            case "all" -> true;
            case "tifu" -> !SEASONAL.contains(model);
            case "base" -> !SEASONAL.contains(model) && !"tifu-knn".equals(model);
            default -> throw new IllegalArgumentException("unknown model set " + set);
        };
    }

    record Win(String name, EvalSplit split, List<ModelRun> runs) {
    }

    public static void main(String[] args) throws Exception {
        List<Path> files = Arrays.stream(args).map(Path::of).toList();
        long t0 = System.nanoTime();
        Transactions tx = TransactionLoader.load(files, IngestOptions.defaults()).transactions();
        int days = 90;
        EvaluationSettings settings = new EvaluationSettings("time", LocalDate.parse("2011-09-01").atStartOfDay(),
                days, 2, 42, EvaluationSettings.DEFAULT_EASE_MAX_ITEMS, EvaluationSettings.DEFAULT_CANDIDATES);
        List<ModelSpec> specs = new ArrayList<>(ModelSpec.all(settings));
        specs.addAll(3, ModelSpec.baselines(settings)); // the "all" set: the seasonal models as candidate sources too
        Map<String, String> origins = new LinkedHashMap<>();
        origins.put("summer", "2011-06-03");
        for (String w : System.getProperty("windows", "autumn:2010-09-01,winter:2010-12-02").split(",")) {
            String[] p = w.split(":");
            origins.put(p[0], p[1]);
        }
        List<Win> wins = new ArrayList<>();
        Evaluation.Tuned tuned = null;
        for (Map.Entry<String, String> o : origins.entrySet()) {
            EvalSplit split = EvalSplit.time(tx, LocalDate.parse(o.getValue()).atStartOfDay(), days);
            List<ModelRun> runs = new ArrayList<>();
            if (tuned == null) {
                tuned = Evaluation.tuneModels(specs, split, settings, SeasonLab::say);
                runs.addAll(tuned.runs());
            } else {
                for (int m = 0; m < specs.size(); m++) {
                    runs.add(ModelRun.score(specs.get(m).fit(split, tuned.chosen().get(m)), split,
                            settings.candidates(), settings.threads()));
                }
            }
            wins.add(new Win(o.getKey(), split, runs));
            say(String.format(Locale.ROOT, "window %s: %s, %,d customers (%,d without history) [%.1f s]", o.getKey(),
                    split.description(), split.testUsers().length, split.coldTestUsers(),
                    (System.nanoTime() - t0) / 1e9));
            for (ModelRun r : runs) {
                say(String.format(Locale.ROOT, "RESULT single %-8s %-22s %s", o.getKey(), r.name, fmt(r.metrics)));
            }
        }
        Reranker.Params params = Reranker.Params.defaults(42);
        List<String> sets = Arrays.asList(System.getProperty("sets", "base,all").split(","));
        List<String> trainings = Arrays.asList(System.getProperty("train", "summer;summer+autumn").split(";"));
        Map<String, double[]> perCustomer = new LinkedHashMap<>();
        for (String set : sets) {
            List<Reranker.Window> rw = new ArrayList<>();
            List<ModelRun> summerRuns = wins.get(0).runs().stream().filter(r -> inSet(set, r.name)).toList();
            Blend fromSummer = Blend.fit(summerRuns, new Blend.Table(summerRuns, wins.get(0).split().testUsers().length),
                    wins.get(0).split(), 2);
            for (Win w : wins) {
                List<ModelRun> runs = w.runs().stream().filter(r -> inSet(set, r.name)).toList();
                rw.add(Reranker.Window.of(w.split(), runs, days));
                blend(set, w, runs, rw.get(rw.size() - 1).table(), fromSummer);
            }
            for (String training : trainings) {
                List<String> names = Arrays.asList(training.split("\\+"));
                List<Reranker.Window> train = new ArrayList<>();
                for (int i = 0; i < wins.size(); i++) {
                    if (names.contains(wins.get(i).name())) {
                        train.add(rw.get(i));
                    }
                }
                long t = System.nanoTime();
                Reranker even = Reranker.fit(train, folds(train, 0), params);
                Reranker odd = Reranker.fit(train, folds(train, 1), params);
                for (int i = 0; i < wins.size(); i++) {
                    Reranker.Window w = rw.get(i);
                    int[] users = w.split().testUsers();
                    int[] evenPos = IntStream.range(0, users.length).filter(p -> users[p] % 2 == 0).toArray();
                    int[] oddPos = IntStream.range(0, users.length).filter(p -> users[p] % 2 == 1).toArray();
                    float[][] a = even.score(w.features(2), oddPos, 2);
                    float[][] b = odd.score(w.features(2), evenPos, 2);
                    float[][] oof = new float[users.length][];
                    for (int p = 0; p < users.length; p++) {
                        oof[p] = a[p] != null ? a[p] : b[p];
                    }
                    perCustomer.put(set + "|" + training + "|" + wins.get(i).name(), ndcgPerCustomer(w, oof));
                    say(String.format(Locale.ROOT, "RESULT reranker %-4s train %-20s on %-8s %s [%.1f s]", set,
                            training, wins.get(i).name(), fmt(Blend.metricsBy(w.table(), oof, w.split())),
                            (System.nanoTime() - t) / 1e9));
                }
            }
        }
        // paired bootstrap over each window's customers: "a>b" for re-ranker variants "set|training"
        for (String pair : System.getProperty("pairs", "").split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] ab = pair.split(">");
            for (Win w : wins) {
                RerankerLab.bootstrap(ab[0] + " minus " + ab[1] + " on " + w.name(),
                        perCustomer.get(ab[0] + "|" + w.name()), perCustomer.get(ab[1] + "|" + w.name()));
            }
        }
    }

    /** NDCG@10 of each customer of the window under the given candidate scores. */
    private static double[] ndcgPerCustomer(Reranker.Window w, float[][] scores) {
        int[][] top = Blend.rankBy(w.table(), scores)[0];
        int[] users = w.split().testUsers();
        double[] out = new double[users.length];
        for (int p = 0; p < users.length; p++) {
            out[p] = Reranker.ndcg10(top[p], w.split().truth()[users[p]]);
        }
        return out;
    }

    /** The blend fitted on the window itself (out of fold) and the summer blend applied to the window. */
    private static void blend(String set, Win w, List<ModelRun> runs, Blend.Table table, Blend fromSummer) {
        double oof = Blend.outOfFold(runs, table, w.split(), 2);
        say(String.format(Locale.ROOT, "RESULT blend    %-4s on %-8s oof ndcg@10 %.4f; summer weights: %s", set,
                w.name(), oof, fmt(fromSummer.metrics(table, w.split()))));
    }

    private static List<int[]> folds(List<Reranker.Window> windows, int parity) {
        return windows.stream().map(w -> IntStream.range(0, w.split().testUsers().length)
                .filter(p -> w.split().testUsers()[p] % 2 == parity).toArray()).toList();
    }

    private static String fmt(Map<String, Double> m) {
        return String.format(Locale.ROOT, "ndcg@10 %.4f cold %.4f warm %.4f hit@10 %.4f repeat %.4f new %.4f",
                m.get("ndcg@10"), m.get("cold.ndcg@10"), m.get("warm.ndcg@10"), m.get("hitrate@10"),
                m.get("repeat.ndcg@10"), m.get("new.ndcg@10"));
    }

    private static void say(String s) {
        System.err.println(s);
    }
}
