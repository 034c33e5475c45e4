package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CURRENT watcher ({@code serve --watch-interval}, here {@link ModelAdmin#watch} with a short interval): a
 * version published and made CURRENT while serving is picked up with no reload call, and a CURRENT that fails
 * verification is refused while the served version keeps answering. Waits poll against a generous deadline;
 * nothing asserts how fast the switch happens.
 */
@IntegrationTest
class ModelWatchHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    @TempDir
    Path dir;

    private static String servedVersion(AffinityServer server) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/items/I00/bought-together")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("modelVersion").asText();
    }

    private static void awaitServed(AffinityServer server, String version) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        String last = null;
        while (System.nanoTime() < end) {
            last = servedVersion(server);
            if (last.equals(version)) {
                return;
            }
            Thread.sleep(20);
        }
        fail("still serving " + last + " instead of " + version + " after " + DEADLINE);
    }

    @Test
    void aVersionMadeCurrentWhileServingIsPickedUpWithoutAReloadCall() throws Exception {
        ModelStore store = ModelStore.open(dir.resolve("models"));
        String first = TestStores.publish(store, "first");
        store.activate(first);
        SwappableModelSource source = new SwappableModelSource();
        try (ModelAdmin admin = new ModelAdmin(store, source, TestStores::serve)) {
            admin.reload();
            AffinityServer server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                    source, new ServerOptions(AccessControl.of("test-admin-token-0123456789", List.of()), admin,
                            Duration.ofSeconds(5))).start();
            try {
                admin.watch(Duration.ofMillis(50));
                assertEquals(first, servedVersion(server));

                // What `affinity train` does: publish a verified version and switch CURRENT to it.
                String second = TestStores.publish(store, "second");
                store.activate(second);
                awaitServed(server, second);

                // A CURRENT that fails verification is refused: the second version keeps answering. The refusal
                // is observed through the next good version, which the watcher must still pick up after it.
                String damaged = TestStores.publish(store, "damaged");
                TestStores.corrupt(store.directory().resolve(damaged).resolve("popular.bin"));
                // CURRENT switched behind the store's back (activate would verify and refuse), atomically.
                Path tmpCurrent = store.directory().resolve("CURRENT.test");
                java.nio.file.Files.writeString(tmpCurrent, damaged + "\n");
                java.nio.file.Files.move(tmpCurrent, store.directory().resolve("CURRENT"),
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                for (int i = 0; i < 20; i++) {
                    assertEquals(second, servedVersion(server), "a damaged CURRENT is never served");
                    Thread.sleep(10);
                }
                String third = TestStores.publish(store, "third");
                store.activate(third);
                awaitServed(server, third);
            } finally {
                server.close();
            }
        } finally {
            source.close(Duration.ofSeconds(5));
        }
        assertEquals(0, source.openGenerations(), "every retired version closed");
    }
}
