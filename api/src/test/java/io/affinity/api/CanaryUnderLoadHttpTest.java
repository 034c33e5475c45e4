package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.StressTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swap-under-load test of {@link ModelLifecycleHttpTest} for canaries: several threads hammer every endpoint
 * naming a customer (and some naming none) while the canary is started, re-weighted, replaced, stopped and
 * promoted, and CURRENT activated, dozens of times through the admin endpoints. No request may fail, no answer
 * may mix versions, and each answer's version must be the one the canary state gives that customer at some moment
 * while the request ran.
 */
@StressTest
class CanaryUnderLoadHttpTest {
    private static final String TOKEN = "test-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The store's pointers after an operation. */
    record State(String current, String canary, int percent) {
        String versionFor(String customerId) {
            return customerId != null && canary != null
                    && CanaryAssignment.bucket(customerId, CanaryAssignment.salt(canary)) < percent ? canary : current;
        }
    }

    enum Op { START, REWEIGHT, REPLACE, STOP, PROMOTE, ACTIVATE_OTHER }

    @TempDir
    Path dir;

    @Test
    void canaryChangesUnderLoadNeverFailMixOrMisassignARequest() throws Exception {
        ModelStore store = ModelStore.open(dir.resolve("models"));
        Map<String, String> tags = new HashMap<>();
        List<String> versions = new ArrayList<>();
        for (String tag : List.of("red", "green", "blue", "gold")) {
            String v = TestStores.publish(store, tag);
            tags.put(v, tag);
            versions.add(v);
        }
        store.activate(versions.get(0));
        SwappableModelSource source = new SwappableModelSource();
        ModelAdmin admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        AffinityServer server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5))).start();
        try {
            // states.get(k): after the k-th operation; epoch: the last operation whose answer came back
            CopyOnWriteArrayList<State> states = new CopyOnWriteArrayList<>();
            states.add(new State(versions.get(0), null, 0));
            AtomicInteger epoch = new AtomicInteger();
            AtomicBoolean changing = new AtomicBoolean(true);
            AtomicInteger requests = new AtomicInteger();
            AtomicInteger canaryAnswers = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random rnd = new Random(2000 + t);
                workers.add(new Thread(() -> {
                    for (int i = 0; i < 20_000 && (i < 150 || changing.get()); i++) {
                        String customer = rnd.nextInt(5) == 0 ? null : rnd.nextInt(4) == 0
                                ? TestStores.customerId(rnd.nextInt(TestStores.CUSTOMERS)) : "L" + rnd.nextInt(500);
                        int from = epoch.get();
                        try {
                            HttpResponse<String> r = request(server, rnd, customer);
                            int to = epoch.get();
                            requests.incrementAndGet();
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                                continue;
                            }
                            JsonNode body = JSON.readTree(r.body());
                            String version = body.get("modelVersion").asText();
                            // the operation after `to` may have taken effect before its answer came back
                            List<State> all = List.copyOf(states); // a subList of the live list would throw
                            List<State> window = all.subList(from, Math.min(to + 2, all.size()));
                            if (window.stream().noneMatch(s -> s.versionFor(customer).equals(version))) {
                                failures.add("customer " + customer + " answered by " + version + " while the states "
                                        + from + ".." + (to + 1) + " give " + window.stream()
                                        .map(s -> s.versionFor(customer)).distinct().toList());
                            }
                            if (window.stream().anyMatch(s -> version.equals(s.canary()))) {
                                canaryAnswers.incrementAndGet();
                            }
                            String tag = tags.get(version);
                            JsonNode items = body.has("items") ? body.get("items") : body.get("offers");
                            for (JsonNode item : items) {
                                String text = item.has("description") ? item.get("description").asText()
                                        : item.path("explanation").asText();
                                if (!text.contains("@" + tag)) {
                                    failures.add("mixed: version " + version + " answered with " + item);
                                }
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "canary-hammer-" + t));
            }
            workers.forEach(Thread::start);

            Random rnd = new Random(77);
            Map<Op, Integer> done = new EnumMap<>(Op.class);
            for (int k = 1; k <= 60; k++) {
                State s = states.get(states.size() - 1);
                List<Op> possible = s.canary() == null ? List.of(Op.START)
                        : List.of(Op.REWEIGHT, Op.REPLACE, Op.STOP, Op.PROMOTE, Op.ACTIVATE_OTHER);
                Op op = possible.get(rnd.nextInt(possible.size()));
                List<String> others = versions.stream().filter(v -> !v.equals(s.current()) && !v.equals(s.canary()))
                        .toList();
                String other = others.get(rnd.nextInt(others.size()));
                int percent = 1 + rnd.nextInt(99);
                State next;
                HttpResponse<String> r;
                switch (op) {
                    case START, REPLACE -> {
                        next = new State(s.current(), other, percent);
                        states.add(next);
                        r = canary(server, other, percent);
                    }
                    case REWEIGHT -> {
                        next = new State(s.current(), s.canary(), percent);
                        states.add(next);
                        r = canary(server, s.canary(), percent);
                    }
                    case STOP -> {
                        next = new State(s.current(), null, 0);
                        states.add(next);
                        r = admin(server, "DELETE", "/admin/models/canary");
                    }
                    case PROMOTE -> {
                        next = new State(s.canary(), null, 0);
                        states.add(next);
                        r = admin(server, "POST", "/admin/models/" + s.canary() + "/activate");
                    }
                    default -> {
                        next = new State(other, s.canary(), s.percent());
                        states.add(next);
                        r = admin(server, "POST", "/admin/models/" + other + "/activate");
                    }
                }
                assertEquals(200, r.statusCode(), op + ": " + r.body());
                epoch.set(k);
                done.merge(op, 1, Integer::sum);
                assertEquals(next.current(), source.current().orElseThrow().snapshot().version(), op.toString());
                assertEquals(next.canary(), source.canary().map(ServedCanary::version).orElse(null), op.toString());
                assertEquals(next.canary() == null ? java.util.Optional.empty()
                        : java.util.Optional.of(new ModelStore.Canary(next.canary(), next.percent())), store.canary());
                Thread.sleep(rnd.nextInt(15));
            }
            changing.set(false);
            for (Thread w : workers) {
                w.join();
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + requests.get() + " failed, e.g. "
                    + failures.stream().limit(3).toList());
            assertTrue(canaryAnswers.get() > 100, "canary answers: " + canaryAnswers.get());
            for (Op op : Op.values()) {
                assertTrue(done.getOrDefault(op, 0) >= 3, "each kind of change several times: " + done);
            }
            if (source.canary().isPresent()) {
                assertEquals(200, admin(server, "DELETE", "/admin/models/canary").statusCode());
            }
            // a lease is released right after its answer is written, which the client may read a moment before
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (source.openGenerations() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, source.openGenerations(), "every retired canary and CURRENT was closed");
        } finally {
            server.close();
            admin.close();
            source.close(Duration.ofSeconds(5));
        }
    }

    private static HttpResponse<String> request(AffinityServer server, Random rnd, String customer) throws Exception {
        String item = TestStores.itemId(rnd.nextInt(TestStores.ITEMS));
        if (customer == null) {
            return rnd.nextBoolean() ? get(server, "/v1/items/" + item + "/bought-together")
                    : post(server, "/v1/baskets/recommendations", "{\"items\":[\"" + item + "\"],\"limit\":4}");
        }
        return switch (rnd.nextInt(4)) {
            case 0 -> get(server, "/v1/customers/" + customer + "/recommendations?limit=6");
            case 1 -> get(server, "/v1/customers/" + customer + "/next-best-offers?limit=3");
            case 2 -> get(server, "/v1/items/" + item + "/upsell?customerId=" + customer);
            default -> post(server, "/v1/baskets/recommendations", "{\"items\":[\"" + item + "\"],\"customerId\":\""
                    + customer + "\",\"limit\":4}");
        };
    }

    private static HttpResponse<String> canary(AffinityServer server, String version, int percent) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, "/admin/models/" + version + "/canary"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"percent\":" + percent + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(AffinityServer server, String method, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(AffinityServer server, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(AffinityServer server, String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(server, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AffinityServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
