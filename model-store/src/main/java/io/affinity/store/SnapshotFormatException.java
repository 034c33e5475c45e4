package io.affinity.store;

import java.nio.file.Path;

/** A snapshot (or one of its files/values) was written in a format newer than this software reads. */
public class SnapshotFormatException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(Path file, String message) {
        super(file, message);
    }
}
