package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary over HTTP against a real model store: the admin endpoints, which version answers which customer (on
 * every endpoint naming one, across requests and across a restart), re-weighting, replacing, stopping, promoting,
 * a damaged CANARY, the watcher following CANARY, and the metrics. Customers are synthetic ids the snapshots do
 * not hold (answered from the popular fallback, which reports its modelVersion all the same) plus the snapshots'
 * own customers.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CanaryHttpTest {
    static final String TOKEN = "test-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int IDS = 300;

    @TempDir
    static Path dir;
    static ModelStore store;
    static String base;
    static String candidate;
    static String third;
    static String damaged;
    static SwappableModelSource source;
    static ModelAdmin admin;
    static AffinityServer server;
    /** Each id's version under the canary of {@link #candidate} at 30%, as first answered. */
    static final Map<String, String> FIRST_ANSWERS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        base = TestStores.publish(store, "base");
        candidate = TestStores.publish(store, "candidate");
        third = TestStores.publish(store, "third");
        damaged = TestStores.publish(store, "damaged");
        TestStores.corrupt(store.directory().resolve(damaged).resolve("popular.bin"));
        store.activate(base);
        startServer();
    }

    static void startServer() throws Exception {
        source = new SwappableModelSource();
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5))).start();
    }

    @AfterAll
    static void stop() {
        stopServer();
    }

    static void stopServer() {
        if (server != null) {
            server.close();
        }
        admin.close();
        source.close(Duration.ofSeconds(5));
    }

    static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IDS; i++) {
            ids.add("K" + (1000 + i));
        }
        for (int c = 0; c < TestStores.CUSTOMERS; c++) {
            ids.add(TestStores.customerId(c));
        }
        return ids;
    }

    /** The version a canary of {@code canary} at {@code percent} beside CURRENT {@code current} gives {@code id}. */
    static String expected(String id, String current, String canary, int percent) {
        return canary != null && CanaryAssignment.bucket(id, CanaryAssignment.salt(canary)) < percent ? canary
                : current;
    }

    /** The modelVersion of the customer's recommendations, checking every item carries that version's tag. */
    static String recommendationsVersion(String id) throws Exception {
        JsonNode body = getJson("/v1/customers/" + id + "/recommendations?limit=4");
        String version = body.get("modelVersion").asText();
        for (JsonNode item : body.get("items")) {
            assertTrue(item.get("description").asText().endsWith("@" + tag(version)), "mixed: " + body);
        }
        return version;
    }

    static String tag(String version) {
        return version.equals(base) ? "base" : version.equals(candidate) ? "candidate" : version.equals(third)
                ? "third" : "?";
    }

    @Test
    @Order(1)
    void aCanaryAnswersAStableSliceOfCustomersOnEveryEndpointNamingOne() throws Exception {
        HttpResponse<String> r = startCanary(candidate, "{\"percent\": 30}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode change = JSON.readTree(r.body());
        assertTrue(change.get("previous").isNull(), r.body());
        assertEquals(candidate, change.at("/canary/version").asText());
        assertEquals(30, change.at("/canary/percent").asInt());
        assertEquals(base, change.get("current").asText());
        assertFalse(change.has("canaryError"), r.body());
        assertEquals(Optional.of(new ModelStore.Canary(candidate, 30)), store.canary(), "written to the store");
        assertEquals(candidate + " 30\n", Files.readString(store.directory().resolve("CANARY")));
        assertEquals(2, source.openGenerations());

        int taken = 0;
        for (String id : ids()) {
            String want = expected(id, base, candidate, 30);
            String first = recommendationsVersion(id);
            assertEquals(want, first, id);
            assertEquals(first, recommendationsVersion(id), "the same customer, the same version: " + id);
            FIRST_ANSWERS.put(id, first);
            taken += first.equals(candidate) ? 1 : 0;
        }
        // Binomial(310, 0.3): mean 93, sd 8.1; the exact slice is checked per id above, this only says it is a slice
        assertTrue(taken > 50 && taken < 140, "taken: " + taken);

        // every endpoint naming the customer answers from the same version
        for (String id : ids().subList(0, 40)) {
            String want = FIRST_ANSWERS.get(id);
            assertEquals(want, getJson("/v1/customers/" + id + "/next-best-offers?limit=3").get("modelVersion")
                    .asText(), "offers " + id);
            assertEquals(want, getJson("/v1/items/I01/upsell?customerId=" + id).get("modelVersion").asText(),
                    "upsell " + id);
            assertEquals(want, JSON.readTree(basket("{\"items\":[\"I02\"],\"customerId\":\"" + id + "\"}").body())
                    .get("modelVersion").asText(), "basket " + id);
        }
        // naming no customer: CURRENT
        for (int i = 0; i < 20; i++) {
            assertEquals(base, getJson("/v1/items/" + TestStores.itemId(i) + "/bought-together").get("modelVersion")
                    .asText());
            assertEquals(base, JSON.readTree(basket("{\"items\":[\"" + TestStores.itemId(i) + "\"]}").body())
                    .get("modelVersion").asText());
            assertEquals(base, getJson("/v1/items/" + TestStores.itemId(i) + "/upsell").get("modelVersion").asText());
        }
        assertEquals(base, getJson("/v1/model").get("version").asText());
        assertEquals(base, getJson("/ready").get("modelVersion").asText());

        JsonNode list = JSON.readTree(send("GET", "/admin/models", TOKEN, null).body());
        assertEquals(base, list.get("serving").asText());
        assertEquals(base, list.get("current").asText());
        assertEquals(candidate, list.at("/canary/version").asText());
        assertEquals(30, list.at("/canary/percent").asInt());
        assertEquals(candidate, list.at("/servingCanary/version").asText());
        assertFalse(list.has("canaryError"), list.toString());
        for (JsonNode v : list.get("versions")) {
            String version = v.get("version").asText();
            assertEquals(version.equals(candidate), v.get("canary").asBoolean(), version);
            assertEquals(version.equals(candidate) || version.equals(base), v.get("serving").asBoolean(), version);
        }

        String metrics = send("GET", "/metrics", null, null).body();
        assertTrue(metrics.contains("affinity_model_canary_percent 30\n"), metrics);
        assertTrue(metrics.contains("affinity_model_canary_info{version=\"" + candidate + "\"} 1\n"), metrics);
        assertTrue(metrics.contains("affinity_model_info{version=\"" + base + "\"} 1\n"), metrics);
        assertTrue(metrics.contains("affinity_model_open_versions 2\n"), metrics);
        long canaryAnswers = counter(metrics, "affinity_canary_requests_total{model=\"canary\"}");
        long currentAnswers = counter(metrics, "affinity_canary_requests_total{model=\"current\"}");
        assertTrue(canaryAnswers >= 2L * taken, metrics);
        assertTrue(currentAnswers >= 2L * (ids().size() - taken), metrics);
        for (String id : ids()) {
            assertFalse(metrics.contains(id), "a customer id in the metrics");
        }
    }

    @Test
    @Order(2)
    void theSameCustomersGetTheSameVersionsAfterARestart() throws Exception {
        stopServer();
        startServer(); // a new process would read the same CANARY and hash the same way (pinned in CanaryAssignmentTest)
        assertEquals(candidate, source.canary().orElseThrow().version(), "the canary is loaded at start");
        for (String id : ids()) {
            assertEquals(FIRST_ANSWERS.get(id), recommendationsVersion(id), id);
        }
    }

    @Test
    @Order(3)
    void raisingThePercentKeepsTheSliceAndAnotherVersionTakesAFreshOne() throws Exception {
        ServedModel canaryModel = source.canary().orElseThrow().model();
        long swaps = source.swapCount();
        HttpResponse<String> r = startCanary(candidate, "{\"percent\": 60}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(30, JSON.readTree(r.body()).at("/previous/percent").asInt());
        assertSame(canaryModel, source.canary().orElseThrow().model(), "re-weighted, not reopened");
        assertEquals(swaps, source.swapCount());
        for (String id : ids()) {
            String now = recommendationsVersion(id);
            assertEquals(expected(id, base, candidate, 60), now, id);
            if (FIRST_ANSWERS.get(id).equals(candidate)) {
                assertEquals(candidate, now, "a customer of the 30% slice stays in the 60% one: " + id);
            }
        }

        r = startCanary(third, "{\"percent\": 30}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(candidate, JSON.readTree(r.body()).at("/previous/version").asText());
        int moved = 0;
        for (String id : ids()) {
            String now = recommendationsVersion(id);
            assertEquals(expected(id, base, third, 30), now, id);
            moved += (now.equals(third)) != FIRST_ANSWERS.get(id).equals(candidate) ? 1 : 0;
        }
        assertTrue(moved > 50, "another version, another slice: only " + moved + " customers changed side");
        assertEquals(2, source.openGenerations(), "the replaced canary was closed");
    }

    @Test
    @Order(4)
    void badCanaryRequestsAreRefusedWithProblemsAndChangeNothing() throws Exception {
        Optional<ModelStore.Canary> before = store.canary();
        assertProblem(send("POST", "/admin/models/" + candidate + "/canary", TOKEN, null), 415, "Content-Type");
        assertProblem(send("POST", "/admin/models/" + candidate + "/canary", TOKEN, "text/plain", "{\"percent\":5}"),
                415, "application/json");
        assertProblem(startCanary(candidate, ""), 400, "empty body");
        assertProblem(startCanary(candidate, "{\"percent\": 5"), 400, "malformed JSON");
        assertProblem(startCanary(candidate, "{\"percent\": 5, \"share\": 1}"), 400, "unknown field 'share'");
        assertProblem(startCanary(candidate, "[5]"), 400, "must be a JSON object");
        assertProblem(startCanary(candidate, "{}"), 422, "field 'percent' is required");
        assertProblem(startCanary(candidate, "{\"percent\": null}"), 422, "field 'percent' is required");
        assertProblem(startCanary(candidate, "{\"percent\": \"10\"}"), 422, "was string");
        assertProblem(startCanary(candidate, "{\"percent\": 10.5}"), 422, "was 10.5");
        assertProblem(startCanary(candidate, "{\"percent\": 0}"), 422, "DELETE /admin/models/canary");
        assertProblem(startCanary(candidate, "{\"percent\": 100}"), 422, "/activate");
        assertProblem(startCanary(candidate, "{\"percent\": -3}"), 422, "1 to 99");
        assertProblem(startCanary(candidate, "{\"percent\": 1e10}"), 422, "field 'percent'");
        assertProblem(startCanary("20990101-000000-000000", "{\"percent\": 10}"), 404, "unknown version");
        assertProblem(startCanary("not-a-version", "{\"percent\": 10}"), 404, "not a version id");
        assertProblem(startCanary(base, "{\"percent\": 10}"), 409, "is CURRENT");
        HttpResponse<String> refused = startCanary(damaged, "{\"percent\": 10}");
        assertProblem(refused, 422, "popular.bin");
        assertEquals("Snapshot refused", JSON.readTree(refused.body()).get("title").asText());
        assertProblem(send("POST", "/admin/models/" + candidate + "/canary", null, "application/json",
                "{\"percent\": 10}"), 401, "Authorization");
        assertProblem(send("DELETE", "/admin/models/canary", null, null), 401, "Authorization");
        assertProblem(send("POST", "/admin/models/" + candidate + "/canary?percent=10", TOKEN, "application/json",
                "{\"percent\": 10}"), 400, "unknown query parameter 'percent'");
        assertEquals(405, send("POST", "/admin/models/canary", TOKEN, null).statusCode());
        assertEquals(before, store.canary(), "nothing changed");
        assertEquals(third, source.canary().orElseThrow().version());
    }

    @Test
    @Order(5)
    void stoppingSendsEveryCustomerBackToCurrentAndIsIdempotent() throws Exception {
        HttpResponse<String> r = send("DELETE", "/admin/models/canary", TOKEN, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(third, body.at("/previous/version").asText());
        assertTrue(body.get("canary").isNull(), r.body());
        assertEquals(base, body.get("current").asText());
        assertEquals(Optional.empty(), store.canary());
        for (String id : ids()) {
            assertEquals(base, recommendationsVersion(id), id);
        }
        assertEquals(1, source.openGenerations(), "the stopped canary was closed");
        String metrics = send("GET", "/metrics", null, null).body();
        assertTrue(metrics.contains("affinity_model_canary_percent 0\n"), metrics);
        assertFalse(metrics.contains("affinity_model_canary_info"), metrics);

        HttpResponse<String> again = send("DELETE", "/admin/models/canary", TOKEN, null);
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(JSON.readTree(again.body()).get("previous").isNull(), again.body());
    }

    @Test
    @Order(6)
    void activatingTheCanarysVersionPromotesItAndActivatingAnotherLeavesItRunning() throws Exception {
        assertEquals(200, startCanary(candidate, "{\"percent\": 20}").statusCode());
        ServedModel canaryModel = source.canary().orElseThrow().model();
        HttpResponse<String> r = send("POST", "/admin/models/" + candidate + "/activate", TOKEN, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode change = JSON.readTree(r.body());
        assertEquals(candidate, change.get("activeVersion").asText());
        assertEquals(candidate, change.at("/promotedCanary/version").asText());
        assertEquals(20, change.at("/promotedCanary/percent").asInt());
        assertFalse(change.has("canary"), "no canary after the promotion: " + r.body());
        assertEquals(Optional.of(candidate), store.currentVersion());
        assertEquals(Optional.empty(), store.canary(), "cleared with the switch");
        assertSame(canaryModel, source.current().orElseThrow(), "promoted without opening it again");
        assertTrue(source.canary().isEmpty());
        for (String id : ids()) {
            assertEquals(candidate, recommendationsVersion(id), id);
        }
        assertEquals(1, source.openGenerations(), "the old CURRENT was closed");

        assertEquals(200, startCanary(third, "{\"percent\": 50}").statusCode());
        r = send("POST", "/admin/models/" + base + "/activate", TOKEN, null);
        assertEquals(200, r.statusCode(), r.body());
        change = JSON.readTree(r.body());
        assertFalse(change.has("promotedCanary"), r.body());
        assertEquals(third, change.at("/canary/version").asText(), "another version: the canary stays");
        assertEquals(Optional.of(new ModelStore.Canary(third, 50)), store.canary());
        for (String id : ids()) {
            assertEquals(expected(id, base, third, 50), recommendationsVersion(id), id);
        }
    }

    @Test
    @Order(7)
    void aDamagedCanaryLeavesCurrentAloneAndSaysSoInTheLogAndTheListing() throws Exception {
        Path canaryFile = store.directory().resolve("CANARY");
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            Files.writeString(canaryFile, third + " lots\n");
            HttpResponse<String> r = send("POST", "/admin/models/reload", TOKEN, null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode change = JSON.readTree(r.body());
            assertTrue(change.get("canaryError").asText().contains(canaryFile.toString()), r.body());
            assertFalse(change.has("canary"), r.body());
            assertTrue(source.canary().isEmpty(), "CURRENT alone");
            for (String id : ids()) {
                assertEquals(base, recommendationsVersion(id), id);
            }
            JsonNode list = JSON.readTree(send("GET", "/admin/models", TOKEN, null).body());
            assertTrue(list.get("canary").isNull(), list.toString());
            assertTrue(list.get("servingCanary").isNull(), list.toString());
            assertTrue(list.get("canaryError").asText().contains("CANARY: does not hold a version id and a percent"),
                    list.toString());
            admin.followCurrent(); // the watcher's tick: the same damage is not logged again
            admin.followCurrent();
            List<String> warnings = Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> l.contains("WARN") && l.contains("CANARY")).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("serving " + base + " alone to every customer"), warnings.get(0));
            assertTrue(warnings.get(0).contains("canary " + third + " stopped"), warnings.get(0));

            // A CANARY naming a version that fails verification: refused, CURRENT alone, said so.
            Files.writeString(canaryFile, damaged + " 40\n");
            r = send("POST", "/admin/models/reload", TOKEN, null);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(JSON.readTree(r.body()).get("canaryError").asText().contains("popular.bin"), r.body());
            assertTrue(source.canary().isEmpty());
            assertTrue(JSON.readTree(send("GET", "/admin/models", TOKEN, null).body()).get("canaryError").asText()
                    .contains("canary " + damaged + " refused"));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("canary " + damaged + " refused, serving " + base
                    + " alone to every customer"), log.toString(StandardCharsets.UTF_8));

            // Stopping repairs it.
            Files.writeString(canaryFile, "\u0000garbage");
            HttpResponse<String> stopped = send("DELETE", "/admin/models/canary", TOKEN, null);
            assertEquals(200, stopped.statusCode(), stopped.body());
            assertFalse(Files.exists(canaryFile));
            JsonNode after = JSON.readTree(send("GET", "/admin/models", TOKEN, null).body());
            assertFalse(after.has("canaryError"), after.toString());
        } finally {
            System.setErr(err);
        }
    }

    @Test
    @Order(8)
    void theWatcherFollowsCanaryChangesMadeByOtherProcesses() throws Exception {
        // what `./affinity models canary` (or another replica's admin endpoint) does: the store only
        store.startCanary(candidate, 25);
        admin.followCurrent();
        assertEquals(candidate, source.canary().orElseThrow().version());
        assertEquals(25, source.canary().orElseThrow().percent());
        for (String id : ids().subList(0, 60)) {
            assertEquals(expected(id, base, candidate, 25), recommendationsVersion(id), id);
        }
        store.startCanary(candidate, 75);
        admin.followCurrent();
        assertEquals(75, source.canary().orElseThrow().percent());
        ServedModel canaryModel = source.canary().orElseThrow().model();

        store.activate(candidate); // a promotion by another process
        admin.followCurrent();
        assertSame(canaryModel, source.current().orElseThrow(), "promoted, not reopened");
        assertTrue(source.canary().isEmpty());

        store.startCanary(base, 10);
        admin.followCurrent();
        assertEquals(base, source.canary().orElseThrow().version());
        store.stopCanary();
        admin.followCurrent();
        assertTrue(source.canary().isEmpty());
        assertEquals(1, source.openGenerations());
        for (String id : ids().subList(0, 60)) {
            assertEquals(candidate, recommendationsVersion(id), id);
        }
    }

    @Test
    @Order(9)
    void stoppingAfterAnotherProcessPromotedTheCanaryGivesEveryCustomerTheStoresCurrent() throws Exception {
        assertEquals(200, startCanary(third, "{\"percent\": 40}").statusCode());
        ServedModel canaryModel = source.canary().orElseThrow().model();
        // `./affinity models activate` on the store: CURRENT switched, CANARY removed; this server has not looked
        // since (its watcher runs every --watch-interval), and a DELETE arrives meanwhile.
        store.activate(third);
        HttpResponse<String> r = send("DELETE", "/admin/models/canary", TOKEN, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.get("previous").isNull(), "the store had no canary left: " + r.body());
        assertEquals(third, body.get("current").asText(), "CURRENT as the store names it: " + r.body());
        assertSame(canaryModel, source.current().orElseThrow(), "the canary's customers stay on it: promoted");
        assertTrue(source.canary().isEmpty());
        for (String id : ids().subList(0, 60)) {
            assertEquals(third, recommendationsVersion(id), id);
        }
    }

    static long counter(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in " + metrics);
    }

    static void assertProblem(HttpResponse<String> r, int status, String detailPart) throws Exception {
        ModelLifecycleHttpTest.assertProblem(r, status, detailPart);
    }

    static HttpResponse<String> startCanary(String version, String body) throws Exception {
        return send("POST", "/admin/models/" + version + "/canary", TOKEN, "application/json", body);
    }

    static HttpResponse<String> basket(String body) throws Exception {
        return send("POST", "/v1/baskets/recommendations", null, "application/json", body);
    }

    static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return send(method, path, token, null, body);
    }

    static HttpResponse<String> send(String method, String path, String token, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
