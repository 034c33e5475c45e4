package io.affinity.api;

import java.util.Optional;

/**
 * Supplies the model that answers a request. A request takes the model once, at its start, and uses only
 * that one, so a swap between versions can never mix two of them in one answer.
 */
@FunctionalInterface
public interface ModelSource {
    /** The active model, or empty while none is loaded. */
    Optional<ServedModel> current();

    static ModelSource fixed(ServedModel model) {
        Optional<ServedModel> value = Optional.of(model);
        return () -> value;
    }
}
