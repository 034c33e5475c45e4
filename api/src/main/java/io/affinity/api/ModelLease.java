package io.affinity.api;

import java.util.Objects;

/**
 * One request's hold on a model version: while any lease on a version is open, that version stays open.
 * Not thread-safe (a lease belongs to one request); {@link #close()} is idempotent.
 */
public final class ModelLease implements AutoCloseable {
    private final ServedModel model;
    private final SwappableModelSource.Generation generation;
    private boolean closed;

    ModelLease(ServedModel model, SwappableModelSource.Generation generation) {
        this.model = Objects.requireNonNull(model, "model");
        this.generation = generation;
    }

    static ModelLease unmanaged(ServedModel model) {
        return new ModelLease(model, null);
    }

    public ServedModel model() {
        return model;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (generation != null) {
                generation.release();
            }
        }
    }
}
