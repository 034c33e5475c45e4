package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiConfig#virtualThreads()}: the server runs Jetty on a platform-thread pool by default, on virtual threads
 * when asked to where the JVM has them (JDK 21+; the pool on JDK 17), and answers either way.
 */
@IntegrationTest
class ServerThreadsTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static AffinityServer start(boolean virtualThreads) {
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("threads-v1")
                .item(new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.95, 2000, 800, 5000))
                .popular(new PopularItem("85123A", 2000, 800))
                .build();
        ServedModel served = new ServedModel(model, new Recommender(model, RecommenderSettings.DEFAULTS),
                Map.of("version", "threads-v1"));
        return AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1")
                .withVirtualThreads(virtualThreads), ModelSource.fixed(served)).start();
    }

    private static void answers(AffinityServer server) throws Exception {
        for (String path : new String[] {"/health", "/v1/customers/unknown/recommendations?limit=1"}) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.body().contains("threads-v1"), r.body());
        }
    }

    @Test
    void virtualThreadsWhereTheJvmHasThem() throws Exception {
        try (AffinityServer server = start(true)) {
            answers(server);
            if (Runtime.version().feature() >= 21) {
                assertFalse(server.threadPool() instanceof QueuedThreadPool,
                        "JDK " + Runtime.version() + " has virtual threads: " + server.threadPool());
                // Per-thread buffer recycling would recycle nothing on a thread per request.
                assertFalse(server.jsonRecyclerPool() instanceof JsonRecyclerPools.ThreadLocalPool,
                        String.valueOf(server.jsonRecyclerPool()));
            } else {
                assertInstanceOf(QueuedThreadPool.class, server.threadPool(), "JDK 17: the platform pool");
            }
        }
    }

    @Test
    void platformThreadPoolByDefault() throws Exception {
        assertFalse(ApiConfig.defaults().virtualThreads());
        try (AffinityServer server = start(false)) {
            answers(server);
            QueuedThreadPool pool = assertInstanceOf(QueuedThreadPool.class, server.threadPool());
            assertEquals(250, pool.getMaxThreads(), "Javalin's pool");
            assertInstanceOf(JsonRecyclerPools.ThreadLocalPool.class, server.jsonRecyclerPool());
        }
    }
}
