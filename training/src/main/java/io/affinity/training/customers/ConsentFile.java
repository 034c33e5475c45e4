package io.affinity.training.customers;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Ids;
import io.affinity.training.ingest.ShownValue;
import io.affinity.training.ingest.StrictTextReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a consent export: CSV with header {@code customer_id,channel,state}, one row per customer and channel
 * ({@code channel} email/sms/push/web, {@code state} opted_in/opted_out/pending/confirmed). Consent is a legal
 * record, so reading is strict: any malformed row, unknown value or contradictory duplicate fails the whole
 * file with {@code file:line} and the reason, rather than publish a model with a guessed consent list. A later
 * row for the same customer and channel with the same state is a harmless duplicate. Customer ids are normalised
 * as the transactions' are ({@link Ids#normaliseCustomerId}), so {@code 17850.0} and {@code 17850} are one customer.
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

    public static Map<String, Map<Consent.Channel, Consent.State>> read(Path file) throws IOException {
        return read(file, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file} written in {@code encoding}; bytes not valid in it fail the file with {@code file:line}:
     * replacing them could turn two customers' ids into one, and one's opt-out into the other's. The hint then names
     * {@code --consent-encoding}: the consent file has its own encoding, apart from the exports' (a CRM's UTF-8
     * file read as an ERP's Windows-1252 would decode without error into other ids, losing their opt-outs).
     */
    public static Map<String, Map<Consent.Channel, Consent.State>> read(Path file, Charset encoding)
            throws IOException {
        Objects.requireNonNull(encoding, "encoding");
        Map<String, Map<Consent.Channel, Consent.State>> out = new LinkedHashMap<>();
        try (Reader reader = new StrictTextReader(Files.newInputStream(file), encoding,
                "--consent-encoding");
             CsvReader<CsvRecord> csv = CsvReader.builder()
                .skipEmptyLines(true)
                .allowUnclosedQuote(false)
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE) // reported below with the line number
                .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .ofCsvRecord(reader)) {
            boolean header = true;
            for (CsvRecord r : csv) {
                long line = r.getStartingLineNumber();
                if (header) {
                    header = false;
                    String h = String.join(",", r.getFields()).toLowerCase(Locale.ROOT).replace("\uFEFF", "").trim();
                    if (!h.equals("customer_id,channel,state")) {
                        throw error(file, line, "header must be 'customer_id,channel,state', was "
                                + ShownValue.quoted(h));
                    }
                    continue;
                }
                if (r.getFieldCount() == 1 && r.getField(0).isBlank()) {
                    continue; // empty line
                }
                if (r.getFieldCount() != 3) {
                    throw error(file, line, "expected 3 fields, found " + r.getFieldCount());
                }
                // Normalised as transaction ids are (a spreadsheet's 17850.0 is customer 17850): otherwise the
                // row would name nobody, and an opt-out would be lost without a word.
                String id = Ids.normaliseCustomerId(r.getField(0));
                try {
                    Ids.requireCustomerId(id);
                } catch (IllegalArgumentException e) {
                    throw error(file, line, "invalid customer_id (" + e.getMessage() + ")");
                }
                Consent.Channel channel = Consent.Channel.parse(r.getField(1));
                if (channel == null) {
                    throw error(file, line, "channel must be email, sms, push or web, was "
                            + ShownValue.quoted(r.getField(1)));
                }
                Consent.State state = Consent.State.parse(r.getField(2));
                if (state == null) {
                    throw error(file, line, "state must be opted_in, opted_out, pending or confirmed, was "
                            + ShownValue.quoted(r.getField(2)));
                }
                Consent.State previous = out.computeIfAbsent(id, k -> new EnumMap<>(Consent.Channel.class))
                        .putIfAbsent(channel, state);
                if (previous != null && previous != state) {
                    throw error(file, line, "second, different state for the same customer and channel "
                            + channel.wireName() + " (" + previous.wireName() + " then " + state.wireName() + ")");
                }
            }
            if (header) {
                throw error(file, 1, "empty file, expected header 'customer_id,channel,state'");
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof StrictTextReader.UndecodableInputException bad) {
                throw new ConsentFileException(bad.describe(file));
            }
            throw e.getCause();
        } catch (CsvParseException e) {
            throw new ConsentFileException(file + ": not readable as CSV (" + e.getMessage() + ")");
        }
        return out;
    }

    private static ConsentFileException error(Path file, long line, String why) {
        return new ConsentFileException(file + ":" + line + ": " + why);
    }
}
