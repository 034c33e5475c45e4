package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the real server on port 0 and talks HTTP to it. */
@IntegrationTest
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static AffinityServer server;

    @BeforeAll
    static void start() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("test-v1")
                .item(item("22697", "GREEN REGENCY TEACUP AND SAUCER"))
                .item(item("22698", "PINK REGENCY TEACUP AND SAUCER"))
                .item(item("22699", "ROSES REGENCY TEACUP AND SAUCER"))
                .item(item("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"))
                .rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2))
                .rule(new AssociationRule(List.of("22697"), "22699", 280, 0.028, 0.65, 18, 0.02, 2.8))
                .rule(new AssociationRule(List.of("22698"), "22697", 300, 0.03, 1.0, 20, 0.02,
                        Double.POSITIVE_INFINITY))
                .customer("17850", new CustomerHistory(3, List.of(new PurchasedItem("22697", 2, 12, day)), 1))
                .popular(new PopularItem("85123A", 2000, 800))
                .popular(new PopularItem("22697", 900, 400))
                .build();
        ServedModel served = new ServedModel(model, new Recommender(model, RecommenderSettings.DEFAULTS),
                Map.of("version", "test-v1"));
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served)).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void basketRecommendationsExplainTheRuleAndExcludeTheBasket() throws Exception {
        HttpResponse<String> r = post("/v1/baskets/recommendations", "application/json",
                "{\"items\":[\"22697\"],\"limit\":5}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("test-v1", body.get("modelVersion").asText());
        assertEquals("22698", body.at("/items/0/itemId").asText());
        assertEquals("rules", body.at("/items/0/source").asText());
        assertEquals("22697", body.at("/items/0/explanation/rule/antecedent/0").asText());
        assertEquals(0.7, body.at("/items/0/explanation/rule/confidence").asDouble(), 1e-12);
        // Two rules fire; the popular 85123A fills a place (22697 is in the basket), and the answer is no fallback.
        assertEquals(3, body.get("items").size());
        assertEquals("85123A", body.at("/items/2/itemId").asText());
        assertEquals("popular", body.at("/items/2/source").asText());
        assertFalse(body.get("fallback").asBoolean());
    }

    @Test
    void basketItemIdsAreNormalisedAndUnknownOnesReported() throws Exception {
        JsonNode body = JSON.readTree(post("/v1/baskets/recommendations", "application/json; charset=utf-8",
                "{\"items\":[\" 22697 \", \"nope\"], \"customerId\": \"17850\"}").body());
        assertEquals("NOPE", body.at("/unknownItems/0").asText());
        assertFalse(body.at("/items/0/previouslyBought").asBoolean());
    }

    @Test
    void infiniteConvictionIsNull() throws Exception {
        JsonNode body = JSON.readTree(get("/v1/items/22698/bought-together").body());
        assertTrue(body.at("/items/0/explanation/rule/conviction").isNull());
    }

    @Test
    void boughtTogetherOfUnknownItemIs404Problem() throws Exception {
        HttpResponse<String> r = get("/v1/items/NOPE/bought-together");
        assertProblem(r, 404, "NOPE");
    }

    @Test
    void customerRecommendationsAndFallback() throws Exception {
        JsonNode known = JSON.readTree(get("/v1/customers/17850/recommendations?limit=3").body());
        assertFalse(known.get("fallback").asBoolean());
        assertEquals("22698", known.at("/items/0/itemId").asText());
        JsonNode unknown = JSON.readTree(get("/v1/customers/99999/recommendations").body());
        assertTrue(unknown.get("fallback").asBoolean());
        assertEquals("popular", unknown.at("/items/0/source").asText());
    }

    /** Training stores a spreadsheet's 17850.0 as 17850: requests naming the customer either way find them. */
    @Test
    void customerIdsAreNormalisedLikeTraining() throws Exception {
        JsonNode known = JSON.readTree(get("/v1/customers/17850.0/recommendations?limit=3").body());
        assertFalse(known.get("fallback").asBoolean(), known.toString());
        assertEquals("22698", known.at("/items/0/itemId").asText());
        JsonNode padded = JSON.readTree(get("/v1/customers/%2017850.00%20/recommendations?limit=3").body());
        assertFalse(padded.get("fallback").asBoolean(), padded.toString());
        // Not a float-written number: left alone, so an unknown customer.
        JsonNode other = JSON.readTree(get("/v1/customers/17850.5/recommendations?limit=3").body());
        assertTrue(other.get("fallback").asBoolean(), other.toString());
        JsonNode basket = JSON.readTree(post("/v1/baskets/recommendations", "application/json",
                "{\"items\":[\"22698\"],\"customerId\":\"17850.0\"}").body());
        assertEquals("22697", basket.at("/items/0/itemId").asText(), basket.toString());
        assertTrue(basket.at("/items/0/previouslyBought").asBoolean(), basket.toString());
    }

    /**
     * A no-break space, a zero-width space or a byte order mark at an end of a customer or item id in a request (pasted
     * from Excel or a web page) is a blank, as training strips it: the id without it is the customer and the item.
     */
    @Test
    void unicodeBlanksAroundIdsAreStrippedLikeTraining() throws Exception {
        for (String path : List.of("%C2%A017850", "17850%E2%80%AF", "%E2%80%8B17850.0", "%EF%BB%BF17850")) {
            JsonNode known = JSON.readTree(get("/v1/customers/" + path + "/recommendations?limit=3").body());
            assertFalse(known.get("fallback").asBoolean(), path + ": " + known);
            assertEquals("22698", known.at("/items/0/itemId").asText());
        }
        JsonNode basket = JSON.readTree(post("/v1/baskets/recommendations", "application/json",
                "{\"items\":[\"\u00a022698\u200b\"],\"customerId\":\"\u00a017850\"}").body());
        assertEquals("22697", basket.at("/items/0/itemId").asText(), basket.toString());
        assertTrue(basket.at("/items/0/previouslyBought").asBoolean(), basket.toString());
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"items\":[\"\u00a0\u200b\"]}"),
                400, "items[0]");
        assertProblem(post("/v1/baskets/recommendations", "application/json",
                "{\"items\":[\"22698\"],\"customerId\":\"\u00a0\"}"), 400, "customerId");
    }

    @Test
    void rulesBrowseSortsAndFilters() throws Exception {
        JsonNode body = JSON.readTree(get("/v1/rules?sort=confidence&limit=2").body());
        assertEquals(3, body.get("matched").asLong());
        assertEquals(1.0, body.at("/rules/0/confidence").asDouble(), 1e-12);
        assertEquals(2, body.get("rules").size());
        JsonNode filtered = JSON.readTree(get("/v1/rules?item=22697&minLift=19").body());
        assertEquals(1, filtered.get("matched").asLong());
        assertProblem(get("/v1/rules?sort=magic"), 400, "sort");
        assertProblem(get("/v1/rules?minLift=abc"), 400, "minLift");
    }

    @Test
    void rulesPageThroughEveryMatchOnceInATotalOrder() throws Exception {
        List<String> all = new java.util.ArrayList<>();
        for (int offset = 0; offset < 4; offset++) {
            JsonNode page = JSON.readTree(get("/v1/rules?sort=support&limit=1&offset=" + offset).body());
            assertEquals(3, page.get("matched").asLong(), "the total, whatever the page");
            assertEquals(offset, page.get("offset").asInt());
            page.get("rules").forEach(r -> all.add(r.get("antecedent").get(0).asText() + ">" + r.get("consequent").asText()));
            assertEquals(offset < 3 ? 1 : 0, page.get("rules").size(), "past the end: an empty page");
        }
        // The two rules with support 0.03 tie on support; confidence (1.0 vs 0.7) orders them, the same on every page.
        assertEquals(List.of("22698>22697", "22697>22698", "22697>22699"), all);
        assertProblem(get("/v1/rules?offset=-1"), 400, "offset");
        assertProblem(get("/v1/rules?offset=" + (io.affinity.recommender.RuleQuery.MAX_OFFSET + 1)), 400, "offset");
    }

    @Test
    void rulesRefuseBlankParametersImpossibleMinimumsAndUnknownConsequents() throws Exception {
        for (String name : List.of("item", "consequent", "minLift", "minConfidence", "minSupport", "offset", "sort",
                "limit")) {
            assertProblem(get("/v1/rules?" + name + "="), 400, "'" + name + "'");
            assertProblem(get("/v1/rules?" + name + "=%20"), 400, "'" + name + "'");
        }
        assertProblem(get("/v1/rules?minConfidence=1.5"), 400, "minConfidence must be in [0, 1], was 1.5");
        assertProblem(get("/v1/rules?minSupport=2"), 400, "minSupport");
        assertProblem(get("/v1/rules?minSupport=-0.1"), 400, "minSupport");
        assertProblem(get("/v1/rules?minLift=-1"), 400, "minLift");
        assertEquals(200, get("/v1/rules?minConfidence=1&minSupport=1&minLift=0").statusCode(), "the edges are possible");
        assertProblem(get("/v1/rules?consequent=NOPE"), 404, "NOPE");
        assertProblem(get("/v1/rules?item=NOPE"), 404, "NOPE");
        assertEquals(1, JSON.readTree(get("/v1/rules?consequent=22697").body()).get("matched").asLong());
    }

    @Test
    void badRequestsGetProblemBodiesWithTheRightStatus() throws Exception {
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"items\": [\"a\""), 400,
                "malformed JSON");
        assertProblem(post("/v1/baskets/recommendations", "text/plain", "{}"), 415, "application/json");
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"items\": []}"), 400, "items");
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"items\": [1]}"), 400,
                "items[0]");
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"items\": [\"a\"], \"limit\": 0}"),
                400, "limit");
        assertProblem(post("/v1/baskets/recommendations", "application/json", "{\"itemz\": [\"a\"]}"), 400,
                "itemz");
        assertProblem(post("/v1/baskets/recommendations", "application/json", "[1,2]"), 400, "object");
        assertProblem(get("/v1/customers/17850/recommendations?limit=100000"), 400, "limit");
        assertProblem(get("/v1/customers/17850/recommendations?limit=ten"), 400, "limit");
        assertProblem(get("/v1/nothing-here"), 404, "no such endpoint");
        HttpResponse<String> wrongPath = get("/v1/customers/17850/nonsense");
        assertProblem(wrongPath, 404, "no such endpoint");
        assertFalse(wrongPath.body().contains("17850"));
        String big = "{\"items\": [\"" + "A".repeat(70_000) + "\"]}";
        assertProblem(post("/v1/baskets/recommendations", "application/json", big), 413, "limit");
        StringBuilder many = new StringBuilder("{\"items\": [");
        for (int i = 0; i < 201; i++) {
            many.append(i == 0 ? "" : ",").append("\"I").append(i).append('"');
        }
        assertProblem(post("/v1/baskets/recommendations", "application/json", many + "]}"), 413, "items");
    }

    @Test
    void invalidCustomerIdIsNotEchoed() throws Exception {
        HttpResponse<String> r = post("/v1/baskets/recommendations", "application/json",
                "{\"items\": [\"22697\"], \"customerId\": \"" + "9".repeat(200) + "\"}");
        assertProblem(r, 400, "customerId");
        assertFalse(r.body().contains("9999999999"));
    }

    @Test
    void healthAndModel() throws Exception {
        assertEquals("ok", JSON.readTree(get("/health").body()).get("status").asText());
        assertEquals("test-v1", JSON.readTree(get("/v1/model").body()).get("version").asText());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detailPart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                r.headers().toString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("type").asText().startsWith("https://"));
        assertFalse(body.get("title").asText().isEmpty());
        assertTrue(body.get("detail").asText().contains(detailPart), body.get("detail").asText());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static ItemFacts item(String id, String description) {
        return new ItemFacts(id, description, "", 2.95, 1000, 400, 5000);
    }
}
