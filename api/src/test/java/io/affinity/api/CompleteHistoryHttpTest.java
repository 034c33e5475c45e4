package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.RecommenderParameters;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer who bought more distinct items than the 200 a history used to keep, trained by the real pipeline and
 * queried over HTTP: every question about their purchases (previously bought, bought recently, the repeat
 * explanation's facts) must see items far down their most-bought-first history.
 *
 * <p>Seeded export: customer 90000 bought ITEM0..ITEM219 in two orders each (January and March/April), so those
 * fill the first 220 places of the history, and ITEM220..ITEM259 once each in late June (places 220..259). 40
 * other customers buy ITEM300 with ITEM250 in most orders (rule ITEM300 => ITEM250) plus random items.
 */
@IntegrationTest
class CompleteHistoryHttpTest {
    private static final String BIG = "90000";
    private static final LocalDate START = LocalDate.of(2011, 1, 3);
    private static final String AS_OF = "2011-06-30";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @TempDir
    static Path tmp;
    private static Snapshot snapshot;
    private static ServedModel served;
    private static AffinityServer server;
    /** The big customer's purchases as generated: item -> {orders, last day}. */
    private static final Map<String, Object[]> BOUGHT = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path input = export();
        new TrainingPipeline(new TrainingParameters(List.of(input), "generic", 0.05, 0.1, 1.0, 3, 100, 10, 0.01),
                new RecommenderParameters("blend", 300, 30, 1, true, false), line -> { }).run(tmp.resolve("models"));
        snapshot = ModelStore.open(tmp.resolve("models")).openCurrent();
        served = TestStores.serve(snapshot);
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(served),
                new ServerOptions(AccessControl.of("test-admin-token-0123456789abcdef", List.of()), null,
                        Duration.ofSeconds(5))).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        if (served.catalog() != null) {
            served.catalog().close();
        }
        snapshot.close();
    }

    private static Path export() throws Exception {
        Random rnd = new Random(5);
        List<String> lines = new ArrayList<>();
        lines.add("customer_id,order_id,timestamp,item_id,quantity,unit_price,description");
        int order = 0;
        // Two passes of 11 orders over ITEM0..ITEM219 (20 items each): every item in exactly two orders.
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < 11; k++) {
                order++;
                LocalDate day = START.plusDays(pass * 70 + k * 3L);
                for (int i = k; i < 220; i += 11) {
                    lines.add(line(BIG, order, day, i));
                    BOUGHT.put("ITEM" + i, new Object[] {pass + 1, day});
                }
            }
        }
        for (int k = 0; k < 4; k++) {
            order++;
            LocalDate day = LocalDate.of(2011, 6, 20 + 2 * k);
            for (int i = 220 + k * 10; i < 230 + k * 10; i++) {
                lines.add(line(BIG, order, day, i));
                BOUGHT.put("ITEM" + i, new Object[] {1, day});
            }
        }
        for (int c = 0; c < 40; c++) {
            for (int day = rnd.nextInt(10); day < 175; day += 6 + rnd.nextInt(10)) {
                order++;
                LocalDate d = START.plusDays(day);
                lines.add(line("c" + c, order, d, 300));
                if (rnd.nextInt(10) < 8) {
                    lines.add(line("c" + c, order, d, 250));
                }
                int a = rnd.nextInt(300);
                int b = rnd.nextInt(300);
                for (int i : new int[] {a, b}) {
                    if (i != 250 && (i != b || a != b)) {
                        lines.add(line("c" + c, order, d, i));
                    }
                }
            }
        }
        return Files.write(tmp.resolve("orders.csv"), lines);
    }

    private static String line(String customer, int order, LocalDate day, int item) {
        return customer + ",o" + order + "," + day + " 10:00,ITEM" + item + ",1,1.00,Item " + item;
    }

    private static JsonNode post(String pathAndQuery, String body) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode item(JsonNode body, String itemId) {
        for (JsonNode i : body.get("items")) {
            if (i.get("itemId").asText().equals(itemId)) {
                return i;
            }
        }
        return null;
    }

    private static int historyPlace(String itemId) {
        List<PurchasedItem> items = snapshot.customer(BIG).orElseThrow().items();
        for (int p = 0; p < items.size(); p++) {
            if (items.get(p).itemId().equals(itemId)) {
                return p;
            }
        }
        return -1;
    }

    @Test
    void theStoredHistoryHoldsEveryItemBought() {
        CustomerHistory h = snapshot.customer(BIG).orElseThrow();
        assertEquals(260, h.distinctItemCount());
        assertEquals(260, h.items().size());
        assertTrue(h.complete());
        assertTrue(historyPlace("ITEM250") >= 220, "ITEM250 is beyond the old cap of 200: " + historyPlace("ITEM250"));
        assertFalse(snapshot.manifest().parameters().containsKey("historyItems"), "no history cap to record");
    }

    @Test
    void aBasketSuggestionBoughtBeyondTheOldCapIsPreviouslyBought() throws Exception {
        JsonNode body = post("/v1/baskets/recommendations",
                "{\"items\":[\"ITEM300\"],\"customerId\":\"" + BIG + "\",\"limit\":10}");
        JsonNode suggested = item(body, "ITEM250");
        assertNotNull(suggested, "rule ITEM300 => ITEM250 proposes it: " + body);
        assertTrue(suggested.get("previouslyBought").asBoolean(), suggested.toString());
        for (JsonNode i : body.get("items")) {
            assertEquals(BOUGHT.containsKey(i.get("itemId").asText()), i.get("previouslyBought").asBoolean(),
                    i.toString());
        }
    }

    @Test
    void recentlyBoughtBeyondTheOldCapIsExcluded() throws Exception {
        JsonNode basket = post("/v1/baskets/recommendations?excludeBoughtWithinDays=30&asOf=" + AS_OF,
                "{\"items\":[\"ITEM300\"],\"customerId\":\"" + BIG + "\",\"limit\":10}");
        assertEquals(null, item(basket, "ITEM250"), "bought once on 2011-06-26: " + basket);

        JsonNode all = get("/v1/customers/" + BIG + "/recommendations?limit=100");
        int recentShown = 0;
        for (JsonNode i : all.get("items")) {
            int n = Integer.parseInt(i.get("itemId").asText().substring(4));
            recentShown += n >= 220 && n < 260 ? 1 : 0;
        }
        assertTrue(recentShown > 0, "the unfiltered list shows items bought once in June (else nothing to exclude): "
                + all);
        JsonNode filtered = get("/v1/customers/" + BIG + "/recommendations?limit=100&excludeBoughtWithinDays=30&asOf="
                + AS_OF);
        for (JsonNode i : filtered.get("items")) {
            Object[] bought = BOUGHT.get(i.get("itemId").asText());
            assertTrue(bought == null || !((LocalDate) bought[1]).isAfter(LocalDate.parse(AS_OF).minusDays(30)),
                    "bought once within 30 days of " + AS_OF + ": " + i);
        }
    }

    @Test
    void everyRepeatCarriesItsPurchaseFactsIncludingThoseBeyondTheOldCap() throws Exception {
        JsonNode body = get("/v1/customers/" + BIG + "/recommendations?limit=100");
        int repeats = 0;
        int beyondOldCap = 0;
        for (JsonNode i : body.get("items")) {
            if (!"repeat".equals(i.get("source").asText())) {
                continue;
            }
            repeats++;
            String id = i.get("itemId").asText();
            beyondOldCap += historyPlace(id) >= 200 ? 1 : 0;
            JsonNode purchase = i.get("explanation").get("purchase");
            assertNotNull(purchase, "repeat without its purchase: " + i);
            Object[] bought = BOUGHT.get(id);
            assertEquals((int) bought[0], purchase.get("orderCount").asInt(), i.toString());
            assertEquals(bought[1].toString(), purchase.get("lastPurchased").asText(), i.toString());
            assertTrue(i.get("explanation").get("summary").asText().startsWith(
                    "bought before in " + bought[0] + " order(s), last on " + bought[1]), i.toString());
        }
        assertTrue(repeats > 0, body.toString());
        assertTrue(beyondOldCap > 0, "some repeat comes from beyond place 200 of the history: " + body);
    }
}
