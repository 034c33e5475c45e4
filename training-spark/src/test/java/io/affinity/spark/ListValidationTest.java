package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.store.ModelStore;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
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
    }
}
