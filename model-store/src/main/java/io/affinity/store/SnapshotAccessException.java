package io.affinity.store;

import java.nio.file.Path;

/**
 * A snapshot file this process may not read, or write as opening it needs (a read-only mount, a store written by
 * another user): not damage, and repaired by giving access, not by publishing again.
 */
public class SnapshotAccessException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    public SnapshotAccessException(Path file, String message) {
        super(file, message);
    }
}
