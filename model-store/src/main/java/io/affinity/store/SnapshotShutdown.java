package io.affinity.store;

import java.util.Objects;
import net.openhft.chronicle.core.shutdown.Hooklet;
import net.openhft.chronicle.core.shutdown.PriorityHook;

/**
 * Orders a process's own shutdown before the closing of its snapshots. Chronicle Map closes every map still open
 * from its JVM shutdown hook (whatever the builder said when the file was made, which a served snapshot cannot
 * change), and JVM hooks run concurrently: a server's graceful stop registered with
 * {@link Runtime#addShutdownHook} would find the snapshot closed under the requests it lets finish. An action
 * given here runs in Chronicle's own shutdown hook, before that close.
 */
public final class SnapshotShutdown {
    /** Chronicle Map's close-on-exit hooklet has priority 80; lower priorities run first. */
    static final int BEFORE_MAPS_CLOSE = 40;

    private SnapshotShutdown() {
    }

    /** Runs {@code action} at JVM shutdown, to its end, before Chronicle Map closes the maps still open. */
    public static void beforeSnapshotsClose(Runnable action) {
        Objects.requireNonNull(action, "action");
        PriorityHook.addAndGet(new Hooklet() {
            @Override
            public void onShutdown() {
                action.run();
            }

            @Override
            public int priority() {
                return BEFORE_MAPS_CLOSE;
            }

            @Override
            protected Object identity() {
                return action; // one hooklet per action (Hooklet.of would keep one per lambda class)
            }
        });
    }
}
