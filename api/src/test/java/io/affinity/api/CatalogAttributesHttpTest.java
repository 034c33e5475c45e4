package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.ingest.CatalogFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalogue file's extra attributes over HTTP: filters, search, pins and item lookups on {@code brand} (text) and
 * {@code weight_kg} (numeric), on a real server. Items I00..I19 as in {@link TestStores} (rules Ii => I(i+1), I(i+2);
 * C100 bought I00 and I05), plus NEW1, a catalogue item never bought. The catalogue (test resource
 * {@code catalog/attributes.csv}): I00 Acme 0.5 kg, I01 Bolt 2.5, I02 acme 1.2, I03 Bolt unavailable, NEW1 Acme 1.8.
 */
@IntegrationTest
class CatalogAttributesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @TempDir
    static Path tmp;
    private static Snapshot snapshot;
    private static ServedModel served;
    private static AffinityServer server;

    @BeforeAll
    static void start() throws Exception {
        CatalogFile catalog = CatalogFile.read(
                Path.of(CatalogAttributesHttpTest.class.getResource("/catalog/attributes.csv").toURI()), 0);
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        List<ItemFacts> items = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            items.add(new ItemFacts(TestStores.itemId(i), "ITEM " + i, "cat" + (i % 3), 1.5 + i, 100 - i, 50, 300));
            b.putRules(TestStores.itemId(i), List.of(
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 1) % TestStores.ITEMS),
                            40, 0.04, 0.6, 3.0, 0.01, 2.0),
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 2) % TestStores.ITEMS),
                            30, 0.03, 0.4, 2.5, 0.01, 1.5)));
        }
        items.add(new ItemFacts("NEW1", "Brand new kettle", "", 30, 0, 0, 0, 12));
        items.forEach(b::putItem);
        LocalDate day = LocalDate.of(2011, 5, 1);
        b.putCustomer("C100", new CustomerHistory(4, List.of(
                new PurchasedItem("I00", 3, 10, day), new PurchasedItem("I05", 1, 2, day.minusDays(10))), 2));
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            popular.add(new PopularItem(TestStores.itemId(i), 1000 - i, 500 - i));
        }
        b.popularItems(popular);
        b.addDirectory(Catalog.DIRECTORY, dir -> CatalogIndexWriter.write(dir, items, catalog));
        snapshot = store.open(b.publish(false));
        served = TestStores.serve(snapshot);
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(served),
                new ServerOptions(AccessControl.of("test-admin-token-0123456789abcdef", List.of()), null,
                        Duration.ofSeconds(5))).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        served.catalog().close();
        snapshot.close();
    }

    private static HttpResponse<String> send(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> r = send(pathAndQuery);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Set<String> ids(JsonNode body) {
        Set<String> ids = new TreeSet<>();
        body.get("items").forEach(i -> ids.add(i.get("itemId").asText()));
        return ids;
    }

    private static HttpResponse<String> basket(String... items) throws Exception {
        String body = "{\"items\":[" + String.join(",", java.util.Arrays.stream(items).map(i -> "\"" + i + "\"").toList()) + "],\"limit\":10}";
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/baskets/recommendations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int putAvailability(String item, boolean available) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                + "/admin/items/" + item + "/availability"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer test-admin-token-0123456789abcdef")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"available\": " + available + "}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void anItemTheCatalogueMarksUnavailableIsNotRecommendedUntilStockSaysOtherwise() throws Exception {
        // I01 => I02, I03 and I02 => I03, I04: I03 is the basket's strongest candidate, but the catalogue says
        // it is unavailable.
        HttpResponse<String> before = basket("I01", "I02");
        assertEquals(200, before.statusCode(), before.body());
        Set<String> ids = ids(JSON.readTree(before.body()));
        assertFalse(ids.contains("I03"), ids.toString());
        assertTrue(ids.contains("I04"), ids.toString());
        assertFalse(get("/v1/items?q=" + enc("id:I03")).at("/items/0/available").asBoolean());
        try {
            assertEquals(200, putAvailability("I03", true));
            assertTrue(ids(JSON.readTree(basket("I01", "I02").body())).contains("I03"), "restocked after training");
            assertTrue(get("/v1/items?q=" + enc("id:I03")).at("/items/0/available").asBoolean());
        } finally {
            assertEquals(200, putAvailability("I03", false));
        }
        assertFalse(ids(JSON.readTree(basket("I01", "I02").body())).contains("I03"));
    }

    private static HttpResponse<String> clearAvailability(String item, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/admin/items/" + item + "/availability")).DELETE();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClearWithABodyIsRefusedAndChangesNothing() throws Exception {
        assertEquals(200, putAvailability("I03", true));
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/admin/items/I03/availability"))
                    .header("Authorization", "Bearer test-admin-token-0123456789abcdef")
                    .header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"available\": false}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("takes no body"), r.body());
            assertTrue(get("/v1/items?q=" + enc("id:I03")).at("/items/0/available").asBoolean(),
                    "the statement is still in force");
        } finally {
            assertEquals(200, putAvailability("I03", false));
        }
    }

    @Test
    void clearingAStatementMakesTheItemFollowTheCatalogueAgain() throws Exception {
        String token = "test-admin-token-0123456789abcdef";
        assertEquals(200, putAvailability("I03", true)); // restocked: overrides the catalogue's false
        assertTrue(ids(JSON.readTree(basket("I01", "I02").body())).contains("I03"));
        assertEquals(401, clearAvailability("I03", null).statusCode());
        HttpResponse<String> cleared = clearAvailability("i03", token);
        assertEquals(200, cleared.statusCode(), cleared.body());
        JsonNode body = JSON.readTree(cleared.body());
        assertEquals("I03", body.get("itemId").asText());
        assertFalse(body.get("available").asBoolean(), "the catalogue's false again: " + body);
        assertTrue(body.get("cleared").asBoolean(), body.toString());
        assertFalse(ids(JSON.readTree(basket("I01", "I02").body())).contains("I03"));
        assertFalse(get("/v1/items/I03").get("available").asBoolean());
        JsonNode again = JSON.readTree(clearAvailability("I03", token).body());
        assertFalse(again.get("cleared").asBoolean(), "nothing left to clear: " + again);
        JsonNode available = JSON.readTree(clearAvailability("I04", token).body());
        assertTrue(available.get("available").asBoolean(), "the catalogue's true: " + available);
        HttpResponse<String> unknown = clearAvailability("NOPE", token);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("NOPE"), unknown.body());
    }

    private static Set<String> offered(JsonNode body) {
        Set<String> ids = new TreeSet<>();
        body.get("offers").forEach(o -> ids.add(o.get("itemId").asText()));
        return ids;
    }

    @Test
    void nextBestOffersSkipItemsOutOfStock() throws Exception {
        // C100's offers are led by the priciest items (price 1.5 + i): I19 among them.
        Set<String> before = offered(get("/v1/customers/C100/next-best-offers?limit=10"));
        assertTrue(before.contains("I19"), before.toString());
        try {
            assertEquals(200, putAvailability("I19", false));
            Set<String> after = offered(get("/v1/customers/C100/next-best-offers?limit=10"));
            assertFalse(after.contains("I19"), after.toString());
            assertFalse(after.isEmpty());
        } finally {
            assertEquals(200, putAvailability("I19", true));
        }
        assertTrue(offered(get("/v1/customers/C100/next-best-offers?limit=10")).contains("I19"));
    }

    @Test
    void searchByAnAttributeIsCaseInsensitiveAndShowsTheAttributesAsGiven() throws Exception {
        JsonNode body = get("/v1/items?q=" + enc("brand:ACME"));
        assertEquals(Set.of("I00", "I02", "NEW1"), ids(body), "never-bought NEW1 is searchable");
        for (JsonNode hit : body.get("items")) {
            if (hit.get("itemId").asText().equals("I02")) {
                assertEquals("acme", hit.at("/attributes/brand").asText());
                assertEquals("1.2", hit.at("/attributes/weight_kg").asText());
            }
        }
        JsonNode unavailable = get("/v1/items?q=" + enc("id:I03"));
        assertFalse(unavailable.at("/items/0/available").asBoolean(), "the catalogue said false");
        assertEquals("Bolt", unavailable.at("/items/0/attributes/brand").asText());
    }

    @Test
    void numericAttributesTakeRangesAndExactValues() throws Exception {
        assertEquals(Set.of("I01", "I02", "NEW1"), ids(get("/v1/items?q=" + enc("weight_kg:[1 TO 3]"))));
        assertEquals(Set.of("I02"), ids(get("/v1/items?q=" + enc("weight_kg:1.2"))));
        assertEquals(Set.of("I02", "NEW1"), ids(get("/v1/items?q=" + enc("brand:acme AND weight_kg:{1 TO *]"))));
        HttpResponse<String> bad = send("/v1/items?q=" + enc("weight_kg:[heavy TO 3]"));
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("field 'weight_kg' is numeric"), bad.body());
    }

    @Test
    void recommendationFiltersUseAttributesAndNeverProposeNeverBoughtItems() throws Exception {
        // C100's ranking starts with rules I01, I06, I02, I07; 1-3 kg are I01, I02 and NEW1 (never bought).
        JsonNode heavy = get("/v1/customers/C100/recommendations?limit=10&filter=" + enc("weight_kg:[1 TO 3]"));
        assertEquals(Set.of("I01", "I02"), ids(heavy));
        JsonNode noAcme = get("/v1/customers/C100/recommendations?limit=10&filter=" + enc("-brand:acme"));
        Set<String> got = ids(noAcme);
        assertTrue(got.contains("I01") && got.contains("I06"), got.toString());
        assertFalse(got.contains("I02") || got.contains("I00") || got.contains("NEW1"), got.toString());
    }

    @Test
    void aPinCanPutANeverBoughtCatalogueItemInWithoutEvidence() throws Exception {
        JsonNode body = get("/v1/customers/C100/recommendations?limit=3&pin=" + enc("id:NEW1"));
        assertEquals("NEW1", body.at("/items/0/itemId").asText(), body.toString());
        assertEquals("pinned", body.at("/items/0/source").asText());
        assertTrue(body.at("/items/0/explanation/summary").asText().contains("never ordered"), body.toString());
        assertTrue(body.at("/items/0/explanation/popularity").isMissingNode()
                || body.at("/items/0/explanation/popularity").isNull(), body.toString());
    }

    @Test
    void itemLookupShowsAttributesAndCounts() throws Exception {
        JsonNode item = get("/v1/items/new1");
        assertEquals("NEW1", item.get("itemId").asText());
        assertEquals(0, item.get("orders").asLong());
        assertEquals(30.0, item.get("price").asDouble());
        assertEquals("Acme", item.at("/attributes/brand").asText());
        assertEquals(snapshot.version(), item.get("modelVersion").asText());
        assertFalse(item.toString().contains("cost"), "costs are not public: " + item);
        JsonNode plain = get("/v1/items/I05");
        assertEquals(95, plain.get("orders").asLong());
        assertEquals(0, plain.get("attributes").size());
        HttpResponse<String> missing = send("/v1/items/NOPE");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("not in the model's catalogue"), missing.body());
    }
}
