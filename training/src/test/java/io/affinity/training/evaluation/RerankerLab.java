package io.affinity.training.evaluation;

import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.models.HistoryFeatures;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: the validation-only experiment bench behind the re-ranker's settings (benchmarks/RESULTS.md,
 * "Recommendation quality"). It builds exactly the validation split {@link Evaluation} tunes on (the 90 days
 * before the cutoff) and earlier rolling-origin windows, all inside the training period, and prints the
 * out-of-fold validation NDCG@10 of each re-ranker variant. It never builds the test split.
 *
 * <p>Run (after {@code mvn -pl training,cli -am package -DskipTests} and {@code test-compile}):
 * {@code java -cp training/target/test-classes:cli/target/affinity.jar
 * io.affinity.training.evaluation.RerankerLab STAGE FILE...}
 */
public final class RerankerLab {
    public static void main(String[] args) throws Exception {
        String stage = args[0];
        List<Path> files = Arrays.stream(args).skip(1).map(Path::of).toList();
        long t0 = System.nanoTime();
        Transactions tx = TransactionLoader.load(files, IngestOptions.defaults()).transactions();
        LocalDateTime cutoff = LocalDateTime.parse("2011-09-01T00:00");
        int days = 90;
        EvaluationSettings settings = new EvaluationSettings("time", cutoff, days, 2, 42,
                EvaluationSettings.DEFAULT_EASE_MAX_ITEMS,
                Integer.getInteger("candidates", EvaluationSettings.DEFAULT_CANDIDATES));
        EvalSplit validation = EvalSplit.time(tx, cutoff.minusDays(days), days);
        List<ModelSpec> specs = ModelSpec.all(settings);
        Evaluation.Tuned models = Evaluation.tuneModels(specs, validation, settings, RerankerLab::say);
        List<EvalSplit> extra = new ArrayList<>();
        int extraWindows = stage.startsWith("windows") ? 2 : 0;
        for (int w = 1; w <= extraWindows; w++) {
            extra.add(EvalSplit.time(tx, cutoff.minusDays((long) days * (w + 1)), days));
        }
        List<Reranker.Window> all = Evaluation.windows(specs, models, validation, extra, settings);
        say(String.format(Locale.ROOT, "prepared %d window(s) [%.1f s]", all.size(), (System.nanoTime() - t0) / 1e9));

        List<String> every = all.get(0).featureNames();
        List<String> old = every.subList(0, every.size() - (HistoryFeatures.NAMES.size() - 18));
        RankBoost.Objective logistic = RankBoost.Objective.LOGISTIC;
        RankBoost.Objective perCustomer = RankBoost.Objective.LOGISTIC_PER_CUSTOMER;
        RankBoost.Objective lambda = RankBoost.Objective.LAMBDA_NDCG;
        coverage(all.get(0));
        switch (stage) {
            case "objectives" -> {
                run("old features, logistic", all, 1, old, params(logistic, 0, 0.06));
                run("old features, per-customer logistic", all, 1, old, params(perCustomer, 0, 0.06));
                run("old features, lambda ndcg", all, 1, old, params(lambda, 0, 0.06));
                run("all features, logistic", all, 1, every, params(logistic, 0, 0.06));
                run("all features, lambda ndcg", all, 1, every, params(lambda, 0, 0.06));
            }
            case "noise" -> {
                // paired bootstrap over validation customers: chosen setting vs the second session's
                double[] a = perCustomer(all.get(0), every, params(lambda, 20, 0.2));
                double[] b = perCustomer(all.get(0), old, params(logistic, 0, 0.06));
                bootstrap("LambdaMART/20%/all minus log loss/6%/old", a, b);
                double[] c = perCustomer(all.get(0), every, params(logistic, 0, 0.15));
                bootstrap("LambdaMART/20%/all minus log loss/15%/all", a, c);
            }
            default -> {
                for (String v : stage.split(";")) {
                    // "windows:W:objective:truncation:negativeRate:features(all|old)"
                    String[] p = v.split(":");
                    run(v, all, Integer.parseInt(p[1]), p[5].equals("old") ? old : every,
                            params(RankBoost.Objective.valueOf(p[2]), Integer.parseInt(p[3]),
                                    Double.parseDouble(p[4])));
                }
            }
        }
    }

    /** Out-of-fold NDCG@10 of each validation customer (0 for customers none of whose purchases is ranked). */
    static double[] perCustomer(Reranker.Window w, List<String> features, Reranker.Params params) {
        Reranker.Window v = w.select(features);
        int users = w.split().testUsers().length;
        int[] even = java.util.stream.IntStream.range(0, users).filter(p -> w.split().testUsers()[p] % 2 == 0).toArray();
        int[] odd = java.util.stream.IntStream.range(0, users).filter(p -> w.split().testUsers()[p] % 2 == 1).toArray();
        float[][] s1 = Reranker.fit(List.of(v), List.of(even), params).score(v.features(2), odd, 2);
        float[][] s2 = Reranker.fit(List.of(v), List.of(odd), params).score(v.features(2), even, 2);
        float[][] oof = new float[users][];
        for (int p = 0; p < users; p++) {
            oof[p] = s1[p] != null ? s1[p] : s2[p];
        }
        int[][] top = Blend.rankBy(w.table(), oof)[0];
        double[] out = new double[users];
        for (int p = 0; p < users; p++) {
            out[p] = Reranker.ndcg10(top[p], w.split().truth()[w.split().testUsers()[p]]);
        }
        return out;
    }

    static void bootstrap(String label, double[] a, double[] b) {
        int n = a.length;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += (a[i] - b[i]) / n;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        double[] d = new double[2000];
        for (int k = 0; k < d.length; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                int j = r.nextInt(n);
                s += a[j] - b[j];
            }
            d[k] = s / n;
        }
        Arrays.sort(d);
        say(String.format(Locale.ROOT, "RESULT %s: mean difference %.4f, 95%% bootstrap interval [%.4f, %.4f] over %d "
                + "customers", label, mean, d[49], d[1949], n));
    }

    /** How many of the validation window's bought items the candidate pool holds, by kind. */
    static void coverage(Reranker.Window w) {
        long truth = 0;
        long pooled = 0;
        long repeatTruth = 0;
        long repeatPooled = 0;
        long seasonMissed = 0;
        int season = w.featureNames().indexOf("seasonTimesBought");
        for (int p = 0; p < w.table().items.length; p++) {
            int u = w.split().testUsers()[p];
            int[] t = w.split().truth()[u];
            java.util.Set<Integer> pool = new java.util.HashSet<>();
            for (int i : w.table().items[p]) {
                pool.add(i);
            }
            for (int i : t) {
                boolean rep = w.split().train().contains(u, i);
                truth++;
                repeatTruth += rep ? 1 : 0;
                if (pool.contains(i)) {
                    pooled++;
                    repeatPooled += rep ? 1 : 0;
                } else if (rep) {
                    seasonMissed++;
                }
            }
        }
        say(String.format(Locale.ROOT, "pool: %d of %d bought items (%.3f); repeat %d of %d (%.3f); repeat missed %d"
                + "; mean pool %.0f", pooled, truth, pooled / (double) truth, repeatPooled, repeatTruth,
                repeatPooled / (double) repeatTruth, seasonMissed,
                Arrays.stream(w.table().items).mapToInt(a -> a.length).average().orElse(0)));
    }

    static Reranker.Params params(RankBoost.Objective objective, int truncation, double negativeRate) {
        return new Reranker.Params(new RankBoost.Params(objective, 60, 5, 16, 50, 0.15, truncation), negativeRate, 42);
    }

    static void run(String label, List<Reranker.Window> all, int windows, List<String> features,
                    Reranker.Params params) {
        long t = System.nanoTime();
        List<Reranker.Window> use = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            Reranker.Window win = all.get(w);
            use.add(win.select(features));
        }
        double v = Evaluation.outOfFold(use, params, 2, EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK);
        say(String.format(Locale.ROOT, "RESULT %-45s windows %d features %d: oof validation ndcg@10 %.4f "
                + "[%.1f s]", label, windows, features.size(), v, (System.nanoTime() - t) / 1e9));
    }

    private static void say(String s) {
        System.err.println(s);
    }
}
