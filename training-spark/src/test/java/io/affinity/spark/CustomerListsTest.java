package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known answers on a tiny hand-made table, trained once: repeat items ranked by recency-decayed order counts,
 * ALS proposing the item of the customer's own block in a two-block matrix, list sizes and kinds, and the
 * description vote.
 */
@IntegrationTest
class CustomerListsTest {
    private static final long DAY = 86_400;
    /**
     * Half-life 10 days: decay, not the plain order count, decides the repeat ranking below; lists of 4; new items
     * weigh 0.01, so repeat items come first and new ones fill the rest.
     */
    private static final SparkModelOptions OPTIONS = new SparkModelOptions(0.1, 0.05, 1.0, 3, 100, 10, 4, 2,
            0.01, 10, 10, 42, 10, 0.01, false);

    @TempDir
    static Path dir;
    private static Snapshot snapshot;
    private static Map<String, Object> sections;

    @BeforeAll
    static void train() throws Exception {
        List<Row> rows = new ArrayList<>();
        long[] line = {2};
        // "r": A in orders on days 0, 10, 20; B once on day 25; C on days 0 and 1. The data end on day 30, so
        // with a 10-day half-life A = 1/8 + 1/4 + 1/2 = 0.875, B = 2^-0.5 = 0.707, C = 1/8 + 2^-2.9 = 0.259:
        // A, B, C, where plain order counts would give A, C, B.
        order(rows, line, "r1", "r", 0, "A", "C");
        order(rows, line, "r2", "r", 1, "C");
        order(rows, line, "r3", "r", 10, "A");
        order(rows, line, "r4", "r", 20, "A");
        order(rows, line, "r5", "r", 25, "B");
        // Two blocks: six customers buy all of X1..X3, six all of Y1..Y3; "p" bought X1 and X2 only.
        for (int c = 0; c < 6; c++) {
            order(rows, line, "x" + c, "x" + c, 30, "X1", "X2", "X3");
            order(rows, line, "y" + c, "y" + c, 30, "Y1", "Y2", "Y3");
        }
        order(rows, line, "p1", "p", 29, "X1", "X2");
        // descriptions: D is "dark" twice and "dim" twice: the first seen wins the tie; a blank one never does
        rows.add(TestLines.line(line[0]++, "g1", "D", null, 1, 1, 3 * DAY, "dim"));
        rows.add(TestLines.line(line[0]++, "g1", "E", null, 1, 1, 3 * DAY, null));
        rows.add(TestLines.line(line[0]++, "g2", "D", null, 1, 1, 4 * DAY, "dark"));
        rows.add(TestLines.line(line[0]++, "g3", "D", null, 1, 1, 5 * DAY, "dark"));
        rows.add(TestLines.line(line[0]++, "g4", "D", null, 1, 1, 6 * DAY, "dim"));
        rows.add(TestLines.line(line[0]++, "g4", "F", null, 1, 1, 6 * DAY, ""));
        ModelStore store = ModelStore.open(dir.resolve("models"));
        SnapshotBuilder builder = store.newSnapshot();
        sections = SparkModelStage.train(LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA), OPTIONS,
                ListTuning.OFF, builder, line1 -> { }).sections();
        builder.publish();
        snapshot = store.openCurrent();
    }

    private static void order(List<Row> rows, long[] line, String order, String customer, int day,
                              String... items) {
        for (String item : items) {
            rows.add(TestLines.line(line[0]++, order, item, customer, 1, 2.5, day * DAY + 3600, item.toLowerCase()));
        }
    }

    @AfterAll
    static void close() {
        if (snapshot != null) {
            snapshot.close();
        }
    }

    @Test
    void repeatItemsAreRankedByRecencyDecayedOrders() {
        PrecomputedRecommendations list = snapshot.precomputed("r").orElseThrow();
        List<String> repeats = list.items().stream().filter(PrecomputedItem::repeat).map(PrecomputedItem::itemId)
                .toList();
        assertEquals(List.of("A", "B", "C"), repeats);
        assertEquals(4, list.items().size(), "top N");
        assertFalse(list.items().get(3).repeat());
        PrecomputedItem a = list.items().get(0);
        assertEquals(3, a.purchase().orderCount());
        assertEquals(1.0, a.score(), 1e-6, "the best of a kind normalises to 1");
        assertEquals(0.1, list.items().get(2).score(), 1e-6, "the last of a kind to 0.1");
    }

    @Test
    void alsProposesTheMissingItemOfTheCustomersBlock() {
        PrecomputedRecommendations list = snapshot.precomputed("p").orElseThrow();
        assertEquals(4, list.items().size());
        List<PrecomputedItem> fresh = list.items().stream().filter(i -> !i.repeat()).toList();
        assertFalse(fresh.isEmpty());
        assertEquals("X3", fresh.get(0).itemId(), "co-bought with X1 and X2 by the whole block: " + list);
        for (PrecomputedItem i : list.items()) {
            assertEquals(i.repeat(), i.itemId().equals("X1") || i.itemId().equals("X2"), i.itemId());
            assertEquals(i.repeat() ? SparkModelStage.REPEAT_SOURCE : SparkModelStage.NEW_SOURCE, i.source());
            assertEquals(i.repeat(), i.purchase() != null);
        }
        // a block customer who bought everything of its block: its three items, then one new item (which one,
        // rank-2 ALS on a dozen customers does not settle: it changed with the customers' numbering)
        PrecomputedRecommendations x0 = snapshot.precomputed("x0").orElseThrow();
        assertEquals(4, x0.items().size());
        assertFalse(x0.items().get(3).repeat(), x0.toString());
        assertFalse(x0.items().get(3).itemId().startsWith("X"), x0.toString());
    }

    @Test
    void descriptionsAreVotedAsTheLoaderDoes() {
        assertEquals("dim", snapshot.item("D").orElseThrow().description(), "2-2 tie: first seen");
        assertEquals("", snapshot.item("E").orElseThrow().description());
        assertEquals("", snapshot.item("F").orElseThrow().description());
        assertEquals("x3", snapshot.item("X3").orElseThrow().description());
        assertEquals(4, snapshot.item("D").orElseThrow().orderCount());
        assertEquals(0, snapshot.item("D").orElseThrow().customerCount(), "guest orders only");
    }

    @Test
    void guestsGetNoHistoryAndCountsAreRecorded() {
        assertEquals(14, snapshot.customerCount(), "r, p, six x and six y customers");
        @SuppressWarnings("unchecked")
        Map<String, Object> training = (Map<String, Object>) sections.get("training");
        assertEquals(14L, training.get("customers"));
        assertEquals(14L, training.get("customersWithLists"));
    }

    private static final long DAY_SECONDS = 86_400L;

    @Test
    void orderSequencesAreDaysAndTopNZeroStoresNoLists() throws Exception {
        // sequence n is day n after 1970-01-01 in epoch seconds, as the loaders read a sequence column
        List<Row> rows = List.of(TestLines.line(2, "s1", "A", "s", 1, 1, DAY_SECONDS, null),
                TestLines.line(3, "s1", "B", "s", 1, 1, DAY_SECONDS, null),
                TestLines.line(4, "s2", "A", "s", 1, 1, 3 * DAY_SECONDS, null),
                TestLines.line(5, "t1", "A", "t", 1, 1, 2 * DAY_SECONDS, null),
                TestLines.line(6, "t1", "B", "t", 1, 1, 2 * DAY_SECONDS, null));
        SparkModelOptions options = new SparkModelOptions(0.1, 0.05, 1.0, 3, 100, 10, 0, 2, 0.01, 10, 10, 42, 10,
                1, true);
        ModelStore store = ModelStore.open(dir.resolve("sequence"));
        SnapshotBuilder builder = store.newSnapshot();
        Map<String, Object> out = SparkModelStage.train(LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA),
                options, ListTuning.DEFAULTS, builder, s -> { }).sections();
        builder.parameters(options.asManifestMap());
        builder.publish();
        try (Snapshot s = store.openCurrent()) {
            assertTrue(s.orderSequenceOnly());
            var h = s.customer("s").orElseThrow();
            assertEquals(java.time.LocalDate.of(1970, 1, 4), h.items().get(0).lastPurchased(), "A, last in order 3");
            assertEquals(java.time.LocalDate.of(1970, 1, 2), h.items().get(1).lastPurchased(), "B, in order 1");
            assertEquals(2, h.items().get(0).orderCount());
            assertFalse(s.hasPrecomputedRecommendations(), "top N 0: no lists");
            assertEquals("rules", ((Map<?, ?>) out.get("servedModel")).get("name"));
            assertEquals(1.0, s.rulesWithAntecedentItem("B").get(0).confidence(), "B => A in both baskets with B");
        }
    }

    @Test
    void guestOrdersAloneGiveRulesAndAWarning() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int o = 0; o < 3; o++) {
            rows.add(TestLines.line(2 + 2 * o, "g" + o, "CUP", null, 1, 1, DAY, null));
            rows.add(TestLines.line(3 + 2 * o, "g" + o, "SAUCER", null, 1, 1, DAY, null));
        }
        ModelStore store = ModelStore.open(dir.resolve("guests"));
        SnapshotBuilder builder = store.newSnapshot();
        List<String> progress = new ArrayList<>();
        SparkModelStage.train(LocalSpark.get().createDataFrame(rows, AcceptedLines.SCHEMA), OPTIONS,
                ListTuning.DEFAULTS, builder, progress::add);
        builder.publish();
        try (Snapshot s = store.openCurrent()) {
            assertEquals(0, s.customerCount());
            assertEquals("SAUCER", s.rulesWithAntecedentItem("CUP").get(0).consequent());
        }
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("warning: no identified customers")),
                progress.toString());
    }

    @Test
    void badInputIsRefusedNamingTheColumn() throws Exception {
        var spark = LocalSpark.get();
        var missing = spark.createDataFrame(List.<Row>of(), AcceptedLines.SCHEMA).drop(AcceptedLines.PRICE);
        SnapshotBuilder builder = ModelStore.open(dir.resolve("refused")).newSnapshot();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkModelStage.train(
                missing, OPTIONS, ListTuning.OFF, builder, s -> { }));
        assertTrue(e.getMessage().contains("'price'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkModelStage.train(
                spark.createDataFrame(List.<Row>of(), AcceptedLines.SCHEMA), OPTIONS, ListTuning.OFF, builder,
                s -> { }));
        assertTrue(e.getMessage().contains("no accepted lines"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SparkModelOptions(0, 0.05, 1.0, 3, 100, 10, 3, 2,
                0.01, 10, 10, 42, 10, 1, false), "min support 0");
    }
}
