package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerProfile;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a canary running, a campaign export still comes whole from CURRENT's version and says so, while the
 * profile (an endpoint naming the customer) follows the canary's slice. Models with profiles, in memory.
 */
@IntegrationTest
class CanaryExportHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int CUSTOMERS = 400;

    private static ServedModel model(String version) {
        return model(version, Map.of());
    }

    /** {@code emailListed}: customers whose consent list says something else than confirmed for email. */
    private static ServedModel model(String version, Map<String, State> emailListed) {
        InMemoryModelSnapshot base = InMemoryModelSnapshot.builder(version)
                .item(new ItemFacts("A", "a @" + version, "", 2.0, 100, 50, 500))
                .item(new ItemFacts("B", "b @" + version, "", 3.0, 90, 40, 400))
                .popular(new PopularItem("A", 100, 50))
                .popular(new PopularItem("B", 90, 40))
                .build();
        CustomerApiTest.ProfiledSnapshot s = new CustomerApiTest.ProfiledSnapshot(base);
        for (int c = 0; c < CUSTOMERS; c++) {
            String id = "C" + (5000 + c);
            s.profiles.put(id, CustomerApiTest.profile(CustomerProfile.Tier.GOLD, CustomerProfile.Strategy.ENHANCE));
            s.consent.put(id, Map.of(Channel.EMAIL, emailListed.getOrDefault(id, State.CONFIRMED)));
        }
        return new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of("version", version));
    }

    @Test
    void anExportComesFromCurrentAndNamesTheCanaryItDidNotApply(@TempDir Path dir) throws Exception {
        SwappableModelSource source = new SwappableModelSource();
        source.swap(model("cur-v1"), () -> { });
        source.startCanary(model("can-v2"), () -> { }, 40);
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"))) {
            AffinityServer server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                    source, new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(5), journal, 0.3,
                            BusinessRuleConfig.defaults())).start();
            try {
                HttpResponse<String> export = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2");
                assertEquals(200, export.statusCode(), export.body());
                String[] lines = export.body().split("\n");
                JsonNode summary = JSON.readTree(lines[lines.length - 1]);
                assertEquals("summary", summary.get("type").asText(), summary.toString());
                assertEquals("cur-v1", summary.at("/summary/modelVersion").asText());
                assertEquals("can-v2", summary.at("/summary/canaryNotApplied/version").asText());
                assertEquals(40, summary.at("/summary/canaryNotApplied/percent").asInt());
                assertEquals(CUSTOMERS, summary.at("/summary/exported").asLong(), "every customer, canary's too");
                int fromCurrent = 0;
                for (int i = 0; i < lines.length - 1; i++) {
                    for (JsonNode offer : JSON.readTree(lines[i]).get("offers")) {
                        assertFalse(offer.toString().contains("@can-v2"), offer.toString());
                        fromCurrent += offer.toString().contains("@cur-v1") ? 1 : 0;
                    }
                }
                assertTrue(fromCurrent >= CUSTOMERS, "explanations name CURRENT's items: " + fromCurrent);
                int canary = 0;
                for (int c = 0; c < CUSTOMERS; c++) {
                    String id = "C" + (5000 + c);
                    boolean takes = CanaryAssignment.bucket(id, CanaryAssignment.salt("can-v2")) < 40;
                    HttpResponse<String> profile = get(server, "/v1/customers/" + id + "/profile");
                    assertEquals(200, profile.statusCode(), profile.body());
                    assertEquals(takes ? "can-v2" : "cur-v1", JSON.readTree(profile.body()).get("modelVersion")
                            .asText(), id);
                    canary += takes ? 1 : 0;
                }
                assertTrue(canary > 100 && canary < 220, "Binomial(400, 0.4), mean 160, sd 9.8: " + canary);

                source.stopCanary();
                HttpResponse<String> plain = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2");
                String[] after = plain.body().split("\n");
                JsonNode last = JSON.readTree(after[after.length - 1]);
                assertEquals("cur-v1", last.at("/summary/modelVersion").asText());
                assertTrue(last.at("/summary/canaryNotApplied").isMissingNode(), "no canary, no mention: " + last);
            } finally {
                server.close();
                source.close(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * A canary trained with a newer consent list carries opt-outs CURRENT's list does not (a CRM export): the export
     * came from CURRENT and so exported a customer whom next-best offers, answered by the canary for its slice, said
     * was opted out, the same server answering both at once. While a canary runs, contact needs both served lists
     * (each weighed against the journal as usual) to permit it, on every endpoint and for every customer, whichever
     * slice: contacting a customer who opted out is the mistake that must not happen, and an opt-in the stricter list
     * does not know yet is withheld only until the canary is promoted or stopped.
     */
    @Test
    void whileACanaryRunsAnOptOutInEitherServedConsentListWithholdsContact(@TempDir Path dir) throws Exception {
        int salt = CanaryAssignment.salt("can-v2");
        String inCanary = null;
        String inCurrent = null;
        for (int c = 0; inCanary == null || inCurrent == null; c++) {
            String id = "C" + (5000 + c);
            if (CanaryAssignment.bucket(id, salt) < 50) {
                inCanary = inCanary == null ? id : inCanary;
            } else {
                inCurrent = inCurrent == null ? id : inCurrent;
            }
        }
        SwappableModelSource source = new SwappableModelSource();
        // each opted out only in the list of the version that does not answer them
        source.swap(model("cur-v1", Map.of(inCanary, State.OPTED_OUT)), () -> { });
        source.startCanary(model("can-v2", Map.of(inCurrent, State.OPTED_OUT)), () -> { }, 50);
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"))) {
            AffinityServer server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                    source, new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(5), journal, 0.3,
                            BusinessRuleConfig.defaults())).start();
            try {
                HttpResponse<String> export = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=1");
                assertEquals(200, export.statusCode(), export.body());
                String[] lines = export.body().split("\n");
                JsonNode summary = JSON.readTree(lines[lines.length - 1]);
                assertEquals(CUSTOMERS - 2, summary.at("/summary/exported").asLong(), summary.toString());
                assertEquals(2, summary.at("/summary/excluded/opted_out").asLong(), summary.toString());
                for (String optedOut : new String[] {inCanary, inCurrent}) {
                    assertFalse(export.body().contains("\"" + optedOut + "\""), optedOut + " exported");
                    JsonNode offers = JSON.readTree(get(server, "/v1/customers/" + optedOut
                            + "/next-best-offers?channel=email").body());
                    assertFalse(offers.get("contactable").asBoolean(), optedOut + ": " + offers);
                    assertEquals("opted_out", offers.get("excludedReason").asText(), optedOut + ": " + offers);
                }
                assertTrue(JSON.readTree(get(server, "/v1/customers/C5399/next-best-offers?channel=email").body())
                        .get("contactable").asBoolean(), "confirmed in both lists");

                source.stopCanary();
                HttpResponse<String> plain = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=1");
                assertTrue(plain.body().contains("\"" + inCurrent + "\"")
                        && !plain.body().contains("\"" + inCanary + "\""),
                        "without a canary CURRENT's list alone decides, as before");
            } finally {
                server.close();
                source.close(Duration.ofSeconds(5));
            }
        }
    }

    private static HttpResponse<String> get(AffinityServer server, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
