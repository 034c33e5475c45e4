package io.affinity.training.mining;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.training.ingest.CsvRecords;
import io.affinity.training.ingest.StrictGzipInputStream;
import io.affinity.training.ingest.StrictTextReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the "basket" format of R's arules ({@code read.transactions(format = "basket", sep = ",")}) and of most
 * point-of-sale extracts: one transaction per line, item labels separated by commas, a label holding a comma or a
 * quote written in double quotes (RFC 4180), on its line (a quoted line break, which would merge baskets, is an
 * error). Labels are trimmed; an item named twice in one basket counts once. A
 * blank line is an empty transaction, as in the FIMI reader: supports are fractions of all lines. Items are numbered
 * in order of first appearance, and {@link Labelled#labels} maps the numbers back. Gzip is detected from the magic
 * bytes; text must be valid in the given encoding (no byte silently replaced: two labels would become one).
 */
public final class BasketReader {
    private BasketReader() {
    }

    /** The transactions over item numbers, and each number's label. */
    public record Labelled(TransactionDatabase transactions, List<String> labels) {
        public Labelled {
            Objects.requireNonNull(transactions, "transactions");
            labels = List.copyOf(labels);
            if (labels.size() != transactions.itemBound()) {
                throw new IllegalArgumentException(labels.size() + " labels for " + transactions.itemBound()
                        + " item numbers");
            }
        }
    }

    /**
     * @param encodingOption the command-line option that sets the encoding, named in the hint of a byte that does
     *                       not decode
     * @throws FimiFormatException naming the file and line of an empty label or of text that is not CSV
     */
    public static Labelled read(Path file, Charset encoding, String encodingOption) throws IOException {
        Map<String, Integer> numbers = new HashMap<>();
        List<String> labels = new ArrayList<>();
        TransactionDatabase.Builder builder = TransactionDatabase.builder();
        int[] basket = new int[64];
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            InputStream in = StrictGzipInputStream.ifGzip(raw);
            // an empty line is an empty basket, not skipped
            try (CsvRecords csv = CsvRecords.open(new StrictTextReader(in, encoding, encodingOption), ',', false)) {
                for (CsvRecord r : csv) {
                    int n = 0;
                    boolean blank = r.getFieldCount() == 1 && r.getField(0).isBlank();
                    for (int f = 0; f < r.getFieldCount() && !blank; f++) {
                        String label = r.getField(f).strip();
                        if (label.isEmpty()) {
                            throw new FimiFormatException(file, r.getStartingLineNumber(), csv.explain(r, "item "
                                    + (f + 1) + " of the basket is empty (two commas in a row, or one at the end of "
                                    + "the line)"));
                        }
                        int lines = linesSpanned(r.getField(f)); // before trimming: "b<CR><LF>" spans lines too
                        if (lines > 1) {
                            // Quoted, a line break is CSV, but here it would merge baskets: most likely a quote
                            // left open, which swallows every line up to the next quote.
                            throw new FimiFormatException(file, r.getStartingLineNumber(), "item " + (f + 1)
                                    + " of the basket spans " + lines + " lines: a double quote opened here closes "
                                    + "on a later line (one basket per line; a label holds no line break)");
                        }
                        Integer number = numbers.get(label);
                        if (number == null) {
                            number = labels.size();
                            numbers.put(label, number);
                            labels.add(label);
                        }
                        if (n == basket.length) {
                            basket = Arrays.copyOf(basket, n * 2);
                        }
                        basket[n++] = number;
                    }
                    builder.add(basket, 0, n);
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof StrictTextReader.UndecodableInputException bad) {
                throw new FimiFormatException(file, bad.line(), bad.reason());
            }
            throw e.getCause();
        } catch (CsvParseException e) {
            throw new IOException(file + ": not readable as comma-separated baskets (" + e.getMessage() + ")", e);
        }
        return new Labelled(builder.build(), labels);
    }

    /** Lines of text the label covers: 1 plus its line breaks (LF, CR LF or a CR alone). */
    private static int linesSpanned(String label) {
        int lines = 1;
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == label.length() || label.charAt(i + 1) != '\n')) {
                lines++;
            }
        }
        return lines;
    }
}
