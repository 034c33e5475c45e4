package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.TradeUp;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.SingleMachine;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import io.affinity.training.customers.CustomerReportWriter;
import io.affinity.training.customers.FitDiagnostics;
import io.affinity.training.customers.ItemCosts;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled sample trained once on Spark and published: item facts, popular items, frequent itemsets, rules,
 * histories, profiles and trade-ups must equal what single-machine training computes from the same loader result
 * (FP-growth is exact, and money is summed exactly, in any order), and the snapshot must open and serve precomputed
 * lists.
 */
@IntegrationTest
class SampleParityTest {
    private static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");
    /** Default thresholds; a small rule cap so that it drops rules; a small, quick ALS. */
    private static final SparkModelOptions OPTIONS = new SparkModelOptions(0.005, 0.05, 1.0, 3, 5, 20, 10, 8,
            0.1, 10, 4, 42, 90, 1, false);

    @TempDir
    static Path dir;
    private static Transactions tx;
    private static Map<String, Object> sections;
    private static final List<String> progress = new ArrayList<>();
    private static Snapshot snapshot;

    @BeforeAll
    static void trainOnSpark() throws Exception {
        tx = TransactionLoader.load(List.of(SAMPLE), IngestOptions.defaults()).transactions();
        ModelStore store = ModelStore.open(dir.resolve("models"));
        SnapshotBuilder builder = store.newSnapshot();
        // the lists' parameters as given (OFF): the parity below is with single-machine models of the same ones
        sections = SparkModelStage.train(TestLines.of(LocalSpark.get(), tx), OPTIONS, ListTuning.OFF, builder,
                progress::add).sections();
        sections.forEach(builder::section);
        builder.publish();
        snapshot = store.openCurrent();
    }

    @AfterAll
    static void close() {
        if (snapshot != null) {
            snapshot.close();
        }
    }

    @Test
    void itemFactsAndPopularItemsAreTheSingleMachineOnes() {
        List<ItemFacts> expected = SingleMachine.items(tx);
        assertEquals(expected.size(), snapshot.itemCount());
        for (ItemFacts f : expected) {
            assertEquals(f, snapshot.item(f.itemId()).orElseThrow(), f.itemId());
        }
        assertEquals(SingleMachine.popular(tx, OPTIONS.popularItems()), snapshot.popularItems());
        assertTrue(snapshot.subdirectory("catalog").isPresent(), "the catalogue search index is written");
    }

    @Test
    void frequentItemsetsAndRulesAreTheSingleMachineOnes() {
        SingleMachine.Mined expected = SingleMachine.rules(tx, OPTIONS.minSupport(), OPTIONS.minConfidence(),
                OPTIONS.minLift(), OPTIONS.maxLength(), OPTIONS.maxRulesPerItem());
        @SuppressWarnings("unchecked")
        Map<String, Object> training = (Map<String, Object>) sections.get("training");
        assertEquals((long) tx.orderCount(), training.get("baskets"));
        assertEquals(expected.minSupportCount(), training.get("minSupportCount"));
        assertEquals((long) expected.frequentItemsets(), training.get("frequentItemsets"));
        assertEquals(expected.rules().keptRules(), training.get("rulesPublished"));
        assertEquals(expected.rules().droppedByCap(), training.get("rulesDroppedByCap"));
        assertEquals(expected.rules().byItem().size(), training.get("itemsWithRules"));
        assertTrue(expected.rules().droppedByCap() > 0, "the cap is exercised");
        long multi = 0;
        for (int i = 0; i < tx.itemCount(); i++) {
            String item = tx.itemId(i);
            List<AssociationRule> rules = expected.rules().byItem().getOrDefault(item, List.of());
            assertEquals(rules, snapshot.rulesWithAntecedentItem(item), item);
            multi += rules.stream().filter(r -> !r.isPairRule()).count();
        }
        assertTrue(multi > 0, "rules with two antecedent items are compared too");
        assertEquals(expected.rules().keptRules(), snapshot.ruleCount());
    }

    @Test
    void frequentItemsetsAreTheSameSetsWithTheSameCounts() {
        // the stage's own FP-growth step on the stage's own baskets (one per order, distinct item numbers)
        List<Row> baskets = new ArrayList<>();
        for (int o = 0; o < tx.orderCount(); o++) {
            TreeSet<Integer> items = new TreeSet<>();
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                items.add(tx.itemOfLine(l));
            }
            baskets.add(RowFactory.create((Object) items.toArray(new Integer[0])));
        }
        var spark = LocalSpark.get();
        var orders = spark.createDataFrame(baskets, new StructType().add("items",
                DataTypes.createArrayType(DataTypes.IntegerType, false), false));
        long minCount = 20;
        Map<String, Long> found = new HashMap<>();
        for (Row r : SparkModelStage.frequentItemsets(spark, orders, tx.orderCount(), minCount, 3).collectAsList()) {
            List<Integer> items = r.getList(0);
            found.put(items.stream().map(tx::itemId).sorted().collect(Collectors.joining(" ")), r.getLong(1));
        }
        Map<String, Long> expected = SingleMachine.itemsets(tx, minCount, 3);
        assertTrue(expected.keySet().stream().anyMatch(k -> k.split(" ").length == 3), "triples are compared");
        assertEquals(expected, found);
    }

    @Test
    void historiesAreTheSingleMachineOnes() {
        Map<String, CustomerHistory> expected = SingleMachine.histories(tx);
        assertEquals(expected.size(), snapshot.customerCount());
        expected.forEach((id, h) -> assertEquals(h, snapshot.customer(id).orElseThrow(), "a customer's history"));
        // the units returned too (repeat explanations state them): the sample's returns make this no empty check
        long withReturns = expected.values().stream().flatMap(h -> h.items().stream())
                .filter(p -> p.returnedQuantity() > 0).count();
        assertTrue(withReturns > 100, "history items with returns: " + withReturns);
    }

    /** The profiles single-machine training fits (calibrated on all the data, no costs). */
    private static CustomerAnalysis singleMachineProfiles() {
        LocalDate last = LocalDate.MIN;
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.customerOf(o) >= 0 && tx.timestampOf(o).toLocalDate().isAfter(last)) {
                last = tx.timestampOf(o).toLocalDate();
            }
        }
        return CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(last).withEveryReturnNetted(),
                ItemCosts.none());
    }

    @Test
    void profilesAreTheSingleMachineOnes() {
        CustomerAnalysis expected = singleMachineProfiles();
        // a customer who returned everything they bought has no purchase day left, so no profile in either
        assertTrue(expected.customersReturnedEverything() > 0, "netting is compared too");
        assertEquals(tx.customerCount(), expected.rows().size() + expected.customersReturnedEverything());
        for (CustomerAnalysis.Row r : expected.rows()) {
            assertEquals(r.profile(), snapshot.profile(r.customerId()).orElseThrow(), "a customer's profile");
        }
        Map<?, ?> section = (Map<?, ?>) sections.get("customerModels");
        assertEquals(expected.rows().size(), section.get("profiles"));
        Map<Object, Object> report = new HashMap<>(CustomerReportWriter.report(expected));
        report.put("warnings", FitDiagnostics.warnings(expected, "a longer export"));
        report.put("profiles", expected.rows().size());
        assertEquals(report, new HashMap<>(section), "the customerModels section of single-machine training");
    }

    @Test
    void tradeUpsAreTheSingleMachineOnes() {
        Map<String, CustomerProfile> profiles = new HashMap<>();
        singleMachineProfiles().rows().forEach(r -> profiles.put(r.customerId(), r.profile()));
        SingleMachine.TradeUpsFound expected = SingleMachine.tradeUps(tx, SingleMachine.items(tx), profiles,
                TradeUpParameters.DEFAULTS);
        assertTrue(expected.bySource().size() > 10, "enough source items to compare: " + expected.summary());
        TreeSet<String> segments = new TreeSet<>();
        for (int i = 0; i < tx.itemCount(); i++) {
            String item = tx.itemId(i);
            List<TradeUp> ups = expected.bySource().getOrDefault(item, List.of());
            assertEquals(ups, snapshot.tradeUps(item), item);
            ups.forEach(t -> segments.add(t.segment().replaceAll(":.*", "")));
        }
        assertEquals(new TreeSet<>(List.of(TradeUp.ALL, "price", "tier")), segments, "per-segment lists compared");
        assertTrue(expected.bySource().values().stream().anyMatch(l -> l.stream().anyMatch(t -> !t.sameFamily())),
                "category moves compared");
        assertEquals(expected.summary().section(TradeUpParameters.DEFAULTS), sections.get("upsell"));
        assertEquals(expected.bySource().size(), snapshot.manifest().counts().upsell());
    }

    @Test
    void everyCustomerHasAListOfBothKindsThatTheStoreServes() {
        Map<String, CustomerHistory> histories = SingleMachine.histories(tx);
        int mixed = 0;
        for (Map.Entry<String, CustomerHistory> e : histories.entrySet()) {
            PrecomputedRecommendations list = snapshot.precomputed(e.getKey()).orElseThrow();
            assertEquals(SparkModelStage.MODEL_NAME, list.model());
            assertEquals(OPTIONS.topN(), list.items().size(), "enough candidates for a full list");
            boolean repeats = false;
            boolean fresh = false;
            int newItems = 0;
            for (PrecomputedItem p : list.items()) {
                PurchasedItem bought = e.getValue().items().stream().filter(i -> i.itemId().equals(p.itemId()))
                        .findFirst().orElse(null);
                assertEquals(bought != null, p.repeat(), "repeat exactly for items in the history");
                if (p.repeat()) {
                    assertEquals(bought, p.purchase());
                    assertEquals(SparkModelStage.REPEAT_SOURCE, p.source());
                    repeats = true;
                } else {
                    assertEquals(SparkModelStage.NEW_SOURCE, p.source());
                    fresh = true;
                    newItems++;
                }
            }
            assertTrue(newItems >= OPTIONS.topN() - e.getValue().items().size(),
                    "new items fill what the customer's own items leave of the list");
            mixed += repeats && fresh ? 1 : 0;
        }
        assertTrue(mixed > 0, "lists mix repeat and new items");
    }

    @Test
    void theManifestSaysHowItWasTrained() {
        @SuppressWarnings("unchecked")
        Map<String, Object> training = (Map<String, Object>) sections.get("training");
        assertEquals("spark", training.get("engine"));
        assertEquals(LocalSpark.get().version(), training.get("sparkVersion"));
        assertEquals(LocalSpark.get().sparkContext().master(), training.get("master"));
        assertEquals((long) tx.lineCount(), training.get("lines"));
        assertEquals((long) tx.customerCount(), training.get("customers"));
        assertNotNull(((Map<?, ?>) training.get("seconds")).get("rules"));
        assertEquals(SparkModelStage.MODEL_NAME, ((Map<?, ?>) sections.get("servedModel")).get("name"));
        assertEquals("spark", snapshot.manifest().sections().get("training").get("engine").asText());
        assertEquals(4, progress.stream().filter(l -> !l.startsWith("WARNING") && !l.startsWith("driver:")).count(),
                "one progress line per step: " + progress);
        assertEquals(1, progress.stream().filter(l -> l.startsWith("driver: the snapshot it assembles")).count(),
                "and what the driver's heap will hold: " + progress);
        assertFalse(Files.exists(dir.resolve("models").resolve("nothing")));
    }
}
