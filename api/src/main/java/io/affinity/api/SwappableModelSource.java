package io.affinity.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelSource} whose model can be replaced while requests are running. Each installed model is a
 * reference-counted generation: the source holds one reference while the generation is active, every lease
 * one more. {@link #swap} installs a new generation and drops the source's reference to the old one, whose
 * closer runs when its count reaches zero, that is, when the last request that leased it has finished.
 * <p>
 * A canary is a second generation, counted the same way, that answers the customers {@link CanaryAssignment}
 * gives it ({@link #lease(String)}); stopping or replacing it drops the source's reference, so it closes after its
 * last request; promoting it hands that reference over to the active slot. The canary field is read before the
 * active one, and the writers (serialised) change the active generation before they clear the canary, so a request
 * sees either state whole: a promotion never sends a customer of the canary's slice back to the old version.
 * Thread-safe and lock-free on the request path; without a canary, a customer request costs one volatile read and
 * a null check more than {@link #lease()}.
 */
public final class SwappableModelSource implements ModelSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwappableModelSource.class);

    private final AtomicReference<Generation> active = new AtomicReference<>();
    private final AtomicInteger openGenerations = new AtomicInteger();
    private final AtomicLong swaps = new AtomicLong();
    /** The canary being served, or null. Written under {@code this} only; read once per customer request. */
    private volatile CanaryGeneration canary;
    /** Customer requests answered while a canary was served, by the canary and by the active model. */
    private final LongAdder canaryAnswers = new LongAdder();
    private final LongAdder currentAnswers = new LongAdder();

    @Override
    public Optional<ModelLease> lease() {
        while (true) {
            Generation g = active.get();
            if (g == null) {
                return Optional.empty();
            }
            if (g.tryRetain()) {
                return Optional.of(new ModelLease(g.model, g));
            }
            // g was retired and fully released between get() and tryRetain(): a newer one is active (or none).
        }
    }

    @Override
    public Optional<ModelLease> lease(String customerId) {
        if (customerId == null) {
            return lease();
        }
        CanaryGeneration c = canary;
        if (c == null) {
            return lease();
        }
        return leaseWithCanary(customerId, c); // out of line: keeps this method small enough to inline
    }

    private Optional<ModelLease> leaseWithCanary(String customerId, CanaryGeneration c) {
        int salt = c.salt;
        int bucket = CanaryAssignment.bucket(customerId, salt);
        while (true) {
            if (bucket >= c.percent) {
                currentAnswers.increment();
                return lease();
            }
            if (c.generation.tryRetain()) {
                canaryAnswers.increment();
                return Optional.of(new ModelLease(c.generation.model, c.generation));
            }
            // The canary was stopped or replaced (and its last lease released) since it was read: read it again.
            // A promoted canary is still retained (the active slot holds it), so a promotion never gets here.
            c = canary;
            if (c == null) {
                return lease();
            }
            if (c.salt != salt) { // another version: another slice
                salt = c.salt;
                bucket = CanaryAssignment.bucket(customerId, salt);
            }
        }
    }

    @Override
    public Optional<ModelLease> leaseCanary() {
        while (true) {
            CanaryGeneration c = canary;
            if (c == null) {
                return Optional.empty();
            }
            if (c.generation.tryRetain()) {
                return Optional.of(new ModelLease(c.generation.model, c.generation));
            }
            // stopped or replaced, and its last lease released, since it was read: read it again
        }
    }

    @Override
    public Optional<ServedCanary> canary() {
        CanaryGeneration c = canary;
        return c == null ? Optional.empty() : Optional.of(new ServedCanary(c.generation.model, c.percent));
    }

    /**
     * Serves {@code model} as the canary for {@code percent} percent of customers, replacing any canary (whose
     * closer runs after its last request). {@code closer} runs (once) when this canary is stopped or replaced, or
     * retired after a promotion, and its last lease released.
     */
    public synchronized void startCanary(ServedModel model, AutoCloseable closer, int percent) {
        Generation next = new Generation(Objects.requireNonNull(model, "model"), Objects.requireNonNull(closer, "closer"));
        CanaryGeneration c = new CanaryGeneration(next, percent);
        openGenerations.incrementAndGet();
        CanaryGeneration previous = canary;
        canary = c;
        if (previous != null) {
            previous.generation.release();
        }
    }

    /** Serves the running canary to {@code percent} percent of customers instead (the same generation). */
    public synchronized void setCanaryPercent(int percent) {
        CanaryGeneration c = canary;
        if (c == null) {
            throw new IllegalStateException("no canary is being served");
        }
        canary = new CanaryGeneration(c.generation, percent);
    }

    /** Stops the canary: every customer gets the active model; it closes after its last request. */
    public synchronized Optional<String> stopCanary() {
        CanaryGeneration c = canary;
        if (c == null) {
            return Optional.empty();
        }
        canary = null;
        c.generation.release();
        return Optional.of(c.generation.model.snapshot().version());
    }

    /**
     * Makes the canary the active model for every customer, without opening it again: its generation moves to the
     * active slot (first), then the canary is cleared; the previously active model closes after its last request.
     * Returns the version it replaced.
     */
    public synchronized Optional<String> promoteCanary() {
        CanaryGeneration c = canary;
        if (c == null) {
            throw new IllegalStateException("no canary is being served");
        }
        Optional<String> replaced = install(c.generation); // the canary's reference becomes the active one's
        canary = null; // only after the switch: the slice finds the canary or its promotion, never the old version
        return replaced;
    }

    /** Customer requests answered by the canary since start (counted only while one is served). */
    public long canaryAnswers() {
        return canaryAnswers.sum();
    }

    /** Customer requests answered by the active model while a canary was served. */
    public long currentAnswersBesideCanary() {
        return currentAnswers.sum();
    }

    @Override
    public Optional<ServedModel> current() {
        Generation g = active.get();
        return g == null ? Optional.empty() : Optional.of(g.model);
    }

    /**
     * Makes {@code model} the active one. {@code closer} runs (once) when the model has been retired and its
     * last lease released. Returns the version it replaced, or empty.
     */
    public synchronized Optional<String> swap(ServedModel model, AutoCloseable closer) {
        Generation next = new Generation(Objects.requireNonNull(model, "model"), Objects.requireNonNull(closer, "closer"));
        openGenerations.incrementAndGet();
        return install(next);
    }

    /** Makes {@code next} active and drops the source's reference to the one it replaces (whose version it returns). */
    private Optional<String> install(Generation next) {
        Generation previous = active.getAndSet(next);
        swaps.incrementAndGet();
        if (previous == null) {
            return Optional.empty();
        }
        previous.release();
        return Optional.of(previous.model.snapshot().version());
    }

    /**
     * Models installed and not yet closed: the active one, the canary, and retired ones still leased by running
     * requests.
     */
    public int openGenerations() {
        return openGenerations.get();
    }

    /** How many times a model was installed. */
    public long swapCount() {
        return swaps.get();
    }

    /**
     * Retires the active model: new leases find none; it is closed when running requests release it. Waits up to
     * {@code grace} for that to happen and returns whether every generation was closed.
     */
    public boolean close(Duration grace) {
        synchronized (this) {
            stopCanary();
            Generation g = active.getAndSet(null);
            if (g != null) {
                g.release();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (openGenerations.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return openGenerations.get() == 0;
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** The canary's generation, its percent and the salt its customers are hashed with. Immutable. */
    private static final class CanaryGeneration {
        final Generation generation;
        final int percent;
        final int salt;

        CanaryGeneration(Generation generation, int percent) {
            if (percent < 1 || percent > 99) {
                throw new IllegalArgumentException("a canary's percent must be 1 to 99, was " + percent);
            }
            this.generation = generation;
            this.percent = percent;
            this.salt = CanaryAssignment.salt(generation.model.snapshot().version());
        }
    }

    /** One installed model and its reference count (1 for the source while active, +1 per open lease). */
    final class Generation {
        private final ServedModel model;
        private final AutoCloseable closer;
        private final AtomicInteger refs = new AtomicInteger(1);

        private Generation(ServedModel model, AutoCloseable closer) {
            this.model = model;
            this.closer = closer;
        }

        /** Takes a reference unless the count already reached zero (then the model is closed or closing). */
        boolean tryRetain() {
            while (true) {
                int n = refs.get();
                if (n == 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            int n = refs.decrementAndGet();
            if (n == 0) {
                try {
                    closer.close();
                } catch (Exception e) {
                    LOG.warn("closing model {} failed: {}", model.snapshot().version(), e.toString());
                } finally {
                    openGenerations.decrementAndGet();
                }
            } else if (n < 0) {
                throw new IllegalStateException("model " + model.snapshot().version() + " released more often than leased");
            }
        }
    }
}
