package io.affinity.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Compaction of an append-only journal, with the discipline of a snapshot publish: the current state is written
 * to a temporary sibling ({@code <journal>.compacting}), forced to disk, renamed over the journal atomically, and
 * the directory is forced so the rename itself is durable.
 *
 * <p>Crash safety: before the rename the journal is untouched, so a crash leaves the old journal (which says the
 * same as the compacted one) plus a temporary file that is never read and is deleted at the next open; after the
 * rename the journal is the complete compacted file, since it was forced before being renamed. If the rename was
 * not yet durable when the machine died, the old journal comes back, again with the same state. No moment exists
 * at which the journal path names a partial file.
 */
final class JournalFiles {
    private JournalFiles() {
    }

    /**
     * How a journal opens its files (the journal itself and the temporary file of a compaction): the file system,
     * or in tests a disk that fails as a full or failing one does, which nothing else could make happen on demand.
     */
    @FunctionalInterface
    interface Channels {
        Channels FILE_SYSTEM = FileChannel::open;

        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /** A channel on a journal file, and that file's identity (to notice when the path names another one). */
    record Opened(FileChannel channel, Object fileKey) {
    }

    /**
     * Opens the file the journal path names now. {@code create}: only a server opening the journal creates it; a
     * journal that disappears while serving is an error, not an empty journal that would forget every change.
     */
    static Opened openCurrent(Channels channels, Path journal, boolean create) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Object before = Files.exists(journal) ? fileKey(journal) : null;
            FileChannel ch = create
                    ? channels.open(journal, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : channels.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (create && before == null) {
                withoutAccessForOthers(journal);
            }
            Object after = fileKey(journal);
            // The same file before and after opening: the channel is that file, not one another process put in
            // its place meanwhile (a compaction). Ten replacements in a row do not happen; then take the last.
            if (before != null && before.equals(after) || attempt == 10) {
                return new Opened(ch, after);
            }
            ch.close();
        }
    }

    /**
     * Takes every permission for other users off a journal just created: the consent journal holds customer ids,
     * and the umask usual for services (022) would make it world-readable. Replicas share it through its owner or
     * group (they must write it), never through the permissions for others. Only on POSIX file systems.
     */
    private static void withoutAccessForOthers(Path journal) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(journal, PosixFileAttributeView.class);
        if (view != null) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(view.readAttributes().permissions());
            perms.removeAll(EnumSet.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE));
            view.setPermissions(perms);
        }
    }

    /** What became of a journal file since it was read up to an offset. */
    enum Change {
        /** Nothing appended. */
        NONE,
        /** Lines were appended after the offset. */
        GREW,
        /** The path names another file (another process compacted it), or the file shrank: read it again whole. */
        REPLACED
    }

    /** One {@code stat} of the journal path against the file read ({@code fileKey}) up to {@code readOffset}. */
    static Change changeSince(Path journal, Object fileKey, long readOffset) throws IOException {
        BasicFileAttributes now = Files.readAttributes(journal, BasicFileAttributes.class);
        if (!Objects.equals(now.fileKey(), fileKey) || now.size() < readOffset) {
            return Change.REPLACED;
        }
        return now.size() > readOffset ? Change.GREW : Change.NONE;
    }

    /**
     * Writes one whole line at {@code position} (the end of the lines read) and forces it to disk. When that fails
     * (a full disk, an I/O error) the file is cut back to {@code position} before the exception is thrown: the
     * change was not acknowledged, and a line left behind, whole but perhaps not durable, would otherwise be read
     * as a change by the next catch-up of this process (before its next append) or of another one sharing the
     * journal, so that a change its client was told failed would take effect later. Cutting back needs no space.
     * If it fails too (the disk is gone), the line may stay: a torn one is cut off before the next append as
     * usual; a whole one is then read as a change, which no design without a working disk can rule out.
     */
    static void appendDurably(FileChannel ch, long position, byte[] line) throws IOException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                ch.write(buf, position + buf.position());
            }
            ch.force(false);
        } catch (IOException e) {
            try {
                if (ch.size() > position) {
                    ch.truncate(position);
                    ch.force(false);
                }
            } catch (IOException | RuntimeException undone) {
                e.addSuppressed(undone);
            }
            throw e;
        }
    }

    static Object fileKey(Path journal) throws IOException {
        return Files.readAttributes(journal, BasicFileAttributes.class).fileKey();
    }

    /**
     * Where the journal really is: a symbolic link (a store's journal pointing at the volume replicas share) is
     * followed, link after link, so that the lock, the compaction's temporary file and its rename happen beside the
     * shared file. Renamed over the link, a compaction would replace it by a journal of this server's own, and the
     * replicas' consent and stock changes would silently part. A path that is no link is returned as it is.
     */
    static Path followLinks(Path journal) throws IOException {
        Path p = journal;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new java.nio.file.FileSystemException(journal.toString(), null,
                        "too many levels of symbolic links");
            }
            Path parent = p.toAbsolutePath().getParent();
            p = parent.resolve(Files.readSymbolicLink(p)).normalize();
        }
        return p;
    }

    static Path temporary(Path journal) {
        return journal.resolveSibling(journal.getFileName() + ".compacting");
    }

    /**
     * Gives a compaction's new file the journal's permissions and group: created with the process's umask and
     * primary group, it replaced a journal an operator had restricted (chmod 600) or shared with the replicas'
     * group by one that other users could read, or the replicas could not write. The group is kept where this
     * user may set it (a group it belongs to); the permissions always. Only on POSIX file systems.
     */
    private static void accessAs(Path journal, Path replacement) throws IOException {
        PosixFileAttributeView from = Files.getFileAttributeView(journal, PosixFileAttributeView.class);
        PosixFileAttributeView to = Files.getFileAttributeView(replacement, PosixFileAttributeView.class);
        if (from == null || to == null || !Files.exists(journal)) {
            return;
        }
        PosixFileAttributes was = from.readAttributes();
        try {
            to.setGroup(was.group());
        } catch (IOException notAMember) {
            // the primary group stays; the permissions below still keep others out as before
        }
        to.setPermissions(was.permissions());
    }

    /** Deletes the temporary file a compaction interrupted by a crash may have left; it is never read. */
    static void deleteInterruptedCompaction(Path journal) throws IOException {
        Files.deleteIfExists(temporary(journal));
    }

    /**
     * Replaces {@code journal} by {@code content} atomically and durably, writing the temporary file through
     * {@code channels}. A failure leaves the journal untouched and the temporary file deleted (a full disk would
     * otherwise keep the space it took).
     */
    static void replace(Channels channels, Path journal, byte[] content) throws IOException {
        Path tmp = temporary(journal);
        try (FileChannel ch = channels.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            accessAs(journal, tmp); // before any content is written
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException undone) {
                e.addSuppressed(undone);
            }
            throw e;
        }
        Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = journal.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
