package io.affinity.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock changes made through {@code PUT /admin/items/{id}/availability}: an overlay over every snapshot's
 * catalogue, so a change takes effect at once and survives model swaps. An item the overlay has no statement for
 * has the availability the catalogue gave it at training time ({@link #isAvailable(String, boolean)}); a
 * statement, {@code true} as well as {@code false}, overrides the catalogue of every model until it is changed. {@link #inMemory()} forgets the changes
 * on restart; {@link #journaled(Path)} appends each change to a journal file (one {@code ITEM<TAB>true|false}
 * line, forced to disk before the change is acknowledged) and replays it at start. Thread-safe.
 *
 * <p>The journal is compacted (rewritten to one {@code ITEM<TAB>true|false} line per item the overlay has a statement for,
 * through {@link JournalFiles#replace}) when it is opened holding superseded lines, and while serving once it
 * reaches the line threshold and holds at least twice as many lines as items with a statement. A line without its
 * line break (a crash in the middle of an append, never acknowledged) is cut off at open.
 */
public final class ItemAvailability implements AutoCloseable {
    /** Journal lines after which a running server compacts (when at least half the lines are superseded). */
    public static final int DEFAULT_COMPACT_AFTER_LINES = 10_000;

    /** The latest statement per item; items never stated are absent. */
    private final Map<String, Boolean> statements = new ConcurrentHashMap<>();
    /** Statements that are {@code false}: while zero, only the catalogue can make an item unavailable. */
    private final java.util.concurrent.atomic.AtomicInteger unavailableCount = new java.util.concurrent.atomic.AtomicInteger();
    private final Path journalFile;
    private final int compactAfterLines;
    private FileChannel journal;
    private long lines;
    private long compactions;

    private ItemAvailability(Path journalFile, int compactAfterLines) {
        this.journalFile = journalFile;
        this.compactAfterLines = compactAfterLines;
    }

    /** An overlay that is not persisted. */
    public static ItemAvailability inMemory() {
        return new ItemAvailability(null, Integer.MAX_VALUE);
    }

    /** {@link #journaled(Path, int)} with {@link #DEFAULT_COMPACT_AFTER_LINES}. */
    public static ItemAvailability journaled(Path file) throws IOException {
        return journaled(file, DEFAULT_COMPACT_AFTER_LINES);
    }

    /**
     * An overlay persisted in {@code file} (created when missing): replays the changes recorded there, compacts
     * the file when some of its lines are superseded, then appends new ones. A malformed line fails with its file
     * and line number.
     */
    public static ItemAvailability journaled(Path file, int compactAfterLines) throws IOException {
        if (compactAfterLines < 1) {
            throw new IllegalArgumentException("compactAfterLines must be >= 1, was " + compactAfterLines);
        }
        JournalFiles.deleteInterruptedCompaction(file);
        ItemAvailability overlay = new ItemAvailability(file, compactAfterLines);
        byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        int start = 0;
        int lineNumber = 0;
        long complete = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            if (end == bytes.length) {
                break; // torn append: cut off below, before anything is appended after it
            }
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                String[] parts = line.split("\t", -1);
                if (parts.length != 2 || parts[0].isBlank() || !(parts[1].equals("true") || parts[1].equals("false"))) {
                    throw new IOException(file + ":" + lineNumber + ": expected ITEM<TAB>true|false, found '"
                            + Params.abbreviate(line) + "'");
                }
                overlay.apply(parts[0], Boolean.parseBoolean(parts[1]));
                complete++;
            }
            start = end + 1;
        }
        overlay.lines = complete;
        if (start < bytes.length) {
            // A torn append: never acknowledged, so dropping it loses nothing that was promised.
            org.slf4j.LoggerFactory.getLogger(ItemAvailability.class).warn(
                    "{}:{}: incomplete last line (interrupted write) dropped", file, lineNumber);
        }
        if (complete > overlay.statements.size() || start < bytes.length) {
            overlay.compactNow(); // also drops a torn last line
        }
        overlay.journal = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return overlay;
    }

    /** Records the item's availability (in the journal first, when there is one). */
    public synchronized void set(String itemId, boolean available) {
        if (itemId.indexOf('\t') >= 0 || itemId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("item id with a tab or line break");
        }
        if (journal != null) {
            try {
                ByteBuffer line = ByteBuffer.wrap((itemId + "\t" + available + "\n").getBytes(StandardCharsets.UTF_8));
                while (line.hasRemaining()) {
                    journal.write(line);
                }
                journal.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the availability journal " + journalFile, e);
            }
            lines++;
        }
        apply(itemId, available);
        if (journal != null && lines >= compactAfterLines && lines >= 2L * statements.size()) {
            try {
                compact();
            } catch (IOException e) {
                // The change itself is durable in the uncompacted journal; compaction will be retried.
                throw new UncheckedIOException("cannot compact the availability journal " + journalFile, e);
            }
        }
    }

    /** Rewrites the journal to the current state (no-op without a journal). */
    public synchronized void compact() throws IOException {
        if (journalFile == null) {
            return;
        }
        if (journal != null) {
            journal.close();
            journal = null;
        }
        try {
            compactNow();
        } finally {
            // Reopened in every case: after a failed compaction the old journal is intact and still appendable.
            journal = FileChannel.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
    }

    private void compactNow() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String item : new TreeSet<>(statements.keySet())) {
            out.append(item).append('\t').append(statements.get(item)).append('\n');
        }
        JournalFiles.replace(journalFile, out.toString().getBytes(StandardCharsets.UTF_8));
        lines = statements.size();
        compactions++;
    }

    /** Lines in the journal (0 without one). */
    synchronized long journalLines() {
        return lines;
    }

    /** Compactions done since this overlay was opened. */
    synchronized long compactions() {
        return compactions;
    }

    private void apply(String itemId, boolean available) {
        Boolean before = statements.put(itemId, available);
        if (!available && !Boolean.FALSE.equals(before)) {
            unavailableCount.incrementAndGet();
        } else if (available && Boolean.FALSE.equals(before)) {
            unavailableCount.decrementAndGet();
        }
    }

    /** The overlay's statement for the item, else {@code catalogAvailable} (the catalogue's, at training time). */
    public boolean isAvailable(String itemId, boolean catalogAvailable) {
        Boolean stated = statements.get(itemId);
        return stated == null ? catalogAvailable : stated;
    }

    /** {@link #isAvailable(String, boolean)} with the availability in {@code catalog} (null: none, so available). */
    public boolean isAvailable(String itemId, Catalog catalog) {
        return isAvailable(itemId, catalog == null || catalog.available(itemId));
    }

    /** {@link #isAvailable(String, boolean)} for an item the catalogue lists as available. */
    public boolean isAvailable(String itemId) {
        return isAvailable(itemId, true);
    }

    /** Whether any item is stated unavailable (then recommendations must check each candidate). */
    public boolean anyUnavailable() {
        return unavailableCount.get() > 0;
    }

    @Override
    public synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }
}
