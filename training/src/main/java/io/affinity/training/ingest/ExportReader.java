package io.affinity.training.ingest;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.Ids;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipException;

/**
 * Reads one transaction export into {@link ScannedRow}s: decoding, CSV structure, the header and its
 * {@link ColumnMapping}, and every check that needs only the row. {@link TransactionLoader} documents the
 * format and the rules; this class is shared by it and the Spark ingestion, which reads each file in one task.
 */
public final class ExportReader {

    /**
     * What exports write for "no customer" (a guest checkout): SQL's {@code NULL}, Python's {@code None} and
     * {@code NaN}, spreadsheets' {@code N/A} and {@code #N/A}. As ids they would make one pseudo-customer with
     * every guest's orders; they are read as blank (anonymous).
     */
    /**
     * Bounds no order line of any retailer reaches (a billion units; a unit price of a trillion, in any currency):
     * a larger number is an id or a barcode in the wrong column, and read as an amount it made its customer the most
     * valuable one, or overflowed a customer's spend to infinity and stopped training after mining without naming
     * the row. UCI's largest line is 80,995 units.
     */
    static final double MAX_QUANTITY = 1e9;
    static final double MAX_PRICE = 1e12;

    private static final Set<String> CUSTOMER_PLACEHOLDERS = Set.of("null", "none", "nan", "n/a", "#n/a");

    /** Receives one file's mapping and rows, in file order. */
    public interface Rows {
        /** Called once, after the header and before any row: the mapping the file is read with. */
        default void header(ColumnMapping mapping) throws IngestException {
        }

        void row(ScannedRow row);
    }

    private ExportReader() {
    }

    /**
     * The time line of one load's files: order sequence numbers or timestamps, never both, since the two cannot be
     * placed on one time line. Files are added in load order, each once its mapping is known.
     */
    public static final class TimeLine {
        private Boolean sequence;

        /** @throws IngestException when {@code mapping} orders its file otherwise than the earlier files */
        public void add(String label, ColumnMapping mapping) throws IngestException {
            if (sequence == null) {
                sequence = mapping.sequenceOrdered();
            } else if (sequence != mapping.sequenceOrdered()) {
                throw new IngestException(label + ": mapping '" + mapping.name() + "' "
                        + (mapping.sequenceOrdered() ? "orders by sequence number while earlier files have "
                        + "timestamps" : "has timestamps while earlier files only have an order sequence")
                        + "; the two cannot be placed on one time line, load them separately");
            }
        }

        /** True when the files added order by sequence number. */
        public boolean sequenceOnly() {
            return Boolean.TRUE.equals(sequence);
        }
    }

    /**
     * Reads one file, calling {@code rows} per data row; closes {@code raw}. Gzip is detected by its magic bytes,
     * whatever the file's name, and a damaged gzip header is reported like a truncated stream.
     *
     * @param label the file's name in messages and samples
     * @return the number of data rows read
     * @throws IngestException when the file is empty, its header fits no mapping or lacks a column, its CSV
     *                         structure is broken, it does not decode, or it ends early; nothing of it is usable
     */
    public static long read(InputStream raw, String label, IngestOptions options, Charset encoding, Rows rows)
            throws IOException, IngestException {
        try (Scan scan = scan(raw, label, options, encoding)) {
            rows.header(scan.mapping());
            for (ScannedRow row = scan.next(); row != null; row = scan.next()) {
                rows.row(row);
            }
            return scan.rowsRead();
        }
    }

    /**
     * Reads only the file's header and returns the mapping its rows would be read with, failing as {@link #read}
     * fails on a bad header; closes {@code raw}. Lets a distributed load refuse a bad file before it starts.
     */
    public static ColumnMapping mapping(InputStream raw, String label, IngestOptions options, Charset encoding)
            throws IOException, IngestException {
        try (Scan scan = scan(raw, label, options, encoding)) {
            return scan.mapping();
        }
    }

    /**
     * Opens a file for reading row by row (what a Spark task needs: a file's rows streamed, not held); reads the
     * header at once. Close it; it closes {@code raw}, also when this throws.
     */
    public static Scan scan(InputStream raw, String label, IngestOptions options, Charset encoding)
            throws IOException, IngestException {
        Scan scan = new Scan(raw, label);
        try {
            scan.start(options, encoding);
            return scan;
        } catch (IOException | IngestException | RuntimeException e) {
            scan.close();
            throw e;
        }
    }

    /** One file being read: its mapping, then its rows one at a time. */
    public static final class Scan implements Closeable {
        private final InputStream raw;
        private final String label;
        private CsvRecords csv;
        private Iterator<CsvRecord> it;
        private ColumnMapping mapping;
        private RowChecks checks;
        private long rowsRead;

        private Scan(InputStream raw, String label) {
            this.raw = raw;
            this.label = label;
        }

        private void start(IngestOptions options, Charset encoding) throws IOException, IngestException {
            try {
                csv = CsvRecords.open(new StrictTextReader(StrictGzipInputStream.openMaybeCompressed(raw), encoding),
                        options.dialect().delimiter(), true);
                it = csv.iterator();
                if (!it.hasNext()) {
                    throw new IngestException(label + ": empty file, expected a header line");
                }
                CsvRecord headerRecord = it.next();
                List<String> header = new ArrayList<>(headerRecord.getFields());
                ColumnMapping m = options.mapping();
                if (m == null) {
                    try {
                        m = ColumnMapping.detect(header);
                    } catch (IllegalArgumentException e) {
                        String hint = options.dialect().delimiterHint(header);
                        throw new IngestException(label + ": " + (hint.isEmpty() ? "" : hint + "; ")
                                + e.getMessage(), null, e);
                    }
                }
                Columns cols = new Columns(label + ":" + headerRecord.getStartingLineNumber(), header, m,
                        options.dialect());
                ExchangeRates rates = options.exchangeRates();
                if (rates != null && cols.currency < 0) {
                    throw new IngestException(label + ": " + ExchangeRates.OPTION + " converts each row by its "
                            + "currency, and the header has no currency column"
                            + (m.currency() == null ? "" : " ('" + m.currency() + "' for mapping '" + m.name() + "')")
                            + "; name it (--columns ...,currency=HEADER) or leave " + ExchangeRates.OPTION + " out");
                }
                if (rates != null && rates.dated() && m.sequenceOrdered()) {
                    throw new IngestException(label + ": " + ExchangeRates.OPTION + " " + rates.fileName() + " dates "
                            + "its rates, and mapping '" + m.name() + "' reads an order sequence, which has no dates: "
                            + "give one rate per currency (currency,rate)");
                }
                if (m.sequenceOrdered() && options.timeZone() != null) {
                    throw new IngestException(label + ": --time-zone converts timestamps, and mapping '" + m.name()
                            + "' reads an order sequence, which has no time of day: leave --time-zone out");
                }
                mapping = m;
                checks = new RowChecks(cols, m, options);
            } catch (CsvParseException | UncheckedIOException | EOFException | ZipException e) {
                throw translated(e);
            }
        }

        public ColumnMapping mapping() {
            return mapping;
        }

        /** Data rows read so far. */
        public long rowsRead() {
            return rowsRead;
        }

        /** The next data row, or null at the end of the file. */
        public ScannedRow next() throws IngestException {
            try {
                CsvRecord rec;
                do {
                    if (!it.hasNext()) {
                        return null;
                    }
                    rec = it.next();
                } while (allBlank(rec));
                rowsRead++;
                ScannedRow row = checks.scan(rec);
                if (row.malformed() != null && csv.cutShort(rec)) {
                    throw new IngestException(label + ":" + row.line() + ": " + CsvRecords.cutShortReason(
                            row.detail() == null ? row.malformed().code() : row.detail()) + "; nothing loaded");
                }
                return row;
            } catch (CsvParseException | UncheckedIOException e) {
                throw translated(e);
            }
        }

        private IngestException translated(Exception e) {
            if (e instanceof CsvParseException) {
                return new IngestException(label + ": broken CSV structure after " + rowsRead
                        + " data rows, nothing loaded: " + e.getMessage(), null, e);
            }
            // The CSV reader wraps read failures unchecked; a gzip stream ending early is an EOFException
            // without a message, which alone would print as "null".
            Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof StrictTextReader.UndecodableInputException bad) {
                return new IngestException(bad.describe(label) + "; nothing loaded", null, e);
            }
            String what = cause instanceof StrictGzipInputStream.TrailingDataException trailing
                    ? trailing.getMessage()
                    : cause instanceof EOFException || cause instanceof ZipException
                    ? "unexpected end of gzip stream (file truncated?)"
                    : "read failed (" + cause + ")";
            return new IngestException(label + ": " + what + " after " + rowsRead + " data rows, nothing "
                    + "loaded", null, e);
        }

        @Override
        public void close() throws IOException {
            if (csv != null) {
                csv.close();
            } else {
                raw.close();
            }
        }
    }

    /** The checks of one file's rows that need only the row. */
    private static final class RowChecks {
        private final Columns c;
        private final ColumnMapping mapping;
        private final IngestOptions options;
        private final ColumnMapping.TimestampParser timestamps;

        RowChecks(Columns c, ColumnMapping mapping, IngestOptions options) {
            this.c = c;
            this.mapping = mapping;
            this.options = options;
            this.timestamps = mapping.timestampParser(options.timeZone());
        }

        ScannedRow scan(CsvRecord rec) {
            long line = rec.getStartingLineNumber();
            if (rec.getFieldCount() != c.width) {
                return malformed(line, RejectReason.MALFORMED_COLUMN_COUNT,
                        "expected " + c.width + " fields, found " + rec.getFieldCount(), "");
            }
            String invoice = Ids.stripBlanks(rec.getField(c.order));
            String rawItem = rec.getField(c.item);
            String rawQty = rec.getField(c.quantity).strip();
            String rawPrice = rec.getField(c.price).strip();
            String rawTime = rec.getField(c.timestamp).strip();
            String blank = invoice.isEmpty() ? mapping.order()
                    : Ids.stripBlanks(rawItem).isEmpty() ? mapping.item()
                    : rawQty.isEmpty() ? mapping.quantity()
                    : rawPrice.isEmpty() ? mapping.unitPrice()
                    : rawTime.isEmpty() ? mapping.timestamp() : null;
            if (blank != null) {
                return malformed(line, RejectReason.MALFORMED_BLANK_FIELD, blank + " is blank", invoice);
            }
            double qty = parseNumber(options.dialect().decimal(rawQty));
            if (Double.isNaN(qty)) {
                return malformed(line, RejectReason.MALFORMED_QUANTITY, mapping.quantity() + " " + shown(rawQty),
                        invoice);
            }
            double price = parseNumber(options.dialect().decimal(rawPrice));
            if (Double.isNaN(price)) {
                return malformed(line, RejectReason.MALFORMED_PRICE, mapping.unitPrice() + " " + shown(rawPrice),
                        invoice);
            }
            if (Math.abs(qty) > MAX_QUANTITY) {
                return malformed(line, RejectReason.MALFORMED_QUANTITY, mapping.quantity() + " " + shown(rawQty)
                        + " out of range (at most 1,000,000,000 either way): an id or a barcode in the quantity "
                        + "column?", invoice);
            }
            if (Math.abs(price) > MAX_PRICE) {
                return malformed(line, RejectReason.MALFORMED_PRICE, mapping.unitPrice() + " " + shown(rawPrice)
                        + " out of range (at most 1,000,000,000,000 either way): an id or a barcode in the price "
                        + "column?", invoice);
            }
            LocalDateTime time = timestamps.parse(rawTime);
            if (time == null) {
                return malformed(line, mapping.sequenceOrdered() ? RejectReason.MALFORMED_SEQUENCE
                        : RejectReason.MALFORMED_TIMESTAMP, mapping.timestamp() + " " + shown(rawTime), invoice);
            }
            String currency = null;
            if (c.currency >= 0) {
                String rawCurrency = rec.getField(c.currency).strip();
                currency = Currencies.code(rawCurrency);
                if (currency == null) {
                    return malformed(line, RejectReason.MALFORMED_CURRENCY, mapping.currency() + " "
                            + (rawCurrency.isEmpty() ? "is blank" : shown(rawCurrency) + " is not an ISO 4217 code")
                            + ": the row's amounts cannot be placed", invoice);
                }
            }
            ExchangeRates rates = options.exchangeRates();
            if (currency != null && rates != null && !currency.equals(rates.reportingCurrency())) {
                // the reporting currency's own rows keep their amounts exactly; the others are converted from the
                // price as written, rounded to the reporting currency's minor unit (ConvertedAmount)
                price = rates.convert(options.dialect().decimal(rawPrice), currency, time.toLocalDate());
                if (Double.isNaN(price)) {
                    return malformed(line, RejectReason.NO_EXCHANGE_RATE, rates.noRate(currency, time.toLocalDate()),
                            invoice, currency);
                }
            }
            String itemId = TransactionLoader.normaliseItemId(rawItem);
            String rawCustomer = Ids.stripBlanks(rec.getField(c.customer));
            String customer = rawCustomer.isEmpty() || isPlaceholder(rawCustomer) ? null
                    : Ids.normaliseCustomerId(rawCustomer);
            // A shop system's id for guest checkouts is a placeholder too: one "customer" of every guest's orders
            // would be the most valuable customer and the neighbour of everyone.
            boolean placeholder = isPlaceholder(rawCustomer) || options.isGuestCustomer(customer);
            customer = placeholder ? null : customer;
            // the id itself is not shown: a customer id is personal data, and a 200-character id helps nobody
            if (itemId.length() > Ids.MAX_ID_LENGTH) {
                return malformed(line, RejectReason.MALFORMED_ID_TOO_LONG, mapping.item() + " of "
                        + itemId.length() + " characters, at most " + Ids.MAX_ID_LENGTH, invoice);
            }
            if (customer != null && customer.length() > Ids.MAX_ID_LENGTH) {
                return malformed(line, RejectReason.MALFORMED_ID_TOO_LONG, mapping.customer() + " of "
                        + customer.length() + " characters, at most " + Ids.MAX_ID_LENGTH, invoice);
            }
            RejectReason later = options.isExcludedCustomer(customer) ? RejectReason.EXCLUDED_CUSTOMER
                    : qty < 0 || startsWith(invoice, mapping.cancellationPrefix())
                    ? RejectReason.CANCELLATION
                    : startsWith(invoice, mapping.adjustmentPrefix()) ? RejectReason.ADJUSTMENT
                    : qty == 0 ? RejectReason.ZERO_QUANTITY
                    : price <= 0 ? RejectReason.NON_POSITIVE_PRICE
                    : options.isNonProduct(itemId) ? RejectReason.NON_PRODUCT_CODE : null;
            return new ScannedRow(line, null, null, invoice, itemId, customer, placeholder, qty, price,
                    time.toEpochSecond(ZoneOffset.UTC), timestamps.lastHadOffset(),
                    c.country < 0 ? "" : rec.getField(c.country).strip(),
                    cell(rec, c.description), cell(rec, c.category), hash(rec), later, mapping.order(), currency);
        }

        private ScannedRow malformed(long line, RejectReason reason, String detail, String invoice) {
            return malformed(line, reason, detail, invoice, null);
        }

        /** @param currency the row's currency when it was read (a row without a rate), else null */
        private ScannedRow malformed(long line, RejectReason reason, String detail, String invoice, String currency) {
            return new ScannedRow(line, reason, detail, invoice, null, null, false, Double.NaN, Double.NaN, 0, false,
                    "", null, null, 0, null, mapping.order(), currency);
        }

        private static String cell(CsvRecord rec, int column) {
            if (column < 0) {
                return null;
            }
            String v = rec.getField(column).strip();
            return v.isEmpty() ? null : v;
        }
    }

    /** Column positions of one file. */
    private static final class Columns {
        final int width;
        final int customer;
        final int order;
        final int timestamp;
        final int item;
        final int quantity;
        final int price;
        final int description;
        final int category;
        final int country;
        final int currency;

        /** @param where the file and line of its header, for messages */
        Columns(String where, List<String> header, ColumnMapping m, CsvDialect dialect) throws IngestException {
            width = header.size();
            customer = required(where, header, m.customer(), "customer", m, dialect);
            order = required(where, header, m.order(), "order", m, dialect);
            timestamp = required(where, header, m.timestamp(), m.sequenceOrdered() ? "sequence" : "timestamp", m,
                    dialect);
            item = required(where, header, m.item(), "item", m, dialect);
            quantity = required(where, header, m.quantity(), "quantity", m, dialect);
            price = required(where, header, m.unitPrice(), "price", m, dialect);
            // Optional columns: a preset (the generic layout) allows leaving them out. A mapping of the retailer's
            // own names (--columns) names them on purpose, so a misspelt one must fail like a required one rather
            // than train without descriptions or categories.
            boolean named = !m.isPreset();
            description = optional(where, header, m.description(), "description", named, m, dialect);
            category = optional(where, header, m.category(), "category", named, m, dialect);
            country = optional(where, header, m.country(), "country", named, m, dialect);
            currency = optional(where, header, m.currency(), "currency", named, m, dialect);
        }

        private static int required(String where, List<String> header, String column, String role, ColumnMapping m,
                                    CsvDialect dialect) throws IngestException {
            return present(where, header, column, role, "required by mapping '" + m.name() + "'", dialect);
        }

        private static int optional(String where, List<String> header, String column, String role, boolean named,
                                    ColumnMapping m, CsvDialect dialect) throws IngestException {
            return named && column != null
                    ? present(where, header, column, role, "named by mapping '" + m.name() + "'", dialect)
                    : find(where, header, column, role);
        }

        private static int present(String where, List<String> header, String column, String role, String why,
                                   CsvDialect dialect) throws IngestException {
            int i = find(where, header, column, role);
            if (i < 0) {
                String hint = dialect.delimiterHint(header);
                throw new IngestException(where + ": " + (hint.isEmpty() ? "" : hint + "; ") + "column '" + column
                        + "' (role " + role + ", " + why + ") is missing from the header; headers found: "
                        + ShownValue.cells(header));
            }
            return i;
        }

        /**
         * The column's position, or -1. A used column that appears twice fails: which of the two (say gross and net
         * price) is meant cannot be guessed, and taking the first silently would train on the wrong one.
         */
        private static int find(String where, List<String> header, String column, String role)
                throws IngestException {
            if (column == null) {
                return -1;
            }
            String want = ColumnMapping.normalise(column);
            int found = -1;
            for (int i = 0; i < header.size(); i++) {
                if (ColumnMapping.normalise(header.get(i)).equals(want)) {
                    if (found >= 0) {
                        throw new IngestException(where + ": column '" + column + "' (role " + role + ") appears "
                                + "twice in the header (columns " + (found + 1) + " and " + (i + 1) + "); rename or "
                                + "remove one of them so that it is clear which one is meant");
                    }
                    found = i;
                }
            }
            return found;
        }
    }

    /**
     * True for a row of blank cells, which is an empty line, not a row: a spreadsheet saves formatted but empty rows
     * below the data as {@code ;;;;;;}, and counted as malformed they stopped an otherwise clean export at the error
     * budget.
     */
    static boolean allBlank(CsvRecord rec) {
        for (String f : rec.getFields()) {
            if (!f.isBlank()) {
                return false;
            }
        }
        return true;
    }

    static boolean isPlaceholder(String strippedCustomerId) {
        return strippedCustomerId.length() <= 4
                && CUSTOMER_PLACEHOLDERS.contains(strippedCustomerId.toLowerCase(Locale.ROOT));
    }

    /**
     * A rejected cell as quoted in samples (printed, and stored in the manifest): with the columns mapped the
     * wrong way round, a "timestamp" can be a customer's e-mail address, which is personal data.
     */
    private static String shown(String raw) {
        return raw.indexOf('@') >= 0 ? "(" + raw.length() + " characters with an '@', not shown: a customer's "
                + "e-mail address in the wrong column?)" : ShownValue.quoted(raw);
    }

    private static boolean startsWith(String s, String prefix) {
        return prefix != null && s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** A finite number, or NaN when unparsable or null. Plain decimals only: no thousands separators, no hex. */
    private static double parseNumber(String s) {
        if (s == null) {
            return Double.NaN;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
                return Double.NaN;
            }
        }
        try {
            double v = Double.parseDouble(s);
            return Double.isInfinite(v) ? Double.NaN : v;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** 64-bit FNV-1a over the fields (with their lengths, so "a,bc" and "ab,c" differ), then a final mix. */
    private static long hash(CsvRecord rec) {
        long h = 0xcbf29ce484222325L;
        for (int f = 0; f < rec.getFieldCount(); f++) {
            String s = rec.getField(f);
            for (int i = 0; i < s.length(); i++) {
                h = (h ^ s.charAt(i)) * 0x100000001b3L;
            }
            h = (h ^ (0x10000 + s.length())) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
