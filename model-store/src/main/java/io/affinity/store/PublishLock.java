package io.affinity.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The lock a publish holds on {@code .tmp-X.lock} beside its temp directory {@code .tmp-X/}, from before the directory
 * exists until it is gone (renamed to its version, or deleted after a failure). The operating system releases it when
 * the process dies, so a cleaner (prune, the next publish) that can take it knows the publisher is gone, whatever the
 * clock says. Judged by the directory's age instead, a forward clock step of more than the age limit during a publish
 * made a live publish's directory look abandoned, and a concurrent prune deleted it.
 * <p>
 * File locks belong to the process, and closing any channel to a file releases every lock the process holds on it
 * (POSIX): a cleaner that opened and closed the lock file of a publish running in its own JVM would have freed it for
 * every other process. So the lock files held in this JVM are kept in a set, by file identity (a store opened under
 * two paths, one through a symbolic link, has one lock file), and cleaners here never open those; taking, checking
 * and giving up locks is serialised within the JVM for the same reason.
 */
final class PublishLock implements AutoCloseable {
    static final String SUFFIX = ".lock";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Guards {@link #HELD_HERE} and every open and close of a lock file in this JVM. */
    private static final Object JVM = new Object();
    private static final Set<Object> HELD_HERE = new HashSet<>();

    private final Path dir;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Object identity;

    private PublishLock(Path dir, Path file, FileChannel channel, FileLock lock, Object identity) {
        this.dir = dir;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.identity = identity;
    }

    /**
     * Creates a fresh {@code .tmp-X/} in {@code store}, its lock file first: a directory whose lock file a cleaner can
     * take never belongs to a live publish.
     */
    static PublishLock newTempDir(Path store) throws IOException {
        while (true) {
            byte[] r = new byte[8];
            RANDOM.nextBytes(r);
            String name = ModelStore.TMP_PREFIX + HexFormat.of().formatHex(r);
            Path file = store.resolve(name + SUFFIX);
            PublishLock held;
            synchronized (JVM) {
                FileChannel channel;
                try {
                    channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException taken) {
                    continue;
                }
                FileLock lock;
                Object identity;
                try {
                    lock = channel.lock();
                    // A cleaner elsewhere may have taken the new file before this process did, found no directory,
                    // and removed the file as an orphan: this lock would then guard nothing. Try another name.
                    if (!Files.exists(file)) {
                        channel.close();
                        continue;
                    }
                    identity = FileIdentity.of(file);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    Files.deleteIfExists(file);
                    throw e;
                }
                HELD_HERE.add(identity);
                held = new PublishLock(store.resolve(name), file, channel, lock, identity);
            }
            try {
                Files.createDirectory(held.dir);
            } catch (IOException | RuntimeException e) {
                held.close();
                throw e;
            }
            return held;
        }
    }

    /** The temp directory this lock guards. */
    Path dir() {
        return dir;
    }

    /**
     * Gives up the lock, once the directory is renamed or deleted: the lock file is removed first, then the lock
     * released. A directory still there (a failed publish whose clean-up failed too) keeps its lock file, which then
     * tells the next cleaner its publish is gone; so does a lock file that could not be deleted.
     */
    @Override
    public void close() {
        synchronized (JVM) {
            try {
                if (!Files.exists(dir)) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // the next cleaner removes it: nothing holds it once this process lets go
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // the descriptor is gone either way; the process's lock with it
            }
            HELD_HERE.remove(identity);
        }
    }

    /** What a cleaner knows of the publish that owns a temp directory. */
    enum Publisher {
        /** Its process holds the lock: leave the directory alone, however old it looks. */
        ALIVE,
        /** Nobody holds the lock: its process died (or finished); the cleanup ran. */
        GONE,
        /**
         * No lock file: a directory of a publish by an older Affinity, which took no lock (or one whose lock file was
         * deleted by hand). Only its age can tell.
         */
        UNKNOWN
    }

    /** Work a cleaner does on a dead publish's directory while it holds the publish's lock. */
    interface Cleanup {
        void run() throws IOException;
    }

    /**
     * Runs {@code cleanup} when the publish of temp directory {@code name} in {@code store} is gone, holding its lock
     * meanwhile, then removes the lock file when {@code removeLockFile}; does nothing else. The directory may be
     * missing (a lock file left by a publish killed before it made the directory, or after it renamed it).
     */
    static Publisher ifGone(Path store, String name, boolean removeLockFile, Cleanup cleanup) throws IOException {
        Path file = store.resolve(name + SUFFIX);
        synchronized (JVM) {
            FileChannel channel;
            try {
                // by its identity, read without opening the file: closing a descriptor would free a lock held here
                if (HELD_HERE.contains(FileIdentity.of(file))) {
                    return Publisher.ALIVE;
                }
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                return Publisher.UNKNOWN;
            }
            try (channel) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException | IOException e) {
                    // held in this JVM after all, or a file system without locks: nothing proves the publish dead
                    return Publisher.ALIVE;
                }
                if (lock == null) {
                    return Publisher.ALIVE;
                }
                cleanup.run();
                if (removeLockFile) {
                    Files.deleteIfExists(file);
                }
                return Publisher.GONE;
            }
        }
    }

    /** The temp directory name a lock file belongs to, or null when {@code fileName} is no publish's lock file. */
    static String tempDirOf(String fileName) {
        return fileName.startsWith(ModelStore.TMP_PREFIX) && fileName.endsWith(SUFFIX)
                && fileName.length() > ModelStore.TMP_PREFIX.length() + SUFFIX.length()
                ? fileName.substring(0, fileName.length() - SUFFIX.length()) : null;
    }
}
