package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.StressTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swap under load: several threads hammer the API of a real server while an admin client activates model
 * versions dozens of times. Its own server and store, so {@link ModelLifecycleHttpTest} runs without it
 * ({@code -DexcludedGroups=stress}).
 */
@StressTest
class SwapUnderLoadHttpTest {
    private static final String TOKEN = ModelLifecycleHttpTest.TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TaggedStoreServer fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new TaggedStoreServer(dir.resolve("models"), TOKEN, List.of("red", "green", "blue"));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void hammeringWhileSwappingDozensOfTimesNeverFailsNorMixesVersions() throws Exception {
        int swaps = 36;
        AtomicBoolean swapping = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Random rnd = new Random(1000 + t);
            workers.add(new Thread(() -> {
                // bounded: at least 150 requests each, and on until the swapping stops (at most 20,000)
                for (int i = 0; i < 20_000 && (i < 150 || swapping.get()); i++) {
                    try {
                        HttpResponse<String> r = randomRequest(rnd);
                        requests.incrementAndGet();
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                            continue;
                        }
                        JsonNode body = JSON.readTree(r.body());
                        String version = body.get("modelVersion").asText();
                        String tag = fixture.tags.get(version);
                        seen.add(version);
                        if (tag == null) {
                            failures.add("unexpected version " + version);
                        }
                        if (body.get("items").isEmpty()) {
                            failures.add("empty answer " + r.body());
                        }
                        for (JsonNode item : body.get("items")) {
                            if (!item.get("description").asText().endsWith("@" + tag)) {
                                failures.add("mixed: version " + version + " answered with " + item);
                            }
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "hammer-" + t));
        }
        workers.forEach(Thread::start);
        Random rnd = new Random(42);
        String previous = fixture.versions.get(0);
        for (int i = 0; i < swaps; i++) {
            String next = fixture.versions.get((fixture.versions.indexOf(previous) + 1 + rnd.nextInt(fixture.versions.size() - 1)) % fixture.versions.size());
            HttpResponse<String> r = fixture.send("POST", "/admin/models/" + next + "/activate", TOKEN);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(next, JSON.readTree(r.body()).get("activeVersion").asText());
            previous = next;
            Thread.sleep(rnd.nextInt(15));
        }
        swapping.set(false);
        for (Thread w : workers) {
            w.join();
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + requests.get() + " failed, e.g. " + failures.peek());
        assertTrue(seen.size() >= 2, "answers came from " + seen);
        assertTrue(fixture.source.swapCount() >= swaps, "swaps: " + fixture.source.swapCount());
        assertEquals(1, fixture.source.openGenerations(), "every retired snapshot was closed");
    }

    private static HttpResponse<String> randomRequest(Random rnd) throws Exception {
        return switch (rnd.nextInt(3)) {
            case 0 -> fixture.send("GET", "/v1/customers/" + TestStores.customerId(rnd.nextInt(TestStores.CUSTOMERS))
                    + "/recommendations?limit=6", null);
            case 1 -> fixture.send("GET", "/v1/items/" + TestStores.itemId(rnd.nextInt(TestStores.ITEMS))
                    + "/bought-together", null);
            default -> fixture.send(HttpRequest.newBuilder(fixture.uri("/v1/baskets/recommendations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"" + TestStores.itemId(rnd.nextInt(TestStores.ITEMS))
                            + "\"],\"limit\":5}")).build());
        };
    }
}
