package io.affinity.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One training run per model store at a time, across processes: an advisory lock ({@link FileChannel#tryLock()})
 * on the store's {@code TRAIN.lock}, which the operating system releases when its process dies, so a run killed
 * with SIGKILL blocks no later one although the file stays. Runs that overlapped both checked the consent and
 * exclusion carry-over against the CURRENT they saw at their start, and the one that ended last made its version
 * CURRENT: a run without the other's consent list, or with a customer the other had excluded, undid it unseen.
 * <p>
 * The file holds one line naming the holder (command, pid, host, start), for the refusal of the next run; it is
 * emptied when the lock is released. A process holds one lock per file, so the stores held in this JVM are kept in
 * a map of their own (two locks on one file from one process would not exclude each other), keyed by the store
 * directory's identity (a store opened under two paths is one store), with the holder's line: a refusal here must not
 * open the lock file to read it, since closing any descriptor of a file releases the process's locks on it (POSIX),
 * and another process could then take the store while this one trains.
 */
final class TrainingLockFile {
    private static final Map<Object, String> HELD_HERE = new ConcurrentHashMap<>();

    private TrainingLockFile() {
    }

    /** Takes the store's training lock for {@code run}, or throws {@link StoreBusyException} naming its holder. */
    static ModelStore.TrainingLock acquire(Path store, String run) throws IOException {
        Path file = store.resolve(ModelStore.TRAIN_LOCK);
        Object key = FileIdentity.of(store);
        String holder = run + ", pid " + ProcessHandle.current().pid() + " on " + hostName() + ", started "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String heldBy = HELD_HERE.putIfAbsent(key, holder);
        if (heldBy != null) {
            throw busy(store, file, heldBy);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw busy(store, file, read(channel));
            }
            byte[] line = (holder + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(line), 0);
            FileChannel held = channel;
            return () -> {
                try {
                    held.truncate(0);
                    lock.release();
                } finally {
                    try {
                        held.close();
                    } finally {
                        HELD_HERE.remove(key);
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            HELD_HERE.remove(key);
            throw e;
        }
    }

    private static StoreBusyException busy(Path store, Path file, String holder) {
        return new StoreBusyException("another training run holds the model store " + store + " ("
                + (holder.isEmpty() ? "holder unknown" : holder) + "; lock " + file + "): wait for it to end, "
                + "then run again (runs that overlap each check the consent and exclusion lists against the CURRENT "
                + "they saw at their start, and the last to end makes its version CURRENT)");
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(512);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // read what the holder wrote, at most one short line
        }
        String s = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "an unknown host";
        }
    }
}
