package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.api.AffinityServer;
import io.affinity.api.ApiConfig;
import io.affinity.api.ModelSource;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.OpenApiDocument;
import io.affinity.training.RecommenderParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import io.affinity.training.TrainingResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quickstart, in-process: train on the bundled sample, publish, open the snapshot, serve it on a
 * free port, and ask every endpoint over HTTP.
 */
@IntegrationTest
class EndToEndTest {
    static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path models;
    private static TrainingResult trained;
    private static Snapshot snapshot;
    private static AffinityServer server;
    private static io.affinity.api.ServedModel served;

    @BeforeAll
    static void trainAndServe() throws Exception {
        assertTrue(Files.exists(SAMPLE), "bundled sample missing: " + SAMPLE.toAbsolutePath());
        List<String> progress = new ArrayList<>();
        // The blend with the reduced grid (blend weights tuned, first hyper-parameter setting per model): the full
        // grid fits dense EASE twice more and would add about a minute to the build.
        trained = new TrainingPipeline(TrainingParameters.defaults(List.of(SAMPLE)),
                new RecommenderParameters("blend", 50, 90, 2, true), progress::add).run(models);
        assertTrue(progress.get(0).startsWith("ingest:") && progress.get(1).startsWith("mine:")
                && progress.get(progress.size() - 1).startsWith("publish:"), progress.toString());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("serve ")), progress.toString());
        snapshot = ModelStore.open(models).openCurrent();
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                ModelSource.fixed(served = ServedModels.of(snapshot))).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (served != null && served.catalog() != null) {
            try {
                served.catalog().close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (snapshot != null) {
            snapshot.close();
        }
    }

    @Test
    void everyRowOfTheSampleIsAccountedFor() {
        var report = trained.ingest();
        assertEquals(73_904, report.rowsRead());
        long rejected = report.rowsRead() - report.rowsAccepted();
        assertTrue(rejected > 0, "the raw sample has cancellations and postage rows");
        // Of its 1,554 cancellation rows (all still rejected as such), 1,180 are customers' returns of products
        // (the rest are guests', postage and fee refunds): 902 take something off earlier purchases of the item,
        // 278 match none (mostly goods bought before the sample's first day, 2011-05-06). 310 purchase lines and
        // 26 whole orders were returned; customer value counts what was kept.
        assertEquals(1_554, report.rejectedCount(io.affinity.training.ingest.RejectReason.CANCELLATION));
        assertEquals(new io.affinity.training.ingest.IngestReport.Returns(902, 278, 310, 26), report.returns());
        assertTrue(trained.rules() > 100, "rules: " + trained.rules());
        assertEquals(trained.version(), snapshot.version());
        assertEquals(trained.rules(), snapshot.ruleCount());
    }

    @Test
    void aRegencyTeacupBringsTheOtherColoursOfTheSet() throws Exception {
        JsonNode body = get("/v1/items/22697/bought-together?limit=5");
        List<String> descriptions = new ArrayList<>();
        body.get("items").forEach(i -> descriptions.add(i.get("description").asText()));
        assertTrue(descriptions.stream().limit(3).allMatch(d -> d.contains("REGENCY")), descriptions.toString());
        assertTrue(descriptions.contains("PINK REGENCY TEACUP AND SAUCER")
                || descriptions.contains("ROSES REGENCY TEACUP AND SAUCER"), descriptions.toString());
        JsonNode rule = body.at("/items/0/explanation/rule");
        assertEquals("22697", rule.at("/antecedent/0").asText());
        assertTrue(rule.get("lift").asDouble() > 1);
    }

    @Test
    void basketCrossSellExcludesTheBasketAndExplainsItself() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri("/v1/baskets/recommendations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"22697\",\"22698\"],\"limit\":10}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertFalse(body.get("items").isEmpty());
        for (JsonNode item : body.get("items")) {
            assertFalse(List.of("22697", "22698").contains(item.get("itemId").asText()));
            assertEquals("rules", item.get("source").asText());
            assertTrue(item.at("/explanation/rule/confidence").asDouble() > 0);
        }
        assertEquals(snapshot.version(), body.get("modelVersion").asText());
    }

    @Test
    void knownCustomersGetPersonalItemsAndStrangersTheFallback() throws Exception {
        String customer = firstCustomerWithRules();
        JsonNode known = get("/v1/customers/" + customer + "/recommendations?limit=20");
        assertFalse(known.get("fallback").asBoolean());
        List<String> sources = new ArrayList<>();
        known.get("items").forEach(i -> sources.add(i.get("source").asText()));
        int firstRepeat = sources.indexOf("repeat");
        assertTrue(firstRepeat >= 0 && sources.lastIndexOf("model") < firstRepeat, sources.toString());
        assertTrue(sources.stream().allMatch(x -> x.equals("model") || x.equals("repeat")), sources.toString());
        // Served from the precomputed list: the model's best 20 by score, labelled with the served model.
        var precomputed = snapshot.precomputed(customer).orElseThrow();
        String servedName = snapshot.manifest().sections().get("servedModel").get("name").asText();
        assertEquals(servedName, precomputed.model());
        java.util.Set<String> expected = new java.util.HashSet<>();
        precomputed.items().subList(0, 20).forEach(p -> expected.add(p.itemId()));
        java.util.Set<String> actual = new java.util.HashSet<>();
        for (JsonNode item : known.get("items")) {
            actual.add(item.get("itemId").asText());
            assertEquals(servedName, item.at("/explanation/model/name").asText(), item.toString());
            assertEquals(item.get("source").asText().equals("repeat") ? "repeat" : "new",
                    item.at("/explanation/model/kind").asText(), item.toString());
            assertFalse(item.get("description").asText().isEmpty(), item.toString());
        }
        assertEquals(expected, actual);
        JsonNode stranger = get("/v1/customers/no-such-customer/recommendations");
        assertTrue(stranger.get("fallback").asBoolean());
        assertEquals("popular", stranger.at("/items/0/source").asText());
    }

    @Test
    void catalogueSearchAndFiltersWorkOnTheSample() throws Exception {
        assertTrue(snapshot.subdirectory("catalog").isPresent(), "training wrote the catalogue index");
        JsonNode hits = get("/v1/items?q=teacup&limit=10");
        List<String> ids = new ArrayList<>();
        hits.get("items").forEach(i -> ids.add(i.get("itemId").asText()));
        assertTrue(ids.containsAll(List.of("22697", "22698", "22699")), ids.toString());
        hits.get("items").forEach(i -> assertTrue(i.get("description").asText().contains("TEACUP"), i.toString()));

        String filter = java.net.URLEncoder.encode("price:[0 TO 2] AND -category:saucer", java.nio.charset.StandardCharsets.UTF_8);
        JsonNode filtered = get("/v1/items/22697/bought-together?limit=10&filter=" + filter);
        assertFalse(filtered.get("items").isEmpty(), "the sample has cheap non-saucer companions of the teacup");
        for (JsonNode item : filtered.get("items")) {
            String id = item.get("itemId").asText();
            assertTrue(snapshot.item(id).orElseThrow().typicalPrice() <= 2, id);
            assertFalse(item.get("description").asText().endsWith("SAUCER"), item.toString());
        }
        JsonNode capped = get("/v1/customers/12748/recommendations?limit=10&maxPerCategory=1");
        java.util.Set<String> categories = new java.util.HashSet<>();
        for (JsonNode item : capped.get("items")) {
            String category = io.affinity.training.CatalogIndexWriter.categoryOf(item.get("description").asText());
            assertTrue(categories.add(category), "second item of category " + category + ": " + capped);
        }
    }

    @Test
    void upsellOffersObservedTradeUpsFirstThenTheHeuristic() throws Exception {
        // The white hanging heart T-light holder (median price 2.95) is a "holder"; pricier holders are in the sample.
        JsonNode body = get("/v1/items/85123A/upsell?limit=10");
        assertFalse(body.get("offers").isEmpty(), body.toString());
        boolean fallback = false;
        for (JsonNode offer : body.get("offers")) {
            double price = snapshot.item(offer.get("itemId").asText()).orElseThrow().typicalPrice();
            assertTrue(offer.get("source").asText().equals("trade_up") ? price >= 2.95 * 1.1 : price > 2.95,
                    offer.toString());
            String why = offer.get("explanation").asText();
            if (offer.get("source").asText().equals("trade_up")) {
                assertFalse(fallback, "observed trade-ups come before the fallback: " + body);
                assertTrue(why.matches("\\d+ of \\d+ customers who bought WHITE HANGING HEART T-LIGHT HOLDER \\(85123A\\) "
                        + "later moved up to .*"), why);
            } else {
                fallback = true;
                assertTrue(why.startsWith("heuristic fallback (no observed trade-up): same "), why);
            }
        }
        // The snapshot's trade-ups are what was served: every stored target is pricier and its counts consistent.
        assertFalse(snapshot.tradeUps("85123A").isEmpty());
        for (io.affinity.recommender.TradeUp t : snapshot.tradeUps("85123A")) {
            assertTrue(snapshot.item(t.toItemId()).orElseThrow().typicalPrice() >= 2.95 * 1.1, t.toString());
            assertTrue(t.movers() >= 3 && t.movers() <= t.buyers(), t.toString());
        }
    }

    /**
     * Upsell answers a shop page (the {@code recommendations} scope), and its explanation may be shown to the shopper.
     * With a customer it said whose moves it counted, "(segment: platinum tier)" or "(segment: high price
     * sensitivity)": the customer's own tier or band, which only the {@code profiles} scope gives otherwise (and the
     * answer named their relationship strategy, e.g. "harvest", in a field of its own). On the
     * trained sample, for customers of every tier and band asking about items whose trade-ups were counted for their
     * segment, the evidence is still the segment's (its counts) and no explanation names a tier or band.
     */
    @Test
    void upsellExplanationsNameNoTierOrPriceBandOfTheCustomer() throws Exception {
        java.util.Map<String, String> customerOfSegment = new java.util.HashMap<>();
        snapshot.forEachProfile((id, p) -> {
            customerOfSegment.putIfAbsent(io.affinity.recommender.TradeUp.tierSegment(p.tier()), id);
            customerOfSegment.putIfAbsent(io.affinity.recommender.TradeUp.priceSegment(p.priceSensitivity()), id);
        });
        int segmentEvidence = 0;
        int asked = 0;
        for (io.affinity.recommender.PopularItem popular : snapshot.popularItems()) {
            String item = popular.itemId();
            for (io.affinity.recommender.TradeUp t : snapshot.tradeUps(item)) {
                String customer = customerOfSegment.get(t.segment());
                if (t.segment().equals(io.affinity.recommender.TradeUp.ALL) || customer == null || asked >= 40) {
                    continue;
                }
                asked++;
                io.affinity.recommender.CustomerProfile p = snapshot.profile(customer).orElseThrow();
                JsonNode body = get("/v1/items/" + item + "/upsell?limit=20&customerId=" + customer);
                // nor does the answer carry the customer's strategy (harvest, end, ...), which upsell does not use
                assertFalse(body.has("strategy"), body.toString());
                for (JsonNode offer : body.get("offers")) {
                    // the sample's descriptions are upper case: lower-case words are Affinity's own
                    String why = offer.get("explanation").asText();
                    assertFalse(why.contains("segment") || why.contains("tier") || why.contains("sensitiv")
                            || why.contains(p.tier().name().toLowerCase(java.util.Locale.ROOT)), why);
                    if (offer.get("itemId").asText().equals(t.toItemId()) && why.startsWith(t.movers() + " of "
                            + t.buyers() + " customers who bought") && why.contains("(similar customers)")) {
                        segmentEvidence++;
                    }
                }
            }
        }
        assertTrue(asked >= 5, "the sample's trade-ups counted for tiers and bands: " + asked);
        assertTrue(segmentEvidence > 0, "some offers rest on their segment's counts, said as similar customers");
    }

    @Test
    void rulesAndModelEndpoints() throws Exception {
        JsonNode rules = get("/v1/rules?item=22697&sort=lift&limit=3");
        assertTrue(rules.get("rules").size() > 0);
        double previous = Double.MAX_VALUE;
        for (JsonNode rule : rules.get("rules")) {
            assertTrue(rule.get("lift").asDouble() <= previous);
            previous = rule.get("lift").asDouble();
        }
        JsonNode model = get("/v1/model");
        assertEquals(snapshot.version(), model.get("version").asText());
        // A profile says the day it is as of (training's calibration end: the sample's last day), since recency and
        // P(alive) do not age while it is served.
        JsonNode profile = get("/v1/customers/" + firstCustomerWithRules() + "/profile");
        assertEquals("2011-06-30", profile.get("asOf").asText());
        assertEquals(snapshot.manifest().sections().get("customerModels").get("calibrationEnd").asText(),
                profile.get("asOf").asText());
        assertEquals(73_904, model.at("/ingest/rowsRead").asLong());
        // Returns netted against purchases (customer value is net of them) are totals a dashboard wants too.
        JsonNode returns = snapshot.manifest().sections().get("ingestReport").get("returns");
        assertTrue(returns.get("netted").asLong() > 0, returns.toString());
        for (String field : List.of("netted", "unmatched", "linesReturnedInFull", "ordersReturnedInFull")) {
            assertEquals(returns.get(field).asLong(), model.at("/ingest/returns/" + field).asLong(), field);
        }
        // Which model answers customers, and why: the manifest section's figures, without its bulky parts.
        JsonNode servedModel = snapshot.manifest().sections().get("servedModel");
        assertEquals(servedModel.get("name").asText(), model.at("/servedModel/name").asText());
        assertEquals(servedModel.get("selectedBy").asText(), model.at("/servedModel/selectedBy").asText());
        assertEquals(servedModel.get("validationNdcg@10").asDouble(),
                model.at("/servedModel/validationNdcg@10").asDouble(), 0);
        assertTrue(model.at("/servedModel/reranker").isMissingNode(), "nested settings stay in the manifest");
        assertEquals("ok", get("/health").get("status").asText());
    }

    @Test
    void cliRulesVerbReadsThePublishedSnapshotAndPrintsWhatTheApiGives() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = AffinityCli.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "rules",
                "--models", models.toString(), "--item", "22697", "--limit", "3");
        assertEquals(0, code, err.toString());
        java.util.List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(0).contains("baskets"), lines.get(0));
        JsonNode best = get("/v1/rules?item=22697&sort=lift&limit=1").at("/rules/0");
        // The first rule's line: antecedent, consequent, then the support count as the API gives it.
        String[] columns = lines.get(1).trim().split("\\s+");
        assertEquals(best.get("consequent").asText(), columns[columns.length - 7], lines.get(1));
        assertEquals(best.get("supportCount").asText(), columns[columns.length - 6], lines.get(1));
        assertEquals(1, AffinityCli.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "rules",
                "--models", models.toString(), "--min-confidence", "1.5"));
        assertTrue(err.toString().contains("affinity rules: error: --min-confidence must be in [0, 1], was 1.5"),
                err.toString());
    }

    @Test
    void cliRulesAsCsvAreEveryMatchingRuleAtFullPrecisionWithDescriptions() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = AffinityCli.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "rules",
                "--models", models.toString(), "--item", "22697", "--limit", "0", "--format", "csv");
        assertEquals(0, code, err.toString());
        List<de.siegmar.fastcsv.reader.CsvRecord> records;
        try (de.siegmar.fastcsv.reader.CsvReader<de.siegmar.fastcsv.reader.CsvRecord> reader =
                     de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(out.toString())) {
            records = reader.stream().toList();
        }
        assertEquals(RulesCsv.HEADER, records.get(0).getFields());
        // The API's answer for the same query, all of it: the CSV must be exactly these rules in this order.
        com.fasterxml.jackson.databind.node.ArrayNode rules = JSON.createArrayNode();
        long matched;
        do { // pages of the API's largest limit
            JsonNode page = get("/v1/rules?item=22697&sort=lift&limit=100&offset=" + rules.size());
            matched = page.get("matched").asLong();
            rules.addAll((com.fasterxml.jackson.databind.node.ArrayNode) page.get("rules"));
        } while (rules.size() < matched);
        assertTrue(rules.size() > 100, "more rules than the default limit and an API page: --limit 0 lifts it");
        assertEquals(rules.size(), records.size() - 1);
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            List<String> row = records.get(i + 1).getFields();
            List<String> antecedent = new ArrayList<>();
            rule.get("antecedent").forEach(a -> antecedent.add(a.asText()));
            assertEquals(String.join(" + ", antecedent), row.get(0));
            assertEquals(String.join(" + ", antecedent.stream()
                    .map(id -> snapshot.item(id).orElseThrow().description()).toList()), row.get(1));
            assertEquals(rule.get("consequent").asText(), row.get(2));
            assertEquals(snapshot.item(row.get(2)).orElseThrow().description(), row.get(3));
            assertEquals(rule.get("supportCount").asLong(), Long.parseLong(row.get(4)));
            String[] measures = {"support", "confidence", "lift", "leverage", "conviction"};
            for (int m = 0; m < measures.length; m++) {
                String cell = row.get(5 + m);
                assertFalse(cell.contains("E"), cell); // plain decimals, as a spreadsheet shows them
                JsonNode value = rule.get(measures[m]);
                if (value.isNull()) { // infinite conviction
                    assertEquals("inf", cell);
                } else {
                    assertEquals(value.asDouble(), Double.parseDouble(cell), 0, measures[m] + " of rule " + i);
                }
            }
        }
        assertEquals("matched=" + rules.size() + " shown=" + rules.size() + " model=" + snapshot.version(),
                err.toString().strip(), "the counts go to stderr, out of the CSV");
        assertEquals(1, AffinityCli.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "rules",
                "--models", models.toString(), "--format", "xml"));
        assertTrue(err.toString().contains("--format must be table or csv, was 'xml'"), err.toString());
    }

    @Test
    void cliTrainOnAMissingFileFailsClearly() {
        int code = AffinityCli.run("train", "--input", models.resolve("nope.csv").toString(),
                "--models", models.resolve("other").toString());
        assertEquals(1, code);
    }

    /**
     * What an integrator's generated client reads, on a model trained from real data rather than a fixture: the
     * served summary (built by {@link ServedModels}, with the ingest totals, the served model's figures, the tier
     * basis), a few hundred customers' recommendations, profiles and offers, every popular item's bought-together,
     * upsell and catalogue entry, rule pages and searches: each answer fits the OpenAPI document's schema for it.
     */
    @Test
    void everyAnswerOfTheTrainedSampleIsOneTheOpenApiDocumentDescribes() throws Exception {
        OpenApiDocument doc = new OpenApiDocument(get("/openapi.json"));
        List<String> customers = new ArrayList<>();
        snapshot.forEachProfile((id, p) -> {
            if (customers.size() < 300) {
                customers.add(id);
            }
        });
        customers.add("not-a-customer");
        List<String> problems = new ArrayList<>();
        int answers = 0;
        answers += check(doc, "/v1/model", "/v1/model", problems);
        for (String c : customers) {
            String id = java.net.URLEncoder.encode(c, java.nio.charset.StandardCharsets.UTF_8);
            answers += check(doc, "/v1/customers/{customerId}/recommendations", "/v1/customers/" + id
                    + "/recommendations?limit=20", problems);
            answers += check(doc, "/v1/customers/{customerId}/next-best-offers", "/v1/customers/" + id
                    + "/next-best-offers?limit=10", problems);
            answers += check(doc, "/v1/customers/{customerId}/profile", "/v1/customers/" + id + "/profile",
                    c.equals("not-a-customer") ? 404 : 200, problems);
        }
        JsonNode hits = get("/v1/items?q=" + java.net.URLEncoder.encode("orders:[40 TO *]",
                java.nio.charset.StandardCharsets.UTF_8) + "&limit=100");
        answers += check(doc, "/v1/items", "/v1/items?q=lantern&limit=50", problems);
        for (JsonNode hit : hits.get("items")) {
            String item = java.net.URLEncoder.encode(hit.get("itemId").asText(), java.nio.charset.StandardCharsets.UTF_8);
            answers += check(doc, "/v1/items/{itemId}/bought-together", "/v1/items/" + item
                    + "/bought-together?limit=20", problems);
            answers += check(doc, "/v1/items/{itemId}/upsell", "/v1/items/" + item + "/upsell?limit=5", problems);
            answers += check(doc, "/v1/items/{itemId}", "/v1/items/" + item, problems);
            answers += check(doc, "/v1/rules", "/v1/rules?item=" + item + "&sort=conviction&limit=100", problems);
        }
        assertEquals(List.of(), problems);
        assertTrue(answers > 1_000, "answers checked: " + answers);
    }

    private static int check(OpenApiDocument doc, String template, String path, List<String> problems)
            throws Exception {
        return check(doc, template, path, 200, problems);
    }

    /** Adds the problems of one GET's answer (which must have {@code status}); returns 1. */
    private static int check(OpenApiDocument doc, String template, String path, int status, List<String> problems)
            throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        for (String p : doc.answerProblems("GET", template, status, r.headers().map(), r.body(),
                List.of("ETag", "Retry-After"))) {
            problems.add(path + ": " + p);
        }
        return 1;
    }

    /** A frequent buyer of the sample period (531 lines in May-June 2011). */
    private static String firstCustomerWithRules() {
        assertTrue(snapshot.customer("12748").isPresent());
        return "12748";
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
