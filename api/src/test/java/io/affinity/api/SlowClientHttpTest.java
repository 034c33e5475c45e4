package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send a request body a byte at a time. Jetty's idle timeout (30 s) restarts with every byte, so before
 * the body timeout such a client held a request thread for as long as it kept sending: a few hundred of them, with or
 * without credentials (the rest of a body nobody reads is drained after a 401 too), held every thread and the server
 * answered nothing, {@code /health} included. The server here allows a body 1 s.
 */
@IntegrationTest
class SlowClientHttpTest {
    private static final String KEY = "test-api-key-0123456789abcdef";
    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);
    /** The drip would take this long to send its body; the connection must end long before. */
    private static final long DRIP_MILLIS = 20_000;

    @TempDir
    static Path tmp;
    private static TestStores.Served fixture;
    private static ServedModel served;
    private static AffinityServer server;

    @BeforeAll
    static void start() throws Exception {
        fixture = TestStores.Served.start(tmp, ApiConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withBodyTimeout(BODY_TIMEOUT), new ServerOptions(AccessControl.of(null, List.of(KEY)), null,
                Duration.ofSeconds(5)));
        served = fixture.model();
        server = fixture.server();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void aBodyThatArrivesTooSlowlyEndsItsConnection() throws Exception {
        String answer = drip("POST /v1/baskets/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n");
        // Nothing to answer: the body never arrived. Closing is the answer.
        assertTrue(!answer.contains("HTTP/1.1 200"), answer);
    }

    @Test
    void theUnreadBodyOfARefusedRequestIsNotWaitedForLongerThanTheTimeout() throws Exception {
        // A 401: no credentials, answered before the body; then the drain of the rest of the body.
        String refused = drip("POST /v1/baskets/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + "application/json\r\nContent-Length: 200\r\n\r\n");
        assertTrue(refused.startsWith("HTTP/1.1 401"), refused);
        // A GET with a body nobody reads, on an open endpoint.
        String health = drip("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200\r\n\r\n");
        assertTrue(health.startsWith("HTTP/1.1 200"), health);
    }

    /**
     * The body timeout bounds one slow client, not a stream of them: clients reconnecting as they are cut off would
     * keep every thread waiting. At most {@link RequestBodies#MAX_WAITING_FOR_BODIES} requests wait for their bodies
     * at once; the next one with a body is a 503 at once, and requests without one are answered as usual.
     */
    @Test
    void slowBodiesHoldAtMostTheirShareOfThreads() throws Exception {
        try (AffinityServer patient = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0)
                        .withBodyTimeout(Duration.ofSeconds(60)), ModelSource.fixed(served),
                new ServerOptions(AccessControl.of(null, List.of(KEY)), null, Duration.ofSeconds(1))).start()) {
            List<Socket> slow = new ArrayList<>();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + patient.port();
            try {
                for (int i = 0; i < RequestBodies.MAX_WAITING_FOR_BODIES + 8; i++) {
                    Socket socket = new Socket("127.0.0.1", patient.port());
                    slow.add(socket);
                    socket.getOutputStream().write(("POST /v1/baskets/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "X-API-Key: " + KEY + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n"
                            + "\r\n{").getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                }
                HttpResponse<String> basket = null;
                for (int attempt = 0; attempt < 100; attempt++) { // until the slow ones are all waiting
                    basket = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/baskets/recommendations"))
                            .header("X-API-Key", KEY).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"]}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (basket.statusCode() == 503) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertEquals(503, basket.statusCode(), basket.body());
                assertTrue(basket.body().contains("bodies"), basket.body());
                assertEquals("1", basket.headers().firstValue("Retry-After").orElse(null));
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
                HttpResponse<String> customer = client.send(HttpRequest.newBuilder(URI.create(base
                                + "/v1/customers/C100/recommendations")).header("X-API-Key", KEY)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, customer.statusCode(), customer.body());
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
            Thread.sleep(300); // the slow ones' reads fail as their connections close, and give their places back
            HttpResponse<String> basket = client.send(HttpRequest.newBuilder(URI.create(base
                            + "/v1/baskets/recommendations")).header("X-API-Key", KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I00\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, basket.statusCode(), basket.body());
        }
    }

    /**
     * Sends {@code head}, then one byte of body every 100 ms (a 200-byte body in 20 s), and reads what the server
     * sends until it closes the connection; fails unless that happens within a few body timeouts.
     */
    private static String drip(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            AtomicBoolean closed = new AtomicBoolean();
            Thread sender = new Thread(() -> {
                try {
                    long end = System.currentTimeMillis() + DRIP_MILLIS;
                    while (!closed.get() && System.currentTimeMillis() < end) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    // the server closed the connection: what the test waits for
                }
            });
            sender.setDaemon(true);
            sender.start();
            long started = System.nanoTime();
            long limit = BODY_TIMEOUT.toMillis() * 5;
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                assertTrue(elapsed < limit, "the connection was still open after " + elapsed + " ms; received: "
                        + received.toString(StandardCharsets.ISO_8859_1));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (java.net.SocketException e) {
                    break; // reset: closed
                }
                if (n < 0) {
                    break;
                }
                received.write(buffer, 0, n);
            }
            closed.set(true);
            sender.join(1_000);
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
