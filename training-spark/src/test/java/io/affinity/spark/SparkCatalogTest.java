package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.TradeUp;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.RecommenderParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-train --catalog} against {@code affinity train --catalog} on the same files (Windows-1252, as
 * both read the catalogue in the exports' encoding): the published items (catalogue values over derived facts,
 * the never-bought item), the {@code catalog} section, the catalogue index (every stored document and searches
 * over the catalogue's attributes), margin-based profiles from catalogue costs, and trade-ups that exist only
 * through the catalogue's category must be the same.
 */
@IntegrationTest
class SparkCatalogTest {
    private static final Charset CP1252 = Charset.forName("windows-1252");
    private static final int CUSTOMERS = 120;
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description";
    /**
     * CUP and MUG are of different families and derived categories ("cup", "mug"): only the catalogue's
     * "Drinkware" makes CUP to MUG a trade-up. TEAPOT's accented description comes from the catalogue; SPOON has
     * no row (derived facts kept); KETTLE was never bought. CUP's price (1.60) overrides the 1.50 paid.
     */
    private static final String CATALOG = """
            item_id,description,category,family,price,cost,available,brand,weight_kg
            CUP,Tea cup,Drinkware,tea cups,1.60,0.70,true,Acme,0.2
            MUG,Mug,Drinkware,,2.40,1.00,yes,Bolt,0.35
            SAUCER,,Kitchen,,1.10,0.40,yes,Bolt,0.15
            TEAPOT,Théière en porcelaine,Kitchen,teapots,12.00,5.00,false,Acme,1.1
            KETTLE,Bouilloire,Kitchen,,25.00,,true,Bolt,1.5
            """;

    @TempDir
    static Path dir;
    private static Snapshot single;
    private static Snapshot spark;
    private static String sparkOut;

    /**
     * 120 customers who buy as the value models assume (seeded): each at a rate of their own from a first day in
     * the first 200 of 360 days, each purchase possibly their last; each with a basket size of their own; one or
     * two random items an order. Every fourth customer with two orders or more buys a cup in their first order
     * and a mug, which nobody else buys, in their last.
     */
    private static List<String> orders() {
        Random random = new Random(2);
        String[][] items = {{"CUP", "1.50", "TEA CUP"}, {"SAUCER", "1.00", "SAUCER"}, {"TEAPOT", "11.00", "TEAPOT"},
                {"SPOON", "0.50", "SPOON"}, {"MUG", "2.50", "MUG"}};
        List<String> rows = new ArrayList<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            List<Integer> days = new ArrayList<>();
            double rate = 0.01 + 0.1 * Math.pow(random.nextDouble(), 2);
            double drop = 0.1 + 0.4 * random.nextDouble();
            int scale = 1 + random.nextInt(8);
            for (int day = random.nextInt(200); day < 360;
                 day += 1 + (int) (-Math.log(1 - random.nextDouble()) / rate)) {
                days.add(day);
                if (random.nextDouble() < drop) {
                    break;
                }
            }
            int orders = days.size();
            for (int o = 0; o < orders; o++) {
                String date = LocalDate.of(2011, 1, 1).plusDays(days.get(o)).toString();
                boolean[] in = new boolean[items.length];
                in[random.nextInt(items.length - 1)] = true;
                in[random.nextInt(items.length - 1)] |= random.nextBoolean();
                boolean pattern = c % 4 == 0 && orders >= 2;
                in[0] |= pattern && o == 0;
                in[4] = pattern && o == orders - 1;
                for (int i = 0; i < items.length; i++) {
                    if (in[i]) {
                        double price = Double.parseDouble(items[i][1]) * (random.nextInt(10) == 0 ? 0.9 : 1.0);
                        rows.add("c" + c + ",o" + c + "-" + o + "," + date + "," + items[i][0] + ","
                                + scale * (1 + random.nextInt(3)) + "," + price + "," + items[i][2]);
                    }
                }
            }
        }
        rows.addAll(returns(rows));
        return rows;
    }

    /**
     * Returns, netted for customer value by both trainers alike: every fifth customer (from c1) sends back all of
     * their first line three days later (for some, all they bought), every fifth from c2 one unit of their last
     * line the next day, and c3 a kettle nobody bought (it matches nothing).
     */
    private static List<String> returns(List<String> rows) {
        List<String> back = new ArrayList<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            String prefix = "c" + c + ",";
            List<String> mine = rows.stream().filter(r -> r.startsWith(prefix)).toList();
            if (mine.isEmpty() || c % 5 != 1 && c % 5 != 2) {
                continue;
            }
            String[] f = (c % 5 == 1 ? mine.get(0) : mine.get(mine.size() - 1)).split(",");
            String day = LocalDate.parse(f[2]).plusDays(c % 5 == 1 ? 3 : 1).toString();
            String quantity = c % 5 == 1 ? "-" + f[4] : "-1";
            back.add(String.join(",", f[0], "r" + c, day, f[3], quantity, f[5], f[6]));
        }
        back.add("c3,r3-kettle,2011-06-01,KETTLE,-1,25.0,KETTLE");
        return back;
    }

    @BeforeAll
    static void trainBoth() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(orders());
        Path input = Files.write(dir.resolve("orders.csv"), lines, CP1252);
        Path catalog = Files.writeString(dir.resolve("catalog.csv"), CATALOG, CP1252);

        TrainingParameters p = new TrainingParameters(List.of(input), "generic", 0.2, 0.1, 1.0, 3, 100, 10, 0.01);
        new TrainingPipeline(p, RecommenderParameters.RULES, line -> { })
                .catalogFile(catalog).encoding(CP1252).run(dir.resolve("single"));
        single = ModelStore.open(dir.resolve("single")).openCurrent();

        LocalSpark.get();
        SparkTrainTest.Run r = SparkTrainTest.run("--input", input.toString(), "--models",
                dir.resolve("spark").toString(), "--format", "generic", "--encoding", "windows-1252",
                "--catalog", catalog.toString(), "--min-support", "0.2", "--top-n", "0");
        assertEquals(0, r.exit(), r.err());
        sparkOut = r.out();
        spark = ModelStore.open(dir.resolve("spark")).openCurrent();
    }

    @AfterAll
    static void close() {
        for (Snapshot s : new Snapshot[] {single, spark}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void itemsAreTheCataloguesOverTheDerivedOnesAsInTrain() {
        assertEquals(6, single.itemCount(), "five bought items and the never-bought kettle");
        assertEquals(single.itemCount(), spark.itemCount());
        for (String id : List.of("CUP", "MUG", "SAUCER", "TEAPOT", "SPOON", "KETTLE")) {
            ItemFacts expected = single.item(id).orElseThrow();
            assertEquals(expected, spark.item(id).orElseThrow(), id);
        }
        assertEquals(1.60, spark.item("CUP").orElseThrow().typicalPrice(), 0, "the catalogue's price");
        assertEquals("Théière en porcelaine", spark.item("TEAPOT").orElseThrow().description(),
                "read in the exports' encoding");
        assertEquals(0, spark.item("KETTLE").orElseThrow().orderCount());
        assertEquals(single.popularItems(), spark.popularItems());
        assertTrue(sparkOut.contains("items (1 of them catalogue items never bought)"), sparkOut);
        assertTrue(sparkOut.contains("catalog: 5 rows read, 5 used, 0 rejected; 4 bought items matched, 1 bought "
                + "items without a row"), sparkOut);
    }

    @Test
    void theCatalogSectionIsTrainsAndNothingIsLeftOut() {
        JsonNode expected = single.manifest().sections().get("catalog");
        assertEquals(expected, spark.manifest().sections().get("catalog"));
        assertEquals(1, expected.get("catalogItemsNeverBought").asLong());
        // consent is the job's (a section of its own when given): nothing train computes is missing
        assertNull(spark.manifest().sections().get("training").get("notComputed"));
    }

    @Test
    void theCatalogueIndexHoldsTheSameDocumentsAndAnswersTheSame() throws Exception {
        Path a = single.subdirectory(CatalogIndexWriter.DIRECTORY).orElseThrow();
        Path b = spark.subdirectory(CatalogIndexWriter.DIRECTORY).orElseThrow();
        try (Directory da = FSDirectory.open(a); DirectoryReader ra = DirectoryReader.open(da);
             Directory db = FSDirectory.open(b); DirectoryReader rb = DirectoryReader.open(db)) {
            assertEquals(ra.getIndexCommit().getUserData(), rb.getIndexCommit().getUserData());
            Map<String, String> docs = documents(ra);
            assertEquals(6, docs.size());
            assertEquals(docs, documents(rb), "every stored field of every item");
            List<Query> queries = List.of(new TermQuery(new Term("brand", "acme")),
                    new TermQuery(new Term("category", "drinkware")), new TermQuery(new Term("available", "false")),
                    new TermQuery(new Term("family", "teapots")), new TermQuery(new Term("description", "theiere")),
                    DoublePoint.newRangeQuery("weight_kg", 0.1, 0.5), DoublePoint.newRangeQuery("price", 2.0, 30.0));
            for (Query q : queries) {
                List<String> found = search(ra, q);
                assertFalse(found.isEmpty(), q.toString());
                assertEquals(found, search(rb, q), q.toString());
            }
        }
    }

    @Test
    void profilesRankByCatalogueMarginAsInTrain() {
        JsonNode expected = ((ObjectNode) single.manifest().sections().get("customerModels").deepCopy())
                .without("consentCustomers");
        assertTrue(expected.get("tiers").get("basis").asText().startsWith("predicted margin"), expected.toString());
        assertEquals(expected, spark.manifest().sections().get("customerModels"));
        // a c1-like customer whose one order had one line sent it all back: no purchase day left, no profile in
        // either trainer, counted alike (the section above)
        int returnedEverything = expected.get("customersReturnedEverything").asInt();
        assertTrue(returnedEverything > 0, expected.toString());
        assertEquals(CUSTOMERS - returnedEverything, expected.get("profiles").asInt());
        // the returns were netted (both say so alike)
        JsonNode returns = single.manifest().sections().get("ingestReport").get("returns");
        assertTrue(returns.get("netted").asLong() > 30 && returns.get("unmatched").asLong() == 1, returns.toString());
        assertEquals(returns, spark.manifest().sections().get("ingestReport").get("returns"));
        int profiled = 0;
        for (int c = 0; c < CUSTOMERS; c++) {
            profiled += single.profile("c" + c).isPresent() ? 1 : 0;
            assertEquals(single.profile("c" + c), spark.profile("c" + c), "c" + c);
        }
        assertEquals(CUSTOMERS - returnedEverything, profiled);
    }

    @Test
    void tradeUpsSeeTheCataloguesCategoriesAndPrices() {
        for (String id : List.of("CUP", "MUG", "SAUCER", "TEAPOT", "SPOON", "KETTLE")) {
            assertEquals(single.tradeUps(id), spark.tradeUps(id), id);
        }
        TradeUp mug = spark.tradeUps("CUP").get(0);
        assertEquals("MUG", mug.toItemId());
        assertFalse(mug.sameFamily(), "a move within the catalogue's category only");
        assertEquals(single.manifest().sections().get("upsell"), spark.manifest().sections().get("upsell"));
    }

    /** Each document's stored fields, by item id. */
    private static Map<String, String> documents(DirectoryReader reader) throws Exception {
        Map<String, String> m = new TreeMap<>();
        IndexSearcher searcher = new IndexSearcher(reader);
        for (ScoreDoc d : searcher.search(new MatchAllDocsQuery(), 100).scoreDocs) {
            List<String> fields = new ArrayList<>();
            for (IndexableField f : searcher.storedFields().document(d.doc)) {
                fields.add(f.name() + "=" + (f.numericValue() != null ? f.numericValue() : f.stringValue()));
            }
            fields.sort(null);
            m.put(searcher.storedFields().document(d.doc).get("id"), String.join(", ", fields));
        }
        return m;
    }

    private static List<String> search(DirectoryReader reader, Query q) throws Exception {
        IndexSearcher searcher = new IndexSearcher(reader);
        List<String> ids = new ArrayList<>();
        for (ScoreDoc d : searcher.search(q, 100).scoreDocs) {
            ids.add(searcher.storedFields().document(d.doc).get("id"));
        }
        ids.sort(null);
        return ids;
    }
}
