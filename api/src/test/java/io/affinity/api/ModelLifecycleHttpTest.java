package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model lifecycle over HTTP against a real model store: refusal of a damaged snapshot, reload, listing, admin
 * authentication, readiness and metrics. Swaps under load are {@link SwapUnderLoadHttpTest}'s.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelLifecycleHttpTest {
    static final String TOKEN = "test-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TaggedStoreServer fixture;
    static ModelStore store;
    /** version id -> description tag of its items */
    static Map<String, String> TAGS;
    static String damaged;
    static SwappableModelSource source;

    @BeforeAll
    static void start() throws Exception {
        fixture = new TaggedStoreServer(dir.resolve("models"), TOKEN, List.of("red", "green", "blue"));
        store = fixture.store;
        TAGS = fixture.tags;
        source = fixture.source;
        damaged = TestStores.publish(store, "damaged");
        TestStores.corrupt(store.directory().resolve(damaged).resolve("popular.bin"));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(2)
    void aDamagedSnapshotIsRefusedAnd422WhileTheServedOneStays() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        HttpResponse<String> r = send("POST", "/admin/models/" + damaged + "/activate", TOKEN);
        assertProblem(r, 422, "popular.bin");
        assertTrue(JSON.readTree(r.body()).get("detail").asText().contains("checksum"), r.body());
        assertEquals(serving, source.current().orElseThrow().snapshot().version());
        assertEquals(serving, store.currentVersion().orElseThrow(), "CURRENT unchanged");
        assertEquals(serving, getJson("/v1/items/I01/bought-together").get("modelVersion").asText());
        assertProblem(send("POST", "/admin/models/20990101-000000-000000/activate", TOKEN), 404, "unknown version");
    }

    @Test
    @Order(3)
    void reloadPicksUpANewlyPublishedCurrentVersion() throws Exception {
        String fresh = TestStores.publish(store, "fresh");
        TAGS.put(fresh, "fresh");
        JsonNode unchanged = JSON.readTree(send("POST", "/admin/models/reload", TOKEN).body());
        assertFalse(unchanged.get("changed").asBoolean(), "published without activating: CURRENT did not move");
        store.activate(fresh);
        HttpResponse<String> r = send("POST", "/admin/models/reload", TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("changed").asBoolean());
        JsonNode answer = getJson("/v1/items/I03/bought-together");
        assertEquals(fresh, answer.get("modelVersion").asText());
        assertTrue(answer.at("/items/0/description").asText().endsWith("@fresh"));
    }

    @Test
    @Order(4)
    void listingShowsEveryVersionWithItsManifest() throws Exception {
        HttpResponse<String> r = send("GET", "/admin/models", TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        String serving = source.current().orElseThrow().snapshot().version();
        assertEquals(serving, body.get("serving").asText());
        assertEquals(store.versions().size(), body.get("versions").size());
        int servingFlags = 0;
        for (JsonNode v : body.get("versions")) {
            assertEquals(v.get("version").asText(), v.at("/manifest/version").asText());
            assertEquals(TestStores.ITEMS, v.at("/manifest/counts/items").asLong());
            servingFlags += v.get("serving").asBoolean() ? 1 : 0;
        }
        assertEquals(1, servingFlags);
    }

    @Test
    @Order(5)
    void adminNeedsTheBearerToken() throws Exception {
        HttpResponse<String> none = send("GET", "/admin/models", null);
        assertProblem(none, 401, "Authorization");
        assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent());
        assertProblem(send("POST", "/admin/models/reload", "wrong-token-but-long-enough"), 401, "not valid");
        assertProblem(send("POST", "/admin/models/reload", TOKEN + "x"), 401, "not valid");
        HttpResponse<String> basic = fixture.send(HttpRequest.newBuilder(uri("/admin/models"))
                .header("Authorization", "Basic " + TOKEN).GET().build());
        assertProblem(basic, 401, "Bearer");
        assertFalse(basic.body().contains(TOKEN));
    }

    @Test
    @Order(6)
    void readinessAndMetricsUseRouteTemplatesNotCustomerIds() throws Exception {
        JsonNode ready = getJson("/ready");
        assertEquals("ready", ready.get("status").asText());
        send("GET", "/v1/customers/C105/recommendations", null);
        send("GET", "/v1/customers/C105/nonsense", null);
        assertEquals(405, send("DELETE", "/admin/models", TOKEN).statusCode());
        HttpResponse<String> r = send("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = r.body();
        assertFalse(text.contains("C105"), "a customer id leaked into the metrics");
        assertTrue(text.contains("affinity_http_requests_total{method=\"GET\",route=\"/v1/customers/{customerId}/recommendations\",status=\"200\"}"), text);
        assertTrue(text.contains("route=\"unmatched\",status=\"404\""), text);
        assertTrue(text.contains("affinity_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/items/{itemId}/bought-together\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("route=\"/admin/models/{version}/activate\",status=\"422\""), text);
        // Refused by access control (a filter) or by method: counted under the endpoint's template, not "/admin/*".
        assertTrue(text.contains("method=\"POST\",route=\"/admin/models/reload\",status=\"401\""), text);
        assertTrue(text.contains("method=\"DELETE\",route=\"/admin/models\",status=\"405\""), text);
        assertFalse(text.contains("route=\"/admin/*\""), text);
        assertTrue(text.contains("affinity_model_info{version=\"" + source.current().orElseThrow().snapshot().version() + "\"} 1"), text);
        assertTrue(text.contains("affinity_model_age_seconds "), text);
        assertTrue(text.contains("affinity_model_open_versions 1"), text);
        // Which build answers, for a fleet half way through an upgrade.
        assertTrue(text.contains("affinity_build_info{version=\""
                + io.affinity.store.Manifest.Software.current().affinityVersion() + "\",java=\""
                + System.getProperty("java.version") + "\"} 1"), text);
        PrometheusText.check(text);
    }

    @Test
    @Order(7)
    void reloadWithAnUnusableCurrentIsA409NothingToLoad() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        Path current = store.directory().resolve("CURRENT");
        try {
            Files.writeString(current, "");
            HttpResponse<String> empty = send("POST", "/admin/models/reload", TOKEN);
            assertProblem(empty, 409, current + ": is empty");
            assertEquals("Nothing to load", JSON.readTree(empty.body()).get("title").asText());
            assertFalse(empty.body().contains("verification"), empty.body());
            Files.writeString(current, "garbage\n");
            assertProblem(send("POST", "/admin/models/reload", TOKEN), 409, "does not hold a version id: 'garbage'");
            Files.writeString(current, "20991231-000000-abcdef\n");
            assertProblem(send("POST", "/admin/models/reload", TOKEN), 409,
                    "names version 20991231-000000-abcdef, which the store does not hold");
            assertEquals(serving, getJson("/v1/items/I01/bought-together").get("modelVersion").asText());
        } finally {
            Files.writeString(current, serving + "\n");
        }
    }

    /**
     * Found by the twenty-fourth session's fault injection: with a CURRENT the server could not read (permissions, or
     * here a symbolic link looping on itself), or one holding no version id, the listing an operator needs to choose
     * a version to activate answered 500. It lists the versions, says why CURRENT names none, and the served model
     * answers on.
     */
    @Test
    @Order(7)
    void theListingSaysWhyCurrentIsUnusableInsteadOfFailing() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        Path current = store.directory().resolve("CURRENT");
        try {
            Files.writeString(current, "garbage\n");
            HttpResponse<String> garbage = send("GET", "/admin/models", TOKEN);
            assertEquals(200, garbage.statusCode(), garbage.body());
            JsonNode body = JSON.readTree(garbage.body());
            assertTrue(body.get("current").isNull(), garbage.body());
            assertTrue(body.get("currentError").asText().contains(current + ": does not hold a version id: "
                    + "'garbage'"), garbage.body());
            assertEquals(store.versions().size(), body.get("versions").size());
            assertEquals(serving, body.get("serving").asText());

            Files.delete(current);
            Files.createSymbolicLink(current, current.getFileName());
            HttpResponse<String> loop = send("GET", "/admin/models", TOKEN);
            assertEquals(200, loop.statusCode(), loop.body());
            assertTrue(JSON.readTree(loop.body()).get("currentError").asText().startsWith(current + ": "),
                    loop.body());
            assertProblem(send("POST", "/admin/models/reload", TOKEN), 503, current.toString());
            assertEquals(serving, getJson("/v1/items/I01/bought-together").get("modelVersion").asText());
        } finally {
            Files.deleteIfExists(current);
            Files.writeString(current, serving + "\n");
        }
        assertFalse(JSON.readTree(send("GET", "/admin/models", TOKEN).body()).has("currentError"));
    }

    @Test
    @Order(8)
    void commandsWithoutABodyRefuseOneAndChangeNothing() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        String other = TestStores.publish(store, "other");
        TAGS.put(other, "other");
        store.activate(other);
        try {
            // A client that thinks reload takes a version: refused, so it cannot believe it chose one.
            assertProblem(sendBody("POST", "/admin/models/reload", "{\"version\":\"" + serving + "\"}"), 400,
                    "POST /admin/models/reload takes no body");
            assertProblem(sendBody("POST", "/admin/models/" + other + "/activate", "{}"), 400,
                    "takes no body; the version is the path's");
            assertProblem(sendBody("DELETE", "/admin/models/canary", "{\"percent\":0}"), 400,
                    "DELETE /admin/models/canary takes no body");
            assertEquals(serving, source.current().orElseThrow().snapshot().version(), "nothing was applied");
            assertEquals(serving, getJson("/v1/items/I01/bought-together").get("modelVersion").asText());
            // An empty body is no body.
            HttpResponse<String> empty = sendBody("POST", "/admin/models/reload", "");
            assertEquals(200, empty.statusCode(), empty.body());
            assertEquals(other, getJson("/v1/items/I01/bought-together").get("modelVersion").asText());
        } finally {
            store.activate(serving);
            assertEquals(200, send("POST", "/admin/models/reload", TOKEN).statusCode());
        }
    }

    /**
     * A CURRENT naming a version this server refuses (damaged, or not writable by it) left a server serving its old
     * version with only a log line to say so: nothing an alert could watch. The metrics now say it while it lasts.
     */
    @Test
    @Order(9)
    void aRefusedCurrentVersionShowsInTheMetricsUntilCurrentIsServedAgain() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        Path current = store.directory().resolve("CURRENT");
        String before = send("GET", "/metrics", null).body();
        PrometheusText.check(before);
        assertTrue(before.contains("\naffinity_model_current_refused 0\n"), before);
        long refusals = PrometheusText.sample(before, "affinity_model_refusals_total");
        try {
            Files.writeString(current, damaged + "\n"); // by hand: activate would verify and refuse
            assertProblem(send("POST", "/admin/models/reload", TOKEN), 422, "popular.bin");
            String refused = send("GET", "/metrics", null).body();
            PrometheusText.check(refused);
            assertTrue(refused.contains("\naffinity_model_current_refused 1\n"), refused);
            assertEquals(refusals + 1, PrometheusText.sample(refused, "affinity_model_refusals_total"));
            assertTrue(refused.contains("affinity_model_info{version=\"" + serving + "\"} 1"), refused);
            fixture.admin.followCurrent(); // the watcher: still refused (its files unchanged), counted once
            String watched = send("GET", "/metrics", null).body();
            assertTrue(watched.contains("\naffinity_model_current_refused 1\n"), watched);
        } finally {
            Files.writeString(current, serving + "\n");
        }
        fixture.admin.followCurrent(); // CURRENT names the served version again
        String after = send("GET", "/metrics", null).body();
        assertTrue(after.contains("\naffinity_model_current_refused 0\n"), after);
    }

    private static HttpResponse<String> sendBody(String method, String path, String body) throws Exception {
        return fixture.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /**
     * Consent lists travel with versions: rolling back through the admin endpoint to a version trained with an
     * older list serves that list, and the opt-outs only the newer one held are lost while it serves. Not refused
     * (a rollback may be urgent), but the answer and the log say so, as {@code models activate} does.
     */
    @Test
    @Order(10)
    void activatingAVersionWithAnOlderConsentListSaysItsOptOutsAreLost() throws Exception {
        String serving = source.current().orElseThrow().snapshot().version();
        String june = TestStores.publishWithConsentList(store, "june",
                java.time.Instant.parse("2026-06-01T00:00:00Z"));
        String november = TestStores.publishWithConsentList(store, "november",
                java.time.Instant.parse("2026-11-01T00:00:00Z"));
        try {
            HttpResponse<String> forward = send("POST", "/admin/models/" + november + "/activate", TOKEN);
            assertEquals(200, forward.statusCode(), forward.body());
            assertFalse(forward.body().contains("consentWarning"), "from a version without a list: "
                    + forward.body());
            HttpResponse<String> back = send("POST", "/admin/models/" + june + "/activate", TOKEN);
            assertEquals(200, back.statusCode(), back.body());
            assertEquals(june, JSON.readTree(back.body()).get("activeVersion").asText(), "not refused");
            assertTrue(JSON.readTree(back.body()).get("consentWarning").asText().startsWith("version " + june
                    + " serves its consent list of 2026-06-01T00:00:00Z, older than the one of " + november
                    + " (2026-11-01T00:00:00Z): opt-outs"), back.body());
        } finally {
            assertEquals(200, send("POST", "/admin/models/" + serving + "/activate", TOKEN).statusCode());
        }
    }

    @Test
    void headOfMetricsGivesTheHeadersOfGetWithoutABody() throws Exception {
        HttpResponse<String> get = send("GET", "/metrics", null);
        HttpResponse<String> head = send("HEAD", "/metrics", null);
        assertEquals(200, head.statusCode());
        assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"));
        assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals("", head.body());
    }

    static void assertProblem(HttpResponse<String> r, int status, String detailPart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("detail").asText().contains(detailPart), body.get("detail").asText());
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(String method, String path, String token) throws Exception {
        return fixture.send(method, path, token);
    }

    private static URI uri(String path) {
        return fixture.uri(path);
    }
}
