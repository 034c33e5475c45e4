package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.recommender.ModelSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
 * stop rather than guess.
 *
 * <p>Compaction rewrites the journal to the latest change per customer and channel (each line kept as it was
 * recorded, with its sequence and time), after a header line {@code {"compactedThrough": N}} that carries the
 * sequence counter: the kept lines have increasing sequences up to N, and changes appended afterwards continue
 * from N + 1, so sequence numbers are never reused. It runs at open when some lines are superseded, and while
 * serving once the journal reaches the line threshold with at least half its lines superseded; it holds the
 * journal's lock while it rewrites (changes and checks wait, as they do for an fsync). Files are replaced with
 * {@link JournalFiles#replace}, whose crash reasoning applies: the journal path always names a complete journal.
 */
public final class ConsentJournal implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Journal lines after which a running server compacts (when at least half the lines are superseded). */
    public static final int DEFAULT_COMPACT_AFTER_LINES = 100_000;
    private static final String HEADER_FIELD = "compactedThrough";

    private final Path file;
    private FileChannel channel;
    private final String failure;
    private final int compactAfterLines;
    /** Latest change per customer and channel: its state, and its journal line for compaction. */
    private final Map<String, EnumMap<Consent.Channel, Change>> overlay = new HashMap<>();
    private long sequence;
    private long lines;
    private long live;
    private long compactions;

    private record Change(Consent.State state, long sequence, String line) {
    }

    private ConsentJournal(Path file, FileChannel channel, String failure, int compactAfterLines) {
        this.file = file;
        this.channel = channel;
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
        Objects.requireNonNull(file, "file");
        if (compactAfterLines < 1) {
            throw new IllegalArgumentException("compactAfterLines must be >= 1, was " + compactAfterLines);
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        JournalFiles.deleteInterruptedCompaction(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ConsentJournal j;
        try {
            j = new ConsentJournal(file, ch, null, compactAfterLines);
            j.replay();
        } catch (CorruptJournal e) {
            ch.close();
            return new ConsentJournal(file, null, e.getMessage(), compactAfterLines);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (j.lines > j.live) {
            try {
                j.compact();
            } catch (IOException e) {
                // Compaction only saves space and replay time: the journal as it is stays in use.
                org.slf4j.LoggerFactory.getLogger(ConsentJournal.class).warn(
                        "consent journal compaction at start failed, continuing uncompacted: {}", e.toString());
            }
        }
        return j;
    }

    /** A journal that cannot be used (e.g. no model store directory); every check and change fails. */
    public static ConsentJournal unavailable(String reason) {
        return new ConsentJournal(null, null, Objects.requireNonNull(reason, "reason"), Integer.MAX_VALUE);
    }

    /** Why the journal cannot be used, or null when it can. */
    public String failure() {
        return failure;
    }

    private static final class CorruptJournal extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptJournal(String message) {
            super(message);
        }
    }

    private void replay() throws IOException, CorruptJournal {
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        int line = 0;
        long compactedThrough = 0;
        long last = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            line++;
            if (end == bytes.length) {
                // No newline: a torn append that was never acknowledged. Cut it off so the next append is clean.
                channel.truncate(start);
                channel.force(true);
                break;
            }
            String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            try {
                JsonNode n = JSON.readTree(text);
                if (line == 1 && n.has(HEADER_FIELD)) {
                    // A compacted journal: kept changes up to N follow, with gaps where superseded ones were.
                    compactedThrough = n.get(HEADER_FIELD).asLong();
                    if (compactedThrough < 0 || n.size() != 1) {
                        throw new IllegalArgumentException("bad compaction header");
                    }
                    sequence = compactedThrough;
                    start = end + 1;
                    continue;
                }
                String id = n.get("customerId").asText();
                Consent.Channel c = Consent.Channel.parse(n.get("channel").asText());
                Consent.State s = Consent.State.parse(n.get("state").asText());
                long seq = n.get("seq").asLong();
                boolean kept = seq <= compactedThrough && seq > last;
                boolean appended = seq > compactedThrough && seq == sequence + 1;
                if (c == null || s == null || !(kept || appended)) {
                    throw new IllegalArgumentException("bad channel, state or sequence");
                }
                Ids.requireCustomerId(id);
                apply(id, c, new Change(s, seq, text));
                last = seq;
                if (appended) {
                    sequence = seq;
                }
            } catch (IOException | RuntimeException e) {
                throw new CorruptJournal("consent journal " + file.getFileName() + " line " + line
                        + " is unreadable; campaign exports are disabled until it is repaired");
            }
            start = end + 1;
        }
        channel.position(channel.size());
    }

    private void apply(String customerId, Consent.Channel ch, Change change) {
        if (overlay.computeIfAbsent(customerId, k -> new EnumMap<>(Consent.Channel.class)).put(ch, change) == null) {
            live++;
        }
        lines++;
    }

    /**
     * Rewrites the journal to the latest change per customer and channel (see the class comment), then reopens
     * it for appending. On failure the old journal is intact and stays in use.
     */
    public synchronized void compact() throws IOException {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        java.util.List<Change> kept = new java.util.ArrayList<>((int) Math.min(Integer.MAX_VALUE, live));
        overlay.values().forEach(m -> kept.addAll(m.values()));
        kept.sort(java.util.Comparator.comparingLong(Change::sequence));
        StringBuilder out = new StringBuilder();
        out.append(JSON.writeValueAsString(Map.of(HEADER_FIELD, sequence))).append('\n');
        for (Change c : kept) {
            out.append(c.line()).append('\n');
        }
        JournalFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
        // The old channel refers to the replaced file: append to the new one from now on.
        FileChannel reopened = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.close();
        channel = reopened;
        lines = kept.size();
        compactions++;
    }

    /** Change lines in the journal (the compaction header not counted). */
    synchronized long journalLines() {
        return lines;
    }

    /** Compactions done since the journal was opened. */
    synchronized long compactions() {
        return compactions;
    }

    /** Appends and fsyncs one change, then applies it; returns its sequence number. */
    public synchronized long record(String customerId, Consent.Channel ch, Consent.State state) throws IOException {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        Ids.requireCustomerId(customerId);
        long seq = sequence + 1;
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("seq", seq);
        entry.put("at", Instant.now().toString());
        entry.put("customerId", customerId);
        entry.put("channel", ch.wireName());
        entry.put("state", state.wireName());
        byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        long position = channel.size();
        while (buf.hasRemaining()) {
            channel.write(buf, position + buf.position());
        }
        channel.force(false);
        apply(customerId, ch, new Change(state, seq, new String(line, 0, line.length - 1, StandardCharsets.UTF_8)));
        sequence = seq;
        if (lines >= compactAfterLines && lines >= 2 * live) {
            // The change is durable already; a failed compaction leaves the old journal in use and is retried
            // after the next change.
            try {
                compact();
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(ConsentJournal.class).warn(
                        "consent journal compaction failed, will retry: {}", e.toString());
            }
        }
        return seq;
    }

    /**
     * The effective consent (journal overlay, else the model's) and whether it permits contact on the channel.
     * Reasons for refusal: {@code opted_out}, {@code pending_confirmation}, {@code no_consent}.
     */
    public synchronized Decision check(ModelSnapshot model, String customerId, Consent.Channel ch) {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        EnumMap<Consent.Channel, Change> o = overlay.get(customerId);
        Consent.State state = o != null && o.containsKey(ch) ? o.get(ch).state()
                : model.consent(customerId, ch).orElse(null);
        boolean allowed = Consent.permits(state, ch);
        String reason = allowed ? null : state == Consent.State.OPTED_OUT ? "opted_out"
                : state == Consent.State.PENDING ? "pending_confirmation" : "no_consent";
        return new Decision(allowed, reason, state, sequence);
    }

    /** Sequence number of the last change (0 when none). */
    public synchronized long sequence() {
        return sequence;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
