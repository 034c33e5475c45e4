package io.affinity.training.evaluation;

import io.affinity.training.models.Interactions;
import io.affinity.training.models.TopK;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Weighted combination of the models' normalised candidate scores, with one weight vector for items the
 * customer bought before ("repeat") and another for items new to them, so the two kinds never compete on
 * one scale they do not share, and callers can ask for either list. Weights are fitted on a validation split
 * in stages by coordinate ascent over a fixed grid (deterministic: fixed model order, fixed grid, strict
 * improvement required); see {@link #fit}.
 */
final class Blend {
    static final double[] GRID = {0, 0.1, 0.25, 0.5, 1, 2, 4};

    final List<String> models;
    final double[] repeatWeights;
    final double[] newWeights;

    Blend(List<String> models, double[] repeatWeights, double[] newWeights) {
        this.models = List.copyOf(models);
        this.repeatWeights = repeatWeights.clone();
        this.newWeights = newWeights.clone();
    }

    /** Per test customer, the union of all models' candidates with one normalised score per model. */
    static final class Table {
        final int[][] items;
        final boolean[][] isRepeat;
        final float[][] features; // [user][candidate * models + m]
        final int models;

        Table(int[][] items, boolean[][] isRepeat, float[][] features, int models) {
            this.items = items;
            this.isRepeat = isRepeat;
            this.features = features;
            this.models = models;
        }

        /** The rows of the given positions, in that order (shared arrays, not copies). */
        Table subset(int[] positions) {
            int n = positions.length;
            int[][] it = new int[n][];
            boolean[][] rep = new boolean[n][];
            float[][] f = new float[n][];
            for (int q = 0; q < n; q++) {
                it[q] = items[positions[q]];
                rep[q] = isRepeat[positions[q]];
                f[q] = features[positions[q]];
            }
            return new Table(it, rep, f, models);
        }

        Table(List<ModelRun> runs, int users) {
            this(runs, IntStream.range(0, users).toArray());
        }

        /** The rows of the runs' customer positions {@code positions}: row {@code q} is {@code positions[q]}'s. */
        Table(List<ModelRun> runs, int[] positions) {
            models = runs.size();
            int users = positions.length;
            items = new int[users][];
            isRepeat = new boolean[users][];
            features = new float[users][];
            for (int row = 0; row < users; row++) {
                int p = positions[row];
                Int2IntOpenHashMap pos = new Int2IntOpenHashMap();
                pos.defaultReturnValue(-1);
                int[] it = new int[16];
                boolean[] rep = new boolean[16];
                float[] f = new float[16 * models];
                int n = 0;
                for (int m = 0; m < models; m++) {
                    for (int kind = 0; kind < 2; kind++) {
                        int[] cand = kind == 0 ? runs.get(m).repeat[p] : runs.get(m).fresh[p];
                        float[] norm = kind == 0 ? runs.get(m).repeatNorm[p] : runs.get(m).freshNorm[p];
                        for (int c = 0; c < cand.length; c++) {
                            int q = pos.get(cand[c]);
                            if (q < 0) {
                                if (n == it.length) {
                                    it = Arrays.copyOf(it, n * 2);
                                    rep = Arrays.copyOf(rep, n * 2);
                                    f = Arrays.copyOf(f, n * 2 * models);
                                }
                                q = n++;
                                pos.put(cand[c], q);
                                it[q] = cand[c];
                                rep[q] = kind == 0;
                            }
                            f[q * models + m] = norm[c];
                        }
                    }
                }
                items[row] = Arrays.copyOf(it, n);
                isRepeat[row] = Arrays.copyOf(rep, n);
                features[row] = Arrays.copyOf(f, n * models);
            }
        }
    }

    /** Candidate {@code c} of customer position {@code p}: its kind's weighted sum of the models' normalised scores. */
    private static float score(Table t, int p, int c, double[] repeatWeights, double[] newWeights) {
        double[] w = t.isRepeat[p][c] ? repeatWeights : newWeights;
        double v = 0;
        for (int m = 0; m < t.models; m++) {
            v += w[m] * t.features[p][c * t.models + m];
        }
        return (float) v;
    }

    /** Per customer: [0] overall top 20, [1] repeat-only, [2] new-only rankings. */
    int[][][] rank(Table t) {
        int users = t.items.length;
        float[][] scores = new float[users][];
        for (int p = 0; p < users; p++) {
            int n = t.items[p].length;
            float[] s = new float[n];
            for (int c = 0; c < n; c++) {
                s[c] = score(t, p, c, repeatWeights, newWeights);
            }
            scores[p] = s;
        }
        return rankBy(t, scores);
    }

    /** Per customer: [0] overall top 20, [1] repeat-only, [2] new-only rankings of the candidates by score. */
    static int[][][] rankBy(Table t, float[][] scores) {
        int users = t.items.length;
        int[][][] out = new int[3][users][];
        for (int p = 0; p < users; p++) {
            int n = t.items[p].length;
            boolean[] notRepeat = new boolean[n];
            boolean[] repeat = new boolean[n];
            for (int c = 0; c < n; c++) {
                repeat[c] = t.isRepeat[p][c];
                notRepeat[c] = !repeat[c];
            }
            out[0][p] = map(t.items[p], top(scores[p], null));
            out[1][p] = map(t.items[p], top(scores[p], notRepeat));
            out[2][p] = map(t.items[p], top(scores[p], repeat));
        }
        return out;
    }

    /** Metrics of ranking each customer's candidates by the given scores. */
    static Map<String, Double> metricsBy(Table t, float[][] scores, EvalSplit split) {
        int[][][] r = rankBy(t, scores);
        return ModelRun.metrics(split, r[0], r[1], r[2]);
    }

    /** {@link #metricsBy} with each customer's values. */
    static ModelRun.Measured measureBy(Table t, float[][] scores, EvalSplit split) {
        int[][][] r = rankBy(t, scores);
        return ModelRun.measure(split, r[0], r[1], r[2]);
    }

    /**
     * Per customer (position in the table), the {@code n} best candidates by blended score, best first, with
     * their score, kind and the model whose weighted normalised score contributed most.
     */
    Served serve(Table t, int n) {
        int users = t.items.length;
        Served out = new Served(new int[users][], new float[users][], new boolean[users][], new int[users][]);
        for (int p = 0; p < users; p++) {
            int c = t.items[p].length;
            float[] s = new float[c];
            int[] lead = new int[c];
            for (int q = 0; q < c; q++) {
                double[] w = t.isRepeat[p][q] ? repeatWeights : newWeights;
                double v = 0;
                double strongest = -1;
                for (int m = 0; m < t.models; m++) {
                    double part = w[m] * t.features[p][q * t.models + m];
                    v += part;
                    if (part > strongest) {
                        strongest = part;
                        lead[q] = m;
                    }
                }
                s[q] = (float) v;
            }
            int[] best = TopK.select(s, n, null);
            out.items[p] = new int[best.length];
            out.scores[p] = new float[best.length];
            out.repeat[p] = new boolean[best.length];
            out.lead[p] = new int[best.length];
            for (int r = 0; r < best.length; r++) {
                out.items[p][r] = t.items[p][best[r]];
                out.scores[p][r] = s[best[r]];
                out.repeat[p][r] = t.isRepeat[p][best[r]];
                out.lead[p][r] = lead[best[r]];
            }
        }
        return out;
    }

    /** {@link #serve}'s answer: per customer position, parallel arrays; {@code lead} indexes {@link #models}. */
    record Served(int[][] items, float[][] scores, boolean[][] repeat, int[][] lead) {
    }

    /** Ties between candidates go to the earlier candidate (model order, then rank): reproducible. */
    private static int[] top(float[] s, boolean[] skip) {
        return TopK.select(s, RankingMetrics.MAX_K, skip);
    }

    private static int[] map(int[] items, int[] positions) {
        int[] out = new int[positions.length];
        for (int r = 0; r < out.length; r++) {
            out[r] = items[positions[r]];
        }
        return out;
    }

    Map<String, Double> metrics(Table t, EvalSplit split) {
        int[][][] r = rank(t);
        return ModelRun.metrics(split, r[0], r[1], r[2]);
    }

    /** {@link #metrics} with each customer's values. */
    ModelRun.Measured measure(Table t, EvalSplit split) {
        int[][][] r = rank(t);
        return ModelRun.measure(split, r[0], r[1], r[2]);
    }

    double ndcg10(Table t, EvalSplit split) {
        return metrics(t, split).get("ndcg@10");
    }

    /**
     * Multipliers tried for the new-item weights against the repeat weights in the combined list, once both weight
     * vectors sum to one: powers of the square root of two from 1/256 to 256, so the interleaving can put either
     * kind almost wholly first whatever sizes the kinds' own stages gave their weights.
     */
    static final double[] SCALES = IntStream.rangeClosed(-16, 16).mapToDouble(k -> Math.pow(2, k / 2.0)).toArray();

    /**
     * Fits in three stages on the validation split, each by coordinate ascent over {@link #GRID} in a fixed order
     * keeping strict improvements: the repeat weights maximise NDCG@10 of the repeat-only list, the new-item
     * weights NDCG@10 of the new-only list (each starting from the single model best at it), and finally
     * {@link #interleave} sets how the two kinds mix in the combined list, maximising overall NDCG@10.
     */
    static Blend fit(List<ModelRun> runs, Table t, EvalSplit validation, int passes) {
        List<String> names = runs.stream().map(r -> r.name).toList();
        int m = runs.size();
        double[] rep = new double[m];
        double[] fresh = new double[m];
        Objective o = new Objective(t, validation);
        // Start from the single model best at each kind on this table (not the runs' metrics, which may cover
        // other customers: the out-of-fold check fits on half of them).
        rep[bestAlone(m, o, Kind.REPEAT)] = 1;
        fresh[bestAlone(m, o, Kind.NEW)] = 1;
        ascend(rep, fresh, rep, o, Kind.REPEAT, passes);
        ascend(rep, fresh, fresh, o, Kind.NEW, passes);
        interleave(rep, fresh, o);
        return new Blend(names, rep, fresh);
    }

    /**
     * Sets, in place, how repeat and new items mix in the combined list: both weight vectors are scaled to sum to
     * one (each kind's own ranking is unchanged by the size of its weights, which its stage leaves arbitrary: a
     * stage that climbed to weights of 4 would otherwise need a multiplier its grid lacks), then the new-item
     * weights are multiplied by the {@link #SCALES} value that maximises overall NDCG@10 (strict improvements in
     * grid order from 1, so ties keep 1). Returns that multiplier.
     */
    static double interleave(double[] rep, double[] fresh, Objective o) {
        toUnitSum(rep);
        toUnitSum(fresh);
        double bestScale = 1;
        double best = o.ndcg10(rep, fresh, Kind.ALL);
        double[] scaled = new double[fresh.length];
        for (double scale : SCALES) {
            for (int j = 0; j < fresh.length; j++) {
                scaled[j] = fresh[j] * scale;
            }
            double v = o.ndcg10(rep, scaled, Kind.ALL);
            if (v > best + 1e-9) {
                best = v;
                bestScale = scale;
            }
        }
        for (int j = 0; j < fresh.length; j++) {
            fresh[j] *= bestScale;
        }
        return bestScale;
    }

    private static void toUnitSum(double[] w) {
        double sum = 0;
        for (double v : w) {
            sum += v;
        }
        if (sum > 0) {
            for (int j = 0; j < w.length; j++) {
                w[j] /= sum;
            }
        }
    }

    private static int bestAlone(int models, Objective o, Kind kind) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < models; i++) {
            double[] w = new double[models];
            w[i] = 1;
            double v = o.ndcg10(w, w, kind);
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /**
     * The blend's NDCG@10 on the validation split measured out of fold: the weights are fitted on the customers
     * of one parity (by customer number, as the re-ranker's folds) and measured on the others, and the other way
     * round; the figure is over all validation customers.
     */
    static double outOfFold(List<ModelRun> runs, Table t, EvalSplit validation, int passes) {
        int[] users = validation.testUsers();
        int[][] rankings = new int[users.length][];
        int[][] repeat = new int[users.length][];
        int[][] fresh = new int[users.length][];
        for (int parity = 0; parity < 2; parity++) {
            final int fitParity = parity;
            int[] fit = IntStream.range(0, users.length).filter(p -> users[p] % 2 == fitParity).toArray();
            int[] held = IntStream.range(0, users.length).filter(p -> users[p] % 2 != fitParity).toArray();
            if (fit.length == 0 || held.length == 0) {
                continue;
            }
            Blend b = fit(runs, t.subset(fit), subsetSplit(validation, fit), passes);
            int[][][] r = b.rank(t.subset(held));
            for (int q = 0; q < held.length; q++) {
                rankings[held[q]] = r[0][q];
                repeat[held[q]] = r[1][q];
                fresh[held[q]] = r[2][q];
            }
        }
        for (int p = 0; p < users.length; p++) {
            if (rankings[p] == null) { // every customer of one parity: nothing held out, count as in sample
                return fit(runs, t, validation, passes).ndcg10(t, validation);
            }
        }
        return ModelRun.metrics(validation, rankings, repeat, fresh).get("ndcg@10");
    }

    /** The split restricted to the test customers at the given positions. */
    static EvalSplit subsetSplit(EvalSplit s, int[] positions) {
        int[] users = new int[positions.length];
        for (int q = 0; q < positions.length; q++) {
            users[q] = s.testUsers()[positions[q]];
        }
        return new EvalSplit(s.description(), s.train(), s.trainBaskets(), s.truth(), users, 0);
    }

    private static void ascend(double[] rep, double[] fresh, double[] w, Objective o, Kind kind, int passes) {
        double best = o.ndcg10(rep, fresh, kind);
        for (int pass = 0; pass < passes; pass++) {
            boolean improved = false;
            for (int j = 0; j < w.length; j++) {
                double keep = w[j];
                double bestValue = keep;
                for (double g : GRID) {
                    if (g == keep) {
                        continue;
                    }
                    w[j] = g;
                    double v = o.ndcg10(rep, fresh, kind);
                    if (v > best + 1e-9) {
                        best = v;
                        bestValue = g;
                        improved = true;
                    }
                }
                w[j] = bestValue;
            }
            if (!improved) {
                break;
            }
        }
    }

    /** Which ranking the weight search measures: the whole list, repeat items only, or new items only. */
    enum Kind { ALL, REPEAT, NEW }

    /**
     * One table and split's NDCG@10 of a weight setting, for the weight search's many evaluations: computes only
     * the ranking and the metric asked for, with each customer's truth split into repeat and new items once.
     * Gives the same value as {@code new Blend(..).metrics(t, split).get("ndcg@10" | "repeat.ndcg@10" |
     * "new.ndcg@10")}: the same rankings fed in the same order to the same {@link RankingMetrics}.
     */
    static final class Objective {
        private final Table t;
        private final int[][] truth;
        private final int[][] truthRepeat;
        private final int[][] truthNew;
        private final double[] info;

        Objective(Table t, EvalSplit split) {
            this.t = t;
            int[] users = split.testUsers();
            Interactions x = split.train();
            truth = new int[users.length][];
            truthRepeat = new int[users.length][];
            truthNew = new int[users.length][];
            for (int p = 0; p < users.length; p++) {
                int u = users[p];
                truth[p] = split.truth()[u];
                truthRepeat[p] = Arrays.stream(truth[p]).filter(i -> x.contains(u, i)).toArray();
                truthNew[p] = Arrays.stream(truth[p]).filter(i -> !x.contains(u, i)).toArray();
            }
            info = ModelRun.selfInformation(x);
        }

        double ndcg10(double[] repeatWeights, double[] newWeights, Kind kind) {
            RankingMetrics metrics = new RankingMetrics(info);
            for (int p = 0; p < t.items.length; p++) {
                int n = t.items[p].length;
                float[] s = new float[n];
                boolean[] skip = kind == Kind.ALL ? null : new boolean[n];
                for (int c = 0; c < n; c++) {
                    if (skip != null && t.isRepeat[p][c] != (kind == Kind.REPEAT)) {
                        skip[c] = true;
                        continue;
                    }
                    s[c] = score(t, p, c, repeatWeights, newWeights);
                }
                int[] ranked = map(t.items[p], top(s, skip));
                metrics.add(ranked, kind == Kind.ALL ? truth[p] : kind == Kind.REPEAT ? truthRepeat[p] : truthNew[p]);
            }
            return metrics.ndcg(10);
        }
    }
}
