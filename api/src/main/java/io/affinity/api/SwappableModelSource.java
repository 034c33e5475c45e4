package io.affinity.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelSource} whose model can be replaced while requests are running. Each installed model is a
 * reference-counted generation: the source holds one reference while the generation is active, every lease
 * one more. {@link #swap} installs a new generation and drops the source's reference to the old one, whose
 * closer runs when its count reaches zero, that is, when the last request that leased it has finished.
 * Thread-safe and lock-free on the request path.
 */
public final class SwappableModelSource implements ModelSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwappableModelSource.class);

    private final AtomicReference<Generation> active = new AtomicReference<>();
    private final AtomicInteger openGenerations = new AtomicInteger();
    private final AtomicLong swaps = new AtomicLong();

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
    public Optional<ServedModel> current() {
        Generation g = active.get();
        return g == null ? Optional.empty() : Optional.of(g.model);
    }

    /**
     * Makes {@code model} the active one. {@code closer} runs (once) when the model has been retired and its
     * last lease released. Returns the version it replaced, or empty.
     */
    public Optional<String> swap(ServedModel model, AutoCloseable closer) {
        Generation next = new Generation(Objects.requireNonNull(model, "model"), Objects.requireNonNull(closer, "closer"));
        openGenerations.incrementAndGet();
        Generation previous = active.getAndSet(next);
        swaps.incrementAndGet();
        if (previous == null) {
            return Optional.empty();
        }
        previous.release();
        return Optional.of(previous.model.snapshot().version());
    }

    /** Models installed and not yet closed: the active one plus retired ones still leased by running requests. */
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
        Generation g = active.getAndSet(null);
        if (g != null) {
            g.release();
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
