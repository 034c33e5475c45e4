package io.affinity.training.evaluation;

import io.affinity.training.models.Interactions;
import io.affinity.training.models.Scorer;
import io.affinity.training.models.TopK;
import io.affinity.training.models.Workers;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trained model scored for every test customer of a split: its top-20 over the full catalogue (every item sold
 * before the split's cutoff: {@link EvalSplit#known()}), its best {@code perKind} candidates among the customer's
 * previously bought items ("repeat") and among the others ("new"), with scores min-max normalised per customer and
 * kind for the blend, and the resulting metrics.
 */
final class ModelRun {
    final String name;
    final int[][] top;      // per test-user position
    final int[][] repeat;
    final float[][] repeatNorm;
    final int[][] fresh;
    final float[][] freshNorm;
    final Map<String, Double> metrics;
    /** Per {@link RankingMetrics#PER_CUSTOMER} metric, per test-user position (NaN: not counted); null unless scored. */
    final double[][] perCustomer;

    private ModelRun(String name, int[][] top, int[][] repeat, float[][] repeatNorm, int[][] fresh,
                     float[][] freshNorm, Map<String, Double> metrics, double[][] perCustomer) {
        this.name = name;
        this.top = top;
        this.repeat = repeat;
        this.repeatNorm = repeatNorm;
        this.fresh = fresh;
        this.freshNorm = freshNorm;
        this.metrics = metrics;
        this.perCustomer = perCustomer;
    }

    static ModelRun score(Scorer model, EvalSplit split, int perKind, int threads) {
        ModelRun c = candidates(model, split, perKind, threads);
        Measured m = measure(split, c.top, c.repeat, c.fresh);
        return new ModelRun(c.name, c.top, c.repeat, c.repeatNorm, c.fresh, c.freshNorm, m.metrics(),
                m.perCustomer());
    }

    /** Like {@link #score} without metrics (empty): for serving, where the split has no test period. */
    static ModelRun candidates(Scorer model, EvalSplit split, int perKind, int threads) {
        int n = split.testUsers().length;
        int items = split.train().itemCount();
        int[][] top = new int[n][];
        int[][] rep = new int[n][];
        float[][] repN = new float[n][];
        int[][] fresh = new int[n][];
        float[][] freshN = new float[n][];
        Interactions x = split.train();
        boolean[] unknown = split.known();
        for (int i = 0; i < unknown.length; i++) {
            unknown[i] = !unknown[i];
        }
        Runnable[] work = new Runnable[threads];
        for (int t = 0; t < threads; t++) {
            final int first = t;
            work[t] = () -> {
                float[] s = new float[items];
                // new-item candidates skip the customer's own items and those nobody bought before (unknown)
                boolean[] boughtOrUnknown = unknown.clone();
                for (int p = first; p < n; p += threads) {
                    int u = split.testUsers()[p];
                    model.score(u, s);
                    int[] hist = x.itemsOf(u);
                    for (int i : hist) {
                        boughtOrUnknown[i] = true;
                    }
                    top[p] = TopK.select(s, RankingMetrics.MAX_K, unknown);
                    if (dropNoOpinion && constant(s)) {
                        // No opinion (e.g. an item-item model for a customer without history scores every item 0):
                        // its "top" items are the lowest item numbers, which would enter the blend's and the
                        // re-ranker's candidates with full normalised score.
                        rep[p] = new int[0];
                        fresh[p] = new int[0];
                    } else {
                        // per customer: a pass over the catalogue here would cost customers x items
                        rep[p] = TopK.selectAmong(s, perKind, hist);
                        fresh[p] = TopK.select(s, perKind, boughtOrUnknown);
                    }
                    repN[p] = normalise(s, rep[p]);
                    freshN[p] = normalise(s, fresh[p]);
                    for (int i : hist) {
                        boughtOrUnknown[i] = unknown[i];
                    }
                }
            };
        }
        Workers.runAll(work.length, t -> work[t]);
        return new ModelRun(model.name(), top, rep, repN, fresh, freshN, Map.of(), null);
    }

    /** Whether a model with the same score for every item gives no candidates to the blend and re-ranker. */
    static volatile boolean dropNoOpinion = Boolean.parseBoolean(System.getProperty("affinity.dropNoOpinion", "false"));

    private static boolean constant(float[] s) {
        for (int i = 1; i < s.length; i++) {
            if (Float.compare(s[i], s[0]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Maps a candidate list's scores to (0.1, 1]: best 1, last 0.1, so any candidate beats an absent one (0). */
    static float[] normalise(float[] s, int[] ranked) {
        float[] out = new float[ranked.length];
        if (ranked.length == 0) {
            return out;
        }
        float hi = s[ranked[0]];
        float lo = s[ranked[ranked.length - 1]];
        for (int r = 0; r < ranked.length; r++) {
            out[r] = hi > lo ? 0.1f + 0.9f * (s[ranked[r]] - lo) / (hi - lo) : 1f;
        }
        return out;
    }

    /**
     * "all", "repeat." and "new." metrics of the given per-customer rankings, and "cold." / "warm." NDCG@10,
     * hit rate@10 and recall@20 of the overall ranking over customers without / with training history (the
     * "cold." ones only when some test customer has no history).
     */
    static Map<String, Double> metrics(EvalSplit split, int[][] top, int[][] rep, int[][] fresh) {
        return measure(split, top, rep, fresh, false).metrics();
    }

    /**
     * {@link #metrics}, and per test customer the {@link RankingMetrics#PER_CUSTOMER} values of the overall ranking
     * ({@code perCustomer[metric][position]}, NaN for a customer with nothing relevant, who does not count).
     */
    record Measured(Map<String, Double> metrics, double[][] perCustomer, int[][][] ranked) {
    }

    /**
     * The rankings the metrics were computed from, per test-user position: [0] the overall top 20, [1] the repeat-only
     * and [2] the new-only lists (each at most 20 long).
     */
    int[][][] ranked() {
        return ranked(top, repeat, fresh);
    }

    private static int[][][] ranked(int[][] top, int[][] rep, int[][] fresh) {
        int[][][] out = {top, new int[rep.length][], new int[fresh.length][]};
        for (int p = 0; p < rep.length; p++) {
            out[1][p] = head(rep[p]);
            out[2][p] = head(fresh[p]);
        }
        return out;
    }

    static Measured measure(EvalSplit split, int[][] top, int[][] rep, int[][] fresh) {
        return measure(split, top, rep, fresh, true);
    }

    private static Measured measure(EvalSplit split, int[][] top, int[][] rep, int[][] fresh, boolean perCustomer) {
        Interactions x = split.train();
        double[] info = selfInformation(x);
        int catalogue = split.catalogue();
        RankingMetrics all = new RankingMetrics(info, catalogue);
        RankingMetrics repeat = new RankingMetrics(info, catalogue);
        RankingMetrics novel = new RankingMetrics(info, catalogue);
        RankingMetrics cold = new RankingMetrics(info, catalogue);
        RankingMetrics warm = new RankingMetrics(info, catalogue);
        int[] testUsers = split.testUsers();
        double[][] each = perCustomer ? new double[RankingMetrics.PER_CUSTOMER.size()][testUsers.length] : null;
        double[] at10 = new double[RankingMetrics.PER_CUSTOMER.size()];
        int coldUsers = 0;
        for (int p = 0; p < testUsers.length; p++) {
            int u = testUsers[p];
            int[] truth = split.truth()[u];
            boolean counted = all.add(top[p], truth, each == null ? null : at10);
            for (int k = 0; each != null && k < at10.length; k++) {
                each[k][p] = counted ? at10[k] : Double.NaN;
            }
            coldUsers += x.degreeOfUser(u) == 0 ? 1 : 0;
            (x.degreeOfUser(u) == 0 ? cold : warm).add(top[p], truth);
            int[] truthRepeat = Arrays.stream(truth).filter(i -> x.contains(u, i)).toArray();
            int[] truthNew = Arrays.stream(truth).filter(i -> !x.contains(u, i)).toArray();
            repeat.add(head(rep[p]), truthRepeat);
            novel.add(head(fresh[p]), truthNew);
        }
        Map<String, Double> m = new LinkedHashMap<>(all.values(""));
        m.putAll(repeat.values("repeat."));
        m.putAll(novel.values("new."));
        // customers without any training purchase and the others: repeat-frequency and tifu-knn rank popular items
        // for the former, the item models and ALS have no opinion (ReportWriter.COLD_NOTE)
        Map<String, Double> c = cold.values("cold.");
        Map<String, Double> w = warm.values("warm.");
        for (String key : List.of("ndcg@10", "hitrate@10", "recall@20", "users")) {
            // With no cold customer a 0 would read as a measured result: the cold figures are left out instead.
            if (coldUsers > 0) {
                m.put("cold." + key, c.get("cold." + key));
            }
            m.put("warm." + key, w.get("warm." + key));
        }
        return new Measured(m, each, ranked(top, rep, fresh));
    }

    private static int[] head(int[] ranked) {
        return ranked.length <= RankingMetrics.MAX_K ? ranked : Arrays.copyOf(ranked, RankingMetrics.MAX_K);
    }

    static double[] selfInformation(Interactions x) {
        int active = 0;
        for (int u = 0; u < x.userCount(); u++) {
            if (x.degreeOfUser(u) > 0) {
                active++;
            }
        }
        double[] info = new double[x.itemCount()];
        for (int i = 0; i < info.length; i++) {
            // items nobody bought get the information of a single purchase
            double p = Math.max(1, x.degreeOfItem(i)) / (double) Math.max(1, active);
            info[i] = -Math.log(p) / Math.log(2);
        }
        return info;
    }
}
