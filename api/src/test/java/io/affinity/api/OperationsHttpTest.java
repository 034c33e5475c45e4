package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Access control without admin token, API keys, readiness without a model, graceful shutdown. */
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
