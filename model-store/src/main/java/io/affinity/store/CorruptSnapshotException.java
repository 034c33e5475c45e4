package io.affinity.store;

import java.nio.file.Path;

/** A snapshot file is missing, truncated, fails its checksum or does not decode. */
public class CorruptSnapshotException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(Path file, String message) {
        super(file, message);
    }

    public CorruptSnapshotException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
