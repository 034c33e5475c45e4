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
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
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
    private PausingSnapshot snapshot;
    private ConsentJournal journal;
    private AffinityServer server;

    @BeforeEach
    void start() throws Exception {
        snapshot = new PausingSnapshot(CustomerApiTest.twoItemSnapshot("consent-v1").base);
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

    /** A profiled snapshot whose next visit of all profiles runs a hook once, before the row of one customer. */
    static final class PausingSnapshot extends CustomerApiTest.ProfiledSnapshot {
        private final AtomicReference<Runnable> hook = new AtomicReference<>();
        private volatile int at;

        PausingSnapshot(io.affinity.recommender.InMemoryModelSnapshot base) {
            super(base);
        }

        /** Runs {@code hook} in the next visit, before the profile at position {@code at} is visited. */
        void pauseAt(int at, Runnable hook) {
            this.at = at;
            this.hook.set(hook);
        }

        @Override
        public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
            int[] seen = {0};
            profiles.forEach((id, p) -> {
                if (seen[0]++ == at) {
                    Runnable h = hook.getAndSet(null);
                    if (h != null) {
                        h.run();
                    }
                }
                visitor.accept(id, p);
            });
        }
    }

    /** One consent change the flipper made: the customer, whether it left them contactable, its sequence. */
    private record Flip(String customerId, boolean contactable, long sequence) {
    }

    /**
     * The use it is for: consent flips while an export streams; afterwards the campaign tool drops every exported
     * row whose customer's email consent changed to not contactable after the row's own check. What is left is
     * exactly the rows of customers contactable now, and no row was exported for a customer opted out at its check.
     *
     * <p>The flipper and the export take turns by latches, not by the clock: {@value #PHASE} flips before the
     * export; then the export pauses half-way (before customer {@code CUSTOMERS / 2}'s row) until the flipper has
     * made {@value #PHASE} more, so flips are known to land while it is in flight, before some rows and after
     * others; {@value #PHASE} more once the export has been read. Between the phases the flipper keeps flipping at
     * whatever pace the machine gives it, as before. Until the thirty-first session the phases were 50 ms sleeps:
     * on a loaded machine the flipper made one flip before the export and none after it, and whether any flip
     * opted out an exported customer depended on how many it managed during the export (20 to 30 in 5 s).
     */
    @Test
    void anExportCheckedAgainstTheChangesSinceItsRowsKeepsOnlyContactableCustomers() throws Exception {
        List<String> ids = new ArrayList<>(snapshot.profiles.keySet()); // the export's order
        Queue<Flip> flips = new ConcurrentLinkedQueue<>();
        CountDownLatch exportMayStart = new CountDownLatch(1);
        CountDownLatch exportPaused = new CountDownLatch(1);
        CountDownLatch exportMayGoOn = new CountDownLatch(1);
        CountDownLatch exportRead = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread flipper = new Thread(() -> {
            Random r = new Random(12);
            try {
                flip(ids, r, flips, PHASE);
                exportMayStart.countDown();
                while (exportPaused.getCount() > 0) {
                    flip(ids, r, flips, 1);
                }
                flip(ids, r, flips, PHASE);
                exportMayGoOn.countDown();
                while (exportRead.getCount() > 0) {
                    flip(ids, r, flips, 1);
                }
                flip(ids, r, flips, PHASE);
            } catch (Throwable e) {
                failed.set(e);
            } finally {
                exportMayStart.countDown();
                exportMayGoOn.countDown();
            }
        });
        snapshot.pauseAt(CUSTOMERS / 2, () -> {
            exportPaused.countDown();
            try {
                if (!exportMayGoOn.await(2, TimeUnit.MINUTES)) {
                    failed.compareAndSet(null, new AssertionError("the flipper never let the export go on"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        flipper.start();
        HttpResponse<String> export;
        try {
            assertTrue(exportMayStart.await(2, TimeUnit.MINUTES), "the flipper's first flips");
            export = get("/v1/campaigns/offers?segment=all&channel=email&limit=1");
        } finally {
            exportPaused.countDown(); // also when the export failed before its pause: the flipper must finish
            exportRead.countDown();
            flipper.join(TimeUnit.MINUTES.toMillis(2));
        }
        assertFalse(flipper.isAlive(), "the flipper finished");
        if (failed.get() != null) {
            throw new AssertionError("flipper or export hook failed", failed.get());
        }
        assertEquals(200, export.statusCode(), export.body());
        String[] lines = export.body().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
        assertTrue(summary.get("exported").asLong() > 50, summary.toString());
        long atStart = summary.get("consentSequenceAtStart").asLong();
        // the flips of the pause were taken between the export's start and end, and the rows after it saw them
        assertTrue(summary.get("consentSequenceAtEnd").asLong() >= atStart + PHASE, summary.toString());
        long latestRowSequence = 0;

        Map<String, JsonNode> latest = new HashMap<>();
        long since = atStart;
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
            long checkedAt = row.get("consentSequence").asLong();
            latestRowSequence = Math.max(latestRowSequence, checkedAt);
            // no customer opted out at their row's check is exported: their latest flip before it left them
            // contactable (or there was none: everyone starts confirmed)
            Flip before = null;
            for (Flip f : flips) {
                if (f.customerId().equals(id) && f.sequence() <= checkedAt
                        && (before == null || f.sequence() > before.sequence())) {
                    before = f;
                }
            }
            assertTrue(before == null || before.contactable(), id + " exported at " + checkedAt + " after " + before);
            JsonNode change = latest.get(id);
            boolean keep = change == null || change.get("sequence").asLong() <= checkedAt
                    || change.get("contactable").asBoolean();
            dropped += keep ? 0 : 1;
            assertEquals(journal.check(snapshot, id, Channel.EMAIL).allowed(), keep, id + " at "
                    + row.get("consentSequence") + ", latest change " + change);
        }
        assertTrue(latestRowSequence >= atStart + PHASE, "rows after the pause were checked after its flips: "
                + latestRowSequence);
        // 20 flips after the last row, each opting out an exported customer with a chance of about 0.6 (two in
        // three are opt-outs, most customers are exported): that none does has a chance below 1e-7
        assertTrue(dropped > 0, "some exported customers opted out after their row");
    }

    /** Flips per phase of the export test. */
    private static final int PHASE = 20;

    /** {@code n} flips of random customers' email consent, two in three to opted out; each recorded. */
    private void flip(List<String> ids, Random r, Queue<Flip> flips, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String id = ids.get(r.nextInt(ids.size()));
            boolean contactable = r.nextInt(3) == 0;
            flips.add(new Flip(id, contactable, consent(id, "email", contactable ? "confirmed" : "opted_out")));
        }
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
