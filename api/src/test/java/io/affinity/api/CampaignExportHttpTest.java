package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.siegmar.fastcsv.reader.CommentStrategy;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.OpenApiSchemaCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The campaign export as an e-mail campaign tool uses it: whole segments streamed, run-time stock and consent
 * changes landing while an export runs (on this server or on a replica sharing the model store's journals), and an
 * export that stops part-way never looking like a complete one. Models with profiles, in memory; each test runs
 * its own server on port 0.
 */
@IntegrationTest
class CampaignExportHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int CUSTOMERS = 1500;

    @TempDir
    Path dir;

    /** Runs {@code hook} once, while the export is at the customer of index {@code at} (before its row is made). */
    static final class HookedSnapshot extends CustomerApiTest.ProfiledSnapshot {
        private final int at;
        private final Runnable hook;

        HookedSnapshot(InMemoryModelSnapshot base, int at, Runnable hook) {
            super(base);
            this.at = at;
            this.hook = hook;
        }

        @Override
        public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
            int[] seen = {0};
            profiles.forEach((id, p) -> {
                if (seen[0]++ == at) {
                    hook.run();
                }
                visitor.accept(id, p);
            });
        }
    }

    static String customer(int c) {
        return "C" + (100000 + c);
    }

    /** Two popular items every customer without history is offered; everyone opted in to e-mail. */
    static HookedSnapshot snapshot(String version, int at, Runnable hook) {
        InMemoryModelSnapshot base = InMemoryModelSnapshot.builder(version)
                .item(new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.55, 2000, 800, 9000))
                .item(new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "", 2.95, 900, 400, 5000))
                .item(new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "", 3.25, 800, 350, 4000))
                .popular(new PopularItem("85123A", 2000, 800))
                .popular(new PopularItem("22697", 900, 400))
                .item(new ItemFacts("22086", "PAPER CHAIN KIT, \"50'S\" CHRISTMAS", "", 2.95, 700, 300, 3000))
                .popular(new PopularItem("22698", 800, 350))
                .popular(new PopularItem("22086", 700, 300))
                .build();
        HookedSnapshot s = new HookedSnapshot(base, at, hook);
        for (int c = 0; c < CUSTOMERS; c++) {
            s.profiles.put(customer(c), CustomerApiTest.profile(CustomerProfile.Tier.GOLD,
                    CustomerProfile.Strategy.ENHANCE));
            s.consent.put(customer(c), Map.of(Channel.EMAIL, State.OPTED_IN));
        }
        return s;
    }

    static ServedModel served(CustomerApiTest.ProfiledSnapshot s) {
        return new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of("version", s.version()));
    }

    static AffinityServer start(ModelSource source, ConsentJournal consent, ItemAvailability availability) {
        return AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(5), consent, 0.3,
                        new BusinessRuleConfig(0, 2, availability))).start();
    }

    static HttpResponse<String> get(AffinityServer server, String pathAndQuery, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The rows of an NDJSON export, in order, after checking that it ends with its summary. */
    static List<JsonNode> rowsOfCompleteExport(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        String[] lines = r.body().split("\n");
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertEquals("summary", last.path("type").asText(), last.toString());
        List<JsonNode> rows = new ArrayList<>();
        for (int i = 0; i < lines.length - 1; i++) {
            rows.add(JSON.readTree(lines[i]));
        }
        assertEquals(rows.size(), last.at("/summary/exported").asLong(), last.toString());
        return rows;
    }

    static List<String> offerIds(JsonNode row) {
        List<String> ids = new ArrayList<>();
        row.get("offers").forEach(o -> ids.add(o.get("itemId").asText()));
        return ids;
    }

    /**
     * A replica sharing the model store's stock journal takes an item out of stock while this server's export
     * runs, and nothing else reaches this server meanwhile: the rest of the export must not offer it. (The
     * replica's change is in effect on every server within ItemAvailability.REFRESH_INTERVAL; an export used to
     * look for such changes only once, when it started, so every later row of a long export kept the item.)
     */
    @Test
    void aStockChangeAReplicaMakesDuringAnExportHoldsForTheRestOfIt() throws Exception {
        Path stock = dir.resolve("availability.journal");
        int at = CUSTOMERS / 2;
        try (ItemAvailability mine = ItemAvailability.journaled(stock);
             ItemAvailability replica = ItemAvailability.journaled(stock);
             ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"))) {
            HookedSnapshot s = snapshot("stock-v1", at, () -> {
                replica.set("85123A", false);
                sleep(ItemAvailability.REFRESH_INTERVAL.toMillis() + 50);
            });
            try (AffinityServer server = start(ModelSource.fixed(served(s)), consent, mine)) {
                List<JsonNode> rows = rowsOfCompleteExport(
                        get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2", null));
                assertEquals(CUSTOMERS, rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    List<String> offered = offerIds(rows.get(i));
                    if (i < at) {
                        assertEquals(List.of("85123A", "22697"), offered, "before the change, row " + i);
                    } else {
                        assertEquals(List.of("22697", "22698"), offered, "after the replica's change, row " + i);
                    }
                }
            }
        }
    }

    /**
     * The consent journal turns unreadable while an export runs (another replica sharing it left a line that
     * cannot be read): the export stops at once rather than guess, and its error record says so with the 503
     * every other consent answer gives then (a consent store to repair and retry, not a bug), naming the journal,
     * never a customer. It used to end with a 500 "Export failed (IllegalStateException)".
     */
    @Test
    void aConsentJournalThatTurnsUnreadableMidExportEndsItWithA503ErrorRecord() throws Exception {
        Path journalFile = dir.resolve("consent.journal");
        int at = CUSTOMERS / 3;
        try (ConsentJournal consent = ConsentJournal.open(journalFile)) {
            consent.record(customer(7), Channel.EMAIL, State.OPTED_OUT);
            HookedSnapshot s = snapshot("consent-v1", at, () -> {
                try {
                    Files.writeString(journalFile, "{\"seq\":2,\"customerId\":\"" + customer(at)
                            + "\",\"channel\":\"fax\",\"state\":\"opted_in\"}\n", StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                sleep(ConsentJournal.LOOK_INTERVAL.toMillis() + 20);
            });
            PrintStream err = System.err;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes there
            HttpResponse<String> r;
            HttpResponse<String> csv;
            try (AffinityServer server = start(ModelSource.fixed(served(s)), consent, ItemAvailability.inMemory())) {
                r = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2", null);
                csv = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2", "text/csv");
            } finally {
                System.setErr(err);
            }
            assertEquals(200, r.statusCode(), r.body()); // the headers went before the failure
            String[] lines = r.body().split("\n");
            JsonNode last = JSON.readTree(lines[lines.length - 1]);
            assertEquals("error", last.path("type").asText(), last.toString());
            assertEquals(503, last.at("/error/status").asInt(), last.toString());
            assertTrue(last.at("/error/detail").asText().contains("consent journal consent.journal line 2 is unreadable"),
                    last.toString());
            assertTrue(last.at("/error/detail").asText().contains("incomplete"), last.toString());
            assertEquals(at - 1, last.at("/error/exportedSoFar").asLong(), last.toString()); // one opted out
            assertEquals(1, last.at("/error/excludedSoFar/opted_out").asLong(), last.toString());
            assertEquals(at + 1, last.at("/error/matchedSoFar").asLong(), last.toString());
            assertFalse(r.body().contains("\"summary\""), "no summary after the error");
            // The next export finds the journal unreadable before it starts: the 503 problem, no stream.
            assertEquals(503, csv.statusCode(), csv.body());
            assertTrue(csv.body().contains("consent journal consent.journal line 2 is unreadable"), csv.body());
            String logged = log.toString(StandardCharsets.UTF_8);
            String failure = last.at("/error/instance").asText().replace("urn:uuid:", "");
            assertEquals(36, failure.length(), last.toString());
            assertTrue(logged.contains("campaign export stopped after " + (at - 1) + " exported rows [failure " + failure
                    + "]: consent journal consent.journal line 2 is unreadable"), logged);
            assertFalse(logged.contains(customer(at)) || r.body().contains(customer(at)), "no customer id: " + logged);
        }
    }

    /**
     * CSV is what the client asks for with Accept, read as HTTP defines it: "text/csv;q=0" means "not CSV", and a
     * client preferring NDJSON (a higher q) gets NDJSON. The export used to answer CSV whenever the header
     * mentioned text/csv at all.
     */
    @Test
    void theFormatFollowsTheAcceptHeadersPreferences() throws Exception {
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(ModelSource.fixed(served(snapshot("accept-v1", -1, () -> { }))), consent,
                     ItemAvailability.inMemory())) {
            Map<String, Boolean> csvExpected = new java.util.LinkedHashMap<>();
            csvExpected.put(null, false);
            csvExpected.put("*/*", false);
            csvExpected.put("application/x-ndjson", false);
            csvExpected.put("application/x-ndjson, text/csv;q=0", false);
            csvExpected.put("text/csv;q=0, application/x-ndjson", false);
            csvExpected.put("text/csv; q=0.0", false);
            csvExpected.put("text/csv;q=0.5, application/x-ndjson", false);
            csvExpected.put("text/csv", true);
            csvExpected.put("TEXT/CSV", true);
            csvExpected.put("text/csv; charset=utf-8", true);
            csvExpected.put("text/csv, */*;q=0.1", true);
            csvExpected.put("application/x-ndjson;q=0.5, text/csv", true);
            csvExpected.put("text/csv;q=0.8, application/x-ndjson;q=0.8", true); // a tie: CSV, as it is named
            for (Map.Entry<String, Boolean> e : csvExpected.entrySet()) {
                HttpResponse<String> r = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=1",
                        e.getKey());
                assertEquals(200, r.statusCode(), r.body());
                String type = r.headers().firstValue("Content-Type").orElse("");
                String first = r.body().substring(0, r.body().indexOf('\n'));
                if (e.getValue()) {
                    assertTrue(type.startsWith("text/csv"), e.getKey() + " -> " + type);
                    assertTrue(first.startsWith("customer_id,"), e.getKey() + " -> " + first);
                } else {
                    assertTrue(type.startsWith("application/x-ndjson"), e.getKey() + " -> " + type);
                    assertTrue(first.startsWith("{\"customerId\""), e.getKey() + " -> " + first);
                }
            }
        }
    }

    /**
     * The OpenAPI document is all an integrator may read: it must describe every record an export sends (the rows,
     * the final summary or error record) and the CSV layout. Each line of a complete export, of one that stopped
     * part-way and of one with rules is checked against the documented schemas (required fields present, no field
     * undocumented, enums kept), and the CSV header against the documented columns. The document used to give the
     * export's NDJSON as a bare "object" and call CSV "one row per eligible customer" (it is one per offer).
     */
    @Test
    void theOpenApiDocumentDescribesEveryRecordAnExportSends() throws Exception {
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"))) {
            consent.record(customer(3), Channel.EMAIL, State.OPTED_OUT);
            HookedSnapshot failing = snapshot("doc-v1", CUSTOMERS / 2, () -> {
                throw new IllegalStateException("a damaged value");
            });
            HookedSnapshot whole = snapshot("doc-v1", -1, () -> { });
            whole.profiles.put(customer(5), CustomerApiTest.profile(CustomerProfile.Tier.LEAD,
                    CustomerProfile.Strategy.END));
            List<String> lines = new ArrayList<>();
            String csvHeader;
            JsonNode doc;
            try (AffinityServer server = start(ModelSource.fixed(served(whole)), consent, ItemAvailability.inMemory());
                 AffinityServer broken = start(ModelSource.fixed(served(failing)), consent,
                         ItemAvailability.inMemory())) {
                doc = JSON.readTree(get(server, "/openapi.json", null).body());
                for (String query : List.of("segment=all&channel=email&limit=2",
                        "segment=tier:gold&channel=web&limit=3&maxPerCategory=2&excludeBoughtWithinDays=30"
                                + "&asOf=2011-06-30")) {
                    lines.addAll(List.of(get(server, "/v1/campaigns/offers?" + query, null).body().split("\n")));
                }
                lines.addAll(List.of(get(broken, "/v1/campaigns/offers?segment=all&channel=email", null).body()
                        .split("\n")));
                String csv = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2", "text/csv").body();
                csvHeader = csv.substring(0, csv.indexOf("\r\n"));
            }
            JsonNode operation = doc.at("/paths/~1v1~1campaigns~1offers/get");
            JsonNode ndjson = operation.at("/responses/200/content/application~1x-ndjson/schema");
            int errors = 0;
            int summaries = 0;
            for (String line : lines) {
                JsonNode record = JSON.readTree(line);
                List<String> problems = new OpenApiSchemaCheck(doc).problems(record, ndjson);
                assertTrue(problems.isEmpty(), line + ": " + problems);
                errors += record.has("error") ? 1 : 0;
                summaries += record.has("summary") ? 1 : 0;
            }
            assertEquals(1, errors, "the stopped export's error record was checked");
            assertEquals(2, summaries, "both summaries were checked");
            String csvDoc = operation.at("/responses/200/content/text~1csv/schema/description").asText();
            assertTrue(csvDoc.contains(csvHeader), "documented columns: " + csvDoc + " vs sent: " + csvHeader);
            assertTrue(csvDoc.contains("one row per offer"), csvDoc);
            String answer = operation.at("/responses/200/description").asText();
            assertTrue(answer.contains("without a final summary record") && answer.contains("incomplete"), answer);
            for (JsonNode parameter : doc.at("/paths/~1v1~1campaigns~1offers/parameters")) {
                if (parameter.get("name").asText().equals("limit")) {
                    assertTrue(parameter.get("description").asText().contains("offers per customer"),
                            parameter.toString());
                }
            }
        }
    }

    /**
     * The consent guarantee across model swaps: while an export runs, customers opt out (and some back in) through
     * the API, and two new versions are installed mid-export (an activation, then a reload), each of which says in
     * its own consent export that every customer confirmed e-mail. The export stays on its version (every row,
     * the summary) and releases it at the end; no row is for a customer whose e-mail consent was not given as of
     * the row's consentSequence (the journal's changes up to it, else the export's version's consent); and after
     * the send-time re-check through GET /v1/consent/changes, every customer kept is contactable now.
     */
    @Test
    void optOutsDuringAnExportAcrossAnActivationAndAReloadAreHonoured() throws Exception {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closed = new AtomicInteger();
        CountDownLatch changesMade = new CountDownLatch(40);
        AtomicReference<Runnable> midway = new AtomicReference<>();
        HookedSnapshot v1 = snapshot("swap-v1", CUSTOMERS / 3, () -> midway.get().run());
        Random seeded = new Random(20261125);
        for (int c = 0; c < CUSTOMERS; c++) {
            // The export's version: a mix, so that the journal's changes matter both ways.
            int k = seeded.nextInt(4);
            v1.consent.put(customer(c), Map.of(Channel.EMAIL, k == 0 ? State.OPTED_OUT : k == 1 ? State.PENDING
                    : State.CONFIRMED));
        }
        source.swap(served(v1), closed::incrementAndGet);
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(source, consent, ItemAvailability.inMemory())) {
            midway.set(() -> {
                // Under way: wait until the flipper's changes overlap, then activate v2 and reload to v3.
                try {
                    assertTrue(changesMade.await(20, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (String version : List.of("swap-v2", "swap-v3")) {
                    HookedSnapshot next = snapshot(version, -1, () -> { });
                    next.profiles.keySet().forEach(id -> next.consent.put(id, Map.of(Channel.EMAIL, State.CONFIRMED)));
                    source.swap(served(next), () -> { });
                }
            });
            Map<Long, String[]> changes = new ConcurrentSkipListMap<>(); // sequence -> {customer, state}
            AtomicBoolean done = new AtomicBoolean();
            Thread flipper = new Thread(() -> {
                Random r = new Random(77);
                while (!done.get()) {
                    String id = customer(r.nextInt(CUSTOMERS));
                    State state = r.nextInt(4) == 0 ? State.CONFIRMED : State.OPTED_OUT;
                    try {
                        HttpResponse<String> put = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + server.port() + "/v1/customers/" + id + "/consent/email"))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state.wireName() + "\"}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        changes.put(JSON.readTree(put.body()).get("sequence").asLong(), new String[] {id, state.wireName()});
                        changesMade.countDown();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            flipper.start();
            HttpResponse<String> export;
            try {
                export = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2", null);
                sleep(30); // changes after the last row as well
            } finally {
                done.set(true);
                flipper.join();
            }
            List<JsonNode> rows = rowsOfCompleteExport(export);
            String[] lines = export.body().split("\n");
            JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
            assertEquals("swap-v1", summary.get("modelVersion").asText(), "the export stayed on its version");
            assertEquals(1, closed.get(), "and released it at its end (v1 was swapped out mid-export)");
            assertEquals("swap-v3", source.current().orElseThrow().snapshot().version());
            long checkedDuringChanges = 0;
            for (JsonNode row : rows) {
                String id = row.get("customerId").asText();
                long seq = row.get("consentSequence").asLong();
                State state = v1.consent(id, Channel.EMAIL).orElse(null);
                for (Map.Entry<Long, String[]> e : changes.entrySet()) {
                    if (e.getKey() <= seq && e.getValue()[0].equals(id)) {
                        state = State.parse(e.getValue()[1]);
                    }
                }
                assertTrue(state == State.CONFIRMED || state == State.OPTED_IN, id + " exported in state " + state
                        + " as of " + seq);
                checkedDuringChanges += seq > summary.get("consentSequenceAtStart").asLong() ? 1 : 0;
            }
            assertTrue(checkedDuringChanges > 0, "rows were checked while the changes went on");
            assertTrue(rows.size() > CUSTOMERS / 4, "exported " + rows.size());
            // Send time: drop the rows a later change made stale.
            Map<String, JsonNode> latest = new HashMap<>();
            long since = summary.get("consentSequenceAtStart").asLong();
            for (boolean more = true; more; ) {
                JsonNode page = JSON.readTree(get(server, "/v1/consent/changes?channel=email&limit=100&since=" + since,
                        null).body());
                page.get("changes").forEach(c -> latest.put(c.get("customerId").asText(), c));
                since = page.get("next").asLong();
                more = page.get("more").asBoolean();
            }
            int dropped = 0;
            for (JsonNode row : rows) {
                String id = row.get("customerId").asText();
                JsonNode change = latest.get(id);
                boolean stale = change != null && change.get("sequence").asLong() > row.get("consentSequence").asLong()
                        && !change.get("contactable").asBoolean();
                dropped += stale ? 1 : 0;
                if (!stale) {
                    assertTrue(consent.check(v1, id, Channel.EMAIL).allowed(), id + " kept but not contactable now");
                }
            }
            assertTrue(dropped > 0, "some customers opted out after their row was made");
        }
    }

    /**
     * A campaign tool that drops the connection mid-export frees the server: the export stops writing, releases its
     * model version (closed once swapped out), leaves no thread behind, and logs one line without customer data,
     * not one per row.
     */
    @Test
    void aClientThatLeavesMidExportFreesTheServer() throws Exception {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closed = new AtomicInteger();
        CountDownLatch clientGone = new CountDownLatch(1);
        HookedSnapshot s = snapshot("leave-v1", 100, () -> {
            try {
                assertTrue(clientGone.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        source.swap(served(s), closed::incrementAndGet);
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(source, consent, ItemAvailability.inMemory())) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write(("GET /v1/campaigns/offers?segment=all&channel=email&limit=3 HTTP/1.1\r\n"
                        + "Host: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] head = socket.getInputStream().readNBytes(200);
                assertTrue(new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
                socket.setSoLinger(true, 0); // a reset, as a killed client leaves
            }
            clientGone.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (exportThreads() > 0 && System.nanoTime() < deadline) {
                sleep(20);
            }
            assertEquals(0, exportThreads(), "no thread left in the export");
            source.swap(served(snapshot("leave-v2", -1, () -> { })), () -> { });
            assertEquals(1, closed.get(), "the export released its version");
            // The server still serves exports.
            assertEquals(CUSTOMERS, rowsOfCompleteExport(
                    get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=1", null)).size());
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        List<String> aborted = logged.lines().filter(l -> l.contains("campaign export")).toList();
        assertEquals(1, aborted.size(), logged);
        assertTrue(aborted.get(0).matches(".*campaign export aborted after \\d+ rows: \\w+"), aborted.get(0));
        assertFalse(logged.contains(customer(100)) || logged.contains("\tat "), logged);
    }

    private static long exportThreads() {
        return Thread.getAllStackTraces().values().stream().filter(trace -> java.util.Arrays.stream(trace)
                .anyMatch(f -> f.getClassName().equals(CustomerRoutes.class.getName())
                        && f.getMethodName().equals("campaign"))).count();
    }

    /**
     * CSV rows carry what the NDJSON rows carry, offer by offer: an e-mail needs the product's description, and a
     * merchandiser's pinned offer must be told from the model's. The CSV used to have neither the description nor
     * the source (nor the probability and margin), so a tool reading CSV could not write the e-mail from it.
     */
    @Test
    void csvRowsCarryEveryFieldOfTheNdjsonOffers() throws Exception {
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(ModelSource.fixed(served(snapshot("csv-v1", -1, () -> { }))), consent,
                     ItemAvailability.inMemory())) {
            String query = "/v1/campaigns/offers?segment=all&channel=email&limit=4";
            List<JsonNode> rows = rowsOfCompleteExport(get(server, query, null));
            String csv = get(server, query, "text/csv").body();
            List<List<String>> records = new ArrayList<>();
            try (CsvReader<CsvRecord> reader = CsvReader.builder().commentStrategy(CommentStrategy.SKIP)
                    .ofCsvRecord(csv)) {
                reader.forEach(r -> records.add(r.getFields()));
            }
            assertEquals(List.of("customer_id", "tier", "strategy", "consent_sequence", "rank", "item_id",
                    "expected_value", "explanation", "description", "source", "purchase_probability", "margin",
                    "cursor"), records.get(0));
            int next = 1;
            for (JsonNode row : rows) {
                int rank = 1;
                for (JsonNode offer : row.get("offers")) {
                    List<String> r = records.get(next++);
                    assertEquals(List.of(row.get("customerId").asText(), row.get("tier").asText(),
                            row.get("strategy").asText(), row.get("consentSequence").asText(), Integer.toString(rank++),
                            offer.get("itemId").asText(), fourDecimals(offer.get("expectedValue")),
                            offer.get("explanation").asText(), offer.get("description").asText(),
                            offer.get("source").asText(), fourDecimals(offer.get("purchaseProbability")),
                            fourDecimals(offer.get("margin")), row.get("cursor").asText()), r);
                }
            }
            assertEquals(records.size(), next, "one CSV row per offer, nothing more");
            assertTrue(csv.contains("\"PAPER CHAIN KIT, \"\"50'S\"\" CHRISTMAS\""), "RFC 4180 quoting");
        }
    }

    /**
     * A campaign tool whose stream broke off, or ended with an error record, asks for the rest with after= instead of
     * exporting 300,000 customers again: the parts together are exactly the one export, rows complete and in order.
     * A cursor of another model version, or of other parameters, is refused rather than mixed in.
     */
    @Test
    void anExportResumesAfterTheLastRowReceived() throws Exception {
        HookedSnapshot model = snapshot("resume-v1", -1, () -> { });
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(ModelSource.fixed(served(model)), consent, ItemAvailability.inMemory())) {
            // a quarter of the customers opt out, so positions and exported rows differ
            for (int c = 0; c < CUSTOMERS; c += 4) {
                consent.record(customer(c), Channel.EMAIL, State.OPTED_OUT);
            }
            String query = "/v1/campaigns/offers?segment=all&channel=email&limit=2";
            List<JsonNode> whole = rowsOfCompleteExport(get(server, query, null));
            assertEquals(CUSTOMERS - CUSTOMERS / 4, whole.size());

            // the connection broke after 500 rows: the rest from the last one received
            String cursor = whole.get(499).get("cursor").asText();
            assertFalse(cursor.contains("C1"), "no customer id in a cursor: " + cursor);
            HttpResponse<String> rest = get(server, query + "&after=" + cursor, null);
            assertEquals(200, rest.statusCode(), rest.body());
            List<JsonNode> resumed = rowsOfCompleteExport(rest);
            assertEquals(whole.subList(500, whole.size()), resumed);
            String[] lines = rest.body().split("\n");
            JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
            assertEquals(cursor, summary.get("resumedFrom").asText());
            assertEquals(whole.size() - 500, summary.get("exported").asLong(), "this part's counts");
            // from the last row's cursor nothing is left, and the summary says so
            assertEquals(List.of(), rowsOfCompleteExport(get(server,
                    query + "&after=" + whole.get(whole.size() - 1).get("cursor").asText(), null)));
            // CSV rows carry the same cursors, so a CSV reader resumes alike
            String csv = get(server, query + "&after=" + cursor, "text/csv").body();
            assertTrue(csv.contains("," + resumed.get(0).get("cursor").asText() + "\r\n"), csv.substring(0, 400));

            // other parameters: 400; malformed: 400; neither names a customer
            HttpResponse<String> other = get(server, "/v1/campaigns/offers?segment=all&channel=email&limit=3&after="
                    + cursor, null);
            assertEquals(400, other.statusCode(), other.body());
            assertTrue(other.body().contains("belongs to an export with other parameters"), other.body());
            HttpResponse<String> junk = get(server, query + "&after=C100042", null);
            assertEquals(400, junk.statusCode(), junk.body());
            assertFalse(junk.body().contains("C100042"), junk.body());
        }
        // another model version: 409, whatever the position means there
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent2.journal"));
             AffinityServer server = start(ModelSource.fixed(served(snapshot("resume-v2", -1, () -> { }))), consent,
                     ItemAvailability.inMemory())) {
            String stale = new ExportCursor("resume-v1", 10, ExportCursor.fingerprint("x")).toString();
            HttpResponse<String> r = get(server, "/v1/campaigns/offers?segment=all&channel=email&after=" + stale, null);
            assertEquals(409, r.statusCode(), r.body());
            assertTrue(r.body().contains("export-cursor-stale") && r.body().contains("resume-v2"), r.body());
        }
    }

    /**
     * The audience size before the real export: summaryOnly runs the export and sends its final record alone, with
     * the counts the full export gives (consent and strategy exclusions and customers left without offers alike).
     */
    @Test
    void summaryOnlySendsTheFullExportsSummaryAndNoRow() throws Exception {
        try (ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(ModelSource.fixed(served(snapshot("count-v1", -1, () -> { }))), consent,
                     ItemAvailability.inMemory())) {
            for (int c = 0; c < CUSTOMERS; c += 3) {
                consent.record(customer(c), Channel.EMAIL, c % 2 == 0 ? State.OPTED_OUT : State.PENDING);
            }
            String query = "/v1/campaigns/offers?segment=all&channel=email&limit=2";
            String[] whole = get(server, query, null).body().split("\n");
            JsonNode full = JSON.readTree(whole[whole.length - 1]).get("summary");
            HttpResponse<String> only = get(server, query + "&summaryOnly=true", null);
            assertEquals(200, only.statusCode(), only.body());
            String[] lines = only.body().split("\n");
            assertEquals(1, lines.length, only.body());
            JsonNode summary = JSON.readTree(lines[0]).get("summary");
            assertTrue(summary.get("summaryOnly").asBoolean(), summary.toString());
            for (String field : List.of("matched", "exported", "excluded", "modelVersion", "segment", "channel")) {
                assertEquals(full.get(field), summary.get(field), field);
            }
            assertTrue(full.get("excluded").get("opted_out").asLong() > 0
                    && full.get("excluded").get("pending_confirmation").asLong() > 0, full.toString());
            assertFalse(full.has("summaryOnly"), "absent from a real export's summary");
            // CSV: the header line and the #summary comment
            String[] csv = get(server, query + "&summaryOnly=true", "text/csv").body().split("\r?\n");
            assertEquals(2, csv.length, String.join("|", csv));
            assertTrue(csv[0].startsWith("customer_id,") && csv[1].startsWith("#summary {"), csv[1]);
            HttpResponse<String> bad = get(server, query + "&summaryOnly=yes", null);
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("summaryOnly"), bad.body());
        }
    }

    /** An export cut off by an error record gives the cursor to resume from: the customer it stopped at comes next. */
    @Test
    void anErrorRecordSaysWhereToResume() throws Exception {
        Path journal = dir.resolve("consent.journal");
        // at customer 700 the journal gets a line it cannot read: the export stops with a 503 error record when it
        // next reads the journal
        HookedSnapshot model = snapshot("resume-v1", 700, () -> {
            try {
                Files.writeString(journal, "not json\n", StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (ConsentJournal consent = ConsentJournal.open(journal);
             AffinityServer server = start(ModelSource.fixed(served(model)), consent, ItemAvailability.inMemory())) {
            String query = "/v1/campaigns/offers?segment=all&channel=email&limit=2";
            String[] lines = get(server, query, null).body().split("\n");
            JsonNode error = JSON.readTree(lines[lines.length - 1]).get("error");
            assertEquals(503, error.get("status").asInt(), error.toString());
            int rows = lines.length - 1; // the journal is read again at most every few ms: 700 or a few more
            assertTrue(rows >= 700 && rows < CUSTOMERS, rows + " rows");
            String resume = error.get("resumeCursor").asText();
            assertEquals(JSON.readTree(lines[lines.length - 2]).get("cursor").asText(), resume,
                    "the last complete row's cursor: every customer opted in, so the one it stopped at is next");
            assertTrue(resume.contains("." + rows + "."), resume);
        }
    }

    private static String fourDecimals(JsonNode number) {
        return String.format(java.util.Locale.ROOT, "%.4f", number.asDouble());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
