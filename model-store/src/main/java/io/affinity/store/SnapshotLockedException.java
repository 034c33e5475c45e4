package io.affinity.store;

import java.nio.file.Path;

/**
 * Iterating a map of a snapshot older than format 5 found a segment's update lock held for longer than the lock
 * timeout. Chronicle Map iterates a segment under that lock, and the lock is a bit in the shared, memory-mapped
 * file: a process killed (SIGKILL, OOM killer) while iterating leaves it set for every process that opens the
 * snapshot, now and after restarts, until the snapshot is replaced. Lookups do not need it and keep working.
 * Snapshots of format 5 and later are iterated by their key lists and lookups only, and never raise this.
 */
public class SnapshotLockedException extends SnapshotException {
    private static final long serialVersionUID = 1L;
    private final int segment;

    public SnapshotLockedException(Path file, int segment, String message, Throwable cause) {
        super(file, message, cause);
        this.segment = segment;
    }

    /** The map segment whose lock was held. */
    public int segment() {
        return segment;
    }

    static SnapshotLockedException staleUpdateLock(Path file, int segment, Throwable cause) {
        return new SnapshotLockedException(file, segment, "segment " + segment + "'s update lock, which listing this"
                + " map's entries needs, stayed held for Chronicle Map's whole lock timeout: most likely a process was killed"
                + " (SIGKILL, OOM killer) while iterating this snapshot and left the lock set in the shared file."
                + " Lookups still work, but listing this map (campaign exports, rule listings) fails for this"
                + " snapshot in every process, and restarting does not clear a lock kept in the file: publish and"
                + " activate a new snapshot (train again; snapshots of format 5 and later are listed without this"
                + " lock)", cause);
    }
}
