package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.CatalogAnalysis;
import io.affinity.store.Manifest;
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
import java.nio.file.Files;
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
 * Accent-insensitive search, filters and pins over HTTP, on real servers: one serving a snapshot as training
 * writes it now, one serving the same data as a format 4 snapshot (index written before folding, manifest of
 * format 4 without a manifest checksum, as earlier releases published it), which must answer as it did.
 *
 * <p>Items I00..I19 with rules Ii => I(i+1), I(i+2); customer C100 bought I00 and I05, so its ranking starts
 * I01, I06, I02, I07. Accented items: I01 "Crème Brûlée Set" (category Crème, brand Crème Brûlée), I02 "CAFÉ
 * MOULU" (Café, Jalapeño &amp; Co), I03 "Smørrebrød Board" (Køkken, Müller), I06 "Cafetière Crème" (creme, family
 * Cafetières Dorées).
 */
@IntegrationTest
class AccentFoldingHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @TempDir
    static Path tmp;
    private static final List<Snapshot> SNAPSHOTS = new ArrayList<>();
    private static final List<ServedModel> SERVED = new ArrayList<>();
    private static AffinityServer folded;
    private static AffinityServer before;

    static ItemFacts item(int i) {
        String id = TestStores.itemId(i);
        return switch (i) {
            case 1 -> new ItemFacts(id, "Crème Brûlée Set", "Crème", 12.0, 99, 50, 300);
            case 2 -> new ItemFacts(id, "CAFÉ MOULU", "Café", 6.5, 98, 50, 300);
            case 3 -> new ItemFacts(id, "Smørrebrød Board", "Køkken", 18.0, 97, 50, 300);
            case 6 -> new ItemFacts(id, "Cafetière Crème", "creme", 24.0, 94, 50, 300);
            default -> new ItemFacts(id, "ITEM " + i, "cat" + (i % 3), 1.5 + i, 100 - i, 50, 300);
        };
    }

    static AffinityServer start(ModelStore store, CatalogAnalysis analysis, CatalogFile catalog) throws Exception {
        SnapshotBuilder b = store.newSnapshot();
        List<ItemFacts> items = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            items.add(item(i));
            b.putRules(TestStores.itemId(i), List.of(
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 1) % TestStores.ITEMS),
                            40, 0.04, 0.6, 3.0, 0.01, 2.0),
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 2) % TestStores.ITEMS),
                            30, 0.03, 0.4, 2.5, 0.01, 1.5)));
        }
        items.forEach(b::putItem);
        LocalDate day = LocalDate.of(2011, 5, 1);
        b.putCustomer("C100", new CustomerHistory(4, List.of(
                new PurchasedItem("I00", 3, 10, day), new PurchasedItem("I05", 1, 2, day.minusDays(10))), 2));
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            popular.add(new PopularItem(TestStores.itemId(i), 1000 - i, 500 - i));
        }
        b.popularItems(popular);
        b.addDirectory(Catalog.DIRECTORY, dir -> CatalogIndexWriter.write(dir, items, catalog, analysis));
        String version = b.publish(false);
        if (analysis == CatalogAnalysis.LOWER_CASE) {
            // As an earlier release published it: format 4, no manifest checksum (it opens checked against the
            // files only, as such manifests did).
            Path manifest = store.directory().resolve(version).resolve("manifest.json");
            ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
            m.put("formatVersion", 4);
            m.remove(Manifest.CHECKSUM_FIELD);
            Files.write(manifest, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        }
        Snapshot snapshot = store.open(version);
        SNAPSHOTS.add(snapshot);
        assertEquals(analysis == CatalogAnalysis.LOWER_CASE ? 4 : Manifest.CURRENT_FORMAT_VERSION,
                snapshot.manifest().formatVersion());
        ServedModel served = TestStores.serve(snapshot);
        SERVED.add(served);
        assertEquals(analysis, served.catalog().analysis());
        return AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(served),
                new ServerOptions(AccessControl.of("test-admin-token-0123456789abcdef", List.of()), null,
                        Duration.ofSeconds(5))).start();
    }

    @BeforeAll
    static void startServers() throws Exception {
        Path csv = Files.writeString(tmp.resolve("catalogue.csv"), """
                item_id,family,brand
                I01,,Crème Brûlée
                I02,,Jalapeño & Co
                I03,,Müller
                I06,Cafetières Dorées,
                """);
        CatalogFile catalog = CatalogFile.read(csv, 0);
        folded = start(ModelStore.open(tmp.resolve("folded")), CatalogAnalysis.CURRENT, catalog);
        before = start(ModelStore.open(tmp.resolve("before")), CatalogAnalysis.LOWER_CASE, catalog);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AffinityServer s : List.of(folded, before)) {
            if (s != null) {
                s.close();
            }
        }
        for (ServedModel m : SERVED) {
            m.catalog().close();
        }
        for (Snapshot s : SNAPSHOTS) {
            s.close();
        }
    }

    private static JsonNode get(AffinityServer server, String pathAndQuery) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode basket(AffinityServer server, String query, String... items) throws Exception {
        String body = "{\"items\":[" + String.join(",", java.util.Arrays.stream(items).map(i -> "\"" + i + "\"")
                .toList()) + "],\"limit\":10}";
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/baskets/recommendations?" + query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
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

    private static Set<String> search(AffinityServer server, String q) throws Exception {
        return ids(get(server, "/v1/items?limit=20&q=" + enc(q)));
    }

    private static Set<String> recommended(AffinityServer server, String filter) throws Exception {
        return ids(get(server, "/v1/customers/C100/recommendations?limit=10&filter=" + enc(filter)));
    }

    @Test
    void searchFindsAccentedItemsTypedWithOrWithoutAccents() throws Exception {
        for (String q : List.of("cafe", "café", "CAFE", "CAFÉ", "moulu")) {
            assertEquals(Set.of("I02"), search(folded, q), q);
        }
        for (String q : List.of("cafe*", "café*", "CAFÉ*", "cafe* AND -moulu AND creme")) {
            assertEquals(q.contains("moulu") ? Set.of("I06") : Set.of("I02", "I06"), search(folded, q), q);
        }
        for (String q : List.of("\"creme brulee\"", "\"Crème Brûlée\"", "brand:\"creme brulee\"")) {
            assertEquals(Set.of("I01"), search(folded, q), q);
        }
        assertEquals(Set.of("I03"), search(folded, "smorrebrod AND brand:muller AND category:kokken"));
        assertEquals(Set.of("I06"), search(folded, "family:\"cafetieres dorees\""));
    }

    @Test
    void hitsAndItemsShowTheCatalogueTextWithItsAccents() throws Exception {
        JsonNode hit = get(folded, "/v1/items?q=cafe").at("/items/0");
        assertEquals("I02", hit.get("itemId").asText());
        assertEquals("CAFÉ MOULU", hit.get("description").asText());
        assertEquals("café", hit.get("category").asText());
        assertEquals("Jalapeño & Co", hit.at("/attributes/brand").asText());
        for (AffinityServer server : List.of(folded, before)) {
            JsonNode item = get(server, "/v1/items/I06");
            assertEquals("Cafetière Crème", item.get("description").asText());
            assertEquals("cafetières dorées", item.get("family").asText(), "lower case with its accents");
            assertEquals("creme", item.get("category").asText());
            assertEquals("Crème Brûlée", get(server, "/v1/items/I01").at("/attributes/brand").asText());
        }
    }

    @Test
    void recommendationFiltersMatchWithOrWithoutAccents() throws Exception {
        for (String filter : List.of("category:creme", "category:crème", "category:CRÈME", "category:cr?me")) {
            assertEquals(Set.of("I01", "I06"), recommended(folded, filter), filter);
            assertEquals(Set.of("I01", "I06"), ids(basket(folded, "filter=" + enc(filter), "I00")), filter);
        }
        Set<String> rest = recommended(folded, "-category:crème");
        assertFalse(rest.contains("I01") || rest.contains("I06"), rest.toString());
        assertTrue(rest.contains("I02") && rest.contains("I07"), rest.toString());
        assertEquals(Set.of("I07"), recommended(folded, "id:(I02 OR I07) AND -brand:jalapeno*"), "Jalapeño & Co");
        JsonNode pinned = get(folded, "/v1/customers/C100/recommendations?limit=5&pinLimit=1&pin="
                + enc("brand:\"creme brulee\""));
        assertEquals("I01", pinned.at("/items/0/itemId").asText(), pinned.toString());
        assertEquals("pinned", pinned.at("/items/0/source").asText());
    }

    @Test
    void aFormatFourSnapshotAnswersAsBeforeAccentExact() throws Exception {
        assertEquals(Set.of(), search(before, "cafe"));
        assertEquals(Set.of("I02"), search(before, "café"));
        assertEquals(Set.of("I02"), search(before, "CAFÉ"));
        assertEquals(Set.of(), search(before, "brand:\"creme brulee\""));
        assertEquals(Set.of("I01"), search(before, "brand:\"Crème Brûlée\""));
        assertEquals(Set.of("I06"), recommended(before, "category:creme"), "only the unaccented category");
        assertEquals(Set.of("I01"), recommended(before, "category:crème"));
        assertEquals(Set.of("I01"), ids(basket(before, "filter=" + enc("category:CRÈME"), "I00")));
    }
}
