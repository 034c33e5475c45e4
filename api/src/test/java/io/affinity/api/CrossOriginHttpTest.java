package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A storefront's pages calling the /v1 endpoints from the browser (another origin than the service's): with
 * {@code serve --cors-origins}, the preflight is answered without an API key (browsers send none on it) and the
 * answers, errors included, carry the CORS headers for the allowed origins only; without the option nothing changes.
 */
@IntegrationTest
class CrossOriginHttpTest {
    private static final String SHOP = "https://shop.example";
    private static final String KEY = "storefront-key-0123456789";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static AffinityServer withCors;
    private static AffinityServer without;

    @BeforeAll
    static void start() {
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("cors-v1")
                .item(new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "saucer", 2.95, 1000, 400, 5000))
                .item(new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "saucer", 3.75, 900, 380, 4000))
                .rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2))
                .popular(new PopularItem("22698", 900, 380))
                .build();
        ServedModel served = new ServedModel(model, new Recommender(model, RecommenderSettings.DEFAULTS),
                Map.of("version", "cors-v1"));
        ServerOptions options = new ServerOptions(AccessControl.of("admin-token-0123456789", List.of(KEY)), null,
                Duration.ofSeconds(10));
        ApiConfig config = ApiConfig.defaults().withPort(0).withHost("127.0.0.1");
        withCors = AffinityServer.create(config.withCors(CorsPolicy.of(List.of(SHOP, "http://localhost:3000"))),
                ModelSource.fixed(served), options).start();
        without = AffinityServer.create(config, ModelSource.fixed(served), options).start();
    }

    @AfterAll
    static void stop() {
        withCors.close();
        without.close();
    }

    @Test
    void thePreflightOfAnAllowedOriginIsAnsweredWithoutAnApiKey() throws Exception {
        HttpResponse<String> r = send(withCors, "OPTIONS", "/v1/baskets/recommendations", Map.of("Origin", SHOP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-api-key"));
        assertEquals(204, r.statusCode(), r.body());
        assertEquals(Optional.of(SHOP), r.headers().firstValue("Access-Control-Allow-Origin"));
        assertTrue(listed(r, "Access-Control-Allow-Methods", "POST"), r.headers().map().toString());
        assertTrue(listed(r, "Access-Control-Allow-Headers", "X-API-Key"), r.headers().map().toString());
        assertTrue(listed(r, "Access-Control-Allow-Headers", "Content-Type"), r.headers().map().toString());
        assertTrue(listed(r, "Access-Control-Allow-Headers", "If-None-Match"), r.headers().map().toString());
        assertTrue(r.headers().firstValue("Access-Control-Max-Age").isPresent());
        assertTrue(listed(r, "Vary", "Origin"));
        // The other allowed origin, a customer path, and an origin spelt in capitals as a configuration might be.
        assertEquals(204, send(withCors, "OPTIONS", "/v1/customers/17850/recommendations", Map.of(
                "Origin", "http://localhost:3000", "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "x-api-key")).statusCode());
    }

    @Test
    void answersToAnAllowedOriginCarryTheCorsHeadersErrorsIncluded() throws Exception {
        HttpResponse<String> ok = send(withCors, "GET", "/v1/items/22697/bought-together",
                Map.of("Origin", SHOP, "X-API-Key", KEY));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(Optional.of(SHOP), ok.headers().firstValue("Access-Control-Allow-Origin"));
        assertTrue(listed(ok, "Access-Control-Expose-Headers", "ETag"), ok.headers().map().toString());
        assertTrue(listed(ok, "Vary", "Origin") && listed(ok, "Vary", "Accept-Encoding"), ok.headers().map().toString());
        // The page's script must be able to read why it failed.
        HttpResponse<String> refused = send(withCors, "GET", "/v1/items/22697/bought-together", Map.of("Origin", SHOP));
        assertEquals(401, refused.statusCode());
        assertEquals(Optional.of(SHOP), refused.headers().firstValue("Access-Control-Allow-Origin"));
        // A server-side caller sends no Origin: no CORS headers, but the answer still varies on Origin for caches.
        HttpResponse<String> server = send(withCors, "GET", "/v1/items/22697/bought-together", Map.of("X-API-Key", KEY));
        assertEquals(200, server.statusCode());
        assertFalse(server.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        assertTrue(listed(server, "Vary", "Origin"), server.headers().map().toString());
    }

    @Test
    void otherOriginsAdminEndpointsAndServersWithoutTheOptionGetNoCorsHeaders() throws Exception {
        Map<String, String> preflight = Map.of("Origin", "https://evil.example", "Access-Control-Request-Method",
                "GET", "Access-Control-Request-Headers", "x-api-key");
        // Not answered as a preflight: the request goes on to the key check (401 without a key).
        HttpResponse<String> other = send(withCors, "OPTIONS", "/v1/items/22697/bought-together", preflight);
        assertEquals(401, other.statusCode());
        assertNoCors(other);
        assertNoCors(send(withCors, "GET", "/v1/items/22697/bought-together",
                Map.of("Origin", "https://evil.example", "X-API-Key", KEY)));
        assertNoCors(send(withCors, "GET", "/v1/items/22697/bought-together",
                Map.of("Origin", SHOP + ".evil.example", "X-API-Key", KEY)));
        HttpResponse<String> admin = send(withCors, "OPTIONS", "/admin/models/reload", Map.of("Origin", SHOP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"));
        assertFalse(admin.statusCode() == 204);
        assertNoCors(admin);
        HttpResponse<String> off = send(without, "OPTIONS", "/v1/baskets/recommendations", Map.of("Origin", SHOP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));
        assertEquals(401, off.statusCode());
        assertNoCors(off);
        HttpResponse<String> plain = send(without, "GET", "/v1/items/22697/bought-together",
                Map.of("Origin", SHOP, "X-API-Key", KEY));
        assertEquals(200, plain.statusCode());
        assertNoCors(plain);
        assertFalse(listed(plain, "Vary", "Origin"));
    }

    @Test
    void anOriginListIsCheckedWhenTheServerIsConfigured() {
        for (String bad : List.of("shop.example", "https://shop.example/", "https://shop.example/path", "ftp://x.example",
                "https://", "https://shop.example:99999", "https://*.shop.example", " ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CorsPolicy.of(List.of(bad)), bad);
            assertTrue(e.getMessage().contains("scheme://host[:port]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> CorsPolicy.of(List.of("*", SHOP)));
        assertTrue(CorsPolicy.of(List.of("*")).allows("https://any.example"));
        assertTrue(CorsPolicy.of(List.of("HTTPS://Shop.Example")).allows(SHOP));
        assertFalse(CorsPolicy.none().allows(SHOP));
    }

    private static void assertNoCors(HttpResponse<String> r) {
        for (String name : r.headers().map().keySet()) {
            assertFalse(name.toLowerCase(Locale.ROOT).startsWith("access-control-"), r.headers().map().toString());
        }
    }

    private static boolean listed(HttpResponse<?> r, String header, String value) {
        for (String v : r.headers().allValues(header)) {
            for (String part : v.split(",")) {
                if (part.trim().equalsIgnoreCase(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static HttpResponse<String> send(AffinityServer server, String method, String path,
                                             Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
