package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.ingest.IngestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole offline path on small generated exports (generic layout), with exact expectations. */
@IntegrationTest
class TrainingPipelineTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description";

    @TempDir
    Path dir;

    @Test
    void publishesRulesItemsAndCustomersWithExactMeasures() throws Exception {
        // 10 orders: CUP+SAUCER in 6, CUP alone in 2, SPOON alone in 2. So conf(CUP=>SAUCER) = 6/8, lift = 0.75/0.6.
        List<String> rows = new ArrayList<>();
        for (int o = 1; o <= 10; o++) {
            String customer = o <= 3 ? "c1" : (o == 4 ? "" : "c" + o);
            String day = "2011-05-" + String.format("%02d", o);
            if (o <= 8) {
                rows.add(customer + ",o" + o + "," + day + ",cup,2,1.50,TEA CUP");
            }
            if (o <= 6) {
                rows.add(customer + ",o" + o + "," + day + ",saucer,1,1.00,SAUCER");
            }
            if (o > 8) {
                rows.add(customer + ",o" + o + "," + day + ",spoon,1,0.50,SPOON");
            }
        }
        Path input = write("orders.csv", rows);
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        TrainingResult result = new TrainingPipeline(p, line -> { }).run(dir.resolve("models"));

        assertEquals(rows.size(), result.ingest().rowsRead());
        assertEquals(rows.size(), result.ingest().rowsAccepted());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(result.version(), s.version());
            AssociationRule cupToSaucer = s.rulesWithAntecedentItem("CUP").stream()
                    .filter(r -> r.consequent().equals("SAUCER")).findFirst().orElseThrow();
            assertEquals(6, cupToSaucer.supportCount());
            assertEquals(0.6, cupToSaucer.support(), 1e-12);
            assertEquals(0.75, cupToSaucer.confidence(), 1e-12);
            assertEquals(0.75 / 0.6, cupToSaucer.lift(), 1e-12);
            assertEquals(0.6 - 0.8 * 0.6, cupToSaucer.leverage(), 1e-12);
            assertEquals((1 - 0.6) / (1 - 0.75), cupToSaucer.conviction(), 1e-12);
            assertTrue(s.rulesWithAntecedentItem("SPOON").isEmpty(), "spoon is never bought with anything");

            assertEquals(1.5, s.item("CUP").orElseThrow().typicalPrice(), 1e-12);
            assertEquals("TEA CUP", s.item("CUP").orElseThrow().description());
            assertEquals(8, s.item("CUP").orElseThrow().orderCount());

            CustomerHistory c1 = s.customer("c1").orElseThrow();
            assertEquals(3, c1.orderCount());
            assertEquals("CUP", c1.items().get(0).itemId());
            assertFalse(s.customer("").isPresent());
            assertEquals(7, s.customerCount(), "c1 (orders 1-3), order 4 anonymous, c5..c10 one order each");
            assertEquals("CUP", s.popularItems().get(0).itemId());
        }
    }

    /**
     * A customer's history counts what they bought (returns included: README "Returns and the recommenders") and
     * records what they sent back, netted as customer value nets it, so that a repeat explanation can say so: c1
     * bought 2 + 3 cups and returned 3 (the second order's), and returned the one saucer they bought.
     */
    @Test
    void historiesRecordTheUnitsEachCustomerReturned() throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add("c1,o1,2011-05-01,cup,2,1.50,TEA CUP");
        rows.add("c1,o1,2011-05-01,saucer,1,1.00,SAUCER");
        rows.add("c1,o2,2011-05-02,cup,3,1.50,TEA CUP");
        rows.add("c1,o3,2011-05-03,cup,-3,1.50,TEA CUP");
        rows.add("c1,o3,2011-05-03,saucer,-1,1.00,SAUCER");
        rows.add("c1,o4,2011-05-04,spoon,1,0.50,SPOON");
        for (int o = 5; o <= 12; o++) {
            rows.add("c" + o + ",o" + o + ",2011-05-" + String.format("%02d", o) + ",cup,1,1.50,TEA CUP");
            rows.add("c" + o + ",o" + o + ",2011-05-" + String.format("%02d", o) + ",spoon,1,0.50,SPOON");
        }
        Path input = write("returns.csv", rows);
        new TrainingPipeline(TrainingParameters.defaults(List.of(input)), RecommenderParameters.RULES, line -> { })
                .run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            Map<String, PurchasedItem> c1 = new HashMap<>();
            s.customer("c1").orElseThrow().items().forEach(p -> c1.put(p.itemId(), p));
            assertEquals(new PurchasedItem("CUP", 2, 5, LocalDate.of(2011, 5, 2), 3), c1.get("CUP"));
            assertEquals(new PurchasedItem("SAUCER", 1, 1, LocalDate.of(2011, 5, 1), 1), c1.get("SAUCER"));
            assertEquals(new PurchasedItem("SPOON", 1, 1, LocalDate.of(2011, 5, 4), 0), c1.get("SPOON"));
            assertEquals(new PurchasedItem("CUP", 1, 1, LocalDate.of(2011, 5, 5), 0),
                    s.customer("c5").orElseThrow().items().get(0));
        }
    }

    @Test
    void popularItemsRankByDistinctCustomersThenOrders() throws Exception {
        // BULK is in 8 anonymous orders and one customer's; MUG is bought by 5 customers once each; JUG by 5
        // customers, one of them twice (6 orders), so it ranks before MUG; PEN by 2 customers.
        List<String> rows = new ArrayList<>();
        for (int o = 1; o <= 8; o++) {
            rows.add(",a" + o + ",2011-05-01,bulk,50,0.40,BULK PACK");
        }
        rows.add("c1,o1,2011-05-01,bulk,1,0.40,BULK PACK");
        for (int c = 1; c <= 5; c++) {
            rows.add("c" + c + ",m" + c + ",2011-05-02,mug,1,2.00,MUG");
            rows.add("c" + c + ",j" + c + ",2011-05-03,jug,1,3.00,JUG");
        }
        rows.add("c1,j6,2011-05-04,jug,1,3.00,JUG");
        rows.add("c1,p1,2011-05-09,pen,1,1.00,PEN");
        rows.add("c2,p2,2011-05-10,pen,1,1.00,PEN");
        Path input = write("orders.csv", rows);
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        new TrainingPipeline(p, line -> { }).run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(List.of("JUG", "MUG", "PEN", "BULK"), s.popularItems().stream()
                    .map(PopularItem::itemId).toList());
            assertEquals(9, s.popularItems().get(3).orderCount(), "the most ordered item, bought by one customer");
        }
    }

    /** A number column with a few text values is said in the progress and recorded in the manifest. */
    @Test
    void aMostlyNumericTextAttributeIsWarnedAboutAndRecorded() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int o = 1; o <= 6; o++) {
            rows.add("c" + o + ",o" + o + ",2011-05-0" + o + ",cup,2,1.50,TEA CUP");
            rows.add("c" + o + ",o" + o + ",2011-05-0" + o + ",saucer,1,1.00,SAUCER");
        }
        Path input = write("orders.csv", rows);
        Path catalog = Files.writeString(dir.resolve("catalog.csv"), "item_id,weight_kg\ncup,0.2\nsaucer,0.3\n"
                + "spoon,approx. 0.1\n");
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(p, progress::add).catalogFile(catalog).run(dir.resolve("models"));
        assertTrue(progress.contains("catalog: WARNING: attribute weight_kg is indexed as text (2 of 3 values are "
                + "numbers, first text at " + catalog + ":4 ('approx. 0.1')): ranges on it compare text; correct "
                + "those values to filter it by number"), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals("2 of 3 values are numbers, first text at " + catalog + ":4 ('approx. 0.1')", s.manifest()
                    .sections().get("catalog").get("mostlyNumericTextAttributes").get("weight_kg").asText());
        }
    }

    @Test
    void catalogueOverridesDerivedFactsIndexesNeverBoughtItemsAndIsRecorded() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int o = 1; o <= 10; o++) {
            String day = "2011-05-" + String.format("%02d", o);
            rows.add("c" + o + ",o" + o + "," + day + ",cup,2,1.50,TEA CUP");
            if (o <= 6) {
                rows.add("c" + o + ",o" + o + "," + day + ",saucer,1,1.00,SAUCER");
            }
            if (o > 8) {
                rows.add("c" + o + ",o" + o + "," + day + ",spoon,1,0.50,SPOON");
            }
        }
        Path input = write("orders.csv", rows);
        // cup and saucer have rows, spoon has none, teapot was never bought.
        Path catalog = Path.of(TrainingPipelineTest.class.getResource("/catalog/tea-set.csv").toURI());
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        List<String> progress = new ArrayList<>();
        TrainingResult result = new TrainingPipeline(p, progress::add).catalogFile(catalog).run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            // Training reports the count the snapshot (manifest, /v1/model, serve) has: the never-bought teapot too.
            assertEquals(4, s.itemCount());
            assertEquals(s.itemCount(), result.items());
            assertEquals(1, result.neverBoughtItems());
            assertTrue(progress.stream().anyMatch(l -> l.contains("publish: snapshot " + s.version()
                    + " (4 items (1 of them catalogue items never bought), ")), progress.toString());
            assertEquals(8, s.manifest().formatVersion(), "format 8: consent may name profiling");
            ItemFacts cup = s.item("CUP").orElseThrow();
            assertEquals("Tea cup", cup.description());
            assertEquals("Kitchen", cup.category());
            assertEquals(1.60, cup.typicalPrice(), 1e-12, "the catalogue's price, not the 1.50 paid");
            assertEquals(0.70, cup.unitCost(), 1e-12);
            assertEquals(10, cup.orderCount());
            ItemFacts saucer = s.item("SAUCER").orElseThrow();
            assertEquals("SAUCER", saucer.description(), "no catalogue description: the derived one");
            assertEquals(0.40, saucer.unitCost(), 1e-12);
            ItemFacts spoon = s.item("SPOON").orElseThrow();
            assertFalse(spoon.hasCost());
            assertEquals(0.5, spoon.typicalPrice(), 1e-12);
            ItemFacts teapot = s.item("TEAPOT").orElseThrow();
            assertEquals(0, teapot.orderCount());
            assertEquals(12.0, teapot.typicalPrice(), 1e-12);
            assertFalse(s.popularItems().stream().anyMatch(i -> i.itemId().equals("TEAPOT")));

            com.fasterxml.jackson.databind.JsonNode section = s.manifest().sections().get("catalog");
            assertEquals(catalog.toAbsolutePath().toString(), section.get("path").asText());
            assertEquals(TrainingPipeline.sha256(catalog), section.get("sha256").asText());
            assertEquals(3, section.get("rowsUsed").asLong());
            assertEquals(0, section.get("rowsRejected").asLong());
            assertEquals(2, section.get("matchedBoughtItems").asLong());
            assertEquals(1, section.get("boughtItemsWithoutRow").asLong());
            assertEquals(1, section.get("catalogItemsNeverBought").asLong());
            assertEquals("[\"weight_kg\"]", section.get("numericAttributes").toString());
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("catalog: 3 rows read, 3 used, 0 rejected; 2 bought "
                    + "items matched, 1 bought items without a row")), progress.toString());
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("catalog: attributes ") && l.contains("brand")
                    && l.endsWith("numeric: weight_kg")), progress.toString());

            Path index = s.subdirectory(CatalogIndexWriter.DIRECTORY).orElseThrow();
            try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(index);
                 org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(d)) {
                org.apache.lucene.search.IndexSearcher searcher = new org.apache.lucene.search.IndexSearcher(reader);
                assertEquals(4, reader.numDocs(), "three bought items and the never-bought teapot");
                assertEquals(io.affinity.store.CatalogAnalysis.ASCII_FOLDING.id(), reader.getIndexCommit().getUserData()
                        .get(io.affinity.store.CatalogAnalysis.COMMIT_KEY), "folded, and the index says so");
                assertEquals(2, searcher.count(new org.apache.lucene.search.TermQuery(
                        new org.apache.lucene.index.Term("brand", "acme"))), "cup and teapot, case-folded");
                assertEquals(1, searcher.count(new org.apache.lucene.search.TermQuery(
                        new org.apache.lucene.index.Term("available", "false"))), "the teapot");
                assertEquals(2, searcher.count(new org.apache.lucene.search.TermQuery(
                        new org.apache.lucene.index.Term("family", "tea cups"))) + searcher.count(
                        new org.apache.lucene.search.TermQuery(new org.apache.lucene.index.Term("family", "teapots"))));
                assertEquals(2, searcher.count(org.apache.lucene.document.DoublePoint.newRangeQuery("weight_kg", 0.1, 0.5)),
                        "cup 0.2 and saucer 0.15");
            }
        }
    }

    @Test
    void onSmallDataNoRuleRestsOnASingleBasket() throws Exception {
        // 100 baskets: 98 with a pair of items seen nowhere else, 2 with the same pair X+Y. The default 0.005 is
        // a support count of 1, which would publish a rule for each of the 98 one-off pairs.
        List<String> rows = new ArrayList<>();
        for (int o = 0; o < 100; o++) {
            String day = "2011-05-" + String.format("%02d", 1 + o % 28);
            String[] pair = o < 2 ? new String[] {"X", "Y"} : new String[] {"P" + o + "A", "P" + o + "B"};
            for (String item : pair) {
                rows.add("c" + (o % 30) + ",o" + o + "," + day + "," + item + ",1,1.00," + item);
            }
        }
        Path input = write("one-offs.csv", rows);
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(input)), RecommenderParameters.RULES, progress::add)
                .run(dir.resolve("models"));
        assertTrue(progress.contains("mine: --min-support 0.005 of 100 baskets is a support count of 1; using 2, so "
                + "that no served rule rests on a single basket"), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertTrue(s.rulesWithAntecedentItem("P2A").isEmpty(), "a pair seen once is no rule");
            AssociationRule xy = s.rulesWithAntecedentItem("X").stream().findFirst().orElseThrow();
            assertEquals("Y", xy.consequent());
            assertEquals(2, xy.supportCount());
            var training = s.manifest().sections().get("training");
            assertEquals(2, training.get("minSupportCount").asLong());
            assertEquals(1, training.get("minSupportCountFromFraction").asLong());
        }
    }

    @Test
    void aSupportThatLeavesMostItemsWithoutRulesIsSaidWithALowerOneThatWorks() throws Exception {
        // A large catalogue whose items each sell a little: 800 items in 400 pairs, each pair bought together in
        // 12 of the 4,800 baskets. The default 0.005 is a support count of 24: no rule at all, which the counts
        // of the mine line alone leave for the reader to notice.
        List<String> rows = new ArrayList<>();
        for (int o = 0; o < 4800; o++) {
            int pair = o % 400;
            String day = "2011-05-" + String.format("%02d", 1 + o % 28);
            for (String item : new String[] {"A" + pair, "B" + pair}) {
                rows.add("c" + (o % 1000) + ",o" + o + "," + day + "," + item + ",1,1.00," + item);
            }
        }
        Path input = write("long-tail.csv", rows);
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(input)), RecommenderParameters.RULES, progress::add)
                .run(dir.resolve("models"));
        assertTrue(progress.contains("mine: WARNING: only 0 of 800 items (0.0%) have rules at a support count of 24: "
                + "bought-together answers an empty list for the others and basket cross-sell fills with popular "
                + "items; give a lower --min-support, e.g. 0.002 (a support count of 10; see README, \"Large "
                + "catalogues\")"), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(0, s.manifest().sections().get("training").get("itemsWithRules").asInt());
        }

        // the support it proposes finds every pair, and nothing is said
        TrainingParameters lower = new TrainingParameters(List.of(input), "auto", 0.002, 0.05, 1.0, 3, 100, 100, 0.01);
        List<String> again = new ArrayList<>();
        new TrainingPipeline(lower, RecommenderParameters.RULES, again::add).run(dir.resolve("models"));
        assertTrue(again.stream().noneMatch(l -> l.startsWith("mine: WARNING")), again.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(800, s.manifest().sections().get("training").get("itemsWithRules").asInt());
            assertEquals("B7", s.rulesWithAntecedentItem("A7").get(0).consequent());
        }
    }

    @Test
    void fewRulesWarningNeedsFewerThanOneItemInTwenty() {
        assertTrue(TrainingPipeline.fewRulesWarning(100_000, 500, 49, 1000).isPresent());
        assertFalse(TrainingPipeline.fewRulesWarning(100_000, 500, 50, 1000).isPresent());
        // a support count already at the suggestion: no lower support to propose
        assertTrue(TrainingPipeline.fewRulesWarning(1000, 10, 0, 1000).orElseThrow()
                .endsWith("; the items are rarely bought together at all"));
        assertEquals("0.000012", TrainingPipeline.suggestedMinSupport(832_714));
    }

    @Test
    void tooManyMalformedRowsStopTrainingAndPublishNothing() throws Exception {
        Random random = new Random(42);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean broken = random.nextDouble() < 0.05; // about 5% malformed, over the 1% budget
            rows.add("c" + (i % 7) + ",o" + (i / 3) + ",2011-05-01," + (broken ? "x,many" : "x,1") + ",1.0,X");
        }
        Path input = write("broken.csv", rows);
        Path models = dir.resolve("models");
        IngestException e = assertThrows(IngestException.class,
                () -> new TrainingPipeline(TrainingParameters.defaults(List.of(input)), line -> { }).run(models));
        assertTrue(e.getMessage().contains("broken.csv:"), e.getMessage());
        assertTrue(!Files.exists(models) || isEmptyOfVersions(models), "nothing may be published");
    }

    @Test
    void aBadCatalogueStopsTrainingNamingFileAndLineAndPublishesNothing() throws Exception {
        Path input = write("orders.csv", List.of("c1,o1,2011-05-01,cup,1,1.50,TEA CUP"));
        Path catalog = Files.writeString(dir.resolve("catalog.csv"), "item_id,price\ncup,1.60\nsaucer,-1\n");
        Path models = dir.resolve("models");
        IngestException e = assertThrows(IngestException.class, () -> new TrainingPipeline(
                TrainingParameters.defaults(List.of(input)), line -> { }).catalogFile(catalog).run(models));
        assertTrue(e.getMessage().contains(catalog + ":3: price must be a number >= 0, was '-1'"), e.getMessage());
        assertTrue(!Files.exists(models) || isEmptyOfVersions(models), "nothing may be published");
    }

    @Test
    void theCatalogueReportNamesTheFileAndItsRejectedRowsByLine() throws Exception {
        Path input = write("orders.csv", List.of("c1,o1,2011-05-01,cup,1,1.50,TEA CUP",
                "c2,o2,2011-05-02,cup,1,1.50,TEA CUP", "c2,o2,2011-05-02,saucer,1,1.00,SAUCER"));
        Path catalog = Files.writeString(dir.resolve("catalog.csv"),
                "item_id,price,cost\ncup,1.60,2.00\nsaucer,abc,0.40\nteapot,12.00,5.00\n");
        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.5);
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(p, RecommenderParameters.DEFAULTS, progress::add).catalogFile(catalog)
                .run(dir.resolve("models"));
        assertTrue(progress.contains("catalog: file " + catalog.toAbsolutePath() + ", " + Files.size(catalog)
                + " bytes, SHA-256 " + TrainingPipeline.sha256(catalog)), progress.toString());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("catalog: rejected " + catalog + ":3: ")
                && l.contains("price")), progress.toString());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("catalog: warning " + catalog + ":2: cost 2.0 above "
                + "price 1.6")), progress.toString());
    }

    private static boolean isEmptyOfVersions(Path models) throws IOException {
        try (Stream<Path> files = Files.list(models)) {
            return files.noneMatch(p -> !p.getFileName().toString().startsWith(".tmp-"));
        }
    }

    private Path write(String name, List<String> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows);
        return Files.write(dir.resolve(name), lines);
    }
}
