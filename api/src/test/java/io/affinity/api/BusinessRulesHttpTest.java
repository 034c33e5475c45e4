package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters, recently-bought exclusion, category caps, catalogue search, stock changes and the OpenAPI document,
 * over HTTP against a published snapshot with a catalogue index (items I00..I19 in categories cat0..cat2 by
 * index mod 3; customer C100 bought I00 in 3 orders on 2011-05-01 and I05 once on 2011-04-21).
 */
@IntegrationTest
class BusinessRulesHttpTest {
    private static final String TOKEN = "test-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @TempDir
    static Path tmp;
    private static TestStores.Served fixture;
    private static ServedModel served;
    private static AffinityServer server;

    @BeforeAll
    static void start() throws Exception {
        fixture = TestStores.Served.start(tmp, ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                new ServerOptions(AccessControl.of(TOKEN, List.of()), null, Duration.ofSeconds(5)));
        served = fixture.model();
        server = fixture.server();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A catalogue search costs what its query costs (a second of a core for three hundred fuzzy terms on 100,000
     * items), so only {@link SearchLimit#PERMITS} run at once: the next waits up to {@link SearchLimit#WAIT}, runs
     * if one ends meanwhile, else is a 503 with Retry-After; the recommendation endpoints are never held up, but for
     * the first use of a filter with patterns, which costs what a search costs. The permits are held here as
     * long-running searches would hold them.
     */
    @Test
    void searchesBeyondTheLimitWaitThenAreRefusedWhileTheOtherEndpointsAnswer() throws Exception {
        java.util.concurrent.Semaphore permits = server.searchLimit().permits();
        permits.acquire(SearchLimit.PERMITS);
        int held = SearchLimit.PERMITS;
        try {
            long start = System.nanoTime();
            HttpResponse<String> refused = get("/v1/items?q=" + enc("description:7"));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, refused.statusCode(), refused.body());
            JsonNode problem = JSON.readTree(refused.body());
            assertEquals("https://affinity.dev/problems/search-busy", problem.get("type").asText());
            assertTrue(problem.get("detail").asText().contains("retry shortly"), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(waitedMs >= SearchLimit.WAIT.toMillis() - 50, "waited " + waitedMs + " ms first");
            long t = System.nanoTime();
            assertEquals(200, get("/v1/items/I00/bought-together").statusCode());
            assertEquals(200, get("/v1/items/I00").statusCode());
            // A new filter of terms and ranges seeks in the index: compiled at once, not under the limit.
            assertEquals(200, get("/v1/items/I00/bought-together?filter=" + enc("category:cat1 OR price:[0 TO 9]"))
                    .statusCode());
            assertTrue((System.nanoTime() - t) / 1_000_000 < SearchLimit.WAIT.toMillis(), "not held up");
            // A new filter with a pattern costs what a search costs: its first use is under the limit too.
            HttpResponse<String> patterned = get("/v1/items/I00/bought-together?filter=" + enc("description:ite*"));
            assertEquals(503, patterned.statusCode(), patterned.body());
            assertEquals("1", patterned.headers().firstValue("Retry-After").orElse(null));
            assertTrue(patterned.body().contains("first use of a filter, boost or pin with patterns"),
                    patterned.body());
            String metrics = get("/metrics").body();
            PrometheusText.check(metrics);
            assertEquals(SearchLimit.PERMITS, PrometheusText.sample(metrics, "affinity_catalog_searches_running"));
            assertEquals(2, PrometheusText.sample(metrics, "affinity_catalog_searches_refused_total"));

            // A search that finds a permit freed while it waits runs.
            java.util.concurrent.CompletableFuture<HttpResponse<String>> waiting = CLIENT.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/items?q="
                            + enc("description:7"))).GET().build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(SearchLimit.WAIT.toMillis() / 4);
            permits.release();
            held--;
            HttpResponse<String> served = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, served.statusCode(), served.body());
            assertEquals(2, PrometheusText.sample(get("/metrics").body(), "affinity_catalog_searches_refused_total"));
        } finally {
            permits.release(held);
        }
        assertEquals(200, get("/v1/items?q=" + enc("description:7")).statusCode());
        assertEquals(200, get("/v1/items/I00/bought-together?filter=" + enc("description:ite*")).statusCode());
        // Once compiled it is cached: later uses are bit tests, whatever the searches are doing.
        permits.acquire(SearchLimit.PERMITS);
        try {
            assertEquals(200, get("/v1/items/I00/bought-together?filter=" + enc("description:ite*")).statusCode());
        } finally {
            permits.release(SearchLimit.PERMITS);
        }
    }

    private static HttpResponse<String> putAvailability(String item, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/admin/items/" + item + "/availability"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> itemIds(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).get("items").forEach(i -> ids.add(i.get("itemId").asText()));
        return ids;
    }

    private static int index(String itemId) {
        return Integer.parseInt(itemId.substring(1));
    }

    @Test
    void filterKeepsOnlyMatchingItemsAndStillFillsTheLimit() throws Exception {
        List<String> ids = itemIds(get("/v1/customers/C100/recommendations?limit=5&filter="
                + enc("category:cat1 AND price:[1 TO 15]")));
        assertEquals(5, ids.size(), ids.toString());
        for (String id : ids) {
            assertEquals(1, index(id) % 3, id + " is in cat1");
            assertTrue(1.5 + index(id) <= 15, id + " costs at most 15");
        }
        assertEquals("I01", ids.get(0), "the rule-proposed item of cat1 still ranks first");
        List<String> unfiltered = itemIds(get("/v1/customers/C100/recommendations?limit=5"));
        assertTrue(unfiltered.stream().anyMatch(id -> index(id) % 3 != 1), "the filter changed something");
    }

    @Test
    void filterAppliesToBasketAndBoughtTogetherToo() throws Exception {
        assertEquals(List.of("I02"), itemIds(get("/v1/items/I00/bought-together?filter=" + enc("-id:I01"))));
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/baskets/recommendations?filter=" + enc("-category:cat1")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        List<String> ids = itemIds(r);
        assertEquals("I02", ids.get(0), "the one rule the filter leaves");
        assertTrue(ids.stream().noneMatch(id -> index(id) % 3 == 1), "popular fill-ins pass the filter too: " + ids);
    }

    @Test
    void aBasketShortOfRulesIsFilledWithPopularItemsThatPassTheBusinessRules() throws Exception {
        try {
            assertEquals(200, putAvailability("I03", "{\"available\":false}", TOKEN).statusCode());
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/v1/baskets/recommendations?filter=" + enc("-category:cat1")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"],\"limit\":6}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // I00's rules propose I01 (cat1: filtered out) and I02. Popular items, in the snapshot's order, fill the rest:
            // not I00 (in the basket), I02 (already there), cat1 items (filter) or I03 (out of stock).
            assertEquals(List.of("I02", "I05", "I06", "I08", "I09", "I11"), itemIds(r));
            JsonNode body = JSON.readTree(r.body());
            assertFalse(body.get("fallback").asBoolean(), "a rule fired: not a fallback");
            assertEquals("rules", body.at("/items/0/source").asText());
            for (int i = 1; i < 6; i++) {
                assertEquals("popular", body.at("/items/" + i + "/source").asText(), body.toString());
                assertTrue(body.at("/items/" + i + "/explanation/summary").asText().startsWith("popular: "),
                        body.toString());
            }
        } finally {
            assertEquals(200, putAvailability("I03", "{\"available\":true}", TOKEN).statusCode());
        }
        // bought-together is not filled: unrelated best sellers are not "bought together" with the item.
        assertEquals(List.of("I01", "I02"), itemIds(get("/v1/items/I00/bought-together?limit=6")));
    }

    @Test
    void invalidFilterIsA400NamingTheParameterAndTheError() throws Exception {
        HttpResponse<String> r = get("/v1/customers/C100/recommendations?filter=" + enc("category:(cat1"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        String detail = JSON.readTree(r.body()).get("detail").asText();
        assertTrue(detail.contains("'filter'") && detail.contains("Lucene query syntax"), detail);
        HttpResponse<String> numeric = get("/v1/items/I00/bought-together?filter=" + enc("price:[low TO 3]"));
        assertEquals(400, numeric.statusCode(), numeric.body());
        assertTrue(numeric.body().contains("numeric"), numeric.body());
    }

    @Test
    void queriesTooCostlyToRunAre400sNamingTheParameterAndStayOutOfTheLog() throws Exception {
        String regexp = "/[ac]*a[ac]{50,200}/"; // too complex to compile: fails while parsing
        StringBuilder nested = new StringBuilder(); // groups each under the clause limit, over it together
        for (char group : new char[] {'x', 'y', 'z'}) {
            nested.append('(');
            for (int i = 0; i < 360; i++) {
                nested.append(group).append(i).append(' ');
            }
            nested.append(") ");
        }
        String tooMany = nested.toString().trim();
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            for (String query : List.of(regexp, tooMany)) {
                String reason = query.equals(regexp) ? "too complex" : "more than 1024";
                assertTooCostly("q", get("/v1/items?q=" + enc(query)), reason);
                assertTooCostly("filter", get("/v1/items/I00/bought-together?filter=" + enc(query)), reason);
                assertTooCostly("boost", get("/v1/customers/C100/recommendations?boost=" + enc(query)), reason);
                assertTooCostly("pin", get("/v1/customers/C100/recommendations?pin=" + enc(query)), reason);
            }
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertFalse(logged.contains("[ac]") || logged.contains("x359") || logged.contains("ERROR"), logged);
    }

    /**
     * Lucene's query parser and its regular-expression parser are recursive: groups nested a few thousand deep (a
     * URL of 6 KB) overflowed the stack, a 500 with an empty body and a thousand-line stack trace in the log per
     * request.
     */
    @Test
    void queriesNestedTooDeeplyAre400sNotStackOverflows() throws Exception {
        String groups = "(".repeat(3000) + "x1" + ")".repeat(3000);
        String complements = "/" + "~".repeat(6000) + "a/";
        String regexGroups = "/" + "(".repeat(2000) + "a" + ")".repeat(2000) + "/";
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            for (String query : List.of(groups, complements, regexGroups)) {
                // '(', ')', '~' and '/' are legal in a query string as they are: encoded, they would not fit a URI
                assertTooCostly("q", get("/v1/items?q=" + query), "nested");
                assertTooCostly("filter", get("/v1/customers/C100/recommendations?filter=" + query), "nested");
            }
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertFalse(logged.contains("StackOverflowError") || logged.contains("ERROR"), logged);
        // A group nested a few levels deep is ordinary syntax and still runs.
        assertEquals(200, get("/v1/items?q=" + enc("((((category:cat1))))")).statusCode());
    }

    private static void assertTooCostly(String parameter, HttpResponse<String> r, String reason) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        String detail = JSON.readTree(r.body()).get("detail").asText();
        assertTrue(detail.startsWith("query parameter '" + parameter + "' is too costly to run: ")
                && detail.contains(reason), detail);
        assertFalse(detail.contains("[ac]") || detail.contains("x359"), "the query is not echoed: " + detail);
    }

    @Test
    void patternsOnIdsMatchIdsWithLettersInSearchAndRules() throws Exception {
        Set<String> tens = new TreeSet<>();
        for (int i = 10; i < 20; i++) {
            tens.add(String.format("I%02d", i));
        }
        assertEquals(tens, new TreeSet<>(itemIds(get("/v1/items?limit=20&q=" + enc("id:i1?")))));
        assertEquals(tens, new TreeSet<>(itemIds(get("/v1/items?limit=20&q=" + enc("id:I1*")))));
        List<String> filtered = itemIds(get("/v1/customers/C100/recommendations?limit=20&filter=" + enc("id:i1*")));
        assertFalse(filtered.isEmpty());
        assertTrue(tens.containsAll(filtered), filtered.toString());
        JsonNode pinned = JSON.readTree(get("/v1/items/I00/bought-together?pinLimit=1&pin=" + enc("id:/i1[89]/"))
                .body()).at("/items/0");
        assertEquals("pinned", pinned.get("source").asText(), pinned.toString());
        assertEquals("I18", pinned.get("itemId").asText(), "the more ordered of I18 and I19: " + pinned);
        HttpResponse<String> numeric = get("/v1/items?q=" + enc("price:2*"));
        assertEquals(400, numeric.statusCode(), numeric.body());
        assertTrue(numeric.body().contains("field 'price' is numeric"), numeric.body());
    }

    @Test
    void asOfOutsideYearsOneTo9999IsA400() throws Exception {
        for (String asOf : List.of("-999999999-01-01", "0000-12-31", "%2B10000-01-01")) {
            HttpResponse<String> r = get("/v1/customers/C100/recommendations?excludeBoughtWithinDays=1&asOf=" + asOf);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("'asOf' must be a date from 0001-01-01 to 9999-12-31"), r.body());
        }
        HttpResponse<String> basket = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/v1/baskets/recommendations?excludeBoughtWithinDays=3&asOf=-999999999-01-02"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"],\"customerId\":\"C100\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, basket.statusCode(), basket.body());
        assertEquals(200, get("/v1/customers/C100/recommendations?excludeBoughtWithinDays=36600&asOf=0001-01-01")
                .statusCode());
    }

    @Test
    void excludeBoughtWithinDaysWithoutACustomerIsA400SayingWhatItNeeds() throws Exception {
        HttpResponse<String> together = get("/v1/items/I00/bought-together?excludeBoughtWithinDays=30");
        assertEquals(400, together.statusCode(), together.body());
        assertTrue(together.body().contains("bought-together names no customer"), together.body());
        HttpResponse<String> basket = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/v1/baskets/recommendations?excludeBoughtWithinDays=30"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, basket.statusCode(), basket.body());
        assertTrue(basket.body().contains("needs field 'customerId' in the body"), basket.body());
        // 0 switches the rule off, which needs no customer
        assertEquals(200, get("/v1/items/I00/bought-together?excludeBoughtWithinDays=0").statusCode());
    }

    @Test
    void recentlyBoughtItemsAreExcludedButRepeatPurchasesStay() throws Exception {
        List<String> all = itemIds(get("/v1/customers/C100/recommendations?limit=20"));
        assertTrue(all.contains("I05") && all.contains("I00"), all.toString());
        List<String> ids = itemIds(get("/v1/customers/C100/recommendations?limit=20&excludeBoughtWithinDays=30&asOf=2011-05-10"));
        assertFalse(ids.contains("I05"), "bought once 19 days before asOf: " + ids);
        assertTrue(ids.contains("I00"), "bought in 3 orders, a repeat purchase: " + ids);
        List<String> longAgo = itemIds(get("/v1/customers/C100/recommendations?limit=20&excludeBoughtWithinDays=10&asOf=2011-05-10"));
        assertTrue(longAgo.contains("I05"), "outside a 10-day window: " + longAgo);
        // I05 was bought on 2011-04-21: exactly 10 days before 2011-05-01 is within 10 days, not within 9.
        List<String> edge = itemIds(get("/v1/customers/C100/recommendations?limit=20&excludeBoughtWithinDays=10&asOf=2011-05-01"));
        assertFalse(edge.contains("I05"), "bought exactly 10 days before asOf: " + edge);
        List<String> pastEdge = itemIds(get("/v1/customers/C100/recommendations?limit=20&excludeBoughtWithinDays=9&asOf=2011-05-01"));
        assertTrue(pastEdge.contains("I05"), "bought 10 days before asOf, outside 9: " + pastEdge);
        assertEquals(400, get("/v1/customers/C100/recommendations?excludeBoughtWithinDays=-1").statusCode());
        assertEquals(400, get("/v1/customers/C100/recommendations?excludeBoughtWithinDays=3&asOf=yesterday").statusCode());
    }

    @Test
    void categoryCapSpreadsTheAnswer() throws Exception {
        List<String> ids = itemIds(get("/v1/customers/C100/recommendations?limit=3&maxPerCategory=1"));
        assertEquals(3, ids.size());
        Set<Integer> categories = new HashSet<>();
        ids.forEach(id -> categories.add(index(id) % 3));
        assertEquals(3, categories.size(), ids.toString());
        assertEquals(400, get("/v1/customers/C100/recommendations?maxPerCategory=x").statusCode());
    }

    @Test
    void aPinnedItemTheCustomerBoughtSaysSoEvenWhenInjected() throws Exception {
        // limit 1 over-fetches 5 candidates, rule proposals before repeats, so C100's I05 is not among them: the
        // pin injects it, and it must still read as the customer's own repeat purchase, not a popular item.
        JsonNode item = JSON.readTree(get("/v1/customers/C100/recommendations?limit=1&pinLimit=1&pin="
                + enc("id:I05")).body()).get("items").get(0);
        assertEquals("I05", item.get("itemId").asText(), item.toString());
        assertEquals("pinned", item.get("source").asText(), item.toString());
        assertTrue(item.at("/explanation/summary").asText().contains("bought before in 1 order(s), last on 2011-04-21"),
                item.toString());
        assertEquals(1, item.at("/explanation/purchase/orderCount").asInt(), item.toString());
        assertTrue(item.at("/explanation/popularity").isMissingNode(), item.toString());
    }

    @Test
    void boostMovesMatchingItemsAheadKeepingTheirOrder() throws Exception {
        List<String> ids = itemIds(get("/v1/customers/C100/recommendations?limit=5&boost=" + enc("category:cat2")));
        assertEquals(5, ids.size());
        ids.forEach(id -> assertEquals(2, index(id) % 3, ids.toString()));
        assertEquals("I02", ids.get(0), "the best-ranked cat2 item (proposed by a rule) comes first: " + ids);
        // Boosted items say why they moved, as boosted offers do; their evidence follows.
        JsonNode items = JSON.readTree(get("/v1/customers/C100/recommendations?limit=5&boost="
                + enc("category:cat2")).body()).get("items");
        for (JsonNode item : items) {
            assertTrue(item.get("explanation").get("summary").asText().startsWith("boosted: matches boost "
                    + "'category:cat2'; "), item.toString());
        }
        JsonNode plain = JSON.readTree(get("/v1/customers/C100/recommendations?limit=5").body()).get("items");
        plain.forEach(item -> assertFalse(item.get("explanation").get("summary").asText().startsWith("boosted"),
                item.toString()));
        assertEquals(400, get("/v1/customers/C100/recommendations?boost=" + enc("price:[1 TO")).statusCode());
    }

    @Test
    void stockChangesSurviveAModelSwap() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("swap-store"));
        String first = TestStores.publish(store, "one");
        String second = TestStores.publish(store, "two");
        store.activate(first);
        SwappableModelSource source = new SwappableModelSource();
        try (ModelAdmin admin = new ModelAdmin(store, source, TestStores::serve)) {
            admin.reload();
            AffinityServer swapping = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                    source, new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5))).start();
            try {
                HttpResponse<String> put = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + swapping.port() + "/admin/items/I01/availability"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"available\":false}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, put.statusCode(), put.body());
                admin.activate(second);
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + swapping.port() + "/v1/items/I00/bought-together")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(second, JSON.readTree(r.body()).get("modelVersion").asText());
                assertEquals(List.of("I02"), itemIds(r), "I01 is still out of stock under the new version");
            } finally {
                swapping.close();
            }
        } finally {
            source.close(Duration.ofSeconds(5));
        }
        assertEquals(0, source.openGenerations(), "each retired version closed with its catalogue");
    }

    @Test
    void catalogueSearch() throws Exception {
        HttpResponse<String> r = get("/v1/items?q=" + enc("description:7 OR id:I12") + "&limit=10");
        assertEquals(Set.of("I07", "I12"), new TreeSet<>(itemIds(r)));
        JsonNode first = JSON.readTree(r.body()).at("/items/0");
        assertTrue(first.get("available").asBoolean());
        assertTrue(first.has("price") && first.has("category"), first.toString());
        // The family is shown as indexed, so that it can be searched for.
        String family = first.get("family").asText();
        assertEquals(List.of(first.get("itemId").asText()),
                itemIds(get("/v1/items?q=" + enc("family:\"" + family + "\""))), family);
        assertEquals(family, JSON.readTree(get("/v1/items/" + first.get("itemId").asText()).body())
                .get("family").asText());
        assertEquals(3, itemIds(get("/v1/items?q=item&limit=3")).size());
        HttpResponse<String> bad = get("/v1/items?q=" + enc("item AND"));
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("'q'"), bad.body());
        assertEquals(400, get("/v1/items").statusCode());
    }

    /**
     * A merchandiser pages through a search: {@code matched} counts every hit, pages of {@code limit} from
     * {@code offset} put together give the whole result in the same order (equal scores included), and a bad offset
     * is a 400 naming it.
     */
    @Test
    void catalogueSearchPagesThroughEveryHit() throws Exception {
        HttpResponse<String> all = get("/v1/items?q=item&limit=100");
        List<String> whole = itemIds(all);
        assertTrue(whole.size() > 7, whole.toString());
        assertEquals(whole.size(), JSON.readTree(all.body()).get("matched").asLong());
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < whole.size(); offset += 3) {
            HttpResponse<String> page = get("/v1/items?q=item&limit=3&offset=" + offset);
            JsonNode body = JSON.readTree(page.body());
            assertEquals(whole.size(), body.get("matched").asLong());
            assertEquals(offset, body.get("offset").asInt());
            paged.addAll(itemIds(page));
        }
        assertEquals(whole, paged);
        HttpResponse<String> past = get("/v1/items?q=item&offset=10000");
        assertEquals(List.of(), itemIds(past));
        assertEquals(whole.size(), JSON.readTree(past.body()).get("matched").asLong());
        for (String bad : List.of("-1", "10001", "", "x")) {
            HttpResponse<String> r = get("/v1/items?q=item&offset=" + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertTrue(r.body().contains("'offset'"), r.body());
        }
    }

    @Test
    void stockChangesTakeEffectAtOnce() throws Exception {
        assertEquals("I01", itemIds(get("/v1/items/I00/bought-together")).get(0));
        assertEquals(401, putAvailability("I01", "{\"available\":false}", null).statusCode());
        assertEquals(401, putAvailability("I01", "{\"available\":false}", "wrong-token-0123456789abcdef").statusCode());
        assertEquals(404, putAvailability("NOPE", "{\"available\":false}", TOKEN).statusCode());
        HttpResponse<String> bad = putAvailability("I01", "{\"available\":\"no\"}", TOKEN);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("'available'"), bad.body());
        try {
            HttpResponse<String> r = putAvailability("i01", "{\"available\":false}", TOKEN);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("I02"), itemIds(get("/v1/items/I00/bought-together")));
            assertFalse(itemIds(get("/v1/customers/C100/recommendations?limit=20")).contains("I01"));
            assertFalse(JSON.readTree(get("/v1/items?q=id:I01").body()).at("/items/0/available").asBoolean());
        } finally {
            assertEquals(200, putAvailability("I01", "{\"available\":true}", TOKEN).statusCode());
        }
        assertEquals("I01", itemIds(get("/v1/items/I00/bought-together")).get(0));
    }

    @Test
    void openApiSaysEveryV1OperationTakesTheApiKeyAndMayAnswer401() throws Exception {
        JsonNode doc = JSON.readTree(get("/openapi.json").body());
        assertTrue(doc.at("/components/securitySchemes/apiKey/description").asText().contains("--api-keys-file"));
        List<String> checked = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
            if (op.getKey().equals("parameters")) {
                return;
            }
            String name = op.getKey() + " " + p.getKey();
            boolean v1 = p.getKey().startsWith("/v1/");
            assertEquals(v1, op.getValue().at("/security/0").has("apiKey"), name);
            if (v1) {
                assertTrue(op.getValue().at("/responses").has("401"), name);
            }
            checked.add(name);
        }));
        assertTrue(checked.contains("head /v1/rules")
                && checked.contains("put /v1/customers/{customerId}/consent/{channel}"), checked.toString());
        // Documented statuses match behaviour: an unknown item on /v1/rules is a 404.
        assertEquals(404, get("/v1/rules?item=NOPE").statusCode());
        assertTrue(doc.at("/paths/~1v1~1rules/get/responses").has("404"));
        assertTrue(doc.at("/paths/~1v1~1rules/head/responses").has("404"));
        assertEquals("#/components/schemas/NextBestOffers", doc.at("/paths/~1v1~1customers~1{customerId}"
                + "~1next-best-offers/get/responses/200/content/application~1json/schema/$ref").asText());
        assertTrue(doc.at("/components/schemas/NextBestOffers/properties").has("contactable"));
    }

    @Test
    void openApiDocumentListsExactlyTheRegisteredEndpoints() throws Exception {
        // A second server with model administration configured, so that every endpoint is registered.
        ModelStore store = ModelStore.open(tmp.resolve("admin-store"));
        store.activate(TestStores.publish(store, "b"));
        SwappableModelSource source = new SwappableModelSource();
        Set<String> registered;
        try (ModelAdmin admin = new ModelAdmin(store, source, TestStores::serve)) {
            admin.reload();
            AffinityServer full = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                    new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5))).start();
            registered = new TreeSet<>(full.endpoints());
            full.close();
        } finally {
            source.close(Duration.ofSeconds(5));
        }
        HttpResponse<String> r = get("/openapi.json");
        assertEquals(200, r.statusCode());
        JsonNode doc = JSON.readTree(r.body());
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (!m.equals("parameters")) { // shared by the path's operations, not an operation
                documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertTrue(registered.contains("GET /v1/items"), registered.toString());
        assertTrue(registered.size() > 10, registered.toString());
        assertEquals(registered, documented);
    }
}
