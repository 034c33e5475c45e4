package io.affinity.api;

import io.affinity.store.JournalLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stock changes made through {@code PUT /admin/items/{id}/availability}: an overlay over every snapshot's
 * catalogue, so a change takes effect at once and survives model swaps. An item the overlay has no statement for
 * has the availability the catalogue gave it at training time ({@link #isAvailable(String, boolean)}); a
 * statement, {@code true} as well as {@code false}, overrides the catalogue of every model until it is changed or
 * cleared ({@link #clear}: the item follows the served catalogue again). {@link #inMemory()} forgets the changes
 * on restart; {@link #journaled(Path)} appends each change to a journal file (one {@code ITEM<TAB>true|false|clear}
 * line, forced to disk before the change is acknowledged) and replays it at start. Thread-safe.
 *
 * <p>The journal is compacted (rewritten to one {@code ITEM<TAB>true|false} line per item the overlay has a statement for,
 * through {@link JournalFiles#replace}; a cleared item has no line) when it is opened holding superseded lines, and while serving once it
 * reaches the line threshold and holds at least twice as many lines as items with a statement. A line without its
 * line break (a crash in the middle of an append, never acknowledged) is cut off at open.
 *
 * <p>Several server processes may share one journal (replicas opening the same model store directory). Writers
 * exclude each other with a {@link JournalLock}, and each reads the others' changes before appending its own. A
 * change is in effect at once in the process that made it; the others see it within {@link #REFRESH_INTERVAL}:
 * on a request after that, the overlay reads what was appended to the journal since it last looked (one
 * {@code stat} of the journal path; a read only when it grew), or the whole journal again when another process
 * replaced it by compacting. Only one request at a time does this, and never while a change is being written:
 * the others go on with the overlay as it is.
 */
public final class ItemAvailability implements AutoCloseable {
    /** Journal lines after which a running server compacts (when at least half the lines are superseded). */
    public static final int DEFAULT_COMPACT_AFTER_LINES = 10_000;
    /** How often, at most, the overlay looks for changes other processes made to a shared journal. */
    public static final Duration REFRESH_INTERVAL = Duration.ofMillis(250);
    private static final long REFRESH_NANOS = REFRESH_INTERVAL.toNanos();
    /** The journal's word for a withdrawn statement. */
    private static final String CLEAR = "clear";
    private static final Logger LOG = LoggerFactory.getLogger(ItemAvailability.class);

    /**
     * The latest statement per item; items never stated are absent. Replaced whole (never emptied in place) when
     * the journal is read again from the start, so a request never sees a half-built overlay.
     */
    private volatile State state = new State(new ConcurrentHashMap<>());
    private final Path journalFile;
    private final JournalFiles.Channels channels;
    private final JournalLock lock;
    private final int compactAfterLines;
    /** Guards the journal's channel and reading position; request threads only ever try it. */
    private final ReentrantLock mutex = new ReentrantLock();
    private FileChannel journal;
    private Object fileKey;
    private long readOffset;
    private long lineNumber;
    private long lines;
    private long compactions;
    /** Lines of the journal file now read that this server could not read and skipped (see {@link #readLines}). */
    private long unreadable;
    /** Changes read from the journal when it was opened (before any compaction). */
    private long replayedAtOpen;
    private volatile long lastRefresh = System.nanoTime();
    private String lastProblem;

    /**
     * Statements, how many of them are {@code false} (while zero, only the catalogue can make an item unavailable),
     * and a digest of their content ({@link #digest()}).
     */
    private record State(Map<String, Boolean> statements, AtomicInteger unavailable, AtomicLong digest) {
        State(Map<String, Boolean> statements) {
            this(statements, new AtomicInteger(), new AtomicLong());
        }

        /**
         * Records a statement; {@code null} clears the item's (it follows the catalogue again). The digest changes
         * after the statements, so a request that reads the digest and then the statements answers from statements
         * at least as new as its digest.
         */
        void apply(String itemId, Boolean available) {
            Boolean before = available == null ? statements.remove(itemId) : statements.put(itemId, available);
            boolean nowUnavailable = Boolean.FALSE.equals(available);
            if (nowUnavailable && !Boolean.FALSE.equals(before)) {
                unavailable.incrementAndGet();
            } else if (!nowUnavailable && Boolean.FALSE.equals(before)) {
                unavailable.decrementAndGet();
            }
            long change = (available == null ? 0 : entryHash(itemId, available))
                    - (before == null ? 0 : entryHash(itemId, before));
            if (change != 0) {
                digest.addAndGet(change);
            }
        }

        /** FNV-1a over the id's chars and the value, then MurmurHash3's 64-bit finaliser. */
        private static long entryHash(String itemId, boolean available) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < itemId.length(); i++) {
                h = (h ^ itemId.charAt(i)) * 0x100000001b3L;
            }
            h = (h ^ (available ? 1 : 2)) * 0x100000001b3L;
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb93fe53e87d5L;
            return h ^ (h >>> 33);
        }
    }

    private ItemAvailability(Path journalFile, int compactAfterLines, JournalFiles.Channels channels) {
        this.journalFile = journalFile;
        this.channels = channels;
        this.lock = journalFile == null ? null : new JournalLock(journalFile);
        this.compactAfterLines = compactAfterLines;
    }

    /** An overlay that is not persisted. */
    public static ItemAvailability inMemory() {
        return new ItemAvailability(null, Integer.MAX_VALUE, JournalFiles.Channels.FILE_SYSTEM);
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
        return journaled(file, compactAfterLines, JournalFiles.Channels.FILE_SYSTEM);
    }

    /** {@link #journaled(Path, int)} with the journal's files opened through {@code channels} (tests: a failing disk). */
    static ItemAvailability journaled(Path journal, int compactAfterLines, JournalFiles.Channels channels)
            throws IOException {
        Path file = JournalFiles.followLinks(Objects.requireNonNull(journal, "file"));
        if (compactAfterLines < 1) {
            throw new IllegalArgumentException("compactAfterLines must be >= 1, was " + compactAfterLines);
        }
        ItemAvailability overlay = new ItemAvailability(file, compactAfterLines,
                Objects.requireNonNull(channels, "channels"));
        overlay.mutex.lock();
        try (JournalLock.Held held = overlay.lock.acquire()) {
            // Under the lock: a leftover temporary file or a torn last line is a crash's, not another process's
            // compaction or append in progress.
            JournalFiles.deleteInterruptedCompaction(file);
            boolean torn = overlay.reread(true);
            overlay.replayedAtOpen = overlay.lines;
            if (torn) {
                // A torn append: never acknowledged, so dropping it loses nothing that was promised.
                LOG.warn("{}:{}: incomplete last line (interrupted write) dropped", file, overlay.lineNumber + 1);
            }
            if (overlay.lines > overlay.state.statements().size() || torn) {
                try {
                    overlay.compactLocked(); // also drops a torn last line
                } catch (IOException e) {
                    // Compaction only saves space and replay time (a restart on a full disk must not fail for it):
                    // the journal stays in use as it is, and is compacted at a later change or start. A torn last
                    // line is cut off in place, which needs no space, so that the next append starts a clean line.
                    LOG.warn("availability journal {} compaction at start failed, continuing uncompacted: {}", file,
                            e.toString());
                    if (overlay.journal.size() > overlay.readOffset) {
                        overlay.journal.truncate(overlay.readOffset);
                        overlay.journal.force(true);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            overlay.close();
            throw e;
        } finally {
            overlay.mutex.unlock();
        }
        return overlay;
    }

    /**
     * Opens the file the journal path names now and reads it from the start into a new overlay state. Returns
     * whether it ends with an unterminated line (left unread).
     */
    private boolean reread(boolean opening) throws IOException {
        JournalFiles.Opened opened = JournalFiles.openCurrent(channels, journalFile, opening && journal == null);
        if (journal != null) {
            journal.close();
        }
        journal = opened.channel();
        fileKey = opened.fileKey();
        State fresh = new State(new ConcurrentHashMap<>());
        readOffset = 0;
        lineNumber = 0;
        lines = 0;
        unreadable = 0;
        boolean torn = readLines(fresh, opening);
        state = fresh;
        return torn;
    }

    /**
     * Applies the whole lines from {@link #readOffset} to the end of the journal to {@code into}; returns whether
     * an unterminated line follows them (a torn append, or another process's append in progress: not read).
     *
     * <p>A line it cannot read fails the opening ({@code opening}: the server does not start, naming file and line).
     * While serving, such a line was written by another server since (a later release's kind of statement, as
     * {@code clear} was for the releases before it, or damage): it is skipped, logged with its file and line, counted
     * ({@link #unreadableLines}), and the lines after it are applied. Stopping there instead, as before, left this
     * server on the statements read so far: every item another replica took out of stock afterwards was still
     * recommended here, and its own changes were refused.
     */
    private boolean readLines(State into, boolean opening) throws IOException {
        JournalLines.read(journal, readOffset, journalFile, (line, next) -> {
            if (line == null || !line.isBlank()) {
                // null: bytes that are not UTF-8 (JournalLines), which no server writes
                String[] parts = line == null ? new String[0] : line.split("\t", -1);
                if (parts.length != 2 || parts[0].isBlank()
                        || !(parts[1].equals("true") || parts[1].equals("false") || parts[1].equals(CLEAR))) {
                    String problem = journalFile + ":" + (lineNumber + 1) + ": expected ITEM<TAB>true|false|"
                            + CLEAR + ", found " + (line == null ? "bytes that are not UTF-8"
                                    : "'" + Params.abbreviate(line) + "'");
                    if (opening) {
                        throw new IOException(problem);
                    }
                    unreadable++;
                    LOG.error("availability journal: {}; skipped (a statement of a later release, or a damaged line): "
                            + "the lines after it are followed, and the journal is not compacted while this server "
                            + "runs; upgrade this server, or repair the line", problem);
                } else {
                    into.apply(parts[0], parts[1].equals(CLEAR) ? null : Boolean.valueOf(parts[1]));
                    lines++;
                }
            }
            lineNumber++;
            readOffset = next;
        });
        return journal.size() > readOffset;
    }

    /** Reads other processes' changes when the journal path now names another file or the file grew. */
    private void catchUp() throws IOException {
        switch (JournalFiles.changeSince(journalFile, fileKey, readOffset)) {
            case REPLACED -> reread(false);
            case GREW -> readLines(state, false);
            case NONE -> { }
        }
    }

    /**
     * Looks for changes other processes made to a shared journal, at most once per {@link #REFRESH_INTERVAL}; a
     * no-op without a journal, and when another thread is already looking or writing a change. A journal that
     * cannot be read keeps the overlay as it is (logged once per distinct problem, without item or customer).
     */
    public void refreshIfDue() {
        if (journalFile == null || System.nanoTime() - lastRefresh < REFRESH_NANOS || !mutex.tryLock()) {
            return;
        }
        try {
            lastRefresh = System.nanoTime();
            if (journal == null) {
                return; // closed
            }
            catchUp();
            lastProblem = null;
        } catch (IOException e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.error("availability journal {} cannot be read, serving the stock changes read so far: {}",
                        journalFile.getFileName(), problem);
                lastProblem = problem;
            }
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Records the item's availability (in the journal first, when there is one); {@link NotRecordedException} when
     * the journal cannot be written (nothing changed).
     */
    public void set(String itemId, boolean available) {
        record(itemId, available);
    }

    /**
     * Withdraws the item's statement (in the journal first, as an {@code ITEM<TAB>clear} line, so replicas and a
     * restart forget it too): the item has the availability of the served catalogue again. Returns whether there
     * was a statement to withdraw (none: nothing is written).
     */
    public boolean clear(String itemId) {
        return record(itemId, null);
    }

    /** Whether the overlay holds a statement for the item (which then wins over the catalogue). */
    public boolean hasStatement(String itemId) {
        return state.statements().containsKey(itemId);
    }

    /** Applies a statement ({@code null}: clears it); false when it was a clear of an item without one. */
    private boolean record(String itemId, Boolean available) {
        if (itemId.indexOf('\t') >= 0 || itemId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("item id with a tab or line break");
        }
        mutex.lock();
        try {
            if (journalFile == null) {
                if (available == null && !hasStatement(itemId)) {
                    return false;
                }
                state.apply(itemId, available);
                return true;
            }
            JournalLock.Held locked;
            try {
                locked = lock.acquire();
            } catch (IOException e) {
                throw notRecorded("cannot be written", e);
            }
            try (JournalLock.Held held = locked) {
                // Other processes' changes first, so the journal's order is the order changes were made in (and a
                // clear sees a statement another process made).
                try {
                    catchUp();
                } catch (IOException e) {
                    throw notRecorded("cannot be read", e);
                }
                if (available == null && !hasStatement(itemId)) {
                    return false; // nothing to withdraw: no line, so repeated clears do not grow the journal
                }
                byte[] line = (itemId + "\t" + (available == null ? CLEAR : available) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                try {
                    // On failure the line is cut off again: nothing to undo here, nothing applied yet.
                    JournalFiles.appendDurably(journal, readOffset, line);
                } catch (IOException e) {
                    throw notRecorded("cannot be written", e);
                }
                readOffset += line.length;
                lineNumber++;
                lines++;
                state.apply(itemId, available);
                if (unreadable == 0 && lines >= compactAfterLines && lines >= 2L * state.statements().size()) {
                    // The change is durable in the uncompacted journal and in effect, so it is not failed for this
                    // (it was, with a 500, for a change that had taken effect): compaction is tried after the next
                    // change, and at the next start.
                    try {
                        compactLocked();
                    } catch (IOException e) {
                        LOG.warn("availability journal {} compaction failed, will retry after the next change: {}",
                                journalFile, e.toString());
                    }
                }
                return true;
            } catch (IOException e) {
                // Releasing the lock failed: the change itself is recorded, but nothing else can be promised.
                throw new UncheckedIOException("availability journal " + journalFile + ": releasing its lock failed", e);
            }
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A change that could not be journaled (a full disk, an I/O error): it is neither in effect nor in the journal.
     * Its message names the journal and the reason, never an item or customer.
     */
    public static final class NotRecordedException extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        NotRecordedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private NotRecordedException notRecorded(String what, IOException e) {
        return new NotRecordedException("availability journal " + journalFile + " " + what
                + ", the change was not recorded: " + e, e);
    }

    /** Rewrites the journal to the current state (no-op without a journal). */
    public void compact() throws IOException {
        if (journalFile == null) {
            return;
        }
        mutex.lock();
        try (JournalLock.Held held = lock.acquire()) {
            catchUp();
            compactLocked();
        } finally {
            mutex.unlock();
        }
    }

    private void compactLocked() throws IOException {
        if (unreadable > 0) {
            // the rewrite holds this server's statements only: another server's line it could not read would be lost
            throw new IOException("availability journal " + journalFile + " holds " + unreadable + " line(s) this "
                    + "server cannot read: not compacted");
        }
        Map<String, Boolean> statements = state.statements();
        StringBuilder out = new StringBuilder();
        for (String item : new TreeSet<>(statements.keySet())) {
            out.append(item).append('\t').append(statements.get(item)).append('\n');
        }
        JournalFiles.replace(channels, journalFile, out.toString().getBytes(StandardCharsets.UTF_8));
        compactions++;
        // The channel refers to the replaced file: read the new one (the same statements) and append to it.
        reread(false);
    }

    /** Changes read from the journal when it was opened (0 without one). */
    public long replayedAtOpen() {
        mutex.lock();
        try {
            return replayedAtOpen;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A digest of the statements in effect (0 without any): the sum of a 64-bit hash of each item and its value, so
     * it depends on the statements only, not on the order they were made in or on which process made them.
     * Replicas reading the same journal have the same digest, and clearing a change gives the digest before it
     * back. Looks for other processes' changes first ({@link #refreshIfDue}). Answers that are the same for everyone
     * tag themselves with it (with the model version), so a cache revalidating them learns of every stock change.
     */
    public long digest() {
        refreshIfDue();
        return digestAsRead();
    }

    /**
     * {@link #digest()} without looking for other processes' changes: two volatile reads, for a hot path that
     * looks anyway when it checks stock ({@link #anyUnavailable()}) after reading this.
     */
    long digestAsRead() {
        return state.digest().get();
    }

    /** Items the overlay has a statement for (which win over the catalogue). */
    public int inEffect() {
        return state.statements().size();
    }

    /** Lines in the journal (0 without one). */
    long journalLines() {
        mutex.lock();
        try {
            return lines;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Lines of the journal that this server skipped because it cannot read them (a kind of statement a later release
     * writes, or a damaged line), in the file it follows now; while there are any, the journal is not compacted.
     */
    public long unreadableLines() {
        mutex.lock();
        try {
            return unreadable;
        } finally {
            mutex.unlock();
        }
    }

    /** Compactions done since this overlay was opened. */
    long compactions() {
        mutex.lock();
        try {
            return compactions;
        } finally {
            mutex.unlock();
        }
    }

    /** The overlay's statement for the item, else {@code catalogAvailable} (the catalogue's, at training time). */
    public boolean isAvailable(String itemId, boolean catalogAvailable) {
        Boolean stated = state.statements().get(itemId);
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

    /**
     * Whether any item is stated unavailable (then recommendations must check each candidate). Called once per
     * recommendation request, so it is where other processes' changes are looked for ({@link #refreshIfDue}).
     */
    public boolean anyUnavailable() {
        refreshIfDue();
        return state.unavailable().get() > 0;
    }

    @Override
    public void close() throws IOException {
        mutex.lock();
        try {
            if (journal != null) {
                journal.close();
                journal = null;
            }
        } finally {
            mutex.unlock();
        }
    }
}
