package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.models.Interactions;
import io.affinity.training.models.TifuKnn;
import io.affinity.training.models.TopK;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TIFU-KNN on Spark against single-machine {@link TifuKnn}: on the bundled sample, vectors, neighbours and top-N
 * lists must be the same floats and numbers, by blocks (1 or several) and through the served walk; on
 * TifuKnnTest's hand-computed customers, the known answers. Single-machine customers are numbered as the Spark
 * job numbers them (by id) and items as both number them (first line), so ties resolve alike.
 */
@IntegrationTest
class SparkTifuKnnTest {
    private static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");
    /** Groups of 3 (customers with many baskets span several), 20 neighbours (ties at the cut happen). */
    private static final TifuKnn.Params PARAMS = new TifuKnn.Params(20, 0.6, 3, 0.9, 0.6);
    private static final int TOP_N = 30;
    private static final long DAY = 86_400;

    @TempDir
    static Path dir;
    private static Transactions tx;
    private static String[] customerIds; // by uid: sorted
    private static int[] itemNumber;      // tx item -> first-line order
    private static long reference;
    private static Dataset<Row> sampleLines;

    @BeforeAll
    static void load() throws Exception {
        tx = TransactionLoader.load(List.of(SAMPLE), IngestOptions.defaults()).transactions();
        TreeSet<String> ids = new TreeSet<>();
        itemNumber = new int[tx.itemCount()];
        java.util.Arrays.fill(itemNumber, -1);
        int next = 0;
        reference = Long.MIN_VALUE;
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.customerOf(o) >= 0) {
                ids.add(tx.customerId(tx.customerOf(o)));
            }
            reference = Math.max(reference, tx.localEpochSecondOf(o));
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                if (itemNumber[tx.itemOfLine(l)] < 0) {
                    itemNumber[tx.itemOfLine(l)] = next++;
                }
            }
        }
        customerIds = ids.toArray(new String[0]);
        Map<String, Integer> uid = new HashMap<>();
        for (int u = 0; u < customerIds.length; u++) {
            uid.put(customerIds[u], u);
        }
        List<Row> rows = new ArrayList<>();
        long line = 2;
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            long first = line;
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                if (c >= 0) {
                    rows.add(line(tx.customerId(c), uid.get(tx.customerId(c)), first, line,
                            itemNumber[tx.itemOfLine(l)], tx.localEpochSecondOf(o)));
                }
                line++;
            }
        }
        sampleLines = LocalSpark.get().createDataFrame(rows, LINES);
    }

    /** The customer lines as CustomerLists and ListValidation see them (with uid). */
    private static final StructType LINES = new StructType()
            .add(AcceptedLines.CUSTOMER, DataTypes.StringType, false)
            .add("uid", DataTypes.IntegerType, false)
            .add(SparkModelStage.ORDER_FIRST, new StructType().add(AcceptedLines.FILE, DataTypes.IntegerType, false)
                    .add(AcceptedLines.LINE, DataTypes.LongType, false), false)
            .add(AcceptedLines.FILE, DataTypes.IntegerType, false)
            .add(AcceptedLines.LINE, DataTypes.LongType, false)
            .add(SparkModelStage.IDX, DataTypes.IntegerType, false)
            .add(SparkModelStage.TIME_SECONDS, DataTypes.LongType, false);

    private static Row line(String customer, int uid, long orderFirst, long line, int item, long time) {
        return RowFactory.create(customer, uid, RowFactory.create(0, orderFirst), 0, line, item, time);
    }

    /** Single-machine Interactions of the sample in the Spark numbering. */
    private static Interactions singleMachine() {
        Map<String, Integer> uid = new HashMap<>();
        for (int u = 0; u < customerIds.length; u++) {
            uid.put(customerIds[u], u);
        }
        Interactions.Builder b = new Interactions.Builder(customerIds.length, tx.itemCount(), reference);
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            if (c < 0) {
                continue;
            }
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                b.add(uid.get(tx.customerId(c)), itemNumber[tx.itemOfLine(l)], o, tx.localEpochSecondOf(o));
            }
        }
        return b.build();
    }

    private static Map<Integer, SparkTifuKnn.Vec> collect(JavaRDD<SparkTifuKnn.Vec> vecs) {
        Map<Integer, SparkTifuKnn.Vec> m = new HashMap<>();
        vecs.collect().forEach(v -> m.put(v.uid, v));
        return m;
    }

    private static Map<Integer, SparkTifuKnn.Ranked> collect(JavaPairRDD<Integer, SparkTifuKnn.Ranked> r) {
        return new HashMap<>(r.collectAsMap());
    }

    @Test
    void vectorsNeighboursAndListsAreTheSingleMachineOnes() {
        Interactions x = singleMachine();
        TifuKnn single = TifuKnn.fit(x, PARAMS, 2);
        int items = tx.itemCount();
        JavaRDD<SparkTifuKnn.Baskets> baskets = SparkTifuKnn.baskets(sampleLines, reference).cache();
        JavaRDD<SparkTifuKnn.Vec> vecs = SparkTifuKnn.vectors(baskets, PARAMS).cache();
        Map<Integer, SparkTifuKnn.Vec> v = collect(vecs);
        assertEquals(customerIds.length, v.size());
        int grouped = 0;
        for (SparkTifuKnn.Baskets b : baskets.collect()) {
            grouped += b.ages.length > PARAMS.groupSize() ? 1 : 0;
        }
        assertTrue(grouped > 50, "customers with more than one group of baskets: " + grouped);
        for (int u = 0; u < customerIds.length; u++) {
            SparkTifuKnn.Vec vec = v.get(u);
            assertArrayEquals(x.itemsOf(u), vec.items, "customer " + u);
            for (int j = 0; j < vec.items.length; j++) {
                assertEquals(single.ownWeight(u, vec.items[j]), vec.weights[j], 0f, "customer " + u);
            }
        }
        Map<Integer, SparkTifuKnn.Ranked> nbrs = collect(SparkTifuKnn.neighbours(vecs, vecs, PARAMS.neighbours(), 3,
                items));
        int ties = 0;
        for (int u = 0; u < customerIds.length; u++) {
            SparkTifuKnn.Ranked r = nbrs.getOrDefault(u, SparkTifuKnn.Ranked.EMPTY);
            assertArrayEquals(single.neighboursOf(u), r.ids, "neighbours of customer " + customerIds[u]);
            for (int k = 1; k < r.ids.length; k++) {
                ties += r.scores[k] == r.scores[k - 1] ? 1 : 0;
            }
        }
        assertTrue(ties > 100, "equal similarities decided by the customer number: " + ties);

        Broadcast<float[]> pop = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext())
                .broadcast(x.popularityBelowOne());
        assertListsEqual(single, SparkTifuKnn.lists(baskets, null, PARAMS, pop, TOP_N, 2, items), false);
        // without neighbours most lists are short of 30 scored items: the popularity fill is compared too
        TifuKnn.Params alone = new TifuKnn.Params(0, 0.6, 3, 0.9, 0.6);
        assertListsEqual(TifuKnn.fit(x, alone, 2), SparkTifuKnn.lists(baskets, null, alone, pop, TOP_N, 2, items),
                true);
    }

    private static void assertListsEqual(TifuKnn single, JavaPairRDD<Integer, SparkTifuKnn.Ranked> spark,
                                         boolean fills) {
        Map<Integer, SparkTifuKnn.Ranked> lists = collect(spark);
        float[] out = new float[tx.itemCount()];
        int filled = 0;
        for (int u = 0; u < customerIds.length; u++) {
            single.score(u, out);
            int[] top = TopK.select(out, TOP_N, null);
            SparkTifuKnn.Ranked r = lists.get(u);
            assertArrayEquals(top, r.ids, "list of customer " + customerIds[u]);
            for (int k = 0; k < top.length; k++) {
                assertEquals(out[top[k]], r.scores[k], 0f);
            }
            filled += out[top[TOP_N - 1]] < r.least ? 1 : 0;
        }
        assertEquals(fills, filled > 0, "lists filled by popularity: " + filled);
    }

    @Test
    void blocksDoNotChangeTheResult() {
        int items = tx.itemCount();
        JavaRDD<SparkTifuKnn.Vec> vecs = SparkTifuKnn.vectors(SparkTifuKnn.baskets(sampleLines, reference), PARAMS)
                .cache();
        Map<Integer, SparkTifuKnn.Ranked> one = collect(SparkTifuKnn.neighbours(vecs, vecs, 50, 1, items));
        Map<Integer, SparkTifuKnn.Ranked> five = collect(SparkTifuKnn.neighbours(vecs, vecs, 50, 5, items));
        assertEquals(one.keySet(), five.keySet());
        one.forEach((u, r) -> {
            assertArrayEquals(r.ids, five.get(u).ids, "customer " + u);
            assertArrayEquals(r.scores, five.get(u).scores, 0f);
        });
        assertTrue(one.values().stream().anyMatch(r -> r.ids.length == 50), "full lists of 50 compared");
        // scores by item slices: one slice or four, the same sums
        float[] pop = new float[items];
        Broadcast<float[]> b = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext()).broadcast(pop);
        TifuKnn.Params p = new TifuKnn.Params(50, 0.3, 3, 0.9, 0.6);
        Map<Integer, SparkTifuKnn.Ranked> a = collect(SparkTifuKnn.lists(SparkTifuKnn.baskets(sampleLines,
                reference), null, p, b, TOP_N, 1, items));
        Map<Integer, SparkTifuKnn.Ranked> c = collect(SparkTifuKnn.lists(SparkTifuKnn.baskets(sampleLines,
                reference), null, p, b, TOP_N, 4, items));
        assertEquals(a.keySet(), c.keySet());
        a.forEach((u, r) -> {
            assertArrayEquals(r.ids, c.get(u).ids, "customer " + u);
            assertArrayEquals(r.scores, c.get(u).scores, 0f);
        });
    }

    @Test
    void theServedWalkListsWhatTheSingleMachineScores() throws Exception {
        // the whole stage, TIFU-KNN forced without validation: the grid's first setting, reference = last line
        SparkModelOptions options = new SparkModelOptions(0.005, 0.05, 1.0, 3, 5, 20, TOP_N, 8, 0.1, 10, 4, 42,
                90, 1, false);
        ModelStore store = ModelStore.open(dir.resolve("served"));
        SnapshotBuilder builder = store.newSnapshot();
        List<String> progress = new ArrayList<>();
        Map<String, Object> sections = SparkModelStage.train(TestLines.of(LocalSpark.get(), tx), options,
                ListTuning.OFF.withLists(ListTuning.Lists.TIFU_KNN), builder, progress::add).sections();
        builder.publish();
        Map<?, ?> served = (Map<?, ?>) sections.get("servedModel");
        assertEquals("tifu-knn", served.get("name"));
        assertEquals(ListTuning.tifuMap(TifuKnn.VALIDATION_GRID.get(0)), served.get("tifu"));
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("tifu-knn: ")), progress.toString());
        TifuKnn single = TifuKnn.fit(singleMachine(), TifuKnn.VALIDATION_GRID.get(0), 2);
        String[] itemIds = new String[tx.itemCount()];
        for (int i = 0; i < itemIds.length; i++) {
            itemIds[itemNumber[i]] = tx.itemId(i);
        }
        float[] out = new float[tx.itemCount()];
        int repeats = 0;
        int fresh = 0;
        try (Snapshot s = store.openCurrent()) {
            for (int u = 0; u < customerIds.length; u++) {
                PrecomputedRecommendations list = s.precomputed(customerIds[u]).orElseThrow();
                assertEquals("tifu-knn", list.model());
                single.score(u, out);
                int[] top = TopK.select(out, TOP_N, null);
                assertEquals(top.length, list.items().size());
                for (int k = 0; k < top.length; k++) {
                    PrecomputedItem p = list.items().get(k);
                    assertEquals(itemIds[top[k]], p.itemId(), "customer " + customerIds[u] + " rank " + k);
                    assertEquals(out[top[k]], (float) p.score(), 0f);
                    assertEquals("tifu-knn", p.source());
                    assertEquals(p.repeat(), p.purchase() != null);
                    repeats += p.repeat() ? 1 : 0;
                    fresh += p.repeat() ? 0 : 1;
                }
            }
        }
        assertTrue(repeats > 0 && fresh > 0, "both kinds: " + repeats + " repeats, " + fresh + " new");
    }

    /**
     * TifuKnnTest's customers as lines: 0 buys {0} 30 days before the reference, {0, 1} 20 days, {1} 10 days; 1
     * buys {1, 2}, 2 {2}, 3 {3} (5 days). (TifuKnnTest's customer 4, who buys nothing, has no line to give.)
     */
    @Test
    void theHandComputedCaseGivesTheKnownAnswers() {
        long ref = 400 * DAY;
        List<Row> rows = new ArrayList<>();
        rows.add(line("c0", 0, 2, 2, 0, ref - 30 * DAY));
        rows.add(line("c0", 0, 3, 3, 0, ref - 20 * DAY));
        rows.add(line("c0", 0, 3, 4, 1, ref - 20 * DAY));
        rows.add(line("c0", 0, 5, 5, 1, ref - 10 * DAY));
        rows.add(line("c1", 1, 6, 6, 1, ref - 5 * DAY));
        rows.add(line("c1", 1, 6, 7, 2, ref - 5 * DAY));
        rows.add(line("c2", 2, 8, 8, 2, ref - 5 * DAY));
        rows.add(line("c3", 3, 9, 9, 3, ref - 5 * DAY));
        JavaRDD<SparkTifuKnn.Baskets> baskets = SparkTifuKnn.baskets(LocalSpark.get().createDataFrame(rows, LINES),
                ref).cache();
        TifuKnn.Params hand = new TifuKnn.Params(1, 0.5, 2, 0.5, 0.5);
        Map<Integer, SparkTifuKnn.Vec> v = collect(SparkTifuKnn.vectors(baskets, hand));
        assertArrayEquals(new int[] {0, 1}, v.get(0).items);
        assertArrayEquals(new float[] {0.25f, 0.375f}, v.get(0).weights, 1e-7f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, v.get(1).weights, 1e-7f);
        JavaRDD<SparkTifuKnn.Vec> vecs = SparkTifuKnn.vectors(baskets, hand);
        Map<Integer, SparkTifuKnn.Ranked> two = collect(SparkTifuKnn.neighbours(vecs, vecs, 2, 2, 4));
        assertArrayEquals(new int[] {1}, two.get(0).ids);
        assertArrayEquals(new int[] {2, 0}, two.get(1).ids);
        assertArrayEquals(new int[] {1}, two.get(2).ids);
        assertFalse(two.containsKey(3), "customer 3 shares nothing with anyone");
        Broadcast<float[]> pop = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext())
                .broadcast(Interactions.popularityBelowOne(new long[] {1, 2, 2, 1}));
        Map<Integer, SparkTifuKnn.Ranked> lists = collect(SparkTifuKnn.lists(baskets, null, hand, pop, 4, 2, 4));
        // 0.5 * own + 0.5 * customer 1's vector; item 3 by popularity at half the least score
        assertArrayEquals(new int[] {1, 2, 0, 3}, lists.get(0).ids);
        assertArrayEquals(new float[] {0.5f * 0.375f + 0.5f * 0.5f, 0.25f, 0.125f, 0.0625f * 0.999f * 0.5f},
                lists.get(0).scores, 1e-7f);
        assertArrayEquals(new int[] {3, 1, 2, 0}, lists.get(3).ids, "own item first, then by popularity");
    }
}
