package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API key scopes: every {@code /v1} endpoint the server registers needs the scope its OpenAPI operation names, a key
 * without it gets a 403 that names the scope (never the key), and a key with it gets past access control.
 */
@IntegrationTest
class ApiKeyScopesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String EVERY_SCOPE_KEY = "every-scope-key-0123456789";
    private static final Map<ApiScope, String> KEYS = new EnumMap<>(ApiScope.class);
    private static AffinityServer server;

    @BeforeAll
    static void start() {
        List<ApiKey> keys = new ArrayList<>();
        for (ApiScope scope : ApiScope.values()) {
            KEYS.put(scope, "only-" + scope.label() + "-key-0123456789");
            keys.add(new ApiKey(KEYS.get(scope), EnumSet.of(scope)));
        }
        keys.add(ApiKey.withEveryScope(EVERY_SCOPE_KEY));
        InMemoryModelSnapshot s = InMemoryModelSnapshot.builder("scopes-v1")
                .item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build();
        ServedModel model = new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of());
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(model),
                new ServerOptions(AccessControl.withScopedKeys(null, keys), null, Duration.ofSeconds(1))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyV1EndpointNeedsTheScopeItsOperationNames() throws Exception {
        JsonNode paths = JSON.readTree(send("GET", "/openapi.json", null).body()).get("paths");
        Set<String> checked = new TreeSet<>();
        for (String endpoint : server.endpoints()) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String template = endpoint.substring(endpoint.indexOf(' ') + 1);
            if (!template.startsWith("/v1/")) {
                continue;
            }
            JsonNode operation = paths.path(template).path(method.toLowerCase(Locale.ROOT));
            assertFalse(operation.isMissingNode(), endpoint + " is not in the OpenAPI document");
            ApiScope scope = ApiScope.byLabel(operation.path("x-api-key-scope").asText());
            assertNotNull(scope, endpoint + " names no known x-api-key-scope");
            assertTrue(operation.path("responses").has("403"), endpoint + " does not document its 403");
            assertTrue(operation.path("responses").has("429"), endpoint + " does not document its 429");
            String path = template.replace("{itemId}", "A").replace("{customerId}", "C1")
                    .replace("{channel}", "email");

            int allowed = send(method, path, KEYS.get(scope)).statusCode();
            assertTrue(allowed != 401 && allowed != 403, endpoint + " with a '" + scope.label() + "' key: " + allowed);
            int every = send(method, path, EVERY_SCOPE_KEY).statusCode();
            assertTrue(every != 401 && every != 403, endpoint + " with a key of every scope: " + every);
            for (ApiScope other : ApiScope.values()) {
                if (other == scope) {
                    continue;
                }
                HttpResponse<String> refused = send(method, path, KEYS.get(other));
                assertEquals(403, refused.statusCode(), endpoint + " with a '" + other.label() + "' key");
                if (!method.equals("HEAD")) {
                    JsonNode body = JSON.readTree(refused.body());
                    assertEquals("https://affinity.dev/problems/insufficient-scope", body.get("type").asText(), refused.body());
                    assertEquals("this API key may not call " + (method + " " + template) + ": it needs the scope '"
                            + scope.label() + "' (the key has: " + other.label() + ")", body.get("detail").asText());
                    assertFalse(refused.body().contains(KEYS.get(other)), "the key is not echoed");
                }
            }
            checked.add(endpoint);
        }
        assertTrue(checked.contains("GET /v1/campaigns/offers") && checked.contains("PUT /v1/customers/{customerId}/"
                + "consent/{channel}") && checked.contains("HEAD /v1/customers/{customerId}/profile")
                && checked.size() >= 24, checked.toString());
    }

    /** A shop page's key (readable by every visitor) may not export the customer base or change consent. */
    @Test
    void aRecommendationsKeyServesPagesButNotPersonalData() throws Exception {
        String page = KEYS.get(ApiScope.RECOMMENDATIONS);
        assertEquals(200, send("GET", "/v1/items/A/bought-together", page).statusCode());
        assertEquals(200, send("GET", "/v1/customers/C1/recommendations", page).statusCode());
        assertEquals(403, send("GET", "/v1/campaigns/offers?channel=email", page).statusCode());
        assertEquals(403, send("GET", "/v1/customers/C1/profile", page).statusCode());
        assertEquals(403, send("GET", "/v1/consent/changes", page).statusCode());
        assertEquals(403, send("PUT", "/v1/customers/C1/consent/email", page).statusCode());
        String metrics = send("GET", "/metrics", null).body();
        assertTrue(metrics.contains("\naffinity_api_keys 5\n") && metrics.contains(
                "\naffinity_api_keys_reloads_refused_total 0\n"), metrics);
        // Access control comes first: a missing or unknown key stays a 401, whatever the endpoint's scope.
        for (String key : java.util.Arrays.asList(null, "unknown-key-0123456789")) {
            HttpResponse<String> refused = send("GET", "/v1/campaigns/offers?channel=email", key);
            assertEquals(401, refused.statusCode());
            // RFC 9110: every 401 carries a challenge; ours names the header to send
            assertEquals(java.util.Optional.of("ApiKey header=\"X-API-Key\""), refused.headers().firstValue("WWW-Authenticate"));
        }
    }

    /**
     * Requests are counted per client the keys name (two keys of one client, as while its key is rotated, count
     * together; a key naming none is "unnamed"), a 403 for a missing scope also as refused; a request with an
     * unknown key is no client's. A client whose keys were removed keeps its counts (counters never go back).
     */
    @Test
    void requestsAreCountedPerClientAcrossKeyReloads() throws Exception {
        String shop = "shop-key-0123456789abcdef";
        String shopNext = "shop-next-key-0123456789";
        String crm = "crm-key-0123456789abcdef";
        String anyone = "unnamed-key-0123456789ab";
        AccessControl access = AccessControl.withScopedKeys(null, List.of(
                new ApiKey(shop, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop"),
                new ApiKey(shopNext, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop"),
                new ApiKey(crm, EnumSet.of(ApiScope.PROFILES, ApiScope.EXPORTS), "crm"),
                ApiKey.withEveryScope(anyone)));
        InMemoryModelSnapshot s = InMemoryModelSnapshot.builder("clients-v1")
                .item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build();
        ServedModel model = new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of());
        try (AffinityServer clients = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                ModelSource.fixed(model), new ServerOptions(access, null, Duration.ofSeconds(1))).start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(clients, "GET", "/v1/items/A/bought-together", shop).statusCode());
            }
            assertEquals(200, send(clients, "GET", "/v1/items/A/bought-together", shopNext).statusCode());
            assertEquals(403, send(clients, "GET", "/v1/campaigns/offers?channel=email", shop).statusCode());
            assertEquals(404, send(clients, "GET", "/v1/customers/C1/profile", crm).statusCode()); // past the key
            assertEquals(403, send(clients, "GET", "/v1/items/A/bought-together", crm).statusCode());
            assertEquals(200, send(clients, "GET", "/v1/model", anyone).statusCode());
            assertEquals(401, send(clients, "GET", "/v1/model", "unknown-key-0123456789").statusCode());

            String metrics = send(clients, "GET", "/metrics", null).body();
            PrometheusText.check(metrics);
            assertEquals(5, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"shop\"}"));
            assertEquals(1, PrometheusText.sample(metrics, "affinity_client_requests_refused_total{client=\"shop\"}"));
            assertEquals(2, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"crm\"}"));
            assertEquals(1, PrometheusText.sample(metrics, "affinity_client_requests_refused_total{client=\"crm\"}"));
            assertEquals(1, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"unnamed\"}"));
            assertEquals(0, PrometheusText.sample(metrics, "affinity_client_requests_refused_total{client=\"unnamed\"}"));
            assertFalse(metrics.contains(shop) || metrics.contains(crm), "no key in the metrics");

            access.replaceApiKeys(List.of(new ApiKey(shopNext, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop")));
            assertEquals(401, send(clients, "GET", "/v1/campaigns/offers?channel=email", crm).statusCode());
            assertEquals(200, send(clients, "GET", "/v1/items/A/bought-together", shopNext).statusCode());
            metrics = send(clients, "GET", "/metrics", null).body();
            assertEquals(6, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"shop\"}"));
            assertEquals(2, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"crm\"}"),
                    "a removed client keeps its counts");
        }
        assertThrows(IllegalArgumentException.class,
                () -> new ApiKey(shop, EnumSet.of(ApiScope.RECOMMENDATIONS), "Shop Pages"));
        assertTrue(new ApiKey(shop, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop").toString().contains("client=shop, rate=unlimited]"));
    }

    /**
     * A client's rate (its keys share it): a burst of one second's worth, then 429 with Retry-After until its
     * bucket has a token again, counted per client; other clients are not held back, and a reload changes the rate.
     */
    @Test
    void aClientBeyondItsRateIs429WithRetryAfterWhileOthersAreServed() throws Exception {
        String tool = "campaign-tool-key-0123456789";
        String toolNext = "campaign-tool-next-0123456789";
        String shop = "shop-key-0123456789abcdef";
        RequestRate perMinute = RequestRate.parse("2/min");
        AccessControl access = AccessControl.withScopedKeys(null, List.of(
                new ApiKey(tool, EnumSet.of(ApiScope.RECOMMENDATIONS), "campaigns", perMinute),
                new ApiKey(toolNext, EnumSet.of(ApiScope.RECOMMENDATIONS), "campaigns", perMinute),
                new ApiKey(shop, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop")));
        InMemoryModelSnapshot s = InMemoryModelSnapshot.builder("rates-v1")
                .item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build();
        ServedModel model = new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of());
        try (AffinityServer limited = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                ModelSource.fixed(model), new ServerOptions(access, null, Duration.ofSeconds(1))).start()) {
            assertEquals(200, send(limited, "GET", "/v1/items/A/bought-together", tool).statusCode(), "the burst");
            HttpResponse<String> refused = send(limited, "GET", "/v1/items/A/bought-together", toolNext);
            assertEquals(429, refused.statusCode(), "the client's other key shares its bucket");
            JsonNode problem = JSON.readTree(refused.body());
            assertEquals("https://affinity.dev/problems/rate-limited", problem.get("type").asText());
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 29 && retryAfter <= 30, "Retry-After " + retryAfter);
            assertTrue(problem.get("detail").asText().startsWith("the client 'campaigns' may send at most 2/min "
                    + "requests to this server (all its keys together); retry in "), refused.body());
            assertFalse(refused.body().contains(tool) || refused.body().contains(toolNext), "no key in the body");
            for (int i = 0; i < 20; i++) {
                assertEquals(200, send(limited, "GET", "/v1/items/A/bought-together", shop).statusCode());
            }
            String metrics = send(limited, "GET", "/metrics", null).body();
            PrometheusText.check(metrics);
            assertEquals(1, PrometheusText.sample(metrics, "affinity_client_requests_limited_total{client=\"campaigns\"}"));
            assertEquals(0, PrometheusText.sample(metrics, "affinity_client_requests_limited_total{client=\"shop\"}"));
            assertEquals(2, PrometheusText.sample(metrics, "affinity_client_requests_total{client=\"campaigns\"}"));

            // A reloaded keys file's rate applies from the next request on.
            access.replaceApiKeys(List.of(new ApiKey(tool, EnumSet.of(ApiScope.RECOMMENDATIONS), "campaigns",
                    RequestRate.parse("1000/s")), new ApiKey(shop, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop")));
            assertEquals(200, send(limited, "GET", "/v1/items/A/bought-together", tool).statusCode());
        }
        assertThrows(IllegalArgumentException.class, () -> AccessControl.withScopedKeys(null, List.of(
                new ApiKey(tool, EnumSet.of(ApiScope.RECOMMENDATIONS), "campaigns", perMinute),
                new ApiKey(toolNext, EnumSet.of(ApiScope.RECOMMENDATIONS), "campaigns"))));
    }

    /** Spellings of a path that reach the handler are checked too: the scope is enforced by the handler itself. */
    @Test
    void otherSpellingsOfAPathReachingTheEndpointAreCheckedAlike() throws Exception {
        String page = KEYS.get(ApiScope.RECOMMENDATIONS);
        for (String path : List.of("/v1/campaigns/offers/?channel=email", "/v1//campaigns/offers?channel=email",
                "/v1/./campaigns/offers?channel=email", "/v1/campaigns/offers;x?channel=email")) {
            int status = send("GET", path, page).statusCode();
            assertTrue(status == 403 || status == 404, path + ": " + status);
        }
    }

    @Test
    void aKeyNeedsAScopeAndTheSameKeyTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ApiKey(EVERY_SCOPE_KEY, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new ApiKey("short", EnumSet.of(ApiScope.EXPORTS)));
        assertThrows(IllegalArgumentException.class, () -> AccessControl.withScopedKeys(null, List.of(
                new ApiKey(EVERY_SCOPE_KEY, EnumSet.of(ApiScope.EXPORTS)), ApiKey.withEveryScope(EVERY_SCOPE_KEY))));
        assertFalse(new ApiKey(EVERY_SCOPE_KEY, EnumSet.of(ApiScope.EXPORTS)).toString().contains(EVERY_SCOPE_KEY));
    }

    private static HttpResponse<String> send(String method, String path, String key) throws Exception {
        return send(server, method, path, key);
    }

    private static HttpResponse<String> send(AffinityServer to, String method, String path, String key)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + path));
        boolean body = method.equals("POST") || method.equals("PUT");
        b.method(method, body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (body) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header(AccessControl.API_KEY_HEADER, key);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
