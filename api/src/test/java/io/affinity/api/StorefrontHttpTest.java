package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static AffinityServer server;

    @BeforeAll
    static void start() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot.Builder builder = InMemoryModelSnapshot.builder("shop-v1")
                .item(item("22697", "GREEN REGENCY TEACUP AND SAUCER"))
                .item(item("22698", "PINK REGENCY TEACUP AND SAUCER"))
                .item(item("22699", "ROSES REGENCY TEACUP AND SAUCER"))
                .rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2))
                .rule(new AssociationRule(List.of("22697"), "22699", 280, 0.028, 0.65, 18, 0.02, 2.8))
                .customer("17850", new CustomerHistory(3, 120.5, day.minusDays(30), day,
                        List.of(new PurchasedItem("22697", 2, 12, day)), 1));
        // Enough popular items with long descriptions that a default answer is larger than the size from which
        // the HTTP layer compresses (1500 bytes), so gzip is negotiated.
        for (int i = 0; i < 40; i++) {
            String id = "P" + i;
            builder.item(item(id, "A POPULAR ITEM WITH A RATHER LONG DESCRIPTION NUMBER " + i))
                    .popular(new PopularItem(id, 1000 - i, 500 - i));
        }
        InMemoryModelSnapshot model = builder.build();
        ServedModel served = new ServedModel(model, new Recommender(model, RecommenderSettings.DEFAULTS),
                Map.of("version", "shop-v1"));
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served)).start();
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
