package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access control without admin token, API keys, readiness without a model, graceful shutdown. */
@IntegrationTest
class OperationsHttpTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "public-api-key-0123456789";

    private static ServedModel model() {
        InMemoryModelSnapshot s = InMemoryModelSnapshot.builder("ops-v1")
                .item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build();
        return new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of());
    }

    private static AffinityServer start(ModelSource source, ServerOptions options) {
        return AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source, options).start();
    }

    @Test
    void apiKeysProtectPublicEndpointsButNotHealth() throws Exception {
        try (AffinityServer server = start(ModelSource.fixed(model()),
                new ServerOptions(AccessControl.of(null, List.of(KEY)), null, Duration.ofSeconds(1)))) {
            ModelLifecycleHttpTest.assertProblem(get(server, "/v1/model", null), 401, "X-API-Key");
            ModelLifecycleHttpTest.assertProblem(get(server, "/v1/model", "wrong-key-0123456789"), 401, "not valid");
            assertEquals(200, get(server, "/v1/model", KEY).statusCode());
            assertEquals(200, get(server, "/health", null).statusCode());
            assertEquals(200, get(server, "/ready", null).statusCode());
            ModelLifecycleHttpTest.assertProblem(get(server, "/admin/models", null), 403, "no admin token");
        }
    }

    @Test
    void aCredentialHeaderSentTwiceIsRefusedWhicheverComesFirst() throws Exception {
        String token = "admin-token-0123456789";
        try (AffinityServer server = start(ModelSource.fixed(model()),
                new ServerOptions(AccessControl.of(token, List.of(KEY)), null, Duration.ofSeconds(1)))) {
            for (String[] keys : new String[][] {{KEY, "wrong-key-0123456789"}, {"wrong-key-0123456789", KEY},
                    {KEY, KEY}}) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri(server, "/v1/model"))
                        .header("X-API-Key", keys[0]).header("X-API-Key", keys[1]).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                ModelLifecycleHttpTest.assertProblem(r, 400, "'X-API-Key' was sent 2 times");
                assertFalse(r.body().contains(KEY), "the key is not echoed");
            }
            HttpResponse<String> admin = CLIENT.send(HttpRequest.newBuilder(uri(server, "/admin/models"))
                    .header("Authorization", "Bearer " + token).header("Authorization", "Bearer " + token).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            ModelLifecycleHttpTest.assertProblem(admin, 400, "'Authorization' was sent 2 times");
            assertFalse(admin.body().contains(token), "the token is not echoed");
            // each sent once: past the checks (a fixed model source has no store to list, hence 404, not 401)
            assertEquals(200, get(server, "/v1/model", KEY).statusCode());
            HttpResponse<String> once = CLIENT.send(HttpRequest.newBuilder(uri(server, "/admin/models"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            ModelLifecycleHttpTest.assertProblem(once, 404, "no such endpoint");
        }
    }

    @Test
    void anUnexpectedFailureIsLoggedWithoutItsMessageWhichCanQuoteTheRequest() throws Exception {
        ModelSource failing = () -> {
            throw new IllegalStateException("failed on q=SECRET-QUERY-TEXT",
                    new IllegalArgumentException("cause quoting SECRET-QUERY-TEXT"));
        };
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        String requestId = "4c1e0b7a-93d2-4f0e-8a51-0c6d2b9e7f13";
        HttpResponse<String> r;
        HttpResponse<String> second;
        HttpResponse<String> freeText;
        try (AffinityServer server = start(failing, ServerOptions.defaults())) {
            r = CLIENT.send(HttpRequest.newBuilder(uri(server, "/v1/items?q=SECRET-QUERY-TEXT"))
                    .header("X-Request-Id", requestId).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode(), r.body());
            assertFalse(r.body().contains("SECRET"), r.body());
            second = CLIENT.send(HttpRequest.newBuilder(uri(server, "/v1/items?q=SECRET-QUERY-TEXT"))
                    .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            // a request id that is not of the logged shape (free text, here a customer's id) is neither logged
            // nor echoed
            freeText = CLIENT.send(HttpRequest.newBuilder(uri(server, "/v1/items?q=SECRET-QUERY-TEXT"))
                    .header("X-Request-Id", "customer 17850").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, freeText.statusCode(), freeText.body());
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        // "see the server log" names the line: the answer's instance id is in it, with the caller's X-Request-Id
        String instance = new ObjectMapper().readTree(r.body()).path("instance").asText();
        assertTrue(instance.matches("urn:uuid:[0-9a-f-]{36}"), r.body());
        String id = instance.substring("urn:uuid:".length());
        assertTrue(logged.contains("unexpected failure on GET /v1/items [failure " + id + "; X-Request-Id "
                + requestId + "]: java.lang.IllegalStateException"), logged);
        assertEquals(Optional.of(requestId), r.headers().firstValue("X-Request-Id"));
        String secondInstance = new ObjectMapper().readTree(second.body()).path("instance").asText();
        assertTrue(secondInstance.startsWith("urn:uuid:") && !secondInstance.equals(instance), second.body());
        assertTrue(logged.contains("[failure " + secondInstance.substring("urn:uuid:".length())
                + "; trace 4bf92f3577b34da6a3ce929d0e0e4736]"), logged);
        assertEquals(Optional.empty(), freeText.headers().firstValue("X-Request-Id"));
        assertFalse(logged.contains("17850"), logged);
        assertTrue(logged.contains("java.lang.IllegalArgumentException") && logged.contains("\tat "),
                "the cause's type and the stack frames stay: " + logged);
        assertFalse(logged.contains("SECRET"), logged);
    }

    /**
     * A lock a dead process left in an older snapshot's map file fails listings with a typed error whose message
     * names a file and a segment only, and says what to do: the log keeps it whole; the answer (a 503, or the
     * export's error record with status 503) says what to do without the file or segment.
     */
    @Test
    void aLockLeftByADeadProcessIsLoggedWithWhatToDo(@TempDir Path dir) throws Exception {
        io.affinity.store.SnapshotLockedException locked = new io.affinity.store.SnapshotLockedException(
                dir.resolve("v1/profiles.cmap"), 2, "segment 2's update lock stayed held: publish a new snapshot", null);
        CustomerApiTest.ProfiledSnapshot snapshot = new CustomerApiTest.ProfiledSnapshot(
                InMemoryModelSnapshot.builder("locked-v1").item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build()) {
            @Override
            public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
                throw locked;
            }

            @Override
            public void forEachRule(java.util.function.Consumer<io.affinity.recommender.AssociationRule> visitor) {
                throw locked;
            }
        };
        snapshot.profiles.put("C1", CustomerApiTest.profile(CustomerProfile.Tier.GOLD, CustomerProfile.Strategy.ENHANCE));
        ModelSource source = ModelSource.fixed(new ServedModel(snapshot,
                new Recommender(snapshot, RecommenderSettings.DEFAULTS), Map.of()));
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        HttpResponse<String> rules;
        JsonNode last;
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(source, new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(1),
                     journal, 0.3, BusinessRuleConfig.defaults()))) {
            rules = get(server, "/v1/rules?limit=5", null);
            assertEquals(503, rules.statusCode(), rules.body());
            assertFalse(rules.body().contains("segment 2"), rules.body());
            assertTrue(rules.body().contains("publish and activate a new model version"), rules.body());
            HttpResponse<String> export = export(server).get(30, TimeUnit.SECONDS);
            last = lastRecord(export);
            assertEquals("error", last.path("type").asText(), last.toString());
            assertEquals(503, last.at("/error/status").asInt(), last.toString());
            assertTrue(last.at("/error/detail").asText().contains("publish and activate a new model version"),
                    last.toString());
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        // each answer names its log line by the instance id
        String rulesId = new ObjectMapper().readTree(rules.body()).path("instance").asText()
                .replace("urn:uuid:", "");
        assertTrue(logged.contains("GET /v1/rules failed [failure " + rulesId + "]: " + locked.getMessage()), logged);
        String exportId = last.at("/error/instance").asText().replace("urn:uuid:", "");
        assertTrue(exportId.length() == 36 && !exportId.equals(rulesId), last.toString());
        assertTrue(logged.contains("campaign export failed after 0 exported rows [failure " + exportId + "]: "
                + locked.getMessage()), logged);
    }

    @Test
    void notReadyWithoutAModelButAlive() throws Exception {
        try (AffinityServer server = start(new SwappableModelSource(), ServerOptions.defaults())) {
            assertEquals(200, get(server, "/health", null).statusCode());
            ModelLifecycleHttpTest.assertProblem(get(server, "/ready", null), 503, "no verified model");
            ModelLifecycleHttpTest.assertProblem(get(server, "/v1/items/A/bought-together", null), 503, "no verified model");
        }
    }

    @Test
    void tooShortSecretsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AccessControl.of("short", List.of()));
        assertThrows(IllegalArgumentException.class, () -> AccessControl.of(null, List.of("short")));
    }

    @Test
    void closeLetsAnInFlightRequestFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        ServedModel served = model();
        ModelSource slow = () -> {
            entered.countDown();
            try {
                proceed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(ModelLease.unmanaged(served));
        };
        AffinityServer server = start(slow, new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(10)));
        CompletableFuture<HttpResponse<String>> inFlight = CLIENT.sendAsync(
                HttpRequest.newBuilder(uri(server, "/v1/items/A/bought-together")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        int port = server.port();
        Thread closer = new Thread(server::close);
        closer.start();
        closer.join(300); // close is now waiting for the request (or, on a slow machine, about to)
        proceed.countDown();
        HttpResponse<String> r = inFlight.get(15, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        closer.join(15_000);
        assertThrows(java.io.IOException.class, () -> CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString()),
                "no longer accepting");
    }

    /**
     * A model of 1,000 consenting customers whose export stops at the 500th until {@code proceed} opens, and whose
     * reads fail once its closer has run (as Chronicle Map's do).
     */
    private static final class BlockingExportModel {
        final CountDownLatch midStream = new CountDownLatch(1);
        /** Exports waiting at the 500th customer. */
        final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        final CountDownLatch proceed = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();
        final SwappableModelSource source = new SwappableModelSource();

        BlockingExportModel() {
            CustomerApiTest.ProfiledSnapshot snapshot = new CustomerApiTest.ProfiledSnapshot(
                    InMemoryModelSnapshot.builder("export-v1").item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build()) {
                @Override
                public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
                    int[] seen = {0};
                    profiles.forEach((id, p) -> {
                        if (seen[0]++ == 500) {
                            waiting.incrementAndGet();
                            midStream.countDown();
                            try {
                                assertTrue(proceed.await(30, TimeUnit.SECONDS));
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        if (closed.get()) {
                            throw new IllegalStateException("snapshot read after it was closed");
                        }
                        visitor.accept(id, p);
                    });
                }
            };
            for (int c = 0; c < 1000; c++) {
                String id = "C" + (100000 + c);
                snapshot.profiles.put(id, CustomerApiTest.profile(CustomerProfile.Tier.GOLD,
                        CustomerProfile.Strategy.ENHANCE));
                snapshot.consent.put(id, Map.of(Consent.Channel.EMAIL, Consent.State.CONFIRMED));
            }
            source.swap(new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS), Map.of()),
                    () -> closed.set(true));
        }
    }

    /** The last line of an NDJSON export, parsed. */
    private static JsonNode lastRecord(HttpResponse<String> r) throws Exception {
        String[] lines = r.body().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    private static CompletableFuture<HttpResponse<String>> export(AffinityServer server) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(
                uri(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A campaign export mid-stream when close starts (what SIGTERM does: {@code server.close()}, then
     * {@code source.close(grace)}) runs to its summary record; the snapshot is closed only after it released its
     * lease; a request arriving once close has begun is refused.
     */
    @Test
    void closeLetsAStreamingExportFinishBeforeTheSnapshotIsClosed(@TempDir Path dir) throws Exception {
        BlockingExportModel model = new BlockingExportModel();
        Duration grace = Duration.ofSeconds(30);
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"))) {
            AffinityServer server = start(model.source, new ServerOptions(AccessControl.none(), null, grace, journal,
                    0.3, BusinessRuleConfig.defaults()));
            int port = server.port();
            CompletableFuture<HttpResponse<String>> export = export(server);
            assertTrue(model.midStream.await(30, TimeUnit.SECONDS));
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> {
                server.close();
                return model.source.close(grace);
            });
            assertTrue(server.awaitStopAccepting(30, TimeUnit.SECONDS));
            try {
                HttpResponse<String> late = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(503, late.statusCode(), "a request after close began is refused: " + late.body());
            } catch (java.io.IOException refused) {
                // the connection itself was refused: the port no longer accepts
            }
            assertFalse(model.closed.get(), "the snapshot stays open while the export holds its lease");
            model.proceed.countDown();
            HttpResponse<String> r = export.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            JsonNode last = lastRecord(r);
            assertEquals("summary", last.path("type").asText(), last.toString());
            assertEquals(1000, last.at("/summary/matched").asLong());
            assertEquals(r.body().split("\n").length - 1, last.at("/summary/exported").asLong());
            assertTrue(shutdown.get(30, TimeUnit.SECONDS), "every model generation closed within the grace");
            assertTrue(model.closed.get());
        }
    }

    /**
     * Each campaign export takes a core for as long as it runs (a second per 1,600 customers on the sample), and
     * every key holder could start as many as it liked side by side, starving the recommendation endpoints. At most
     * {@link CustomerRoutes#MAX_CONCURRENT_EXPORTS} run at once; the next is a 503 with Retry-After before its first
     * byte, while HEAD (which runs no export) and the other endpoints answer as usual.
     */
    @Test
    void exportsBeyondTheConcurrencyLimitAreRefusedUntilOneEnds(@TempDir Path dir) throws Exception {
        BlockingExportModel model = new BlockingExportModel();
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"));
             AffinityServer server = start(model.source, new ServerOptions(AccessControl.none(), null,
                     Duration.ofSeconds(5), journal, 0.3, BusinessRuleConfig.defaults()))) {
            List<CompletableFuture<HttpResponse<String>>> running = new java.util.ArrayList<>();
            for (int i = 0; i < CustomerRoutes.MAX_CONCURRENT_EXPORTS; i++) {
                running.add(export(server));
            }
            for (int attempt = 0; attempt < 600 && model.waiting.get() < running.size(); attempt++) {
                Thread.sleep(50);
            }
            assertEquals(running.size(), model.waiting.get(), "the exports are all mid-stream");
            HttpResponse<String> refused = export(server).get(10, TimeUnit.SECONDS);
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("exports"), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            HttpResponse<String> head = CLIENT.send(HttpRequest.newBuilder(
                    uri(server, "/v1/campaigns/offers?segment=all&channel=email&limit=2"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals(200, get(server, "/health", null).statusCode());
            // what an operator sees meanwhile
            String metrics = get(server, "/metrics", null).body();
            PrometheusText.check(metrics);
            assertEquals(CustomerRoutes.MAX_CONCURRENT_EXPORTS,
                    PrometheusText.sample(metrics, "affinity_campaign_exports_running"));
            assertEquals(1, PrometheusText.sample(metrics, "affinity_campaign_exports_refused_total"));
            model.proceed.countDown();
            for (CompletableFuture<HttpResponse<String>> export : running) {
                HttpResponse<String> r = export.get(30, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("summary", lastRecord(r).path("type").asText());
            }
            HttpResponse<String> again = export(server).get(30, TimeUnit.SECONDS);
            assertEquals(200, again.statusCode(), "the places are given back: " + again.body());
            assertEquals("summary", lastRecord(again).path("type").asText());
            assertEquals(0, PrometheusText.sample(get(server, "/metrics", null).body(),
                    "affinity_campaign_exports_running"));
        }
    }

    /** When the grace expires first, the export is cut off but still ends with its error record, not torn. */
    @Test
    void anExportStillRunningWhenTheGraceExpiresEndsWithItsErrorRecord(@TempDir Path dir) throws Exception {
        BlockingExportModel model = new BlockingExportModel();
        try (ConsentJournal journal = ConsentJournal.open(dir.resolve("consent.journal"))) {
            AffinityServer server = start(model.source, new ServerOptions(AccessControl.none(), null, Duration.ZERO,
                    journal, 0.3, BusinessRuleConfig.defaults()));
            CompletableFuture<HttpResponse<String>> export = export(server);
            assertTrue(model.midStream.await(30, TimeUnit.SECONDS));
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> {
                server.close();
                return model.source.close(Duration.ofSeconds(30));
            });
            assertTrue(server.awaitGraceExpired(30, TimeUnit.SECONDS));
            model.proceed.countDown();
            HttpResponse<String> r = export.get(30, TimeUnit.SECONDS);
            JsonNode last = lastRecord(r);
            assertEquals("error", last.path("type").asText(), last.toString());
            assertEquals(503, last.at("/error/status").asInt());
            assertTrue(last.at("/error/detail").asText().contains("shutdown grace expired"), last.toString());
            assertEquals(500, last.at("/error/matchedSoFar").asLong(), "cut off where it waited, at the 501st");
            assertTrue(shutdown.get(30, TimeUnit.SECONDS));
            assertTrue(model.closed.get());
        }
    }

    /**
     * The method label takes the standard methods only: it was the request's method as sent, so every made-up method
     * (any token is valid HTTP) added series to the metrics and entries to the server's memory, without credentials.
     */
    @Test
    void madeUpMethodsShareOneMetricsLabel() throws Exception {
        try (AffinityServer server = start(ModelSource.fixed(model()),
                new ServerOptions(AccessControl.of(null, List.of(KEY)), null, Duration.ofSeconds(1)))) {
            for (int i = 0; i < 40; i++) {
                for (String path : List.of("/health", "/v1/model", "/no/such/path")) {
                    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri(server, path))
                            .method("MADEUP" + i, HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, path + ": " + r.statusCode());
                }
            }
            assertEquals(200, get(server, "/v1/model", KEY).statusCode());
            String text = get(server, "/metrics", null).body();
            assertFalse(text.contains("MADEUP"), text);
            assertTrue(text.contains("affinity_http_requests_total{method=\"other\",route=\"/v1/model\",status=\"401\"} 40"),
                    text);
            assertTrue(text.contains("affinity_http_requests_total{method=\"GET\",route=\"/v1/model\",status=\"200\"} 1"),
                    "standard methods keep their name: " + text);
        }
    }

    private static HttpResponse<String> get(AffinityServer server, String path, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(server, path)).GET();
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AffinityServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
