package io.affinity.bench;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.reader.FieldMismatchStrategy;
import de.siegmar.fastcsv.writer.CsvWriter;
import de.siegmar.fastcsv.writer.LineDelimiter;
import io.affinity.training.ingest.StrictGzipInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a retail export K times larger than a real one, for the training scale benchmark
 * ({@code benchmarks/train-scale.sh}): copy k of every row keeps its item, quantity, price, date and country, and
 * moves its customer and order into a population of their own (customer ids plus k x 100,000, order numbers plus
 * k x 1,000,000, the cancellation prefix kept; a blank customer stays anonymous). So the catalogue stays the real
 * one while customers, orders and rows grow K times, which is how a bigger retailer of the same kind differs; and
 * every defect of the raw export (cancellations, blank ids, bad rows) is repeated, so ingestion does the same work
 * per row. Rows whose field count does not match the header are copied unchanged, to be rejected as in the
 * original. Ids that are not numbers get a {@code -k} suffix.
 *
 * <pre>
 *   java -cp cli/target/affinity.jar:benchmarks/target/classes io.affinity.bench.ScaledRetailExport \
 *       K OUT_DIR INPUT.csv[.gz]...
 * </pre>
 * Writes {@code OUT_DIR/<input name>-xK.csv.gz} for each input.
 */
public final class ScaledRetailExport {
    private static final Pattern NUMBER = Pattern.compile("(\\d+)(\\.0+)?");
    private static final Pattern ORDER = Pattern.compile("([A-Za-z]?)(\\d+)");
    static final long CUSTOMER_STRIDE = 100_000;
    static final long ORDER_STRIDE = 1_000_000;

    private ScaledRetailExport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ScaledRetailExport K OUT_DIR INPUT.csv[.gz]...");
            System.exit(2);
        }
        int copies = Integer.parseInt(args[0]);
        if (copies < 1) {
            throw new IllegalArgumentException("K must be at least 1, was " + copies);
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        for (int i = 2; i < args.length; i++) {
            Path input = Path.of(args[i]);
            String name = input.getFileName().toString().replaceFirst("\\.csv(\\.gz)?$", "");
            Path target = out.resolve(name + "-x" + copies + ".csv.gz");
            long rows = scale(input, target, copies);
            System.out.printf(Locale.ROOT, "%s: %,d rows x %d -> %s%n", input, rows, copies, target);
        }
    }

    /** Writes {@code copies} rewritten copies of {@code input}'s rows after its header; returns its data rows. */
    static long scale(Path input, Path target, int copies) throws IOException {
        List<String> header;
        try (CsvReader<CsvRecord> csv = reader(input)) {
            header = csv.stream().findFirst().orElseThrow(() -> new IOException(input + " is empty")).getFields();
        }
        int customer = column(header, input, "Customer ID", "CustomerID");
        int order = column(header, input, "Invoice", "InvoiceNo");
        long rows = 0;
        try (Writer w = new BufferedWriter(new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(target), 1 << 16), StandardCharsets.UTF_8), 1 << 16);
             CsvWriter csv = CsvWriter.builder().lineDelimiter(LineDelimiter.LF).build(w)) {
            csv.writeRecord(header);
            for (int k = 0; k < copies; k++) {
                rows = 0;
                try (CsvReader<CsvRecord> in = reader(input)) {
                    boolean first = true;
                    for (CsvRecord r : in) {
                        if (first) {
                            first = false;
                            continue;
                        }
                        rows++;
                        List<String> fields = new ArrayList<>(r.getFields());
                        if (fields.size() == header.size()) {
                            fields.set(customer, shiftCustomer(fields.get(customer), k));
                            fields.set(order, shiftOrder(fields.get(order), k));
                        }
                        csv.writeRecord(fields);
                    }
                }
            }
        }
        return rows;
    }

    static String shiftCustomer(String id, int k) {
        if (k == 0 || id.isBlank()) {
            return id;
        }
        Matcher m = NUMBER.matcher(id.strip());
        return m.matches() ? Long.toString(Long.parseLong(m.group(1)) + k * CUSTOMER_STRIDE) : id + "-" + k;
    }

    static String shiftOrder(String id, int k) {
        if (k == 0) {
            return id;
        }
        Matcher m = ORDER.matcher(id.strip());
        return m.matches() ? m.group(1) + (Long.parseLong(m.group(2)) + k * ORDER_STRIDE) : id + "-" + k;
    }

    private static int column(List<String> header, Path input, String... names) throws IOException {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        throw new IOException(input + ":1: none of the columns " + String.join(", ", names) + " in " + header);
    }

    private static CsvReader<CsvRecord> reader(Path input) throws IOException {
        // gzip by its content, as train reads the same file
        Reader r = new InputStreamReader(StrictGzipInputStream.openMaybeCompressed(Files.newInputStream(input)),
                StandardCharsets.UTF_8);
        return CsvReader.builder()
                .extraFieldStrategy(FieldMismatchStrategy.IGNORE)
                .missingFieldStrategy(FieldMismatchStrategy.IGNORE)
                .ofCsvRecord(new BufferedReader(r, 1 << 16));
    }
}
