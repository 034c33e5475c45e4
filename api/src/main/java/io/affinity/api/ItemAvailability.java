package io.affinity.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock changes made through {@code PUT /admin/items/{id}/availability}: an overlay over every snapshot's
 * catalogue, so a change takes effect at once and survives model swaps. {@link #inMemory()} forgets the changes
 * on restart; {@link #journaled(Path)} appends each change to a journal file (one {@code ITEM<TAB>true|false}
 * line, forced to disk before the change is acknowledged) and replays it at start. Thread-safe.
 */
public final class ItemAvailability implements AutoCloseable {
    /** Only items marked unavailable are kept: the map is empty while everything is in stock. */
    private final Map<String, Boolean> unavailable = new ConcurrentHashMap<>();
    private final FileChannel journal;
    private final Path journalFile;

    private ItemAvailability(Path journalFile, FileChannel journal) {
        this.journalFile = journalFile;
        this.journal = journal;
    }

    /** An overlay that is not persisted. */
    public static ItemAvailability inMemory() {
        return new ItemAvailability(null, null);
    }

    /**
     * An overlay persisted in {@code file} (created when missing): replays the changes recorded there, then
     * appends new ones. A malformed line fails with its file and line number.
     */
    public static ItemAvailability journaled(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        ItemAvailability overlay = new ItemAvailability(file, FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split("\t", -1);
                if (parts.length != 2 || parts[0].isBlank() || !(parts[1].equals("true") || parts[1].equals("false"))) {
                    throw new IOException(file + ":" + (i + 1) + ": expected ITEM<TAB>true|false, found '"
                            + Params.abbreviate(line) + "'");
                }
                overlay.apply(parts[0], Boolean.parseBoolean(parts[1]));
            }
        } catch (IOException | RuntimeException e) {
            overlay.close();
            throw e;
        }
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
        }
        apply(itemId, available);
    }

    private void apply(String itemId, boolean available) {
        if (available) {
            unavailable.remove(itemId);
        } else {
            unavailable.put(itemId, Boolean.TRUE);
        }
    }

    /** False only for items marked unavailable. */
    public boolean isAvailable(String itemId) {
        return !unavailable.containsKey(itemId);
    }

    /** Whether any item is marked unavailable (then recommendations must check each candidate). */
    public boolean anyUnavailable() {
        return !unavailable.isEmpty();
    }

    @Override
    public synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
        }
    }
}
