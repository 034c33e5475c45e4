package io.affinity.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Private, writable copies of snapshot versions, for a model store this process may read but not write (a read-only
 * volume that serving replicas share). Chronicle Map has no read-only mode: a lookup takes a segment lock inside the
 * mapped file, so a map is opened from a copy this process owns instead.
 *
 * <pre>
 * root/
 *   affinity-7f3a.../            this process's copies; its {@code owner.lock} is held while the process lives
 *     owner.lock
 *     20261123-101500-1f43a9.1/  one copy per open of a version, removed when that snapshot is closed
 * </pre>
 * Each open gets its own copy, so a version opened twice (served and verified, or reloaded) never shares files with
 * another open. A process that dies leaves its directory; the next one to start on the same root removes every
 * directory whose {@code owner.lock} nobody holds. Copies are scratch: a crash loses nothing, so nothing is fsync'd.
 */
final class LocalCopies {
    private static final String PROCESS_PREFIX = "affinity-";
    private static final String OWNER_LOCK = "owner.lock";

    private final Path processDir;
    private final FileChannel ownerChannel;
    private final FileLock ownerLock;
    private final AtomicLong opens = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalCopies(Path processDir, FileChannel ownerChannel, FileLock ownerLock) {
        this.processDir = processDir;
        this.ownerChannel = ownerChannel;
        this.ownerLock = ownerLock;
    }

    /** Takes a directory of its own under {@code root} (created if missing), removing ones dead processes left. */
    static LocalCopies under(Path root) throws IOException {
        Files.createDirectories(root);
        if (!Files.isWritable(root)) {
            throw new AccessDeniedException(root.toString(), null, "the local copy directory is not writable");
        }
        removeAbandoned(root);
        Path processDir = Files.createTempDirectory(root, PROCESS_PREFIX);
        FileChannel channel = FileChannel.open(processDir.resolve(OWNER_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            return new LocalCopies(processDir, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Where this process's copies go. */
    Path directory() {
        return processDir;
    }

    /**
     * Copies {@code versionDir} (every file, the catalogue index's directory too) to a new directory of this
     * process and returns it. A file this user cannot read is a {@link SnapshotAccessException} naming it in the
     * store; any other failure (no room left) removes what was copied and is thrown as it is.
     */
    Path copy(Path versionDir, String version) throws IOException {
        Path target = processDir.resolve(version + "." + opens.incrementAndGet());
        try {
            copyTree(versionDir, target);
            return target;
        } catch (IOException | RuntimeException e) {
            removeQuietly(target);
            throw e;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectory(to);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
            for (Path source : entries) {
                Path target = to.resolve(source.getFileName().toString());
                if (Files.isDirectory(source)) {
                    copyTree(source, target);
                } else {
                    try {
                        Files.copy(source, target);
                        makeWritable(target);
                    } catch (AccessDeniedException e) {
                        if (e.getFile() != null && Path.of(e.getFile()).equals(source)) {
                            throw new SnapshotAccessException(source, Snapshot.NOT_READABLE);
                        }
                        throw e;
                    }
                }
            }
        } catch (AccessDeniedException e) {
            if (e.getFile() != null && Path.of(e.getFile()).equals(from)) {
                throw new SnapshotAccessException(from, "cannot be listed by this user (permission denied)");
            }
            throw e;
        }
    }

    /**
     * A copy takes the source's permission bits even without {@code COPY_ATTRIBUTES} (the JDK creates it with the
     * source's mode), so a read-only store gives read-only copies, whose maps could not be opened either.
     */
    private static void makeWritable(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> permissions = EnumSet.copyOf(posix.readAttributes().permissions());
            if (permissions.add(PosixFilePermission.OWNER_WRITE) | permissions.add(PosixFilePermission.OWNER_READ)) {
                posix.setPermissions(permissions);
            }
        } else if (!file.toFile().setWritable(true, true)) {
            throw new AccessDeniedException(file.toString(), null, "cannot make the local copy writable");
        }
    }

    /** Removes one copy (its snapshot is closed); a failure leaves it for the next process's clean-up. */
    void remove(Path copy) {
        if (!copy.getParent().equals(processDir)) {
            throw new IllegalArgumentException("not a copy of this process: " + copy);
        }
        removeQuietly(copy);
    }

    private static void removeAbandoned(Path root) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PROCESS_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && !ownerAlive(dir)) {
                    removeQuietly(dir);
                }
            }
        }
    }

    /** Whether a live process (this one included) holds the directory's owner lock. */
    private static boolean ownerAlive(Path dir) {
        Path lockFile = dir.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            return false; // a process that died before it took its lock
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this JVM
        } catch (IOException e) {
            return true; // cannot tell: leave it
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            FileSync.deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            // left for the next process's clean-up of abandoned directories
        }
    }

    /** Gives up this process's directory (with whatever copies are still in it); idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            ownerLock.release();
            ownerChannel.close();
        } catch (IOException e) {
            // closing the channel releases the lock anyway
        }
        removeQuietly(processDir);
    }
}
