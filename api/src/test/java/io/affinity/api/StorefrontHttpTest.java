package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.recommender.TradeUp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.OpenApiSchemaCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a storefront (and the CDN or proxy in front of it) relies on when it calls Affinity on every page view:
 * HTTP caching semantics of the answers. The server is real, on port 0.
 */
@IntegrationTest
class StorefrontHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** The stock overlay the server answers with (a test that changes it restores it). */
    private static final ItemAvailability STOCK = ItemAvailability.inMemory();
    private static InMemoryModelSnapshot model;
    private static AffinityServer server;

    @BeforeAll
    static void start() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot.Builder builder = InMemoryModelSnapshot.builder("shop-v1")
                .item(new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "saucer", 2.95, 1000, 400, 5000))
                .item(new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "saucer", 3.75, 900, 380, 4000))
                .item(new ItemFacts("22699", "ROSES REGENCY TEACUP AND SAUCER", "saucer", 4.95, 800, 300, 3000))
                .rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2))
                .rule(new AssociationRule(List.of("22697"), "22699", 280, 0.028, 0.65, 18, 0.02, 2.8))
                .rule(new AssociationRule(List.of("22698"), "22697", 300, 0.03, 1.0, 20, 0.02,
                        Double.POSITIVE_INFINITY))
                .tradeUp("22697", new TradeUp("22699", TradeUp.ALL, 12, 40, true))
                .customer("17850", new CustomerHistory(3, List.of(new PurchasedItem("22697", 2, 12, day)), 1))
                .customer("12748", new CustomerHistory(5, List.of(new PurchasedItem("22698", 3, 6, day)), 2))
                .precomputed("12748", new PrecomputedRecommendations("blend", List.of(
                        new PrecomputedItem("22699", 0.9, false, "ease", null),
                        new PrecomputedItem("22698", 0.8, true, "repeat-frequency",
                                new PurchasedItem("22698", 3, 6, day)))));
        // Enough popular items with long descriptions that a default answer is larger than the size from which
        // the HTTP layer compresses (1500 bytes), so gzip is negotiated.
        for (int i = 0; i < 40; i++) {
            String id = "P" + i;
            builder.item(item(id, "A POPULAR ITEM WITH A RATHER LONG DESCRIPTION NUMBER " + i))
                    .popular(new PopularItem(id, 1000 - i, 500 - i));
        }
        model = builder.build();
        server = start(model);
    }

    private static AffinityServer start(InMemoryModelSnapshot snapshot) {
        ServedModel served = new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS),
                Map.of("version", snapshot.version()));
        return AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served), new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(10),
                        new BusinessRuleConfig(0, 2, STOCK))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The HTTP layer gzips an answer when the client accepts it, so the same URL has two representations: a shared
     * cache (CDN, Varnish) that stores one must know that it depends on Accept-Encoding, or it hands the gzipped
     * body to a client that cannot decode it. Every answer says {@code Vary: Accept-Encoding}, compressed or not.
     */
    @Test
    void everyAnswerVariesOnAcceptEncoding() throws Exception {
        HttpResponse<byte[]> zipped = send("GET", "/v1/customers/nobody/recommendations?limit=40",
                Map.of("Accept-Encoding", "gzip"));
        assertEquals(200, zipped.statusCode());
        assertEquals(Optional.of("gzip"), zipped.headers().firstValue("Content-Encoding"), "test premise: gzipped");
        for (HttpResponse<byte[]> r : List.of(zipped,
                send("GET", "/v1/customers/nobody/recommendations?limit=40", Map.of()),
                send("GET", "/v1/items/22697/bought-together", Map.of("Accept-Encoding", "gzip")),
                send("GET", "/v1/items/NOPE/bought-together", Map.of("Accept-Encoding", "gzip")),
                send("GET", "/openapi.json", Map.of("Accept-Encoding", "gzip")))) {
            assertTrue(varies(r, "Accept-Encoding"), r.uri() + " " + r.headers().map());
        }
    }

    /**
     * A logged-out visitor has no customer id: the home page asks with a placeholder, and every id that is not a
     * customer gets the same popular list ({@code "fallback": true}) until the model or the stock changes. That
     * answer is tagged and revalidated like bought-together, so a CDN can serve the logged-out home page; a known
     * customer's answer stays {@code no-store}, untagged, and is never a 304, whatever If-None-Match says.
     */
    @Test
    void theFallbackForVisitorsWithoutHistoryIsRevalidatedAndPersonalAnswersAreNot() throws Exception {
        String path = "/v1/customers/anonymous/recommendations?limit=5";
        HttpResponse<byte[]> first = send("GET", path, Map.of());
        assertEquals(200, first.statusCode());
        assertTrue(new String(first.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"fallback\":true"));
        String tag = first.headers().firstValue("ETag").orElseThrow(() -> new AssertionError(first.headers().map()));
        assertEquals(Optional.of("no-cache"), first.headers().firstValue("Cache-Control"));
        HttpResponse<byte[]> again = send("GET", path, Map.of("If-None-Match", tag));
        assertEquals(304, again.statusCode());
        assertEquals(0, again.body().length);
        assertEquals(304, send("GET", path.replace("anonymous", "another-visitor"), Map.of("If-None-Match", tag))
                .statusCode(), "every id without history gets the same answer");

        for (String known : List.of("17850", "12748")) {
            HttpResponse<byte[]> personal = send("GET", "/v1/customers/" + known + "/recommendations?limit=5",
                    Map.of("If-None-Match", tag));
            assertEquals(200, personal.statusCode(), known);
            assertFalse(personal.headers().firstValue("ETag").isPresent(), known);
            assertEquals(Optional.of("no-store"), personal.headers().firstValue("Cache-Control"), known);
            assertEquals(200, send("GET", "/v1/customers/" + known + "/recommendations?limit=5",
                    Map.of("If-None-Match", "*")).statusCode(), known);
        }

        STOCK.set("P0", false);
        try {
            HttpResponse<byte[]> changed = send("GET", path, Map.of("If-None-Match", tag));
            assertEquals(200, changed.statusCode(), "a stock change is not hidden behind a 304");
            assertFalse(new String(changed.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"P0\""));
        } finally {
            STOCK.clear("P0");
        }
    }


    /**
     * Personal answers (a customer's recommendations, a basket naming a customer) and error answers must never be
     * stored by a shared cache: without Cache-Control, caches such as Varnish store a 200 or a 404 for minutes by
     * default (heuristic freshness), so one visitor's list or a retired 404 would be served to the next request.
     */
    @Test
    void personalAndErrorAnswersAreNotStored() throws Exception {
        List<HttpResponse<byte[]>> answers = new ArrayList<>(List.of(
                send("GET", "/v1/customers/17850/recommendations", Map.of()),
                send("HEAD", "/v1/customers/17850/recommendations", Map.of()),
                send("GET", "/v1/items/NOPE/bought-together", Map.of()),
                send("GET", "/v1/items/22697/bought-together?limit=0", Map.of()),
                send("GET", "/no/such/endpoint", Map.of())));
        answers.add(CLIENT.send(HttpRequest.newBuilder(uri("/v1/baskets/recommendations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"22697\"],\"customerId\":\"17850\"}"))
                .build(), HttpResponse.BodyHandlers.ofByteArray()));
        for (HttpResponse<byte[]> r : answers) {
            assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"),
                    r.request().method() + " " + r.uri() + " " + r.statusCode());
        }
    }

    /**
     * Bought-together is the same for every visitor until the model or the stock changes, so a CDN in front of the
     * product pages may keep it if it asks each time whether it is still current: the answer carries a weak ETag
     * and {@code Cache-Control: no-cache}, and a request whose If-None-Match names the current tag is a 304 without
     * a body. A stock change must reach the product page at once (an item just marked unavailable is not shown), so
     * it changes the tag; the tag names the overlay's content, not a counter, so clearing the change gives the
     * first tag back (replicas that read the same journal agree), and another model version gives another tag.
     */
    @Test
    void boughtTogetherIsRevalidatedAgainstTheModelAndTheStock() throws Exception {
        String path = "/v1/items/22697/bought-together?limit=5";
        HttpResponse<byte[]> first = send("GET", path, Map.of());
        assertEquals(200, first.statusCode());
        String tag = first.headers().firstValue("ETag").orElseThrow(() -> new AssertionError(first.headers().map()));
        assertTrue(tag.startsWith("W/\"") && tag.endsWith("\""), tag);
        assertEquals(Optional.of("no-cache"), first.headers().firstValue("Cache-Control"));
        assertTrue(varies(first, "Accept-Encoding"), first.headers().map().toString());

        for (String ifNoneMatch : List.of(tag, tag.substring(2), "\"other\", " + tag, "*")) {
            HttpResponse<byte[]> again = send("GET", path, Map.of("If-None-Match", ifNoneMatch));
            assertEquals(304, again.statusCode(), ifNoneMatch);
            assertEquals(0, again.body().length);
            assertEquals(Optional.of(tag), again.headers().firstValue("ETag"));
            assertEquals(Optional.of("no-cache"), again.headers().firstValue("Cache-Control"));
        }
        assertEquals(304, send("HEAD", path, Map.of("If-None-Match", tag)).statusCode());
        assertEquals(200, send("GET", path, Map.of("If-None-Match", "W/\"other\"")).statusCode());
        // An unknown item is a 404 whatever the client believes it has.
        assertEquals(404, send("GET", "/v1/items/NOPE/bought-together", Map.of("If-None-Match", "*")).statusCode());
        assertEquals(400, send("GET", "/v1/items/22697/bought-together?limit=0", Map.of("If-None-Match", tag))
                .statusCode());

        STOCK.set("22698", false);
        try {
            HttpResponse<byte[]> changed = send("GET", path, Map.of("If-None-Match", tag));
            assertEquals(200, changed.statusCode(), "a stock change is not hidden behind a 304");
            assertFalse(new String(changed.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"22698\""));
            String changedTag = changed.headers().firstValue("ETag").orElseThrow();
            assertFalse(changedTag.equals(tag), changedTag);
            assertEquals(304, send("GET", path, Map.of("If-None-Match", changedTag)).statusCode());
        } finally {
            STOCK.clear("22698");
        }
        assertEquals(304, send("GET", path, Map.of("If-None-Match", tag)).statusCode(),
                "the same stock and model give the same tag again");

        InMemoryModelSnapshot.Builder next = InMemoryModelSnapshot.builder("shop-v2");
        for (String id : List.of("22697", "22698", "22699")) {
            next.item(model.item(id).orElseThrow());
        }
        next.rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2));
        try (AffinityServer other = start(next.build())) {
            HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + path)).header("If-None-Match", tag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), "another model version answers anew");
            assertFalse(r.headers().firstValue("ETag").orElseThrow().equals(tag));
        }
    }

    /**
     * A storefront generates its client from the OpenAPI document and renders tiles from the answers: the document
     * must describe what each page's call answers (it said a bare "object"). Answers of every kind of item the
     * endpoints send (rules with a finite and an infinite conviction, model, repeat and popular items, a basket's
     * unknown items and previouslyBought, upsell trade-ups and fallbacks, a rules page) are checked against the
     * documented schemas: required fields present, nothing undocumented, enums kept.
     */
    @Test
    void theOpenApiDocumentDescribesWhatEachPageCallAnswers() throws Exception {
        JsonNode doc = JSON.readTree(send("GET", "/openapi.json", Map.of()).body());
        Map<String, String> basketBodies = Map.of(
                "{\"items\":[\"22697\", \"nope\"],\"customerId\":\"12748\",\"limit\":5}", "with a customer",
                "{\"items\":[\"nope\"]}", "only unknown items");
        StringBuilder answers = new StringBuilder();
        for (Map.Entry<String, String> b : basketBodies.entrySet()) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri("/v1/baskets/recommendations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(b.getKey())).build(), HttpResponse.BodyHandlers.ofString());
            answers.append(conforms(doc, "/v1/baskets/recommendations", "post", r));
        }
        for (String path : List.of("/v1/items/22697/bought-together", "/v1/items/22698/bought-together",
                "/v1/customers/12748/recommendations", "/v1/customers/17850/recommendations",
                "/v1/customers/nobody/recommendations", "/v1/items/22697/upsell?customerId=17850",
                "/v1/items/22698/upsell", "/v1/rules?limit=3")) {
            String template = path.substring(0, path.indexOf('?') < 0 ? path.length() : path.indexOf('?'))
                    .replaceAll("/items/[^/]+/", "/items/{itemId}/").replaceAll("/customers/[^/]+/", "/customers/{customerId}/");
            answers.append(conforms(doc, template, "get", send("GET", path)));
        }
        // Every kind of item was among the answers checked.
        for (String sent : List.of("\"source\":\"rules\"", "\"source\":\"model\"", "\"source\":\"repeat\"",
                "\"source\":\"popular\"", "\"source\":\"trade_up\"", "\"conviction\":null", "\"conviction\":3.2",
                "\"previouslyBought\":true", "\"unknownItems\"", "\"strategy\":\"upsell\"", "\"matched\":3")) {
            assertTrue(answers.indexOf(sent) >= 0, sent + " in none of " + answers);
        }
    }

    /** Checks one answer against its operation's documented 200 schema; returns its body. */
    private static String conforms(JsonNode doc, String template, String method, HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.uri() + " " + r.body());
        JsonNode schema = doc.path("paths").path(template).path(method)
                .at("/responses/200/content/application~1json/schema");
        List<String> problems = new OpenApiSchemaCheck(doc).problems(JSON.readTree(r.body()), schema);
        assertTrue(problems.isEmpty(), r.uri() + ": " + problems + " in " + r.body());
        return r.body();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean varies(HttpResponse<?> r, String header) {
        for (String value : r.headers().allValues("Vary")) {
            for (String name : value.split(",")) {
                if (name.trim().equalsIgnoreCase(header)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static HttpResponse<byte[]> send(String method, String path, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static ItemFacts item(String id, String description) {
        return new ItemFacts(id, description, "", 2.95, 1000, 400, 5000);
    }
}
