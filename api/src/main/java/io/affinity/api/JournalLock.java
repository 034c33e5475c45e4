package io.affinity.api;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutual exclusion of the writers of one journal, across server processes that share it (replicas opening the
 * same model store directory) and within one process: held while a change is appended and while the journal is
 * compacted, so appends never interleave, sequence numbers stay unique, and no process appends to a file another
 * is replacing.
 *
 * <p>The lock is an advisory lock ({@link FileChannel#lock()}) on a sibling file {@code <journal>.lock}, never
 * on the journal itself: compaction replaces the journal file, and a lock on the replaced file would no longer
 * exclude anyone. A process holds one lock per file, so threads and journal instances of the same process first
 * take a lock of their own, keyed by the journal's real path. The operating system releases a dead process's
 * lock, so a crash never leaves the journal locked.
 */
final class JournalLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock inProcess;

    JournalLock(Path journal) {
        Path absolute = journal.toAbsolutePath().normalize();
        this.lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
        this.inProcess = IN_PROCESS.computeIfAbsent(absolute, k -> new ReentrantLock());
    }

    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Waits for the lock (another process may be fsyncing a change or compacting). */
    Held acquire() throws IOException {
        inProcess.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            FileChannel held = channel;
            return () -> {
                try {
                    lock.release();
                    held.close();
                } finally {
                    inProcess.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } finally {
                inProcess.unlock();
            }
            throw e;
        }
    }
}
