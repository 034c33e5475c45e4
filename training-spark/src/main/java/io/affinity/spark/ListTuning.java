package io.affinity.spark;

import io.affinity.training.models.TifuKnn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the Spark job chooses the served list's repeat half-life and new-item weight: on a validation split carved
 * from the end of the training data (the last {@code validationDays} days, at most a quarter of the data's span, as
 * single-machine training carves its blend's), each pair of the grid is scored by NDCG@10 of the validation
 * customers who bought before the split, and the best pair trains the served lists on all the data. A grid of one
 * value fixes that parameter.
 *
 * @param validationDays length of the validation period, in days (default 90, as {@code train}'s); 0 turns tuning
 *                       off (the options' own values are served)
 * @param halfLivesDays  repeat half-lives to try (default 30, 90, 180, 365: the evaluation's grid for
 *                       repeat-frequency)
 * @param newItemWeights new-item weights to try (default 0.1, 0.3, 1: 0.1 serves the customer's own items first
 *                       and any smaller weight ranks the same; 1 interleaves the two kinds)
 * @param lists          which model serves the lists: {@link Lists#AUTO} (default) validates both the ALS+repeat
 *                       merge over its grid and TIFU-KNN over {@link TifuKnn#VALIDATION_GRID} (single-machine
 *                       training's grid) and serves the one with the higher NDCG@10, the merge on a tie; a forced
 *                       model is still tuned over its own grid. Without validation, AUTO and ALS_REPEAT serve the
 *                       merge with the options' half-life and weight, TIFU_KNN the first setting of its grid
 */
public record ListTuning(int validationDays, List<Double> halfLivesDays, List<Double> newItemWeights, Lists lists) {
    /** The model of the served lists, as {@code --lists} names it. */
    public enum Lists {
        AUTO("auto"), TIFU_KNN("tifu-knn"), ALS_REPEAT("als+repeat");

        private final String option;

        Lists(String option) {
            this.option = option;
        }

        public String option() {
            return option;
        }

        /** The value of {@code --lists}, or an error naming the option and the accepted values. */
        public static Lists of(String option) {
            for (Lists l : values()) {
                if (l.option.equals(option)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("--lists must be auto, tifu-knn or als+repeat, was '" + option + "'");
        }
    }

    public static final int DEFAULT_VALIDATION_DAYS = 90;
    public static final List<Double> DEFAULT_HALF_LIVES_DAYS = List.of(30.0, 90.0, 180.0, 365.0);
    public static final List<Double> DEFAULT_NEW_ITEM_WEIGHTS = List.of(0.1, 0.3, 1.0);

    public static final ListTuning DEFAULTS = new ListTuning(DEFAULT_VALIDATION_DAYS, DEFAULT_HALF_LIVES_DAYS,
            DEFAULT_NEW_ITEM_WEIGHTS);
    /** No tuning: the options' half-life and weight are served as given. */
    public static final ListTuning OFF = new ListTuning(0, List.of(), List.of());

    public ListTuning(int validationDays, List<Double> halfLivesDays, List<Double> newItemWeights) {
        this(validationDays, halfLivesDays, newItemWeights, Lists.AUTO);
    }

    public ListTuning {
        java.util.Objects.requireNonNull(lists, "lists");
        halfLivesDays = List.copyOf(halfLivesDays);
        newItemWeights = List.copyOf(newItemWeights);
        if (validationDays < 0) {
            throw new IllegalArgumentException("validationDays must be >= 0, was " + validationDays);
        }
        if (validationDays > 0 && (halfLivesDays.isEmpty() || newItemWeights.isEmpty())) {
            throw new IllegalArgumentException("tuning needs at least one half-life and one new-item weight");
        }
        for (double h : halfLivesDays) {
            if (!(h > 0) || Double.isInfinite(h)) {
                throw new IllegalArgumentException("a half-life must be finite and > 0, was " + h);
            }
        }
        for (double w : newItemWeights) {
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("a new-item weight must be finite and > 0, was " + w);
            }
        }
    }

    public boolean enabled() {
        return validationDays > 0;
    }

    /** This tuning with the half-life fixed (a grid of one). */
    public ListTuning withHalfLifeDays(double days) {
        return new ListTuning(validationDays, List.of(days), newItemWeights, lists);
    }

    /** This tuning with the new-item weight fixed (a grid of one). */
    public ListTuning withNewItemWeight(double weight) {
        return new ListTuning(validationDays, halfLivesDays, List.of(weight), lists);
    }

    /** This tuning serving {@code model}'s lists. */
    public ListTuning withLists(Lists model) {
        return new ListTuning(validationDays, halfLivesDays, newItemWeights, model);
    }

    /** TIFU-KNN's settings tried on validation: single-machine training's grid. */
    public List<TifuKnn.Params> tifuGrid() {
        return TifuKnn.VALIDATION_GRID;
    }

    /** The pairs tried, half-life major, in grid order: the first of equally good pairs wins. */
    List<double[]> pairs() {
        List<double[]> out = new ArrayList<>();
        for (double h : halfLivesDays) {
            for (double w : newItemWeights) {
                out.add(new double[] {h, w});
            }
        }
        return out;
    }

    Map<String, Object> asManifestMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("validationDays", validationDays);
        m.put("halfLivesDays", halfLivesDays);
        m.put("newItemWeights", newItemWeights);
        m.put("lists", lists.option());
        List<Map<String, Object>> grid = new ArrayList<>();
        for (TifuKnn.Params p : tifuGrid()) {
            grid.add(tifuMap(p));
        }
        m.put("tifuGrid", grid);
        return m;
    }

    /** A TIFU-KNN setting as the manifest records it (the evaluation's parameter names). */
    static Map<String, Object> tifuMap(TifuKnn.Params p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("neighbours", p.neighbours());
        m.put("alpha", p.alpha());
        m.put("groupSize", p.groupSize());
        m.put("withinDecay", p.withinDecay());
        m.put("groupDecay", p.groupDecay());
        return m;
    }
}
