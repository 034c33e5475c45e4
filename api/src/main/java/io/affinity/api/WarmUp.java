package io.affinity.api;

import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.store.SnapshotLockedException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own requests to its recommendation endpoints for a while after start, through its real HTTP stack
 * on loopback, before {@code /ready} reports ready. The JIT compiles the request path while it serves: under load
 * on two cores, a fresh server answered customers at 5-7k req/s in its first 5 s and reached its steady 35-47k only
 * after 20-40 s (benchmarks/RESULTS.md, "Seventh session"), so a replica that joined a load balancer cold would
 * queue its first page views. The requests are those of real traffic: personal recommendations for customers of
 * the served snapshot and bought-together lists of its popular items, from {@link #CLIENTS} client threads.
 * Customer ids stay in this process: only counts are logged, and failures by their type.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /** Client threads: enough to keep both of a small machine's cores busy with the server's work. */
    static final int CLIENTS = 4;
    /** Customers and items the requests rotate over (a spread of entries, so the caches fill as in traffic). */
    static final int MAX_CUSTOMERS = 2_000;
    static final int MAX_ITEMS = 200;

    private final ModelSource models;
    private final Duration duration;
    private final String apiKey;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile Thread driver;
    /** System.nanoTime() when the requests end; 0 until they start. */
    private volatile long endNanos;

    /** @param apiKey sent as {@code X-API-Key} when public endpoints need one, else null */
    WarmUp(ModelSource models, Duration duration, String apiKey) {
        this.models = models;
        this.duration = duration;
        this.apiKey = apiKey;
        this.finished = duration.isZero();
    }

    /** True once the warm-up is over (at once when its duration is zero) or was stopped. */
    boolean finished() {
        return finished;
    }

    /** Whole seconds until the requests end (the full duration while they have not started). */
    long secondsLeft() {
        long end = endNanos;
        long left = end == 0 ? duration.toNanos() : end - System.nanoTime();
        return Math.max(0, (left + 999_999_999) / 1_000_000_000);
    }

    /** Requests sent so far, and those not answered 200. */
    long requests() {
        return requests.get();
    }

    long failed() {
        return failed.get();
    }

    /** Starts the warm-up in the background against the server listening at {@code base}. */
    void start(URI base) {
        if (finished) {
            return;
        }
        Thread t = new Thread(() -> run(base), "affinity-warm-up");
        t.setDaemon(true);
        driver = t;
        t.start();
    }

    /** Ends the warm-up (the server is closing); waits briefly for its threads. */
    void stop() {
        stopped = true;
        Thread t = driver;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        finished = true;
    }

    private void run(URI base) {
        try {
            List<URI> targets = awaitTargets(base);
            if (targets.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            endNanos = end;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c * targets.size() / CLIENTS;
                Thread t = new Thread(() -> drive(client, targets, first, end), "affinity-warm-up-" + c);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
            for (Thread t : clients) {
                t.join();
            }
            LOG.info("warm-up done: {} requests in {} ms ({} not answered 200); ready for traffic",
                    requests.get(), (System.nanoTime() - start) / 1_000_000, failed.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished = true;
        }
    }

    /**
     * The requests to send, read from the active model under a lease (a swap cannot close it meanwhile), once
     * there is one: a server may start before the first model is published. Empty when stopped first.
     */
    private List<URI> awaitTargets(URI base) throws InterruptedException {
        while (!stopped) {
            Optional<ModelLease> lease = models.lease();
            if (lease.isPresent()) {
                try (ModelLease l = lease.get()) {
                    return targets(base, l.model().snapshot());
                }
            }
            Thread.sleep(100);
        }
        return List.of();
    }

    /** Nine customer requests for each item request, interleaved; /health when the snapshot has neither. */
    static List<URI> targets(URI base, ModelSnapshot snapshot) {
        List<String> customers = new ArrayList<>();
        try {
            snapshot.forEachProfile((id, profile) -> {
                customers.add(id);
                if (customers.size() == MAX_CUSTOMERS) {
                    throw Enough.INSTANCE;
                }
            });
        } catch (Enough e) {
            // the visit has no other way to stop, and a store of millions of profiles need not be read through
        } catch (SnapshotLockedException e) {
            // An older snapshot whose listing a dead process's lock blocks: warm up with the customers listed so
            // far. The message names a file and a segment only, and says what to do.
            LOG.warn("warm-up: {} customers listed before: {}", customers.size(), e.getMessage());
        }
        List<String> items = new ArrayList<>();
        for (PopularItem p : snapshot.popularItems()) {
            if (items.size() == MAX_ITEMS) {
                break;
            }
            items.add(p.itemId());
        }
        List<URI> targets = new ArrayList<>();
        int c = 0;
        int i = 0;
        while (c < customers.size() || i < items.size()) {
            for (int k = 0; k < 9 && c < customers.size(); k++) {
                targets.add(base.resolve("/v1/customers/" + encode(customers.get(c++)) + "/recommendations?limit=10"));
            }
            if (i < items.size()) {
                targets.add(base.resolve("/v1/items/" + encode(items.get(i++)) + "/bought-together?limit=10"));
            }
        }
        if (targets.isEmpty()) {
            targets.add(base.resolve("/health"));
        }
        return targets;
    }

    /** Ends a visit early: thrown by the visitor, caught by its caller; no stack trace is made. */
    private static final class Enough extends RuntimeException {
        static final Enough INSTANCE = new Enough();

        private Enough() {
            super(null, null, false, false);
        }
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void drive(HttpClient client, List<URI> targets, int first, long end) {
        int next = first;
        while (!stopped && System.nanoTime() < end) {
            HttpRequest.Builder request = HttpRequest.newBuilder(targets.get(next)).timeout(Duration.ofSeconds(5));
            if (apiKey != null) {
                request.header(AccessControl.API_KEY_HEADER, apiKey);
            }
            next = next + 1 == targets.size() ? 0 : next + 1;
            try {
                HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
                requests.incrementAndGet();
                if (response.statusCode() != 200) {
                    failed.incrementAndGet();
                }
            } catch (IOException e) {
                // The message could name the request's URI, which holds a customer id: the type only.
                requests.incrementAndGet();
                failed.incrementAndGet();
                if (failed.get() > 100 && failed.get() * 2 > requests.get()) {
                    LOG.warn("warm-up stopped: most requests fail ({})", e.getClass().getName());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
