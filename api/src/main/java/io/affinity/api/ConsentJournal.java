package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.store.ConsentJournalFile;
import io.affinity.store.JournalLines;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Run-time consent changes: an append-only journal file (one JSON object per line, fsync'd before a change is
 * acknowledged) and its in-memory overlay, which wins over the consent published in the model. The journal
 * lives beside the model store, not inside a snapshot, so a change survives restarts and model reloads.
 *
 * <p>Every change gets a sequence number; {@link #check} reads state and sequence under the same lock as
 * {@link #record}, so a decision "contactable as of change N" is exact: an opt-out acknowledged before a check
 * is always seen by it.
 *
 * <p>A torn last line (a crash mid-append, never acknowledged) is cut off when opening. Any other unreadable
 * line makes the journal unusable: {@link #failure()} says why, changes are refused and campaign exports must
 * stop rather than guess. Page requests, which never fail for the journal, keep what was read before and the
 * change of every line that can still be read ({@link #stateInEffect}), at open too, and go on reading the readable
 * changes other servers append: an objection to profiling is not forgotten, nor missed, because a line is damaged.
 *
 * <p>Compaction rewrites the journal to the latest change per customer and channel (each line kept as it was
 * recorded, with its sequence and time), after a header line {@code {"compactedThrough": N}} that carries the
 * sequence counter: the kept lines have increasing sequences up to N, and changes appended afterwards continue
 * from N + 1, so sequence numbers are never reused. It runs at open when some lines are superseded, and while
 * serving once the journal reaches the line threshold with at least half its lines superseded; it holds the
 * journal's lock while it rewrites (changes and checks wait, as they do for an fsync). Files are replaced with
 * {@link JournalFiles#replace}, whose crash reasoning applies: the journal path always names a complete journal.
 *
 * <p>{@link #forget} rewrites the journal the same way without any line of the given customers (an erasure's last
 * step, once no model version holds them): the counter and every other line stay, and servers sharing the journal
 * read it again whole, as after a compaction.
 *
 * <p>Several server processes may share one journal (replicas opening the same model store directory): a change
 * acknowledged by any of them is seen by every check that starts {@link #LOOK_INTERVAL} or more afterwards in any of
 * them (at once in the process that made it). Writers exclude each other with a {@link JournalLock} (appends,
 * compaction, and cutting off a torn line); before each change, and before a check when the last look is older
 * than {@link #LOOK_INTERVAL}, a journal reads what the others appended since (one {@code stat} of the journal
 * path, about 4 us, which per check would have added a fifth to a campaign export's CPU; a read only when it
 * grew) and re-reads the whole journal when another process has replaced it by compacting. A torn last line is cut off only under the lock: without it, it may be another process's append in
 * progress, which is simply not read yet.
 */
public final class ConsentJournal implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Journal lines after which a running server compacts (when at least half the lines are superseded). */
    public static final int DEFAULT_COMPACT_AFTER_LINES = 100_000;
    /** How old, at most, the view of other processes' changes is when a check is made. */
    public static final Duration LOOK_INTERVAL = Duration.ofMillis(10);
    private static final long LOOK_NANOS = LOOK_INTERVAL.toNanos();

    private final Path file;
    private final JournalFiles.Channels channels;
    private final JournalLock lock;
    private FileChannel channel;
    /** Set when a line cannot be read: the journal stays unusable (see the class comment). */
    private String failure;
    /** Set while the journal file cannot be read at all (an I/O error); cleared by the next successful read. */
    private String readError;
    private final int compactAfterLines;
    /**
     * Latest change per customer and channel: its state, and its journal line for compaction. Replaced whole by a
     * re-read, and put back when the re-read fails ({@link #reread}).
     */
    private Map<String, EnumMap<Consent.Channel, Change>> overlay = new HashMap<>();
    private long sequence;
    private long lines;
    private long live;
    private long compactions;
    /** Change lines read when the journal was opened (before any compaction). */
    private long replayedAtOpen;
    // Where reading stands in the open file: its identity, bytes read (whole lines only), lines read, the
    // compaction header's sequence and the last sequence applied.
    private Object fileKey;
    /** The identity of the file {@link #channel} is open on (the file read, unless a re-read of another failed). */
    private Object channelKey;
    private long readOffset;
    /** Once unusable: the end of the whole lines of {@link #channel}'s file whose changes were kept. */
    private long followOffset;
    private int lineNumber;
    private long compactedThrough;
    private long lastApplied;
    private long lastLook;
    /** Channels some change read from the journal names, a bit per ordinal; only ever gains bits. */
    private volatile int channelsChanged;
    /** When a personal request last looked at the file ({@link #stateInEffect}), whatever checks did since. */
    private volatile long lastRequestLook = System.nanoTime() - LOOK_NANOS;

    /** @param at when the change was recorded; null for a line written before changes carried a time */
    private record Change(Consent.State state, long sequence, Instant at, String line) {
    }

    /**
     * Every change applied, in sequence order (the journal's order): what {@link #changesSince} searches. Superseded
     * ones stay until the next compaction or re-read and are skipped there.
     */
    private List<Applied> inOrder = new ArrayList<>();

    private record Applied(String customerId, Consent.Channel channel, Change change) {
    }

    private ConsentJournal(Path file, String failure, int compactAfterLines, JournalFiles.Channels channels) {
        this.file = file;
        this.channels = channels;
        this.lock = file == null ? null : new JournalLock(file);
        this.failure = failure;
        this.compactAfterLines = compactAfterLines;
    }

    /** A decision for one customer and channel, with the journal sequence it was taken at. */
    public record Decision(boolean allowed, String reason, Consent.State state, long sequence) {
    }

    /** Opens (creating if needed) the journal; a corrupt journal gives an instance whose {@link #failure()} is set. */
    public static ConsentJournal open(Path file) throws IOException {
        return open(file, DEFAULT_COMPACT_AFTER_LINES);
    }

    /**
     * Opens (creating if needed) the journal, compacting it when some lines are superseded and, while serving,
     * once it holds {@code compactAfterLines} lines of which at least half are superseded.
     */
    public static ConsentJournal open(Path file, int compactAfterLines) throws IOException {
        return open(file, compactAfterLines, JournalFiles.Channels.FILE_SYSTEM);
    }

    /**
     * Opens an existing journal as it is, without the compaction at open (a dry run of {@link #forget} must change
     * nothing); a torn last line, which only a crash leaves, is still cut off. It compacts only when {@link #compact}
     * or {@link #forget} is called.
     */
    public static ConsentJournal openAsIs(Path file) throws IOException {
        return open(file, Integer.MAX_VALUE, JournalFiles.Channels.FILE_SYSTEM, false);
    }

    /** {@link #open(Path, int)} with the journal's files opened through {@code channels} (tests: a failing disk). */
    static ConsentJournal open(Path journal, int compactAfterLines, JournalFiles.Channels channels) throws IOException {
        return open(journal, compactAfterLines, channels, true);
    }

    private static ConsentJournal open(Path journal, int compactAfterLines, JournalFiles.Channels channels,
                                       boolean compactAtOpen) throws IOException {
        Path file = JournalFiles.followLinks(Objects.requireNonNull(journal, "file"));
        Objects.requireNonNull(channels, "channels");
        if (compactAfterLines < 1) {
            throw new IllegalArgumentException("compactAfterLines must be >= 1, was " + compactAfterLines);
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ConsentJournal j = new ConsentJournal(file, null, compactAfterLines, channels);
        try (JournalLock.Held held = j.lock.acquire()) {
            // Under the lock: no other process is compacting (so a leftover temporary file is a crash's) or
            // appending (so a torn last line is a crash's too).
            JournalFiles.deleteInterruptedCompaction(file);
            try {
                j.reread(true);
                j.replayedAtOpen = j.lines;
            } catch (CorruptJournal e) {
                // Unusable for contact and changes, but the changes on its readable lines stand for personal
                // requests: a restarted server must not answer a customer who objected to profiling personally.
                j.failure = e.getMessage();
                j.keepReadableChanges();
                return j;
            } catch (IOException | RuntimeException e) {
                j.close();
                throw e;
            }
            if (compactAtOpen && j.lines > j.live) {
                try {
                    j.compactLocked();
                } catch (IOException e) {
                    // Compaction only saves space and replay time: the journal as it is stays in use.
                    LoggerFactory.getLogger(ConsentJournal.class).warn(
                            "consent journal compaction at start failed, continuing uncompacted: {}", e.toString());
                }
            }
        }
        return j;
    }

    /** A journal that cannot be used (e.g. no model store directory); every check and change fails. */
    public static ConsentJournal unavailable(String reason) {
        return new ConsentJournal(null, Objects.requireNonNull(reason, "reason"), Integer.MAX_VALUE,
                JournalFiles.Channels.FILE_SYSTEM);
    }

    /**
     * Why the journal cannot be used, or null when it can. Reads what other processes appended first, so a line
     * they left unreadable, or a journal that cannot be read at the moment, is reported here.
     */
    public synchronized String failure() {
        if (failure == null) {
            catchUp(false);
        }
        return failure != null ? failure : readError;
    }

    private static final class CorruptJournal extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptJournal(String message) {
            super(message);
        }
    }

    /**
     * Brings the overlay up to the journal file (for a check: unless it looked less than {@link #LOOK_INTERVAL}
     * ago): reads the lines appended since the last read, or the whole journal again when the path now names
     * another file (another process compacted it). A corrupt line makes the journal unusable ({@link #failure}),
     * and from then on it only follows the readable changes for page requests ({@link #followReadableChanges}); an
     * I/O error is reported until a later read succeeds.
     */
    private void catchUp(boolean locked) {
        if (channel == null) {
            return;
        }
        long time = System.nanoTime();
        // a read error is looked at again on every call, until a read succeeds; an unusable journal only follows
        if (!locked && (readError == null || failure != null) && time - lastLook < LOOK_NANOS) {
            return;
        }
        lastLook = time;
        if (failure != null) {
            followReadableChanges();
            return;
        }
        try {
            switch (JournalFiles.changeSince(file, fileKey, readOffset)) {
                case REPLACED -> reread(locked);
                case GREW -> readLines(locked);
                case NONE -> { }
            }
            readError = null;
        } catch (CorruptJournal e) {
            failure = e.getMessage();
            keepReadableChanges();
        } catch (IOException e) {
            readError = "consent journal " + file.getFileName() + " cannot be read (" + e.getClass().getSimpleName()
                    + "); consent changes and campaign exports wait until it can";
        }
    }

    /**
     * Opens the file the journal path names now and reads it from the start into an empty overlay. When that file
     * cannot be read (an I/O error, a damaged line), what was read before is put back: page requests go on with
     * it ({@link #stateInEffect}), and the next look reads the file again whole.
     */
    private void reread(boolean locked) throws IOException, CorruptJournal {
        JournalFiles.Opened opened = JournalFiles.openCurrent(channels, file, locked && channel == null);
        if (channel != null) {
            channel.close();
        }
        channel = opened.channel();
        channelKey = opened.fileKey();
        fileKey = opened.fileKey();
        Map<String, EnumMap<Consent.Channel, Change>> overlayBefore = overlay;
        List<Applied> inOrderBefore = inOrder;
        long[] before = {sequence, lines, live, readOffset, lineNumber, compactedThrough, lastApplied};
        overlay = new HashMap<>();
        inOrder = new ArrayList<>();
        sequence = 0;
        lines = 0;
        live = 0;
        readOffset = 0;
        lineNumber = 0;
        compactedThrough = 0;
        lastApplied = 0;
        try {
            readLines(locked);
        } catch (IOException | CorruptJournal e) {
            overlay = overlayBefore;
            inOrder = inOrderBefore;
            sequence = before[0];
            lines = before[1];
            live = before[2];
            readOffset = before[3];
            lineNumber = (int) before[4];
            compactedThrough = before[5];
            lastApplied = before[6];
            fileKey = new Object(); // no file's: the next look reads the file the path names again, whole
            throw e;
        }
    }

    /**
     * For a journal found unusable ({@link #failure} just set): adds to the overlay, which holds what was read
     * before, every change the file still gives on a readable line and newer than the one held for its customer and
     * channel, so that a damaged line costs page requests at most the change it held. The file is not changed (the
     * damage stays for the operator to repair), and contact decisions and listings still refuse to answer.
     */
    private void keepReadableChanges() {
        if (channel == null) {
            return;
        }
        try {
            followOffset = keepReadableChanges(0);
        } catch (IOException e) {
            // what was read before stands; the next look reads the file again
            channelKey = new Object();
        }
    }

    /**
     * For an unusable journal, at each look: the readable changes other servers append meanwhile (servers that read a
     * line before it was damaged go on recording; so do servers of a newer version, whose lines an older one may
     * not read), or those of the file that replaced it. An I/O error leaves what was kept, looked for again later.
     */
    private void followReadableChanges() {
        try {
            switch (JournalFiles.changeSince(file, channelKey, followOffset)) {
                case REPLACED -> {
                    JournalFiles.Opened opened = JournalFiles.openCurrent(channels, file, false);
                    channel.close();
                    channel = opened.channel();
                    channelKey = opened.fileKey();
                    followOffset = keepReadableChanges(0);
                }
                case GREW -> followOffset = keepReadableChanges(followOffset);
                case NONE -> { }
            }
        } catch (IOException e) {
            // what was kept stands
        }
    }

    /** {@link #keepReadableChanges()} from {@code offset}; returns the offset after the last whole line. */
    private long keepReadableChanges(long offset) throws IOException {
        try {
            return JournalLines.read(channel, offset, file, (text, next) -> {
                Change change;
                String customerId;
                Consent.Channel ch;
                try {
                    ConsentJournalFile.Change parsed = ConsentJournalFile.parse(
                            readableTimeOnly(ConsentJournalFile.tree(text)));
                    customerId = parsed.customerId();
                    ch = parsed.channel();
                    change = new Change(parsed.state(), parsed.sequence(), parsed.at(), text);
                } catch (RuntimeException unreadable) {
                    return; // the damaged line itself, or another one: its change is lost, the others stand
                }
                EnumMap<Consent.Channel, Change> held = overlay.computeIfAbsent(customerId,
                        k -> new EnumMap<>(Consent.Channel.class));
                Change before = held.get(ch);
                if (before == null || before.sequence() < change.sequence()) {
                    held.put(ch, change);
                    channelsChanged |= 1 << ch.ordinal();
                }
            });
        } finally {
            live = overlay.values().stream().mapToLong(Map::size).sum();
        }
    }

    /**
     * The line without an unreadable time, which a damaged line may have: its change then has no time (and may only
     * restrict the model's list).
     */
    private static JsonNode readableTimeOnly(JsonNode n) {
        if (n.has("at") && readableTime(n.get("at")) == null) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("at");
        }
        return n;
    }

    /** A damaged line's time, or null (unknown: the change may then only restrict the model's list). */
    private static Instant readableTime(JsonNode at) {
        try {
            return at == null ? null : Instant.parse(at.asText());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Applies the whole lines from {@link #readOffset} to the end of the file. An unterminated last line is a
     * torn append when {@code locked} (no other writer can be in the middle of one): cut off. Otherwise it may be
     * an append in progress: left for a later read.
     */
    private void readLines(boolean locked) throws IOException, CorruptJournal {
        JournalLines.read(channel, readOffset, file, (text, next) -> {
            lineNumber++;
            apply(text);
            readOffset = next;
        });
        if (locked && channel.size() > readOffset) {
            // No newline: a torn append that was never acknowledged. Cut it off so the next append is clean, and say
            // so (its bytes may hold a customer id: only their count is logged).
            LoggerFactory.getLogger(ConsentJournal.class).warn("{}:{}: incomplete last line ({} bytes, an interrupted "
                    + "write, never acknowledged) dropped", file, lineNumber + 1, channel.size() - readOffset);
            channel.truncate(readOffset);
            channel.force(true);
        }
    }

    private void apply(String text) throws CorruptJournal {
        try {
            JsonNode n = ConsentJournalFile.tree(text);
            long header = lineNumber == 1 ? ConsentJournalFile.header(n) : -1;
            if (header >= 0) {
                // A compacted journal: kept changes up to N follow, with gaps where superseded ones were.
                compactedThrough = header;
                sequence = compactedThrough;
                return;
            }
            ConsentJournalFile.Change c = ConsentJournalFile.parse(n);
            long seq = c.sequence();
            boolean appended = ConsentJournalFile.appended(seq, compactedThrough, lastApplied, sequence);
            apply(c.customerId(), c.channel(), new Change(c.state(), seq, c.at(), text));
            lastApplied = seq;
            if (appended) {
                sequence = seq;
            }
        } catch (ConsentJournalFile.LaterReleaseLineException e) {
            // Not damage: "repaired" would invite deleting another server's consent change (an objection, an opt-out)
            throw new CorruptJournal("consent journal " + file.getFileName() + " line " + lineNumber
                    + " is unreadable (" + e.getMessage() + ": upgrade this server, and keep the line, a customer's "
                    + "consent change); consent changes, next-best offers with ?channel= and campaign exports wait "
                    + "until then");
        } catch (RuntimeException e) {
            throw new CorruptJournal("consent journal " + file.getFileName() + " line " + lineNumber
                    + " is unreadable; campaign exports are disabled until it is repaired");
        }
    }

    /**
     * Keyed by the id as normalised now: a line written before {@code 17850,0} was normalised to {@code 17850} (under
     * its old id) must still apply to the customer a newer model stores as {@code 17850}.
     */
    private void apply(String journalledId, Consent.Channel ch, Change change) {
        String customerId = Ids.normaliseCustomerId(journalledId);
        if (overlay.computeIfAbsent(customerId, k -> new EnumMap<>(Consent.Channel.class)).put(ch, change) == null) {
            live++;
        }
        inOrder.add(new Applied(customerId, ch, change));
        lines++;
        channelsChanged |= 1 << ch.ordinal();
    }

    /**
     * Rewrites the journal to the latest change per customer and channel (see the class comment), then reopens
     * it for appending. On failure the old journal is intact and stays in use.
     */
    public synchronized void compact() throws IOException {
        requireUsable();
        try (JournalLock.Held held = lock.acquire()) {
            catchUp(true);
            requireUsable();
            compactLocked();
        }
    }

    private void requireUsable() {
        if (failure != null) {
            throw new Unavailable(failure);
        }
        if (readError != null) {
            throw new Unavailable(readError);
        }
    }

    /**
     * The journal cannot be used now ({@link #failure()} gives the same reason): a check, change or listing that
     * finds it so, also after an earlier {@link #failure()} said it could. The message names the journal file and
     * the line or the I/O error, never a customer; callers answer 503 with it (a consent store to repair, not a bug).
     */
    public static final class Unavailable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason);
        }
    }

    private void compactLocked() throws IOException {
        compactLocked(Set.of());
    }

    /** Compaction that also leaves out every change of the customers {@code forgotten} (normalised ids). */
    private void compactLocked(Set<String> forgotten) throws IOException {
        List<Change> kept = new ArrayList<>((int) Math.min(Integer.MAX_VALUE, live));
        overlay.forEach((customerId, m) -> {
            if (!forgotten.contains(customerId)) {
                kept.addAll(m.values());
            }
        });
        kept.sort(Comparator.comparingLong(Change::sequence));
        StringBuilder out = new StringBuilder();
        out.append(JSON.writeValueAsString(Map.of(ConsentJournalFile.HEADER_FIELD, sequence))).append('\n');
        for (Change c : kept) {
            out.append(c.line()).append('\n');
        }
        JournalFiles.replace(channels, file, out.toString().getBytes(StandardCharsets.UTF_8));
        compactions++;
        // The old channel refers to the replaced file: read the new one (the same state) and append to it.
        try {
            reread(true);
        } catch (CorruptJournal e) {
            failure = e.getMessage();
            keepReadableChanges();
            throw new IOException(e.getMessage(), e);
        }
    }

    /** What {@link #forget} removes: how many of the customers asked for have lines, and how many lines they have. */
    public record Forgotten(long customers, long changes) {
    }

    /**
     * What {@link #forget} would remove now, changing nothing. Throws {@link Unavailable} when the journal cannot be
     * used (a damaged line, an I/O error), as {@code forget} does.
     */
    public synchronized Forgotten forgettable(Set<String> customerIds) throws IOException {
        requireUsable();
        try (JournalLock.Held held = lock.acquire()) {
            catchUp(true);
            requireUsable();
            return linesOf(normalised(customerIds));
        }
    }

    /**
     * Removes every line of the customers (an erasure: they are gone from every model version, and their run-time
     * consents with them), superseded ones and those journalled under an older spelling of the id included, by
     * rewriting the journal as a compaction does (atomically, under the writers' lock, the sequence counter kept):
     * every other customer's changes keep their lines and sequences, and no sequence number is given out again.
     * Other servers sharing the journal read it again whole at their next look, as after a compaction. A journal
     * that cannot be used is not rewritten ({@link Unavailable}): its readable lines could not be told from the rest.
     * The caller decides that forgetting is safe (see the CLI's {@code consent forget}: no version may hold them).
     */
    public synchronized Forgotten forget(Set<String> customerIds) throws IOException {
        requireUsable();
        try (JournalLock.Held held = lock.acquire()) {
            catchUp(true);
            requireUsable();
            Set<String> ids = normalised(customerIds);
            Forgotten found = linesOf(ids);
            if (found.changes() > 0) {
                compactLocked(ids);
            }
            return found;
        }
    }

    private static Set<String> normalised(Set<String> customerIds) {
        Set<String> ids = new HashSet<>();
        customerIds.forEach(id -> ids.add(Ids.normaliseCustomerId(id)));
        return ids;
    }

    /** The lines of the journal file (every change applied since it was last read whole) naming the customers. */
    private Forgotten linesOf(Set<String> ids) {
        Set<String> found = new HashSet<>();
        long changes = 0;
        for (Applied a : inOrder) {
            if (ids.contains(a.customerId())) {
                found.add(a.customerId());
                changes++;
            }
        }
        return new Forgotten(found.size(), changes);
    }

    /** Changes read from the journal when it was opened (0 for an unusable one). */
    public synchronized long replayedAtOpen() {
        return replayedAtOpen;
    }

    /** Customer-channel pairs the journal holds a consent for (its latest change each). */
    public synchronized long inEffect() {
        return live;
    }

    /** Change lines in the journal (the compaction header not counted). */
    synchronized long journalLines() {
        return lines;
    }

    /** Compactions done since the journal was opened. */
    synchronized long compactions() {
        return compactions;
    }

    /**
     * Appends and fsyncs one change, then applies it; returns its sequence number. When the journal cannot be written
     * (a full disk, an I/O error) the IOException says which journal and why, and nothing changed: the change is
     * neither in effect nor left in the file ({@link JournalFiles#appendDurably}), and its sequence number is not
     * used up.
     */
    public synchronized long record(String customerId, Consent.Channel ch, Consent.State state) throws IOException {
        requireUsable();
        Ids.requireCustomerId(customerId);
        JournalLock.Held locked;
        try {
            locked = lock.acquire();
        } catch (IOException e) {
            throw notWritten(e);
        }
        try (JournalLock.Held held = locked) {
            // Other processes' changes first: the new one must follow the last sequence any of them gave out.
            catchUp(true);
            requireUsable();
            long seq = sequence + 1;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("seq", seq);
            Instant at = Instant.now();
            entry.put("at", at.toString());
            entry.put("customerId", customerId);
            entry.put("channel", ch.wireName());
            entry.put("state", state.wireName());
            byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                JournalFiles.appendDurably(channel, readOffset, line);
            } catch (IOException e) {
                throw notWritten(e);
            }
            readOffset += line.length;
            lineNumber++;
            apply(customerId, ch,
                    new Change(state, seq, at, new String(line, 0, line.length - 1, StandardCharsets.UTF_8)));
            lastApplied = seq;
            sequence = seq;
            if (lines >= compactAfterLines && lines >= 2 * live) {
                // The change is durable already; a failed compaction leaves the old journal in use and is retried
                // after the next change.
                try {
                    compactLocked();
                } catch (IOException e) {
                    LoggerFactory.getLogger(ConsentJournal.class).warn(
                            "consent journal compaction failed, will retry: {}", e.toString());
                }
            }
            return seq;
        }
    }

    /** Names the journal (an I/O exception may not) and says the change was not recorded; never a customer id. */
    private IOException notWritten(IOException e) {
        return new IOException("consent journal " + file + " cannot be written, the change was not recorded: " + e, e);
    }

    /**
     * The effective consent (the journal's latest change weighed against the model's consent list by
     * {@link Consent#effective}: a change made before the list was written, or before the time its row gives, may
     * only restrict it; a row's own time orders the two exactly) and whether it
     * permits contact on the channel. Reasons for refusal: {@code opted_out}, {@code pending_confirmation},
     * {@code no_consent}.
     */
    public synchronized Decision check(ModelSnapshot model, String customerId, Consent.Channel ch) {
        catchUp(false);
        requireUsable();
        // the overlay's key as normalised now; the model is asked under its own id (an older snapshot may store
        // 17850,0 where the journal now says 17850)
        EnumMap<Consent.Channel, Change> o = overlay.get(Ids.normaliseCustomerId(customerId));
        Change change = o == null ? null : o.get(ch);
        Consent.State state = effective(change == null ? null : change.state(), change == null ? null : change.at(),
                model, customerId, ch);
        boolean allowed = Consent.permits(state, ch);
        String reason = allowed ? null : state == Consent.State.OPTED_OUT ? "opted_out"
                : state == Consent.State.PENDING ? "pending_confirmation" : "no_consent";
        return new Decision(allowed, reason, state, sequence);
    }

    /**
     * The state in effect for the customer and channel, weighed as {@link #check} weighs it, or null when neither
     * the journal nor the model's list names them: what every personal request asks for {@code profiling}. It
     * never fails, since a page must not fail for the journal: when the journal cannot be read, the changes read
     * before stand (a contact decision and an export answer 503 instead). It looks at the file at most once per
     * {@link #LOOK_INTERVAL} across all requests, and while no change and no list entry names the channel it costs
     * a clock read and three volatile reads, no lock.
     */
    public Consent.State stateInEffect(ModelSnapshot model, String customerId, Consent.Channel ch) {
        long now = System.nanoTime();
        if (now - lastRequestLook >= LOOK_NANOS) {
            lastRequestLook = now;
            synchronized (this) {
                // Looks now even when a check looked less than an interval ago: skipped, this look would leave
                // page requests without one for another interval, and an objection recorded after the check's
                // look would reach them up to two intervals late.
                lastLook = now - LOOK_NANOS;
                catchUp(false);
            }
        }
        Change change = null;
        if ((channelsChanged & 1 << ch.ordinal()) != 0) {
            synchronized (this) {
                EnumMap<Consent.Channel, Change> o = overlay.get(Ids.normaliseCustomerId(customerId));
                change = o == null ? null : o.get(ch);
            }
        }
        if (change == null) {
            return model.mayListConsent(ch) ? model.consent(customerId, ch).orElse(null) : null;
        }
        return effective(change.state(), change.at(), model, customerId, ch);
    }

    /** {@link Consent#effective} of a change (null: none) and {@code model}'s consent list for the customer. */
    static Consent.State effective(Consent.State changed, Instant changedAt, ModelSnapshot model, String customerId,
                                   Consent.Channel ch) {
        return Consent.effective(changed, changedAt, model.listedConsent(customerId, ch).orElse(null),
                model.consentAsOf().orElse(null), ch);
    }

    /**
     * One customer's consent for one channel as changed at run time: the latest change the journal holds for them
     * ({@code at}, the time it was recorded, null for a line without one).
     */
    public record Listed(String customerId, Consent.Channel channel, Consent.State state, long sequence, Instant at) {
    }

    /**
     * A page of {@link #changesSince}: the changes, whether more follow, and the journal's sequence when it was
     * read (every change up to it with a sequence above {@code since} is in this page or a later one).
     */
    public record Page(List<Listed> changes, boolean more, long sequence) {
    }

    /**
     * The latest change of each customer and channel whose sequence is above {@code since}, oldest first, at most
     * {@code limit}, optionally for one channel (and profiling, which concerns every channel's rows): what a
     * campaign tool checks before sending to the rows of an export
     * it took earlier (each row carries the sequence its consent was checked at). A change superseded by a later one
     * for the same customer and channel is not listed: the later one is, with the state in effect now. Compaction
     * keeps every listed change and its sequence, so a reader's {@code since} stays valid across it.
     */
    public synchronized Page changesSince(long since, Consent.Channel channel, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        catchUp(false);
        requireUsable();
        int lo = 0;
        int hi = inOrder.size();
        while (lo < hi) { // the first change with a sequence above since
            int mid = (lo + hi) >>> 1;
            if (inOrder.get(mid).change().sequence() <= since) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<Listed> out = new ArrayList<>(Math.min(limit, 1024));
        for (int i = lo; i < inOrder.size(); i++) {
            Applied a = inOrder.get(i);
            if (channel != null && a.channel() != channel && a.channel() != Consent.Channel.PROFILING || overlay.get(a.customerId()).get(a.channel()) != a.change()) {
                continue;
            }
            if (out.size() == limit) {
                return new Page(out, true, sequence);
            }
            out.add(new Listed(a.customerId(), a.channel(), a.change().state(), a.change().sequence(),
                    a.change().at()));
        }
        return new Page(out, false, sequence);
    }

    /** Sequence number of the last change (0 when none), including other processes' changes read just now. */
    public synchronized long sequence() {
        catchUp(false);
        return sequence;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
