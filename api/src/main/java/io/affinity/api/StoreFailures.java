package io.affinity.api;

import java.io.IOException;
import java.io.UncheckedIOException;

/** How the server treats a failure to open a model version (its words: {@link io.affinity.store.FileFailures}). */
final class StoreFailures {
    private StoreFailures() {
    }

    /**
     * A failure of the system serving a version (an I/O error, too many open files) rather than of the version's
     * files as they are (damage, format, access: a {@link io.affinity.store.SnapshotException}): worth trying
     * again without waiting for the files to change.
     */
    static boolean ofTheSystem(Throwable e) {
        return e instanceof IOException || e instanceof UncheckedIOException;
    }
}
