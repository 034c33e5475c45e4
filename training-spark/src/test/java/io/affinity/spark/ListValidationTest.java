package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.models.TifuKnn;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served list's half-life and weight chosen on a validation split, on data whose best pair is known. The data
 * spans days 1..420, so the split is its last 90 days (days before 331 train). Ten customers "x" bought A in five
 * orders on days 1..5 and B once on day 320; in the validation period (day 340) they buy B again and C, new to them,
 * which ten customers "y" bought with A before. A customer "z" buys only in the validation period (day 420).
 *
 * <p>Repeat scores at the last training day (320): B 1 + 1; A 1 + 5 x 2^(-317 / h) roughly, below B's for h = 30
 * (1.003) and 90 (1.44), above it for 180 (2.49) and 365 (3.74). The only new item for an "x" customer is C, its
 * one ALS candidate (normalised score 1). Against the truth {B, C}: weight 0.3 or 1 ranks B, C, A (NDCG 1), weight
 * 0.1 ranks B, A, C (1.5 / 1.63); with A first, NDCG is lower still. So the first best pair in grid order is
 * half-life 30 with weight 0.3.
 */
@IntegrationTest
class ListValidationTest {
    private static final long DAY = 86_400;
    private static final SparkModelOptions OPTIONS = new SparkModelOptions(0.1, 0.05, 1.0, 3, 100, 10, 10, 2, 0.01,
            10, 10, 42, 90, 0.1, false);

    @TempDir
    static Path dir;

    private static Dataset<Row> lines;

    @BeforeAll
    static void lines() {
        List<Row> rows = new ArrayList<>();
        long[] line = {2};
        for (int c = 0; c < 10; c++) {
            for (int day = 1; day <= 5; day++) {
                order(rows, line, "x" + c + "-" + day, "x" + c, day, "A");
                order(rows, line, "y" + c + "-" + day, "y" + c, day, "A", "C");
            }
            order(rows, line, "x" + c + "-320", "x" + c, 320, "B");
            order(rows, line, "x" + c + "-340", "x" + c, 340, "B", "C");
        }
        order(rows, line, "z-420", "z", 420, "D");
        lines = LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA);
    }

    private static void order(List<Row> rows, long[] line, String order, String customer, long day, String... items) {
        for (String item : items) {
            rows.add(TestLines.line(line[0]++, order, item, customer, 1, 2.5, day * DAY + 3600, item.toLowerCase()));
        }
    }

    private static SparkModelStage.Trained train(String store, ListTuning tuning) throws IOException {
        SnapshotBuilder builder = ModelStore.open(dir.resolve(store)).newSnapshot();
        SparkModelStage.Trained trained = SparkModelStage.train(lines, OPTIONS, tuning, builder, s -> { });
        builder.publish();
        return trained;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> validation(SparkModelStage.Trained trained) {
        return (Map<String, Object>) ((Map<String, Object>) trained.sections().get("servedModel")).get("validation");
    }

    @Test
    void theBestPairOnTheValidationSplitTrainsTheServedLists() throws IOException {
        SparkModelStage.Trained trained = train("tuned", ListTuning.DEFAULTS);
        assertEquals(30.0, trained.served().repeatHalfLifeDays());
        assertEquals(0.3, trained.served().newItemWeight());
        Map<String, Object> v = validation(trained);
        assertEquals("time split: train before " + LocalDate.ofEpochDay(331) + "T00:00, validate on the 90 days "
                + "from it", v.get("validationSplit"));
        assertEquals(10L, v.get("validationCustomers"), "the x customers");
        assertEquals(1L, v.get("validationCustomersWithoutHistory"), "z");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> grid = (List<Map<String, Object>>) v.get("grid");
        assertEquals(12, grid.size());
        double idcg = 1 + 1 / (Math.log(3) / Math.log(2));
        double[] expected = new double[12];
        for (int p = 0; p < 12; p++) {
            double halfLife = (double) grid.get(p).get("repeatHalfLifeDays");
            double weight = (double) grid.get(p).get("newItemWeight");
            assertEquals(ListTuning.DEFAULTS.pairs().get(p)[0], halfLife);
            assertEquals(ListTuning.DEFAULTS.pairs().get(p)[1], weight);
            expected[p] = halfLife > 90 ? -1 // A first: checked below as lower
                    : weight > 0.1 ? 1.0 : (1 + 0.5) / idcg;
        }
        for (int p = 0; p < 12; p++) {
            double ndcg = (double) grid.get(p).get("ndcg@10");
            if (expected[p] < 0) {
                assertTrue(ndcg < (1 + 0.5) / idcg - 1e-9, "A ranked first for " + grid.get(p));
            } else {
                assertEquals(expected[p], ndcg, 1e-9, grid.get(p).toString());
            }
        }
        assertEquals(grid.get(1), v.get("chosen"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = (Map<String, Object>) ((Map<String, Object>) trained.sections()
                .get("servedModel")).get("parameters");
        assertEquals(30.0, parameters.get("repeatHalfLifeDays"));
        assertEquals(0.3, parameters.get("newItemWeight"));
        // TIFU-KNN validated too, over single-machine training's grid, and the merge (ndcg 1) kept
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tifu = (List<Map<String, Object>>) v.get("tifuGrid");
        assertEquals(4, tifu.size());
        for (int p = 0; p < 4; p++) {
            Map<String, Object> expectedSetting = ListTuning.tifuMap(TifuKnn.VALIDATION_GRID.get(p));
            expectedSetting.put("ndcg@10", tifu.get(p).get("ndcg@10"));
            assertEquals(expectedSetting, tifu.get(p));
            assertTrue((double) tifu.get(p).get("ndcg@10") < 1.0 - 1e-9, tifu.get(p).toString());
        }
        assertEquals(SparkModelStage.MODEL_NAME, v.get("served"));
        assertEquals(SparkModelStage.MODEL_NAME, ((Map<?, ?>) trained.sections().get("servedModel")).get("name"));
    }

    /**
     * Ten customers "x" bought twelve items I0..I11 together on day 1 and buy T, new to them, in the validation
     * period (day 400); ten customers "y" bought I0..I11 on day 1 too, then T in twenty orders (days 10..200). The
     * merge ranks the twelve equally scored repeat items before any new item in every pair (normalised to 1, new
     * items at most weight x 1, ties to the repeat item), so T is never in the top 10: NDCG 0. TIFU-KNN (k 100,
     * alpha 0.5, m 7, 0.9, 0.7) scores T for an x customer at 0.5 / 19 x 10 x 0.53 = 0.14 (ten y neighbours
     * holding T in 20 of 21 baskets) and each I at 0.5 / 7 + 0.5 / 19 x 9 / 7 = 0.105: T first, NDCG 1.
     */
    private static Dataset<Row> tifuWins() {
        List<Row> rows = new ArrayList<>();
        long[] line = {2};
        String[] items = new String[12];
        for (int i = 0; i < items.length; i++) {
            items[i] = "I" + i;
        }
        for (int c = 0; c < 10; c++) {
            order(rows, line, "x" + c + "-1", "x" + c, 1, items);
            order(rows, line, "y" + c + "-1", "y" + c, 1, items);
            for (int d = 10; d < 210; d += 10) {
                order(rows, line, "y" + c + "-" + d, "y" + c, d, "T");
            }
            order(rows, line, "x" + c + "-400", "x" + c, 400, "T");
        }
        return LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA);
    }

    @Test
    void tifuKnnIsServedWhenItValidatesBetter() throws IOException {
        SnapshotBuilder builder = ModelStore.open(dir.resolve("tifu")).newSnapshot();
        SparkModelStage.Trained trained = SparkModelStage.train(tifuWins(), OPTIONS, ListTuning.DEFAULTS, builder,
                s -> { });
        builder.publish();
        Map<String, Object> v = validation(trained);
        assertEquals(10L, v.get("validationCustomers"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> grid = (List<Map<String, Object>>) v.get("grid");
        for (Map<String, Object> pair : grid) {
            assertEquals(0.0, (double) pair.get("ndcg@10"), 1e-12, pair.toString());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> chosen = (Map<String, Object>) v.get("tifuChosen");
        assertEquals(1.0, (double) chosen.get("ndcg@10"), 1e-12);
        assertEquals(100, chosen.get("neighbours"));
        assertEquals(SparkTifuKnn.NAME, v.get("served"));
        Map<?, ?> served = (Map<?, ?>) trained.sections().get("servedModel");
        assertEquals(SparkTifuKnn.NAME, served.get("name"));
        assertEquals(((Map<?, ?>) served.get("tifu")).get("neighbours"), chosen.get("neighbours"));
        try (Snapshot s = ModelStore.open(dir.resolve("tifu")).openCurrent()) {
            PrecomputedRecommendations list = s.precomputed("x0").orElseThrow();
            assertEquals(SparkTifuKnn.NAME, list.model());
            assertTrue(list.items().stream().allMatch(i -> i.source().equals(SparkTifuKnn.NAME)), list.toString());
        }
    }

    /**
     * Ten customers buy only A, on days 1 and 300 and again in the validation period (day 400): every list of
     * either model is [A] (no other item exists), NDCG 1 for both: the tie keeps the merge.
     */
    @Test
    void aTieKeepsTheMerge() throws IOException {
        List<Row> rows = new ArrayList<>();
        long[] line = {2};
        for (int c = 0; c < 10; c++) {
            for (int day : new int[] {1, 300, 400}) {
                order(rows, line, "a" + c + "-" + day, "a" + c, day, "A");
            }
        }
        SnapshotBuilder builder = ModelStore.open(dir.resolve("tie")).newSnapshot();
        SparkModelStage.Trained trained = SparkModelStage.train(LocalSpark.get().createDataFrame(rows,
                AcceptedLines.SCHEMA), OPTIONS, ListTuning.DEFAULTS, builder, s -> { });
        Map<String, Object> v = validation(trained);
        assertEquals(1.0, (double) ((Map<?, ?>) v.get("chosen")).get("ndcg@10"), 1e-12);
        assertEquals(1.0, (double) ((Map<?, ?>) v.get("tifuChosen")).get("ndcg@10"), 1e-12);
        assertEquals(SparkModelStage.MODEL_NAME, v.get("served"));
    }

    @Test
    void listsForcesTheModelAndStillTunesIt() throws IOException {
        SnapshotBuilder builder = ModelStore.open(dir.resolve("forced-merge")).newSnapshot();
        SparkModelStage.Trained trained = SparkModelStage.train(tifuWins(), OPTIONS,
                ListTuning.DEFAULTS.withLists(ListTuning.Lists.ALS_REPEAT), builder, s -> { });
        Map<String, Object> v = validation(trained);
        assertEquals(SparkModelStage.MODEL_NAME, v.get("served"));
        assertEquals(12, ((List<?>) v.get("grid")).size());
        assertFalse(v.containsKey("tifuGrid"), "a forced merge validates its own grid only");
        assertEquals("forced by --lists als+repeat", v.get("servedBecause"));

        builder = ModelStore.open(dir.resolve("forced-tifu")).newSnapshot();
        trained = SparkModelStage.train(lines, OPTIONS, ListTuning.DEFAULTS.withLists(ListTuning.Lists.TIFU_KNN),
                builder, s -> { });
        v = validation(trained);
        assertEquals(SparkTifuKnn.NAME, v.get("served"));
        assertEquals(4, ((List<?>) v.get("tifuGrid")).size());
        assertFalse(v.containsKey("grid"), "a forced TIFU-KNN validates its own grid only");
        assertEquals(SparkTifuKnn.NAME, ((Map<?, ?>) trained.sections().get("servedModel")).get("name"));
    }
    /**
     * The validation's figures, and so the choice made on them, do not depend on how Spark partitions the data: the
     * same lines in one shuffle partition and in seven give the same grids to the last bit. Summed as doubles in the
     * order partial results met, they differed in their last digits (and between a local and a local-cluster run).
     */
    @Test
    void theFiguresAreTheSameWhateverThePartitioning() throws IOException {
        java.util.Random random = new java.util.Random(26);
        List<Row> rows = new ArrayList<>();
        long[] line = {2};
        for (int c = 0; c < 150; c++) {
            int orders = 2 + random.nextInt(8);
            for (int o = 0; o < orders; o++) {
                String[] basket = new String[1 + random.nextInt(4)];
                for (int i = 0; i < basket.length; i++) {
                    basket[i] = "P" + (c % 5 * 4 + random.nextInt(12));
                }
                order(rows, line, "r" + c + "-" + o, "r" + c, 1 + random.nextInt(420), basket);
            }
        }
        Dataset<Row> messy = LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA);
        String configured = LocalSpark.get().conf().get("spark.sql.shuffle.partitions");
        List<Map<String, Object>> figures = new ArrayList<>();
        try {
            for (String partitions : List.of("1", "7")) {
                LocalSpark.get().conf().set("spark.sql.shuffle.partitions", partitions);
                SnapshotBuilder builder = ModelStore.open(dir.resolve("partitions-" + partitions)).newSnapshot();
                Map<String, Object> v = new java.util.HashMap<>(validation(SparkModelStage.train(
                        messy.repartition(Integer.parseInt(partitions)), OPTIONS, ListTuning.DEFAULTS, builder,
                        s -> { })));
                v.remove("seconds");
                v.remove("tifuSeconds");
                figures.add(v);
            }
        } finally {
            LocalSpark.get().conf().set("spark.sql.shuffle.partitions", configured);
        }
        assertTrue(((Long) figures.get(0).get("validationCustomers")) > 50, figures.get(0).toString());
        assertEquals(figures.get(0), figures.get(1));
    }
}
