package io.affinity.api;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many catalogue searches ({@code GET /v1/items}, and the first use of a {@code filter}, {@code boost} or
 * {@code pin} with patterns: {@link Catalog#filter(String, Catalog.CostlyCompilation)}) run at once. A search costs what its query costs: a word
 * takes milliseconds, but three hundred fuzzy terms over a catalogue of 100,000 items took a second of a core
 * (benchmarks/RESULTS.md, twenty-third session), and a few such searches side by side took every core from the
 * shop pages' recommendations. Searches beyond {@link #PERMITS} wait up to {@link #WAIT} for one to end, in
 * arrival order, then are refused with a 503 and {@code Retry-After}; the other endpoints are never held up.
 */
final class SearchLimit {
    /**
     * Half the processors, at least one: the other half stays for the recommendation endpoints. The system
     * property {@code affinity.searchPermits} overrides it (benchmarks/search-isolation.sh compares with it).
     */
    static final int PERMITS = Math.max(1, Integer.getInteger("affinity.searchPermits",
            Runtime.getRuntime().availableProcessors() / 2));
    /** Longer than a typical search (milliseconds), short enough for a search box typed into. */
    static final Duration WAIT = Duration.ofSeconds(1);

    private final Semaphore permits = new Semaphore(PERMITS, true);
    private final LongAdder refused = new LongAdder();

    /** Work done while holding a permit. */
    interface Search<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code search} once a permit is free, or throws the 503 {@code search-busy} problem when none was within
     * {@link #WAIT}.
     */
    <T, E extends Exception> T run(Context ctx, Search<T, E> search) throws E {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(ctx); // the server is stopping
        }
        if (!acquired) {
            refused.increment();
            throw busy(ctx);
        }
        try {
            return search.run();
        } finally {
            permits.release();
        }
    }

    private static ApiProblem busy(Context ctx) {
        ctx.header("Retry-After", "1");
        return new ApiProblem(503, "search-busy", "Too many searches", PERMITS + " catalogue search"
                + (PERMITS == 1 ? " runs" : "es run") + " at once on this server (searches, and the first use of a "
                + "filter, boost or pin with patterns) and none ended within " + WAIT.toMillis() + " ms; retry "
                + "shortly, or simplify the query (fuzzy terms and regular expressions cost the most)");
    }

    /** Searches running now. */
    int running() {
        return PERMITS - permits.availablePermits();
    }

    /** Searches refused because none ended within the wait. */
    long refused() {
        return refused.sum();
    }

    /** For tests: the permits, to hold them as long-running searches would. */
    Semaphore permits() {
        return permits;
    }
}
