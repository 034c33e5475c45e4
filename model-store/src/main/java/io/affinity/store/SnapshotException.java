package io.affinity.store;

import java.nio.file.Path;

/**
 * Base of the model store's typed errors: a snapshot that cannot be used as it is on disk.
 * Unchecked, so that it can also surface from the request path (a value that does not decode);
 * plain I/O failures are reported as {@link java.io.IOException} by the methods that do I/O.
 */
public class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public SnapshotException(Path file, String message) {
        this(file, message, null);
    }

    public SnapshotException(Path file, String message, Throwable cause) {
        super(file == null ? message : file + ": " + message, cause);
        this.file = file;
    }

    /** The file (or snapshot directory) the problem is about; may be null. */
    public Path file() {
        return file;
    }
}
