package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins over HTTP against {@link TestStores}' snapshot: customer C100 bought I00 (3 orders) and I05, so its ranking
 * is the rules I01, I06, I02, I07, then the repeats I00, I05, then popular items; item Ii is in category cat(i mod 3)
 * and was in 100 - i orders.
 */
@IntegrationTest
class PinsHttpTest {
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
                new ServerOptions(AccessControl.of("test-admin-token-0123456789abcdef", List.of()), null,
                        Duration.ofSeconds(5)));
        served = fixture.model();
        server = fixture.server();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static int status(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> ids(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("items").forEach(i -> ids.add(i.get("itemId").asText()));
        return ids;
    }

    private static List<String> sources(JsonNode body) {
        List<String> s = new ArrayList<>();
        body.get("items").forEach(i -> s.add(i.get("source").asText()));
        return s;
    }

    @Test
    void matchingCandidatesComeFirstInTheirRankingOrderAndKeepTheirEvidence() throws Exception {
        JsonNode body = get("/v1/customers/C100/recommendations?limit=5&pin=" + enc("id:(I07 OR I02)"));
        assertEquals(List.of("I02", "I07", "I01", "I06", "I00"), ids(body));
        assertEquals(List.of("pinned", "pinned", "rules", "rules", "repeat"), sources(body));
        JsonNode first = body.at("/items/0/explanation");
        assertTrue(first.get("summary").asText().startsWith("pinned: matches pin 'id:(I07 OR I02)'"), first.toString());
        assertEquals("I02", first.at("/rule/consequent").asText(), "the rule that proposed it is still shown");
    }

    /**
     * A pinned candidate's explanation said "(ranked by this request's model)" whatever ranked it: on bought-together
     * and basket cross-sell, which no model ranks, and for a customer's rule or repeat purchase. It names the
     * ranking of the item's own source now.
     */
    @Test
    void aPinnedCandidateSaysWhatRankedIt() throws Exception {
        JsonNode together = get("/v1/items/I00/bought-together?pin=" + enc("id:I02"));
        assertEquals("pinned", together.at("/items/0/source").asText(), together.toString());
        assertTrue(together.at("/items/0/explanation/summary").asText()
                .startsWith("pinned: matches pin 'id:I02' (ranked by this request's rules); "), together.toString());
        JsonNode repeat = get("/v1/customers/C100/recommendations?limit=5&pinLimit=2&pin=" + enc("id:I05"));
        assertEquals("I05", repeat.at("/items/0/itemId").asText(), repeat.toString());
        assertTrue(repeat.at("/items/0/explanation/summary").asText()
                .startsWith("pinned: matches pin 'id:I05' (ranked among this customer's repeat purchases); "),
                repeat.toString());
    }

    /**
     * A repeat purchase of the served model's list was pinned "(ranked among this customer's repeat purchases)", the
     * words for a rules snapshot's repeats ranked by their order count, while its own explanation says the model
     * proposed it again: the model ranked it.
     */
    @Test
    void aPinnedRepeatOfTheModelsListSaysTheModelRankedIt() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("model-list"));
        try (Snapshot snapshot = store.open(TestStores.publishWithModelList(store, "m"))) {
            ServedModel model = TestStores.serve(snapshot);
            try (AffinityServer listed = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                    ModelSource.fixed(model)).start()) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + listed.port() + "/v1/customers/C100/recommendations?limit=2&pin=" + enc("id:I00")))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(r.body());
                assertEquals("I00", body.at("/items/0/itemId").asText(), r.body());
                assertEquals("repeat", body.at("/items/0/explanation/model/kind").asText(), r.body());
                assertEquals("pinned: matches pin 'id:I00' (ranked by this request's model); bought before in 3 "
                        + "order(s), last on 2011-05-01; proposed again by the blend model, mostly repeat-frequency",
                        body.at("/items/0/explanation/summary").asText(), r.body());
            } finally {
                model.catalog().close();
            }
        }
    }

    @Test
    void matchingCatalogueItemsAreInjectedByPopularityWhenNotCandidates() throws Exception {
        // limit 3: the over-fetched ranking (15) ends with popular I14, so I18 and I19 are not candidates.
        JsonNode body = get("/v1/customers/C100/recommendations?limit=3&pin=" + enc("id:(I19 OR I18)"));
        assertEquals(List.of("I18", "I19", "I01"), ids(body), "I18 (82 orders) before I19 (81)");
        assertEquals("pinned", body.at("/items/0/source").asText());
        assertEquals(82, body.at("/items/0/explanation/popularity/orderCount").asLong());
        assertTrue(body.at("/items/0/explanation/summary").asText().contains("injected"), body.toString());
    }

    @Test
    void candidatesGoBeforeInjectionsAndPinLimitCaps() throws Exception {
        // cat2 = I02, I05, I08, ...: I02 (rule) and I05 (repeat) are candidates, I08 would be injected.
        JsonNode two = get("/v1/customers/C100/recommendations?limit=5&pinLimit=2&pin=" + enc("category:cat2"));
        assertEquals(List.of("I02", "I05"), ids(two).subList(0, 2));
        assertEquals(List.of("pinned", "pinned", "rules", "rules", "rules"), sources(two));
        JsonNode three = get("/v1/customers/C100/recommendations?limit=5&pinLimit=3&pin=" + enc("category:cat2"));
        assertEquals(List.of("I02", "I05", "I08"), ids(three).subList(0, 3));
        JsonNode defaults = get("/v1/customers/C100/recommendations?limit=10&pin=" + enc("category:cat2"));
        assertEquals(RequestRules.DEFAULT_PIN_LIMIT, sources(defaults).stream().filter("pinned"::equals).count());
        JsonNode none = get("/v1/customers/C100/recommendations?limit=5&pinLimit=0&pin=" + enc("category:cat2"));
        assertFalse(sources(none).contains("pinned"), none.toString());
        JsonNode capped = get("/v1/customers/C100/recommendations?limit=2&pinLimit=5&pin=" + enc("category:cat2"));
        assertEquals(List.of("pinned", "pinned"), sources(capped), "never more pins than the limit");
    }

    @Test
    void pinnedItemsMustBeEligible() throws Exception {
        List<String> filtered = ids(get("/v1/customers/C100/recommendations?limit=3&pin=" + enc("id:(I19 OR I18)")
                + "&filter=" + enc("-id:I18")));
        assertEquals("I19", filtered.get(0));
        assertFalse(filtered.contains("I18"), "the filter wins over the pin: " + filtered);
        List<String> recent = ids(get("/v1/customers/C100/recommendations?limit=5&pin=" + enc("id:I05")
                + "&excludeBoughtWithinDays=30&asOf=2011-05-10"));
        assertFalse(recent.contains("I05"), "bought recently, so not pinned either: " + recent);
        List<String> capped = ids(get("/v1/customers/C100/recommendations?limit=4&maxPerCategory=1&pinLimit=3&pin="
                + enc("category:cat2")));
        assertEquals("I02", capped.get(0));
        assertEquals(1, capped.stream().filter(id -> Integer.parseInt(id.substring(1)) % 3 == 2).count(),
                "pinned items count towards the category cap: " + capped);
    }

    @Test
    void pinsNeverInjectTheItemsTheRequestNames() throws Exception {
        JsonNode together = get("/v1/items/I00/bought-together?pin=" + enc("id:(I00 OR I10)"));
        assertEquals(List.of("I10", "I01", "I02"), ids(together));
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/baskets/recommendations?pin=" + enc("id:(I00 OR I11)")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> basket = ids(JSON.readTree(r.body()));
        assertEquals(List.of("I11", "I01", "I02"), basket.subList(0, 3), "then popular fill-ins: " + basket);
        assertFalse(basket.contains("I00"), basket.toString());
    }

    @Test
    void badPinParametersAre400() throws Exception {
        assertEquals(400, status("/v1/customers/C100/recommendations?pin=" + enc("id:(I01")));
        assertEquals(400, status("/v1/customers/C100/recommendations?pin=id:I01&pinLimit=" + (RequestRules.MAX_PIN_LIMIT + 1)));
        assertEquals(400, status("/v1/customers/C100/recommendations?pin=id:I01&pinLimit=-1"));
    }
}
