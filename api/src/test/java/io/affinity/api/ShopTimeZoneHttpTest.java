package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model trained with {@code --time-zone} stores purchase dates as the shop's days, so {@code excludeBoughtWithinDays}
 * without {@code asOf} counts back from the shop's today, not UTC's: on the server's UTC day the window was off by
 * one for the hours the two dates differ.
 */
@IntegrationTest
class ShopTimeZoneHttpTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private AffinityServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDayWindowWithoutAsOfCountsBackFromTheShopsToday() throws Exception {
        // A zone whose date differs from UTC's now, an hour or more away from either changing: UTC-12 is a day behind
        // until 12:00 UTC, UTC+14 a day ahead from 10:00 UTC.
        ZoneId zone = ZoneId.of(ZonedDateTime.now(ZoneOffset.UTC).getHour() < 11 ? "Etc/GMT+12" : "Pacific/Kiritimati");
        LocalDate today = LocalDate.now(zone);
        assertTrue(!today.equals(LocalDate.now(ZoneOffset.UTC)), "the zone's date differs from UTC's");
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("tz-v1").timeZone(zone);
        for (String id : List.of("YESTERDAY", "TWO-DAYS-AGO", "P1", "P2", "P3")) {
            b.item(new ItemFacts(id, id, "", 2.5, 100, 50, 100)).popular(new PopularItem(id, 100, 50));
        }
        // bought yesterday and two days ago in the shop's days, one order each (not repeat purchases)
        b.customer("c1", new CustomerHistory(2, List.of(
                new PurchasedItem("YESTERDAY", 1, 1, today.minusDays(1)),
                new PurchasedItem("TWO-DAYS-AGO", 1, 1, today.minusDays(2))), 2));
        InMemoryModelSnapshot snapshot = b.build();
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS),
                        Map.of("version", snapshot.version())))).start();

        // within 1 day of the shop's today: yesterday's purchase is dropped, the one two days ago is not
        List<String> ids = itemIds("/v1/customers/c1/recommendations?limit=10&excludeBoughtWithinDays=1");
        assertFalse(ids.contains("YESTERDAY"), ids.toString());
        assertTrue(ids.contains("TWO-DAYS-AGO"), ids.toString());
        // asOf= (blank: today) is the shop's today too
        assertEquals(ids, itemIds("/v1/customers/c1/recommendations?limit=10&excludeBoughtWithinDays=1&asOf="));
    }

    private List<String> itemIds(String path) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        for (JsonNode item : JSON.readTree(r.body()).get("items")) {
            ids.add(item.get("itemId").asText());
        }
        return ids;
    }
}
