package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tuning grid and how spark-train's flags make it (no Spark needed). */
@UnitTest
class ListTuningTest {
    @Test
    void pairsAreHalfLifeMajorInGridOrder() {
        ListTuning t = new ListTuning(30, List.of(30.0, 90.0), List.of(0.1, 1.0));
        List<double[]> pairs = t.pairs();
        assertEquals(4, pairs.size());
        assertEquals(List.of("30.0/0.1", "30.0/1.0", "90.0/0.1", "90.0/1.0"),
                pairs.stream().map(p -> p[0] + "/" + p[1]).toList());
        assertEquals(List.of(365.0), t.withHalfLifeDays(365).halfLivesDays());
        assertEquals(List.of(0.1, 1.0), t.withHalfLifeDays(365).newItemWeights());
        assertEquals(List.of(0.5), t.withNewItemWeight(0.5).newItemWeights());
        assertFalse(ListTuning.OFF.enabled());
        assertTrue(ListTuning.DEFAULTS.enabled());
    }

    @Test
    void badGridsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ListTuning(-1, List.of(1.0), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> new ListTuning(90, List.of(), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> new ListTuning(90, List.of(0.0), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> new ListTuning(90, List.of(30.0), List.of(-1.0)));
        assertThrows(IllegalArgumentException.class,
                () -> new ListTuning(90, List.of(30.0), List.of(Double.POSITIVE_INFINITY)));
    }

    @Test
    void aValueGivenOnTheCommandLineIsFixedAndZeroDaysTurnsTuningOff() {
        assertEquals(ListTuning.DEFAULTS, tuning());
        ListTuning fixed = tuning("--repeat-half-life-days", "45");
        assertEquals(List.of(45.0), fixed.halfLivesDays());
        assertEquals(ListTuning.DEFAULT_NEW_ITEM_WEIGHTS, fixed.newItemWeights());
        assertEquals(List.of(0.2), tuning("--new-item-weight", "0.2").newItemWeights());
        assertEquals(30, tuning("--validation-days", "30").validationDays());
        assertEquals(ListTuning.OFF, tuning("--validation-days", "0", "--new-item-weight", "0.2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tuning("--validation-days", "-3"));
        assertEquals("--validation-days must be >= 0, was -3", e.getMessage());
    }

    @Test
    void listsChoosesTheServedModel() {
        assertEquals(ListTuning.Lists.AUTO, tuning().lists());
        assertEquals(ListTuning.DEFAULTS.withLists(ListTuning.Lists.TIFU_KNN), tuning("--lists", "tifu-knn"));
        assertEquals(ListTuning.Lists.ALS_REPEAT, tuning("--lists", "als+repeat").lists());
        ListTuning off = tuning("--validation-days", "0", "--lists", "tifu-knn");
        assertFalse(off.enabled());
        assertEquals(ListTuning.Lists.TIFU_KNN, off.lists());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tuning("--lists", "als"));
        assertEquals("--lists must be auto, tifu-knn or als+repeat, was 'als'", e.getMessage());
        // the manifest records the model choice and TIFU-KNN's grid (single-machine training's)
        assertEquals("auto", ListTuning.DEFAULTS.asManifestMap().get("lists"));
        assertEquals(io.affinity.training.models.TifuKnn.VALIDATION_GRID.size(),
                ((List<?>) ListTuning.DEFAULTS.asManifestMap().get("tifuGrid")).size());
    }

    private static ListTuning tuning(String... flags) {
        SparkTrain job = new SparkTrain();
        String[] args = new String[flags.length + 2];
        args[0] = "--input";
        args[1] = "orders.csv";
        System.arraycopy(flags, 0, args, 2, flags.length);
        new CommandLine(job).parseArgs(args);
        return job.tuning();
    }
}
