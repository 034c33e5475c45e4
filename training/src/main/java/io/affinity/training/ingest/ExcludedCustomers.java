package io.affinity.training.ingest;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.Ids;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * The customers whose data a training run must not use ({@code --exclude-customers}): those who asked to be erased,
 * or objected to profiling, while the retailer's order exports (kept for its accounts) still hold their orders. A
 * CSV file (comma-separated, UTF-8) whose header has a {@code customer_id} column, one customer per row; other
 * columns (a request date, a ticket number) are ignored. Ids are normalised as the exports' are
 * ({@link Ids#normaliseCustomerId}: {@code 17850.0} is customer {@code 17850}), so a spreadsheet's rendering still
 * excludes the customer. Reading is strict, as for the consent list: a row that names no valid id fails the file
 * with {@code file:line}, since a customer silently left in would be profiled against their wish. A gzip-compressed
 * list is read as such, whatever its name ({@link StrictGzipInputStream#openMaybeCompressed}); the SHA-256 is the
 * file's, as stored.
 *
 * @param file   where the list was read
 * @param ids    the normalised ids (personal data: {@link #toString()} shows their number only)
 * @param bytes  the file's size
 * @param sha256 the file's SHA-256, recorded in the manifest so that which list a model honoured can be shown
 */
public record ExcludedCustomers(Path file, Set<String> ids, long bytes, String sha256) {
    /** The column naming the customer. */
    public static final String COLUMN = "customer_id";

    public ExcludedCustomers {
        ids = Set.copyOf(ids);
    }

    /** Thrown for an unreadable or invalid list; the message names the file and line, never an id. */
    public static final class InvalidListException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidListException(String message) {
            super(message);
        }
    }

    public static ExcludedCustomers read(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        Set<String> ids = new HashSet<>();
        try (CsvRecords csv = CsvRecords.open(StrictTextReader.only(StrictGzipInputStream.openMaybeCompressed(
                new DigestInputStream(Files.newInputStream(file), sha)), StandardCharsets.UTF_8))) {
            int column = -1;
            int fields = 0;
            for (CsvRecord r : csv) {
                long line = r.getStartingLineNumber();
                if (column < 0) {
                    List<String> header = r.getFields().stream()
                            .map(h -> h.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT)).toList();
                    column = header.indexOf(COLUMN);
                    if (column < 0) {
                        throw error(file, line, "the header needs a column '" + COLUMN + "' (one customer per row)");
                    }
                    fields = header.size();
                    continue;
                }
                if (r.getFieldCount() != fields) {
                    throw error(file, line, csv.explain(r, "expected " + fields + " fields, found "
                            + r.getFieldCount()));
                }
                String id = Ids.normaliseCustomerId(r.getField(column));
                try {
                    Ids.requireCustomerId(id);
                } catch (IllegalArgumentException e) {
                    throw error(file, line, csv.explain(r, "invalid " + COLUMN + " (" + e.getMessage() + ")"));
                }
                ids.add(id);
            }
            if (column < 0) {
                throw error(file, 1, "empty file, expected a header with a column '" + COLUMN + "'");
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof StrictTextReader.UndecodableInputException bad) {
                throw new InvalidListException(bad.describe(file));
            }
            throw brokenGzip(file, e.getCause());
        } catch (EOFException | ZipException e) { // from the gzip header, read on opening
            throw brokenGzip(file, e);
        } catch (CsvParseException e) {
            throw new InvalidListException(file + ": not readable as CSV (" + e.getMessage() + ")");
        }
        return new ExcludedCustomers(file, ids, Files.size(file), HexFormat.of().formatHex(sha.digest()));
    }

    /** The entries of {@code byCustomer} (a consent list) whose customer is not excluded, in their order. */
    public <V> Map<String, V> leaveOut(Map<String, V> byCustomer) {
        Map<String, V> kept = new LinkedHashMap<>(byCustomer);
        kept.keySet().removeAll(ids);
        return kept;
    }

    /** What the manifest records: the list, never an id, and what it left out. */
    public Map<String, Object> manifestSection(long rowsExcluded, long consentCustomersDropped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toAbsolutePath().toString());
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        m.put("customers", ids.size());
        m.put("rowsExcluded", rowsExcluded);
        m.put("consentCustomersDropped", consentCustomersDropped);
        return m;
    }

    @Override
    public String toString() {
        return "ExcludedCustomers[file=" + file + ", " + ids.size() + " customers, sha256=" + sha256 + "]";
    }

    /** A gzip file that ends early or is damaged, as an error naming the file; other read failures as they are. */
    private static IOException brokenGzip(Path file, IOException e) {
        String broken = StrictGzipInputStream.brokenFileMessage(file, e);
        if (broken != null) {
            throw new InvalidListException(broken + "; nothing of it is used");
        }
        return e;
    }

    private static InvalidListException error(Path file, long line, String why) {
        return new InvalidListException(file + ":" + line + ": " + why);
    }
}
