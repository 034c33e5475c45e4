package io.affinity.store;

import java.io.IOException;

/**
 * A model store another training run holds ({@link ModelStore#lockForTraining}): nothing was done, run again once
 * it has ended. An {@link IOException}, as a store that cannot be written is: the run stops before any work.
 */
public final class StoreBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    StoreBusyException(String message) {
        super(message);
    }
}
