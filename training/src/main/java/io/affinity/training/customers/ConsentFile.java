package io.affinity.training.customers;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.training.ingest.CsvRecords;
import io.affinity.training.ingest.ShownValue;
import io.affinity.training.ingest.StrictGzipInputStream;
import io.affinity.training.ingest.StrictTextReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.zip.ZipException;

/**
 * Reads a consent export: CSV with header {@code customer_id,channel,state}, one row per customer and channel
 * ({@code channel} email/sms/push/web, {@code state} opted_in/opted_out/pending/confirmed), optionally with a
 * fourth column {@code updated_at}: when the customer gave that consent, an ISO-8601 date-time with its offset
 * ({@code 2026-11-18T09:30:15Z}), empty when unknown. The time lets a run-time change be weighed against the
 * customer's own word rather than the file's age ({@link Consent#effective(Consent.State, Instant,
 * Consent.ListEntry, Instant, Consent.Channel)}). Consent is a legal record, so reading is strict: any malformed row,
 * unknown value or contradictory duplicate fails the whole file with {@code file:line} and the reason, rather than
 * publish a model with a guessed consent list. A second row for the same customer and channel with the same state
 * is a harmless duplicate (the later time is kept); one with another state is a contradiction unless both rows give
 * times, and then the later row is the customer's latest word (a CRM's history export). Customer ids are normalised
 * as the transactions' are ({@link Ids#normaliseCustomerId}), so {@code 17850.0} and {@code 17850} are one customer.
 * A gzip-compressed file is read as such, whatever its name ({@link StrictGzipInputStream#openMaybeCompressed}).
 */
public final class ConsentFile {
    private ConsentFile() {
    }

    /** Thrown for unreadable or invalid consent files; the message names file and line. */
    public static final class ConsentFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConsentFileException(String message) {
            super(message);
        }
    }

    /** The header's columns without and with the optional time. */
    private static final String HEADER = "customer_id,channel,state";
    private static final String TIMED_HEADER = HEADER + ",updated_at";
    /**
     * How far a row's time may lie after the moment it is read: clocks of the CRM and this machine disagree a little;
     * a time hours ahead is a wrong offset (local time written with a Z), which would let the row beat later changes.
     */
    static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(5);

    public static Map<String, Map<Consent.Channel, Consent.ListEntry>> read(Path file) throws IOException {
        return read(file, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file} written in {@code encoding}; bytes not valid in it fail the file with {@code file:line}:
     * replacing them could turn two customers' ids into one, and one's opt-out into the other's. The hint then names
     * {@code --consent-encoding}: the consent file has its own encoding, apart from the exports' (a CRM's UTF-8
     * file read as an ERP's Windows-1252 would decode without error into other ids, losing their opt-outs).
     */
    public static Map<String, Map<Consent.Channel, Consent.ListEntry>> read(Path file, Charset encoding)
            throws IOException {
        Objects.requireNonNull(encoding, "encoding");
        Instant latestPlausible = Instant.now().plus(CLOCK_TOLERANCE);
        Map<String, Map<Consent.Channel, Consent.ListEntry>> out = new LinkedHashMap<>();
        try (CsvRecords csv = CsvRecords.open(new StrictTextReader(StrictGzipInputStream.openMaybeCompressed(
                Files.newInputStream(file)), encoding, "--consent-encoding"))) {
            int fields = 0; // 0 until the header is read
            for (CsvRecord r : csv) {
                long line = r.getStartingLineNumber();
                if (fields == 0) {
                    String h = String.join(",", r.getFields()).toLowerCase(Locale.ROOT).replace("\uFEFF", "").trim();
                    if (!h.equals(HEADER) && !h.equals(TIMED_HEADER)) {
                        throw error(file, line, "header must be '" + HEADER + "' or '" + TIMED_HEADER + "', was "
                                + ShownValue.quoted(h));
                    }
                    fields = r.getFieldCount();
                    continue;
                }
                if (r.getFieldCount() == 1 && r.getField(0).isBlank()) {
                    continue; // empty line
                }
                if (r.getFieldCount() != fields) {
                    throw error(file, line, csv.explain(r, "expected " + fields + " fields, found "
                            + r.getFieldCount()));
                }
                // Normalised as transaction ids are (a spreadsheet's 17850.0 is customer 17850): otherwise the
                // row would name nobody, and an opt-out would be lost without a word.
                String id = Ids.normaliseCustomerId(r.getField(0));
                try {
                    Ids.requireCustomerId(id);
                } catch (IllegalArgumentException e) {
                    throw error(file, line, csv.explain(r, "invalid customer_id (" + e.getMessage() + ")"));
                }
                Consent.Channel channel = Consent.Channel.parse(r.getField(1));
                if (channel == null) {
                    throw error(file, line, csv.explain(r, "channel must be email, sms, push, web or profiling, was "
                            + ShownValue.quoted(r.getField(1))));
                }
                Consent.State state = Consent.State.parse(r.getField(2));
                if (state == null) {
                    throw error(file, line, csv.explain(r, "state must be opted_in, opted_out, pending or "
                            + "confirmed, was " + ShownValue.quoted(r.getField(2))));
                }
                CsvRecord row = r;
                Instant updatedAt = fields == 4
                        ? updatedAt(r.getField(3), latestPlausible, file, line, why -> csv.explain(row, why)) : null;
                Map<Consent.Channel, Consent.ListEntry> channels =
                        out.computeIfAbsent(id, k -> new EnumMap<>(Consent.Channel.class));
                Consent.ListEntry entry = new Consent.ListEntry(state, updatedAt);
                Consent.ListEntry previous = channels.get(channel);
                channels.put(channel, previous == null ? entry : later(previous, entry, channel, file, line));
            }
            if (fields == 0) {
                throw error(file, 1, "empty file, expected header '" + HEADER + "' or '" + TIMED_HEADER + "'");
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof StrictTextReader.UndecodableInputException bad) {
                throw new ConsentFileException(bad.describe(file));
            }
            throw brokenGzip(file, e.getCause());
        } catch (EOFException | ZipException e) { // from the gzip header, read on opening
            throw brokenGzip(file, e);
        } catch (CsvParseException e) {
            throw new ConsentFileException(file + ": not readable as CSV (" + e.getMessage() + ")");
        }
        return out;
    }

    /**
     * A row's {@code updated_at}: empty is unknown (null); otherwise a date-time with its offset. A time without
     * one is refused rather than read in some zone: an hour's error orders a CRM change and an API change wrongly.
     */
    private static Instant updatedAt(String cell, Instant latestPlausible, Path file, long line,
                                     UnaryOperator<String> unparsable) {
        String text = cell.trim();
        if (text.isEmpty()) {
            return null;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            boolean zoneless = parses(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                    || parses(text, DateTimeFormatter.ISO_LOCAL_DATE);
            throw error(file, line, unparsable.apply("updated_at must be an ISO-8601 date-time with its offset, "
                    + "e.g. 2026-11-18T09:30:15Z or 2026-11-18T10:30:15+01:00, was " + ShownValue.quoted(text)
                    + (zoneless ? " (no offset: write the time in UTC with a Z, or with the offset it was taken in)"
                            : "")));
        }
        if (at.isAfter(latestPlausible)) {
            throw error(file, line, "updated_at " + text + " is later than now (" + Instant.now()
                    + "): is its offset right? A time in the future would outrank every later change");
        }
        return at;
    }

    private static boolean parses(String text, DateTimeFormatter format) {
        try {
            format.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Two rows for one customer and channel: the same state is a duplicate (keeping the later known time); other
     * states need both times, and the later row wins.
     */
    private static Consent.ListEntry later(Consent.ListEntry a, Consent.ListEntry b, Consent.Channel channel,
                                          Path file, long line) {
        Instant ta = a.updatedAt();
        Instant tb = b.updatedAt();
        if (a.state() == b.state()) {
            return ta == null || tb != null && tb.isAfter(ta) ? b : a;
        }
        String states = " (" + a.state().wireName() + " then " + b.state().wireName() + ")";
        if (ta == null || tb == null) {
            throw error(file, line, "second, different state for the same customer and channel "
                    + channel.wireName() + states + (ta == null && tb == null ? ""
                    : "; only one of the rows gives updated_at, so which is later cannot be told"));
        }
        if (ta.equals(tb)) {
            throw error(file, line, "second, different state for the same customer and channel "
                    + channel.wireName() + states + " with the same updated_at " + tb);
        }
        return tb.isAfter(ta) ? b : a;
    }

    /**
     * The check every verb taking a consent list makes of its options: {@code --consent-encoding} without
     * {@code --consent} is a mistake (the list the user meant to give is missing), not something to ignore.
     */
    public static void requireListForEncoding(Charset consentEncoding, Path consent) {
        if (consentEncoding != null && consent == null) {
            throw new IllegalArgumentException("--consent-encoding applies to the --consent file, and none is given");
        }
    }

    /**
     * When the list was written, as training weighs run-time changes against it and records it
     * ({@code consent.fileModified}, what served versions weigh them against): the file's last modification time;
     * null without a list.
     */
    public static java.time.Instant writtenAt(Path consent) throws IOException {
        return consent == null ? null : Files.getLastModifiedTime(consent).toInstant();
    }

    /** How many entries (customer and channel) {@code consent} holds. */
    public static long entries(Map<String, Map<Consent.Channel, Consent.ListEntry>> consent) {
        return consent.values().stream().mapToLong(Map::size).sum();
    }

    /** How many of {@code consent}'s entries give the customer's time ({@code updated_at}). */
    public static long entriesWithTime(Map<String, Map<Consent.Channel, Consent.ListEntry>> consent) {
        return consent.values().stream()
                .mapToLong(channels -> channels.values().stream().filter(e -> e.updatedAt() != null).count())
                .sum();
    }

    /** A gzip file that ends early or is damaged, as an error naming the file; other read failures as they are. */
    private static IOException brokenGzip(Path file, IOException e) {
        String broken = StrictGzipInputStream.brokenFileMessage(file, e);
        if (broken != null) {
            throw new ConsentFileException(broken + "; nothing of it is used");
        }
        return e;
    }

    private static ConsentFileException error(Path file, long line, String why) {
        return new ConsentFileException(file + ":" + line + ": " + why);
    }
}
