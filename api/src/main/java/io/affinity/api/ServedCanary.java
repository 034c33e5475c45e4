package io.affinity.api;

import java.util.Objects;

/**
 * The canary a server answers part of its customers from: the model and the percent of customers it takes (see
 * {@link CanaryAssignment}). For status display; requests get theirs through {@link ModelSource#lease(String)}.
 */
public record ServedCanary(ServedModel model, int percent) {
    public ServedCanary {
        Objects.requireNonNull(model, "model");
        if (percent < 1 || percent > 99) {
            throw new IllegalArgumentException("a canary's percent must be 1 to 99, was " + percent);
        }
    }

    public String version() {
        return model.snapshot().version();
    }
}
