package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A served model's precomputed list shows its {@code limit} best items, new ones first, then repeats. A rule that
 * over-fetches the ranking (a category cap, a boost, a pin) must pick those items from the ranking in score order
 * and only then put new ones first: it must not pull new items from far below the limit ahead of the repeats the
 * model ranked best. So a cap that binds no category changes nothing.
 */
@IntegrationTest
class PrecomputedOrderUnderRulesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int ITEMS = 40;
    private static AffinityServer server;

    @BeforeAll
    static void start() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("order-v1");
        List<PrecomputedItem> list = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            String id = "I" + i;
            // Categories a, b, c in turn: a cap of 2 per category binds at limit 10, a cap of 10 never does.
            b.item(new ItemFacts(id, "ITEM " + i, String.valueOf((char) ('a' + i % 3)), 1.5, 10, 5, 10));
            b.popular(new PopularItem(id, 1000 - i, 500 - i));
            // The model ranks the customer's repeats best: the first 12 are repeats, new items follow.
            boolean repeat = i < 12;
            list.add(new PrecomputedItem(id, 1.0 - i / 100.0, repeat, "ease",
                    repeat ? new PurchasedItem(id, 2, 2.0, day.minusDays(i)) : null));
        }
        b.customer("c1", new CustomerHistory(3, List.of(), 1));
        b.precomputed("c1", new PrecomputedRecommendations("blend", list));
        InMemoryModelSnapshot model = b.build();
        Recommender recommender = new Recommender(model, RecommenderSettings.DEFAULTS);
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(new ServedModel(model, recommender, Map.of("version", "order-v1")))).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aCapThatBindsNothingLeavesTheAnswerAsItWas() throws Exception {
        List<String> plain = ids("/v1/customers/c1/recommendations?limit=10");
        assertEquals(List.of("I0", "I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9"), plain);
        assertEquals(plain, ids("/v1/customers/c1/recommendations?limit=10&maxPerCategory=10"));
    }

    @Test
    void aBindingCapPicksByScoreThenShowsNewItemsFirst() throws Exception {
        // Score order under a cap of 2 per category: I0 (a), I1 (b), I2 (c), I3 (a), I4 (b), I5 (c); the 12 repeats
        // leave no room for new items, so there are none to put first.
        assertEquals(List.of("I0", "I1", "I2", "I3", "I4", "I5"),
                ids("/v1/customers/c1/recommendations?limit=10&maxPerCategory=2"));
        // A cap of 5: five of each category in score order, I0..I14; I12..I14 are new and come first.
        assertEquals(List.of("I12", "I13", "I14", "I0", "I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "I9",
                "I10", "I11"), ids("/v1/customers/c1/recommendations?limit=15&maxPerCategory=5"));
    }

    private static List<String> ids(String path) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        for (JsonNode item : JSON.readTree(r.body()).get("items")) {
            ids.add(item.get("itemId").asText());
        }
        return ids;
    }
}
