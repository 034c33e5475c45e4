package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recommendation answers are streamed into the response: over real HTTP they are byte for byte the documented
 * data-binding shape, with a Content-Length, and gzip-compressed for clients that ask, whatever the cache of
 * encoded strings holds from earlier answers.
 */
@IntegrationTest
class StreamedAnswerHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int ITEMS = 40;
    private static AffinityServer server;
    private static Recommender recommender;

    @BeforeAll
    static void start() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("stream-v1");
        List<PrecomputedItem> c1 = new ArrayList<>();
        List<PrecomputedItem> c2 = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            String id = "I" + i;
            b.item(new ItemFacts(id, "ITEM \"" + i + "\" \u00e9t\u00e9 \\ DESCRIPTION", "", 1.5, 10, 5, 10));
            b.popular(new PopularItem(id, 1000 - i, 500 - i));
            boolean repeat = i % 3 == 0;
            c1.add(new PrecomputedItem(id, 1.0 - i / 100.0, repeat, i % 2 == 0 ? "ease" : "als",
                    repeat ? new PurchasedItem(id, 1 + i % 4, 2.5 * (i + 1), day.minusDays(i)) : null));
            // The same items for another customer with other purchases: shared sentences, personal ones not.
            c2.add(new PrecomputedItem(id, 1.0 - i / 100.0, repeat, i % 2 == 0 ? "ease" : "als",
                    repeat ? new PurchasedItem(id, 7, 1.0, day.minusDays(100 + i)) : null));
        }
        b.customer("c1", new CustomerHistory(3, List.of(), 1));
        b.customer("c2", new CustomerHistory(3, List.of(), 1));
        b.precomputed("c1", new PrecomputedRecommendations("reranker", c1));
        b.precomputed("c2", new PrecomputedRecommendations("reranker", c2));
        InMemoryModelSnapshot model = b.build();
        recommender = new Recommender(model, RecommenderSettings.DEFAULTS);
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(new ServedModel(model, recommender, Map.of("version", "stream-v1")))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void answersAreTheDocumentedShapePlainAndGzipped() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (String customer : List.of("c1", "c2")) {
                for (int limit : new int[] {1, 10, ITEMS}) {
                    String path = "/v1/customers/" + customer + "/recommendations?limit=" + limit;
                    String expected = JSON.writeValueAsString(
                            Bodies.RecommendationsBody.of(recommender.forCustomer(customer, limit), null));
                    HttpResponse<byte[]> plain = get(path, "identity");
                    assertEquals(200, plain.statusCode());
                    assertEquals(expected, new String(plain.body(), StandardCharsets.UTF_8), path);
                    assertTrue(plain.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
                    assertEquals(String.valueOf(plain.body().length),
                            plain.headers().firstValue("Content-Length").orElse("none"), path);
                    HttpResponse<byte[]> gzip = get(path, "gzip");
                    boolean compressed = gzip.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
                    byte[] body = compressed
                            ? new GZIPInputStream(new ByteArrayInputStream(gzip.body())).readAllBytes() : gzip.body();
                    assertEquals(expected, new String(body, StandardCharsets.UTF_8), path + " gzip");
                    if (limit == ITEMS) {
                        assertTrue(compressed, "a " + expected.length() + "-byte answer is compressed on request");
                    }
                }
            }
        }
    }

    /**
     * A request whose body the handler read is answered with a Content-Length like a GET. The unread-body drain once
     * flushed every answer to a request with a body before it completed, which turned them all chunked.
     */
    @Test
    void answersToRequestsWithABodyKeepTheirContentLength() throws Exception {
        HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/baskets/recommendations"))
                .header("Content-Type", "application/json").header("Accept-Encoding", "identity")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\": [\"I1\"]}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(String.valueOf(r.body().length), r.headers().firstValue("Content-Length").orElse("none"));
    }

    private static HttpResponse<byte[]> get(String path, String encoding) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Accept-Encoding", encoding).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
