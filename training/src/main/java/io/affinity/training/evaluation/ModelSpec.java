package io.affinity.training.evaluation;

import io.affinity.training.mining.FpGrowth;
import io.affinity.training.models.Ease;
import io.affinity.training.models.ImplicitAls;
import io.affinity.training.models.ItemKnn;
import io.affinity.training.models.Popularity;
import io.affinity.training.models.RepeatFrequency;
import io.affinity.training.models.Rp3Beta;
import io.affinity.training.models.RuleCandidates;
import io.affinity.training.models.Scorer;
import io.affinity.training.models.TifuKnn;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model family with the hyper-parameter values tried on the validation split. Grids are deliberately small:
 * the whole evaluation must stay within minutes on 2 cores.
 */
record ModelSpec(String name, List<Map<String, Object>> grid, Fitter fitter) {

    @FunctionalInterface
    interface Fitter {
        Scorer fit(EvalSplit split, Map<String, Object> params);
    }

    Scorer fit(EvalSplit split, Map<String, Object> params) {
        return fitter.fit(split, params);
    }

    static List<ModelSpec> all(EvaluationSettings s) {
        int th = s.threads();
        return List.of(
                new ModelSpec("popularity", List.of(Map.of()), (sp, p) -> Popularity.global(sp.train())),
                new ModelSpec("popularity-recent", grid("halfLifeDays", 14, 30, 90),
                        (sp, p) -> Popularity.recent(sp.train(), num(p, "halfLifeDays"))),
                new ModelSpec("popularity-country", List.of(Map.of()), (sp, p) -> Popularity.bySegment(sp.train())),
                new ModelSpec("repeat-frequency", grid("halfLifeDays", 30, 90, 180, 365),
                        (sp, p) -> RepeatFrequency.fit(sp.train(), num(p, "halfLifeDays"))),
                new ModelSpec("rules", List.of(params("minSupport", s.rulesMinSupport(), "minConfidence",
                        s.rulesMinConfidence(), "minLift", s.rulesMinLift())),
                        (sp, p) -> RuleCandidates.fit(sp.train(), sp.trainBaskets(), Math.max(
                                EvaluationSettings.RULES_MIN_SUPPORT_COUNT, FpGrowth.minSupportCount(
                                        num(p, "minSupport"), sp.trainBaskets().size())), num(p, "minConfidence"),
                                num(p, "minLift"))),
                new ModelSpec("knn-cosine", List.of(params("neighbours", 100, "shrink", 10),
                        params("neighbours", 300, "shrink", 10)),
                        (sp, p) -> ItemKnn.cosine(sp.train(), (int) num(p, "neighbours"), (float) num(p, "shrink"), th)),
                new ModelSpec("knn-bm25", List.of(params("neighbours", 100, "k1", 1.2, "b", 0.75),
                        params("neighbours", 300, "k1", 1.2, "b", 0.75)),
                        (sp, p) -> ItemKnn.bm25(sp.train(), (int) num(p, "neighbours"), (float) num(p, "k1"),
                                (float) num(p, "b"), th)),
                new ModelSpec("rp3beta", List.of(params("alpha", 1.0, "beta", 0.3, "neighbours", 200),
                        params("alpha", 1.0, "beta", 0.6, "neighbours", 200)),
                        (sp, p) -> Rp3Beta.fit(sp.train(), (float) num(p, "alpha"), (float) num(p, "beta"),
                                (int) num(p, "neighbours"), th)),
                new ModelSpec("ease", List.of(params("lambda", 100.0, "maxItems", s.easeMaxItems()),
                        params("lambda", 500.0, "maxItems", s.easeMaxItems())),
                        (sp, p) -> Ease.fit(sp.train(), num(p, "lambda"), (int) num(p, "maxItems"), th)),
                new ModelSpec("als", List.of(params("factors", 64, "regularization", 0.1, "alpha", 10.0,
                                "iterations", 12),
                        params("factors", 64, "regularization", 1.0, "alpha", 30.0, "iterations", 12)),
                        (sp, p) -> ImplicitAls.fit(sp.train(), new ImplicitAls.Params((int) num(p, "factors"),
                                num(p, "regularization"), num(p, "alpha"), (int) num(p, "iterations"), 3, s.seed()),
                                th)),
                new ModelSpec("tifu-knn", TIFU_GRID, (sp, p) -> TifuKnn.fit(sp.train(), new TifuKnn.Params(
                        (int) num(p, "neighbours"), num(p, "alpha"), (int) num(p, "groupSize"), num(p, "withinDecay"),
                        num(p, "groupDecay")), th)));
    }

    /** TIFU-KNN's settings tried on validation: {@link TifuKnn#VALIDATION_GRID}, shared with the Spark job. */
    static final List<Map<String, Object>> TIFU_GRID = TifuKnn.VALIDATION_GRID.stream()
            .map(p -> params("neighbours", p.neighbours(), "alpha", p.alpha(), "groupSize", p.groupSize(),
                    "withinDecay", p.withinDecay(), "groupDecay", p.groupDecay()))
            .toList();

    /**
     * Baselines reported in the evaluation table but not fed to the blend or the re-ranker: seasonal popularity
     * (the same calendar window a year before the predicted period), overall and among first-time buyers. As
     * candidate sources and features they did not help on validation (fourth session, benchmarks/RESULTS.md).
     */
    static List<ModelSpec> baselines(EvaluationSettings s) {
        return List.of(
                new ModelSpec("popularity-season", List.of(Map.of()),
                        (sp, p) -> Popularity.seasonal(sp.train(), s.testDays())),
                new ModelSpec("popularity-season-new", List.of(Map.of()),
                        (sp, p) -> Popularity.seasonalFirstTime(sp.train(), s.testDays())));
    }

    private static List<Map<String, Object>> grid(String key, Object... values) {
        return Arrays.stream(values).map(v -> params(key, v)).toList();
    }

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static double num(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("missing numeric parameter " + key);
        }
        return n.doubleValue();
    }
}
