package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The start-up warm-up: /ready waits for it, its requests are real ones, keys and close() do not trip it. */
@IntegrationTest
class WarmUpHttpTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "warm-up-test-key-0123456789";
    private static final int CUSTOMERS = 30;

    /** Customers with histories and profiles (the warm-up's customer requests come from the profiles). */
    private static ServedModel model() {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot.Builder b = InMemoryModelSnapshot.builder("warm-v1");
        for (int i = 0; i < 5; i++) {
            b.item(new ItemFacts("I" + i, "ITEM " + i, "", 1 + i, 100 - i, 50, 300));
            b.popular(new PopularItem("I" + i, 100 - i, 50 - i));
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            b.customer("C" + c, new CustomerHistory(2, List.of(new PurchasedItem("I" + (c % 5), 2, 3, day)), 1));
        }
        InMemoryModelSnapshot base = b.build();
        ModelSnapshot withProfiles = new DelegatingSnapshot(base) {
            @Override
            public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
                for (int c = 0; c < CUSTOMERS; c++) {
                    visitor.accept("C" + c, CustomerApiTest.profile(CustomerProfile.Tier.GOLD,
                            CustomerProfile.Strategy.ENHANCE));
                }
            }
        };
        return new ServedModel(withProfiles, new Recommender(withProfiles, RecommenderSettings.DEFAULTS), Map.of());
    }

    private static AffinityServer start(ServerOptions options) {
        return AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                ModelSource.fixed(model()), options).start();
    }

    @Test
    void readyOnlyAfterTheWarmUpWhoseRequestsReachTheRealEndpoints() throws Exception {
        try (AffinityServer server = start(ServerOptions.defaults().withWarmUp(Duration.ofSeconds(3)))) {
            HttpResponse<String> notYet = get(server, "/ready", null);
            ModelLifecycleHttpTest.assertProblem(notYet, 503, "warming up");
            assertTrue(notYet.body().contains("\"title\":\"Warming up\""), notYet.body());
            long retry = Long.parseLong(notYet.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retry >= 1 && retry <= 3, "Retry-After " + retry);
            assertEquals(200, get(server, "/health", null).statusCode(), "alive while warming up");
            HttpResponse<String> headNotYet = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/ready")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, headNotYet.statusCode(), "a HEAD probe sees the same readiness as GET");
            assertEquals("", headNotYet.body());
            awaitReady(server, null);
            WarmUp warmUp = server.warmUp();
            assertTrue(warmUp.requests() > 0, "no warm-up request was sent");
            assertEquals(0, warmUp.failed(), "warm-up requests not answered 200");
            // The server records a request after answering it: the last few may reach /metrics a moment later.
            String metrics;
            long customers;
            long items;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            do {
                metrics = get(server, "/metrics", null).body();
                customers = count(metrics, "/v1/customers/{customerId}/recommendations");
                items = count(metrics, "/v1/items/{itemId}/bought-together");
            } while (customers + items < warmUp.requests() && System.nanoTime() < deadline);
            assertTrue(customers > 0 && items > 0, metrics);
            // Every warm-up request reached one of the two endpoints. The server may have answered a few more than
            // the warm-up counted (a clean-clone CI run saw 8459 answered, 8458 counted); the likely cause is the
            // JDK client re-sending a GET whose connection closed before the answer, counted once by the warm-up.
            assertTrue(customers + items >= warmUp.requests()
                    && customers + items <= warmUp.requests() + WarmUp.CLIENTS,
                    "warm-up requests " + warmUp.requests() + ", answered at the two endpoints " + (customers + items));
            assertTrue(metrics.contains("\naffinity_warm_up_active 0\n"), metrics);
            assertTrue(metrics.contains("\naffinity_warm_up_requests_total " + warmUp.requests() + "\n"), metrics);
            assertTrue(customers > items, "customer requests dominate, as in page-view traffic");
        }
    }

    @Test
    void sendsTheApiKeyWhenPublicEndpointsNeedOne() throws Exception {
        try (AffinityServer server = start(new ServerOptions(AccessControl.of(null, List.of(KEY)), null,
                Duration.ofSeconds(1)).withWarmUp(Duration.ofMillis(500)))) {
            awaitReady(server, null);
            assertTrue(server.warmUp().requests() > 0);
            assertEquals(0, server.warmUp().failed(), "warm-up requests were refused");
        }
    }

    /** The warm-up has a key of its own: it needs none of the configured keys to carry its scope. */
    @Test
    void warmsUpWhenNoConfiguredKeyMayCallTheRecommendationEndpoints() throws Exception {
        AccessControl exportsOnly = AccessControl.withScopedKeys(null,
                List.of(new ApiKey(KEY, java.util.EnumSet.of(ApiScope.EXPORTS))));
        try (AffinityServer server = start(new ServerOptions(exportsOnly, null, Duration.ofSeconds(1))
                .withWarmUp(Duration.ofMillis(500)))) {
            awaitReady(server, null);
            assertTrue(server.warmUp().requests() > 0);
            assertEquals(0, server.warmUp().failed(), "warm-up requests were refused");
            assertEquals(403, get(server, "/v1/items/I1/bought-together", KEY).statusCode(),
                    "the configured key keeps its own scopes");
        }
    }

    @Test
    void closeEndsAWarmUpInProgress() throws Exception {
        AffinityServer server = start(ServerOptions.defaults().withWarmUp(Duration.ofMinutes(10)));
        ModelLifecycleHttpTest.assertProblem(get(server, "/ready", null), 503, "warming up");
        assertTrue(get(server, "/metrics", null).body().contains("\naffinity_warm_up_active 1\n"));
        long started = System.nanoTime();
        server.close();
        assertTrue(server.warmUp().finished());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "close waited for the warm-up");
    }

    @Test
    void withoutAWarmUpReadyAtOnce() throws Exception {
        try (AffinityServer server = start(ServerOptions.defaults())) {
            assertEquals(200, get(server, "/ready", null).statusCode());
            assertEquals(0, server.warmUp().requests());
        }
    }

    @Test
    void requestsRotateOverAtMostTwoThousandCustomersAndStopReadingProfilesThere() {
        int[] visited = {0};
        ServedModel served = model();
        ModelSnapshot many = new DelegatingSnapshot(served.snapshot()) {
            @Override
            public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
                CustomerProfile p = CustomerApiTest.profile(CustomerProfile.Tier.GOLD, CustomerProfile.Strategy.ENHANCE);
                for (int c = 0; c < 50_000; c++) {
                    visited[0]++;
                    visitor.accept("C " + c + "/x", p);
                }
            }
        };
        List<URI> targets = WarmUp.targets(URI.create("http://127.0.0.1:1"), many);
        long customers = targets.stream().filter(u -> u.getPath().startsWith("/v1/customers/")).count();
        long items = targets.stream().filter(u -> u.getPath().endsWith("/bought-together")).count();
        assertEquals(WarmUp.MAX_CUSTOMERS, customers);
        assertEquals(WarmUp.MAX_CUSTOMERS, visited[0], "profiles read past the last one used");
        assertEquals(5, items, "every popular item of the model");
        assertEquals(customers + items, targets.size());
        // Ids are path-encoded: a space and a slash stay inside their segment.
        assertEquals("/v1/customers/C 0/x/recommendations", targets.get(0).getPath());
        assertEquals("/v1/customers/C%200%2Fx/recommendations", targets.get(0).getRawPath());
        assertTrue(targets.get(9).getPath().endsWith("/bought-together"), "an item request after nine customers");
    }

    /** An older snapshot whose listing a dead process's lock blocks: the warm-up uses the customers listed so far. */
    @Test
    void aLockedListingWarmsUpWithTheCustomersListedSoFar() {
        ServedModel served = model();
        ModelSnapshot locked = new DelegatingSnapshot(served.snapshot()) {
            @Override
            public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
                CustomerProfile p = CustomerApiTest.profile(CustomerProfile.Tier.GOLD, CustomerProfile.Strategy.ENHANCE);
                visitor.accept("C1", p);
                visitor.accept("C2", p);
                throw new io.affinity.store.SnapshotLockedException(java.nio.file.Path.of("profiles.cmap"), 1,
                        "segment 1's update lock stayed held", null);
            }
        };
        List<URI> targets = WarmUp.targets(URI.create("http://127.0.0.1:1"), locked);
        assertEquals(List.of("/v1/customers/C1/recommendations", "/v1/customers/C2/recommendations"),
                targets.stream().map(URI::getPath).filter(p -> p.startsWith("/v1/customers/")).toList());
        assertEquals(2 + 5, targets.size());
    }

    @Test
    void negativeDurationRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.defaults().withWarmUp(Duration.ofSeconds(-1)));
    }

    private static void awaitReady(AffinityServer server, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (get(server, "/ready", key).statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "not ready 30 s after a short warm-up");
            Thread.sleep(50);
        }
        assertTrue(server.warmUp().finished());
    }

    /** Requests answered 200 on a route, from the Prometheus text. */
    private static long count(String metrics, String route) {
        Matcher m = Pattern.compile("affinity_http_requests_total\\{[^}]*route=\"" + Pattern.quote(route)
                + "\"[^}]*status=\"200\"[^}]*} (\\d+)").matcher(metrics);
        long n = 0;
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    private static HttpResponse<String> get(AffinityServer server, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (key != null) {
            b.header(AccessControl.API_KEY_HEADER, key);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every method to the wrapped snapshot; tests override what they change. */
    private static class DelegatingSnapshot implements ModelSnapshot {
        private final ModelSnapshot base;

        DelegatingSnapshot(ModelSnapshot base) {
            this.base = base;
        }

        @Override public String version() { return base.version(); }
        @Override public Optional<ItemFacts> item(String id) { return base.item(id); }
        @Override public List<io.affinity.recommender.AssociationRule> rulesWithAntecedentItem(String id) {
            return base.rulesWithAntecedentItem(id);
        }
        @Override public Optional<CustomerHistory> customer(String id) { return base.customer(id); }
        @Override public List<PopularItem> popularItems() { return base.popularItems(); }
        @Override public void forEachRule(java.util.function.Consumer<io.affinity.recommender.AssociationRule> v) {
            base.forEachRule(v);
        }
        @Override public long itemCount() { return base.itemCount(); }
        @Override public long ruleCount() { return base.ruleCount(); }
        @Override public long customerCount() { return base.customerCount(); }
    }
}
