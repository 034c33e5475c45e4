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
 */
public final class ConsentJournal implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final String failure;
    private final Map<String, EnumMap<Consent.Channel, Consent.State>> overlay = new HashMap<>();
    private long sequence;

    private ConsentJournal(Path file, FileChannel channel, String failure) {
        this.file = file;
        this.channel = channel;
        this.failure = failure;
    }

    /** A decision for one customer and channel, with the journal sequence it was taken at. */
    public record Decision(boolean allowed, String reason, Consent.State state, long sequence) {
    }

    /** Opens (creating if needed) the journal; a corrupt journal gives an instance whose {@link #failure()} is set. */
    public static ConsentJournal open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ConsentJournal j;
        try {
            j = new ConsentJournal(file, ch, null);
            j.replay();
        } catch (CorruptJournal e) {
            ch.close();
            return new ConsentJournal(file, null, e.getMessage());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return j;
    }

    /** A journal that cannot be used (e.g. no model store directory); every check and change fails. */
    public static ConsentJournal unavailable(String reason) {
        return new ConsentJournal(null, null, Objects.requireNonNull(reason, "reason"));
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
                String id = n.get("customerId").asText();
                Consent.Channel c = Consent.Channel.parse(n.get("channel").asText());
                Consent.State s = Consent.State.parse(n.get("state").asText());
                long seq = n.get("seq").asLong();
                if (c == null || s == null || seq != sequence + 1) {
                    throw new IllegalArgumentException("bad channel, state or sequence");
                }
                Ids.requireCustomerId(id);
                overlay.computeIfAbsent(id, k -> new EnumMap<>(Consent.Channel.class)).put(c, s);
                sequence = seq;
            } catch (IOException | RuntimeException e) {
                throw new CorruptJournal("consent journal " + file.getFileName() + " line " + line
                        + " is unreadable; campaign exports are disabled until it is repaired");
            }
            start = end + 1;
        }
        channel.position(channel.size());
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
        overlay.computeIfAbsent(customerId, k -> new EnumMap<>(Consent.Channel.class)).put(ch, state);
        sequence = seq;
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
        EnumMap<Consent.Channel, Consent.State> o = overlay.get(customerId);
        Consent.State state = o != null && o.containsKey(ch) ? o.get(ch) : model.consent(customerId, ch).orElse(null);
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
