package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerProfile;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/consent/changes} over real HTTP: what it lists, its pages, and the use it is for, closing the gap
 * between a campaign export and the send (an opt-out recorded after a customer's row was exported).
 */
@IntegrationTest
class ConsentChangesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int CUSTOMERS = 400;

    @TempDir
    Path dir;
    private CustomerApiTest.ProfiledSnapshot snapshot;
    private ConsentJournal journal;
    private AffinityServer server;

    @BeforeEach
    void start() throws Exception {
        snapshot = CustomerApiTest.twoItemSnapshot("consent-v1");
        for (int c = 0; c < CUSTOMERS; c++) {
            String id = "C" + (100000 + c);
            snapshot.profiles.put(id, CustomerApiTest.profile(CustomerProfile.Tier.GOLD,
                    CustomerProfile.Strategy.ENHANCE));
            snapshot.consent.put(id, Map.of(Channel.EMAIL, State.CONFIRMED));
        }
        journal = ConsentJournal.open(dir.resolve("consent.journal"));
        server = CustomerApiTest.serve(snapshot, journal);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        journal.close();
    }

    @Test
    void listsTheLatestChangeOfEachCustomerAndChannelInJournalOrder() throws Exception {
        assertEquals(1, consent("C100000", "email", "opted_out"));
        assertEquals(2, consent("C100001", "sms", "opted_in"));
        assertEquals(3, consent("C100000", "email", "confirmed")); // supersedes 1
        assertEquals(4, consent("C100002", "email", "opted_out"));
        assertEquals(5, consent("C100003", "web", "opted_out"));
        assertEquals(6, consent("C100004", "push", "pending"));

        JsonNode all = page("");
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L), sequences(all));
        assertEquals(0, all.get("since").asLong());
        assertEquals(6, all.get("sequence").asLong());
        assertEquals(6, all.get("next").asLong(), "the last page's next is the journal's sequence");
        assertFalse(all.get("more").asBoolean());
        JsonNode first = all.get("changes").get(0);
        assertEquals("C100001", first.get("customerId").asText());
        assertEquals("sms", first.get("channel").asText());
        assertEquals("opted_in", first.get("state").asText());
        assertTrue(first.get("at").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), first.toString());
        // contactable by the rules exports apply: direct channels need opted_in or confirmed, web only no opt-out
        List<Boolean> contactable = new ArrayList<>();
        all.get("changes").forEach(c -> contactable.add(c.get("contactable").asBoolean()));
        assertEquals(List.of(true, true, false, false, false), contactable);

        assertEquals(List.of(4L, 5L, 6L), sequences(page("?since=3")));
        assertEquals(List.of(3L, 4L), sequences(page("?channel=email")));
        assertEquals(List.of(), sequences(page("?since=6")));
        assertEquals(6, page("?since=6").get("next").asLong());

        // Compaction drops the superseded line and keeps every listed change with its sequence.
        journal.compact();
        assertEquals(all, page(""));
    }

    /**
     * An erasure's last step ({@code affinity consent forget}, another process rewriting the shared journal): the
     * served feed no longer lists any change of the forgotten customer, whatever the channel, while the others' keep
     * their sequences; the journal's sequence and every cursor a campaign tool holds stay valid, and the next change
     * continues the count, so no sequence means two things.
     */
    @Test
    void aForgottenCustomerLeavesTheFeedAndNoSequenceIsGivenAgain() throws Exception {
        assertEquals(1, consent("C100001", "email", "opted_out"));
        assertEquals(2, consent("GONE77", "email", "opted_out"));
        assertEquals(3, consent("GONE77", "profiling", "opted_out"));
        assertEquals(4, consent("C100002", "sms", "confirmed"));
        assertEquals(List.of(1L, 2L, 3L, 4L), sequences(page("")));
        try (ConsentJournal cli = ConsentJournal.open(dir.resolve("consent.journal"))) {
            assertEquals(new ConsentJournal.Forgotten(1, 2), cli.forget(java.util.Set.of("GONE77")));
        }
        Thread.sleep(ConsentJournal.LOOK_INTERVAL.toMillis() + 1);
        JsonNode all = page("");
        assertEquals(List.of(1L, 4L), sequences(all));
        assertFalse(all.toString().contains("GONE77"), all.toString());
        assertEquals(4, all.get("sequence").asLong());
        assertEquals(4, all.get("next").asLong());
        assertEquals(List.of(4L), sequences(page("?since=2")), "a cursor taken before stays valid");
        assertEquals(List.of(), sequences(page("?channel=profiling")));
        assertEquals(5, consent("C100003", "web", "opted_out"), "the count goes on: 2 and 3 are not given again");
        assertEquals(List.of(1L, 4L, 5L), sequences(page("")));
    }

    @Test
    void pagesFollowTheJournalAndEndAtItsSequence() throws Exception {
        Random rnd = new Random(11);
        for (int i = 0; i < 60; i++) {
            consent("C" + (100000 + rnd.nextInt(20)), rnd.nextBoolean() ? "email" : "sms",
                    rnd.nextBoolean() ? "opted_out" : "confirmed");
        }
        List<Long> whole = sequences(page("?limit=10000"));
        List<Long> paged = new ArrayList<>();
        long since = 0;
        int pages = 0;
        while (true) {
            JsonNode p = page("?limit=7&since=" + since);
            paged.addAll(sequences(p));
            pages++;
            assertTrue(p.get("changes").size() <= 7);
            since = p.get("next").asLong();
            if (!p.get("more").asBoolean()) {
                break;
            }
            assertEquals(7, p.get("changes").size(), "a page with more after it is full");
        }
        assertEquals(whole, paged);
        assertEquals(60, since, "the cursor ends at the journal's sequence");
        assertTrue(pages >= whole.size() / 7, pages + " pages for " + whole.size());
        assertTrue(whole.size() <= 40 && whole.size() > 10, "latest per customer and channel: " + whole.size());
    }

    /**
     * The use it is for: consent flips while an export streams; afterwards the campaign tool drops every exported
     * row whose customer's email consent changed to not contactable after the row's own check. What is left is
     * exactly the rows of customers contactable now.
     */
    @Test
    void anExportCheckedAgainstTheChangesSinceItsRowsKeepsOnlyContactableCustomers() throws Exception {
        List<String> ids = new ArrayList<>(snapshot.profiles.keySet());
        AtomicBoolean done = new AtomicBoolean();
        Thread flipper = new Thread(() -> {
            Random r = new Random(12);
            while (!done.get()) {
                try {
                    consent(ids.get(r.nextInt(ids.size())), "email", r.nextInt(3) == 0 ? "confirmed" : "opted_out");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
        });
        flipper.start();
        HttpResponse<String> export;
        try {
            Thread.sleep(50);
            export = get("/v1/campaigns/offers?segment=all&channel=email&limit=1");
            Thread.sleep(50); // changes after the last row too
        } finally {
            done.set(true);
            flipper.join();
        }
        assertEquals(200, export.statusCode(), export.body());
        String[] lines = export.body().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
        assertTrue(summary.get("exported").asLong() > 50, summary.toString());

        Map<String, JsonNode> latest = new HashMap<>();
        long since = summary.get("consentSequenceAtStart").asLong();
        for (boolean more = true; more; ) {
            JsonNode p = page("?channel=email&limit=50&since=" + since);
            p.get("changes").forEach(c -> latest.put(c.get("customerId").asText(), c));
            since = p.get("next").asLong();
            more = p.get("more").asBoolean();
        }
        int dropped = 0;
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            String id = row.get("customerId").asText();
            JsonNode change = latest.get(id);
            boolean keep = change == null || change.get("sequence").asLong() <= row.get("consentSequence").asLong()
                    || change.get("contactable").asBoolean();
            dropped += keep ? 0 : 1;
            assertEquals(journal.check(snapshot, id, Channel.EMAIL).allowed(), keep, id + " at "
                    + row.get("consentSequence") + ", latest change " + change);
        }
        assertTrue(dropped > 0, "some exported customers opted out after their row");
    }

    @Test
    void badParametersAreRefusedNamingThem() throws Exception {
        consent("C100000", "email", "opted_out");
        assertProblem(get("/v1/consent/changes?since=-1"), 400, "'since' must be between 0");
        assertProblem(get("/v1/consent/changes?since=abc"), 400, "'since' must be an integer");
        assertProblem(get("/v1/consent/changes?limit=0"), 400, "'limit' must be between 1 and 10000");
        assertProblem(get("/v1/consent/changes?limit=10001"), 400, "'limit' must be between 1 and 10000");
        assertProblem(get("/v1/consent/changes?channel=fax"), 400, "'channel' must be one of email, sms, push, web");
        assertProblem(get("/v1/consent/changes?since=2"), 409, "start again from 0");
        assertProblem(get("/v1/consent/changes?since=1&since=0"), 400, "'since'");
        assertEquals(1, page("?since=0").get("changes").size());
    }

    @Test
    void aServerWithoutAReadableJournalAnswers503() throws Exception {
        ServedModel served = new ServedModel(snapshot, new io.affinity.recommender.Recommender(snapshot,
                io.affinity.recommender.RecommenderSettings.DEFAULTS), Map.of("version", snapshot.version()));
        try (AffinityServer none = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served)).start()) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + none.port()
                    + "/v1/consent/changes?channel=email")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 503, "consent changes cannot be read: the server was started without a consent journal");
        }
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detail) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(JSON.readTree(r.body()).get("detail").asText().contains(detail), r.body());
        assertFalse(r.body().contains("C100000"), "no customer id in an error: " + r.body());
    }

    private JsonNode page(String query) throws Exception {
        HttpResponse<String> r = get("/v1/consent/changes" + query);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static List<Long> sequences(JsonNode page) {
        List<Long> out = new ArrayList<>();
        page.get("changes").forEach(c -> out.add(c.get("sequence").asLong()));
        return out;
    }

    private long consent(String id, String channel, String state) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/customers/" + id + "/consent/" + channel))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("sequence").asLong();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
