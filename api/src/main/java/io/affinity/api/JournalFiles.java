package io.affinity.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

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

    static Path temporary(Path journal) {
        return journal.resolveSibling(journal.getFileName() + ".compacting");
    }

    /** Deletes the temporary file a compaction interrupted by a crash may have left; it is never read. */
    static void deleteInterruptedCompaction(Path journal) throws IOException {
        Files.deleteIfExists(temporary(journal));
    }

    /** Replaces {@code journal} by {@code content} atomically and durably. */
    static void replace(Path journal, byte[] content) throws IOException {
        Path tmp = temporary(journal);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = journal.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
