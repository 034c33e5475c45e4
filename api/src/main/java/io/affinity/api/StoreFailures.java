package io.affinity.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * What went wrong with a model store file, in words: the JDK's {@code AccessDeniedException} and
 * {@code NoSuchFileException} carry only the path as their message, so a log line or a problem quoting the message
 * said a bare path.
 */
final class StoreFailures {
    private StoreFailures() {
    }

    /** The file and the kind of failure ("/srv/models/CURRENT: permission denied"), or the message. */
    static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + kind(f);
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** "permission denied", "no such file or directory", or the system's reason. */
    static String kind(FileSystemException f) {
        return f instanceof AccessDeniedException ? "permission denied"
                : f instanceof NoSuchFileException ? "no such file or directory"
                : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
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
