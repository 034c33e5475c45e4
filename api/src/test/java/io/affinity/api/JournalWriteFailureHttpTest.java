package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that cannot be written at run time (a full disk, an I/O error), over real HTTP: the change is answered
 * with a 503 problem that names no customer, is not in effect in memory, leaves nothing in the journal that a
 * restart or another replica would read as a change, and the server records changes again once the disk works.
 * The log gets one line per failure, without a stack trace or an id.
 */
@IntegrationTest
class JournalWriteFailureHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String CUSTOMER = "C4711-secret";
    private static final String TOKEN = "admin-token-0123456789";
    /** The stock journal is compacted from this many lines on (when half are superseded): soon, to fail one. */
    private static final int STOCK_COMPACT_AFTER = 4;

    @TempDir
    Path dir;
    private final FailingDisk disk = new FailingDisk();
    private Path consentFile;
    private Path stockFile;
    private ConsentJournal consent;
    private ItemAvailability stock;
    private AffinityServer server;
    private PrintStream err;
    private ByteArrayOutputStream captured;

    @BeforeEach
    void start() throws Exception {
        CustomerApiTest.ProfiledSnapshot snapshot = CustomerApiTest.twoItemSnapshot("disk-v1");
        snapshot.consent.put(CUSTOMER, Map.of(Channel.EMAIL, State.CONFIRMED));
        consentFile = dir.resolve("consent.journal");
        stockFile = dir.resolve("availability.journal");
        consent = ConsentJournal.open(consentFile, ConsentJournal.DEFAULT_COMPACT_AFTER_LINES, disk);
        stock = ItemAvailability.journaled(stockFile, STOCK_COMPACT_AFTER, disk);
        ServedModel served = new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS),
                Map.of("version", snapshot.version()));
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served), new ServerOptions(AccessControl.of(TOKEN, List.of()), null,
                        Duration.ofSeconds(5), consent, ServerOptions.DEFAULT_MARGIN_RATE,
                        new BusinessRuleConfig(0, 2, stock))).start();
        err = System.err;
        captured = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws Exception {
        System.setErr(err);
        server.close();
        consent.close();
        stock.close();
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putConsent(String state) throws Exception {
        return put("/v1/customers/" + CUSTOMER + "/consent/email", "{\"state\": \"" + state + "\"}");
    }

    private JsonNode changes() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/consent/changes?since=0")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private String log() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** A 503 problem of the type given, naming neither the customer nor a path, and one log line without a trace. */
    private void assertUnavailable(HttpResponse<String> r, String type) throws Exception {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(r.body());
        assertEquals("https://affinity.dev/problems/" + type, problem.get("type").asText(), r.body());
        assertTrue(problem.get("detail").asText().contains("not recorded"), r.body());
        assertFalse(r.body().contains(CUSTOMER), r.body());
        assertFalse(r.body().contains(dir.toString()), "no server path in the body: " + r.body());
        assertFalse(log().contains(CUSTOMER), log());
        assertFalse(log().contains("\tat "), "no stack trace: " + log());
        assertTrue(log().contains("cannot be written"), log());
        // the answer names its log line: the operator finds the reason by the instance id
        String instance = problem.path("instance").asText();
        assertTrue(instance.matches("urn:uuid:[0-9a-f-]{36}"), r.body());
        assertTrue(log().contains("[failure " + instance.substring("urn:uuid:".length()) + "]"), log());
    }

    @Test
    void aConsentChangeOnAFullDiskIsA503AndIsNotInEffectNorLeftInTheJournal() throws Exception {
        assertEquals(200, putConsent("opted_in").statusCode());
        long before = Files.size(consentFile);
        disk.mode = FailingDisk.Mode.FULL;
        assertUnavailable(putConsent("opted_out"), "consent-unavailable");
        assertEquals(before, Files.size(consentFile), "the part written is cut off again");
        disk.mode = FailingDisk.Mode.HEALTHY;
        JsonNode changes = changes();
        assertEquals(1, changes.get("sequence").asLong(), "no sequence given out for the failed change");
        assertEquals("opted_in", changes.get("changes").get(0).get("state").asText(), "not in effect");
        // The disk works again: the next change continues the sequence, and a restart reads exactly what was
        // acknowledged.
        HttpResponse<String> retried = putConsent("opted_out");
        assertEquals(200, retried.statusCode(), retried.body());
        assertEquals(2, JSON.readTree(retried.body()).get("sequence").asLong());
        try (ConsentJournal reopened = ConsentJournal.open(dir.resolve("consent.journal"))) {
            assertEquals(2, reopened.replayedAtOpen());
            assertEquals(2, reopened.sequence());
        }
    }

    /**
     * The line was written whole but could not be forced to disk: the change was refused, so the line must go. Left
     * in the file, the next change's catch-up (or another replica's) read it as a change: an opt-in its client was
     * told had failed took effect, under a sequence number another change then reused.
     */
    @Test
    void aConsentChangeWhoseForceFailsIsA503AndTheNextChangeDoesNotResurrectIt() throws Exception {
        long before = Files.size(consentFile);
        disk.mode = FailingDisk.Mode.FORCE_FAILS;
        assertUnavailable(putConsent("opted_out"), "consent-unavailable");
        assertEquals(before, Files.size(consentFile), "the unacknowledged line is cut off again");
        disk.mode = FailingDisk.Mode.HEALTHY;
        assertEquals(200, put("/v1/customers/other-customer/consent/sms", "{\"state\": \"opted_in\"}").statusCode());
        JsonNode changes = changes();
        assertEquals(1, changes.get("sequence").asLong());
        assertEquals(1, changes.get("changes").size(), changes.toString());
        assertEquals("other-customer", changes.get("changes").get(0).get("customerId").asText());
    }

    private HttpResponse<String> putStock(boolean available) throws Exception {
        return put("/admin/items/22697/availability", "{\"available\": " + available + "}");
    }

    private HttpResponse<String> deleteStock() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/admin/items/22697/availability")).header("Authorization", "Bearer " + TOKEN).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStockChangeOnAFullDiskIsA503AndIsNotInEffectNorLeftInTheJournal() throws Exception {
        for (FailingDisk.Mode failure : List.of(FailingDisk.Mode.FULL, FailingDisk.Mode.FORCE_FAILS)) {
            disk.mode = failure;
            assertUnavailable(putStock(false), "stock-unavailable");
            assertFalse(stock.hasStatement("22697"), failure + ": not in effect");
            assertTrue(stock.isAvailable("22697"), failure.toString());
            assertEquals(0, Files.size(stockFile), failure + ": nothing left in the journal");
        }
        disk.mode = FailingDisk.Mode.HEALTHY;
        assertEquals(200, putStock(false).statusCode());
        long before = Files.size(stockFile);
        disk.mode = FailingDisk.Mode.FULL;
        assertUnavailable(deleteStock(), "stock-unavailable");
        assertFalse(stock.isAvailable("22697"), "the statement stays: its clear was not recorded");
        assertEquals(before, Files.size(stockFile));
        disk.mode = FailingDisk.Mode.HEALTHY;
        try (ItemAvailability reopened = ItemAvailability.journaled(dir.resolve("availability.journal"))) {
            assertEquals(1, reopened.replayedAtOpen());
            assertFalse(reopened.isAvailable("22697"));
        }
    }

    /**
     * A compaction that fails (no room for the rewritten journal) after the change itself was appended and forced:
     * the change is recorded and in effect, so it is answered 200 and the compaction is tried again later. It was a
     * 500, for a change that took effect.
     */
    @Test
    void aStockChangeIsRecordedWhenOnlyTheCompactionAfterItFails() throws Exception {
        disk.onlyNamesEndingWith = ".compacting";
        disk.mode = FailingDisk.Mode.FULL;
        for (int i = 0; i < STOCK_COMPACT_AFTER; i++) {
            HttpResponse<String> r = putStock(i % 2 == 0);
            assertEquals(200, r.statusCode(), i + ": " + r.body());
        }
        assertFalse(stock.isAvailable("22697"), "the last change is in effect");
        assertEquals(0, stock.compactions());
        assertEquals(STOCK_COMPACT_AFTER, stock.journalLines(), "every change journaled, the journal uncompacted");
        assertFalse(Files.exists(JournalFiles.temporary(stockFile)), "the failed compaction's file is removed");
        assertTrue(log().contains("compaction failed"), log());
        disk.mode = FailingDisk.Mode.HEALTHY;
        assertEquals(200, putStock(true).statusCode());
        assertEquals(1, stock.compactions(), "tried again after the next change");
        assertEquals(1, stock.journalLines());
    }
}
