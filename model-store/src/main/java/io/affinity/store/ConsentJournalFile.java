package io.affinity.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The run-time consent journal's line format, and a read-only reading of a whole journal for training.
 *
 * <p>The journal sits beside the model store's versions ({@value #FILE_NAME} by default), and servers append to it
 * ({@code PUT /v1/customers/{id}/consent/{channel}}; the api module's {@code ConsentJournal} writes, follows and
 * compacts it). One JSON object per line: {@code {"seq": N, "at": "instant", "customerId": "...", "channel": "...",
 * "state": "..."}}, after an optional first line {@code {"compactedThrough": N}} left by a compaction. Sequences
 * increase: up to the header's N with gaps (superseded changes dropped), then one by one.
 *
 * <p>Training reads it so that a run-time objection to profiling keeps the customer out of the next version, as a
 * consent-list row does: {@link #latest} gives the latest change of every customer for one channel. It takes no lock
 * and writes nothing: a compaction replaces the file by a rename, so an open file is always a whole journal, and a
 * last line without its newline is an append in progress (or a crash's, never acknowledged), not read. Any other
 * line it cannot read fails the read, naming the file and line: a damaged line may be an objection, and training
 * must not guess (a server refuses campaign exports for the same reason).
 */
public final class ConsentJournalFile {
    /** The journal's name in a model store directory, where {@code serve} keeps it unless told otherwise. */
    public static final String FILE_NAME = "consent.journal";
    /** The field of a compacted journal's first line. */
    public static final String HEADER_FIELD = "compactedThrough";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConsentJournalFile() {
    }

    /**
     * One change as recorded.
     *
     * @param customerId the customer's id normalised as now ({@link Ids#normaliseCustomerId}): a line written under
     *                   an older spelling applies to the customer a newer model stores
     * @param at         when it was recorded; null for a line written before changes carried a time
     */
    public record Change(String customerId, Consent.Channel channel, Consent.State state, long sequence, Instant at) {
        public Change {
            Objects.requireNonNull(customerId, "customerId");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(state, "state");
        }
    }

    /** A journal line that cannot be read, or a journal whose sequences do not follow; the message names the line. */
    public static final class UnreadableJournalException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableJournalException(String message) {
            super(message);
        }
    }

    /**
     * A well-formed change whose channel or state this release does not know: what a later release writes (as
     * {@code profiling} was for the releases before format 8), not damage. The line is a customer's consent change, so
     * messages say to upgrade and to keep it, never to repair it away.
     */
    public static final class LaterReleaseLineException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        /** What a message about such a line says, after "line N is unreadable". */
        public static final String EXPLANATION = "a channel or state this release does not know, as a later release "
                + "writes";

        LaterReleaseLineException() {
            super(EXPLANATION);
        }
    }

    /** The compaction header's sequence when {@code line} is one, else -1. */
    public static long header(JsonNode line) {
        if (!line.has(HEADER_FIELD)) {
            return -1;
        }
        long through = line.get(HEADER_FIELD).asLong(-1);
        if (through < 0 || line.size() != 1 || !line.get(HEADER_FIELD).canConvertToLong()) {
            throw new IllegalArgumentException("bad compaction header");
        }
        return through;
    }

    /**
     * Whether a change's sequence follows the ones before it: {@code true} for one appended after the compaction
     * header's ({@code sequence + 1}), {@code false} for one kept by the compaction (up to the header's, increasing);
     * {@link IllegalArgumentException} for any other, which only a damaged journal holds.
     *
     * @param compactedThrough the header's sequence (0 without one)
     * @param lastApplied      the sequence of the line before (0 for the first)
     * @param sequence         the journal's sequence so far (the header's, then the last appended)
     */
    public static boolean appended(long seq, long compactedThrough, long lastApplied, long sequence) {
        if (seq > compactedThrough && seq == sequence + 1) {
            return true;
        }
        if (seq <= compactedThrough && seq > lastApplied) {
            return false;
        }
        throw new IllegalArgumentException("sequence " + seq + " out of order");
    }

    /**
     * The change a (non-header) line records; {@link IllegalArgumentException} when a field is missing or not one
     * this software knows (a channel or state of a newer version, a blank id, a time that is no instant).
     */
    public static Change parse(JsonNode line) {
        JsonNode id = line.get("customerId");
        JsonNode channel = line.get("channel");
        JsonNode state = line.get("state");
        JsonNode seq = line.get("seq");
        if (id == null || channel == null || state == null || seq == null || !seq.canConvertToLong()) {
            throw new IllegalArgumentException("a field is missing");
        }
        Consent.Channel c = Consent.Channel.parse(channel.asText());
        Consent.State s = Consent.State.parse(state.asText());
        if (c == null || s == null) {
            throw new LaterReleaseLineException();
        }
        String customerId = Ids.normaliseCustomerId(Ids.requireCustomerId(id.asText()));
        JsonNode at = line.get("at");
        try {
            return new Change(customerId, c, s, seq.asLong(), at == null ? null : Instant.parse(at.asText()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time", e);
        }
    }

    /**
     * A line's JSON object; {@link IllegalArgumentException} when it is none, or when {@code text} is null: a line
     * that is not UTF-8 ({@link JournalLines}).
     */
    public static JsonNode tree(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not UTF-8 text");
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
    }

    /**
     * What a whole journal says about one channel.
     *
     * @param file     the journal read
     * @param sequence the last sequence it holds (0 for an empty journal)
     * @param lines    change lines read (the header not counted)
     * @param latest   each customer's latest change for the channel, keyed by normalised id
     */
    public record Latest(Path file, long sequence, long lines, Map<String, Change> latest) {
        public Latest {
            Objects.requireNonNull(file, "file");
            latest = Collections.unmodifiableMap(latest);
        }
    }

    /**
     * Reads the whole journal and keeps each customer's latest change for {@code channel}. A missing file is an
     * {@link java.nio.file.NoSuchFileException}: the caller decides whether that means "no changes" (the store's
     * default journal that no server created yet) or a mistake (a journal named on the command line).
     */
    public static Latest latest(Path file, Consent.Channel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Reading reading = new Reading(file, channel);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            JournalLines.read(ch, 0, file, (text, next) -> reading.line(text));
        }
        return new Latest(file, reading.sequence, reading.lines, reading.latest);
    }

    /** One reading of a whole journal, line after line. */
    private static final class Reading {
        private final Path file;
        private final Consent.Channel channel;
        private final Map<String, Change> latest = new HashMap<>();
        private long compactedThrough;
        private long lastApplied;
        private long sequence;
        private long lines;
        private int lineNumber;

        Reading(Path file, Consent.Channel channel) {
            this.file = file;
            this.channel = channel;
        }

        void line(String text) throws UnreadableJournalException {
            lineNumber++;
            try {
                JsonNode n = tree(text);
                long header = lineNumber == 1 ? header(n) : -1;
                if (header >= 0) {
                    compactedThrough = header;
                    sequence = header;
                    return;
                }
                Change change = parse(n);
                long seq = change.sequence();
                if (appended(seq, compactedThrough, lastApplied, sequence)) {
                    sequence = seq;
                }
                lastApplied = seq;
                lines++;
                if (change.channel() == channel) {
                    latest.put(change.customerId(), change);
                }
            } catch (LaterReleaseLineException e) {
                throw new UnreadableJournalException("consent journal " + file + " line " + lineNumber
                        + " is unreadable (" + e.getMessage() + "): run this with that release, and keep the "
                        + "line, a customer's consent change");
            } catch (IllegalArgumentException e) {
                throw new UnreadableJournalException("consent journal " + file + " line " + lineNumber
                        + " is unreadable (" + e.getMessage() + "): repair the line (servers sharing the journal "
                        + "refuse campaign exports until then)");
            }
        }
    }
}
