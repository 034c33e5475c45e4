package io.affinity.api;

import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.Recommender;
import io.affinity.store.SnapshotLockedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Answers of a newly opened version, made in process before it is installed, while the served version still
 * answers every request. A freshly opened version starts with empty caches (decoded item facts and rule lists,
 * {@link CachedSnapshot}) and untouched memory-mapped files, so right after a swap every page view paid for them:
 * on the 2-core benchmark machine at 8,000 req/s the second after a swap had a p99 of 3.7-11.8 ms against a
 * steady 0.8 ms, while activating the already served version (which opens and verifies it as a swap does) left
 * the next second at 0.7-1.1 ms (benchmarks/RESULTS.md, "Latency around model swaps"). The requests are those of
 * the start-up warm-up ({@link WarmUp}): personal recommendations for up to {@link #MAX_CUSTOMERS} customers of the
 * version and bought-together lists of its {@link #MAX_ITEMS} most popular items, nine to one, in one thread,
 * bounded by a time budget: a slow or huge store delays the swap by at most that, never blocks it. Customer ids
 * stay in this method: only counts are reported, and a failure by its type.
 */
final class VersionWarmUp {
    static final int MAX_CUSTOMERS = WarmUp.MAX_CUSTOMERS;
    static final int MAX_ITEMS = WarmUp.MAX_ITEMS;
    /** The default budget: a few times what the sample's 2,000 customers take on the benchmark machine (~0.3 s). */
    static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);
    /** The limit the page asks for (the storefront's `limit=10`). */
    private static final int LIMIT = 10;

    /**
     * What one warm-up did.
     *
     * @param answers  answers made (customer and item requests)
     * @param nanos    time it took
     * @param cutShort true when the budget ran out before every request was made
     * @param failure  the type of the exception that ended it early, or null
     */
    record Result(int answers, long nanos, boolean cutShort, String failure) {
        Result {
            if (answers < 0 || nanos < 0) {
                throw new IllegalArgumentException("answers and nanos must be >= 0, were " + answers + ", " + nanos);
            }
        }
    }

    private VersionWarmUp() {
    }

    /** Makes the answers for {@code model} until done or {@code budget} has passed (zero: nothing). */
    static Result run(ServedModel model, Duration budget) {
        Objects.requireNonNull(model, "model");
        long start = System.nanoTime();
        if (budget.isZero() || budget.isNegative()) {
            return new Result(0, 0, false, null);
        }
        long end = start + budget.toNanos();
        int answers = 0;
        try {
            Recommender recommender = model.recommender();
            List<String> customers = customers(model.snapshot());
            List<String> items = items(model.snapshot());
            int c = 0;
            int i = 0;
            while (c < customers.size() || i < items.size()) {
                for (int k = 0; k < 9 && c < customers.size(); k++) {
                    if (System.nanoTime() >= end) {
                        return new Result(answers, System.nanoTime() - start, true, null);
                    }
                    recommender.forCustomerRanked(customers.get(c++), LIMIT);
                    answers++;
                }
                if (i < items.size()) {
                    if (System.nanoTime() >= end) {
                        return new Result(answers, System.nanoTime() - start, true, null);
                    }
                    recommender.boughtTogether(items.get(i++), LIMIT);
                    answers++;
                }
            }
            return new Result(answers, System.nanoTime() - start, false, null);
        } catch (RuntimeException e) {
            // The message could name a customer: the type only. The version is installed cold, as before.
            return new Result(answers, System.nanoTime() - start, true, e.getClass().getName());
        }
    }

    /** Up to {@link #MAX_CUSTOMERS} customers of the snapshot, in its order. */
    private static List<String> customers(ModelSnapshot snapshot) {
        List<String> customers = new ArrayList<>();
        try {
            snapshot.forEachProfile((id, profile) -> {
                customers.add(id);
                if (customers.size() == MAX_CUSTOMERS) {
                    throw Enough.INSTANCE;
                }
            });
        } catch (Enough e) {
            // the visit has no other way to stop
        } catch (SnapshotLockedException e) {
            // a listing blocked by a dead process's lock: warm up with the customers listed so far
        }
        return customers;
    }

    private static List<String> items(ModelSnapshot snapshot) {
        List<String> items = new ArrayList<>();
        for (PopularItem p : snapshot.popularItems()) {
            if (items.size() == MAX_ITEMS) {
                break;
            }
            items.add(p.itemId());
        }
        return items;
    }

    /** Ends a visit early: thrown by the visitor, caught by its caller; no stack trace is made. */
    private static final class Enough extends RuntimeException {
        static final Enough INSTANCE = new Enough();

        private Enough() {
            super(null, null, false, false);
        }
    }
}
