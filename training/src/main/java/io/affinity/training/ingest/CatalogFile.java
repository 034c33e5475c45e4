package io.affinity.training.ingest;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.recommender.Ids;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * A retailer's product catalogue: CSV (or gzip CSV) with a header row, one row per item. Column names are matched
 * case-insensitively, spaces and hyphens read as underscores. Only {@code item_id} is required; the well-known
 * optional columns are
 * <ul>
 *   <li>{@code item_id} (aliases {@code sku}, {@code stock_code}, {@code stockcode}): the id the transactions
 *       use, compared after trimming and upper-casing, as transaction item ids are;</li>
 *   <li>{@code description} (alias {@code name}): full text;</li>
 *   <li>{@code category}; {@code family} (alias {@code product_family});</li>
 *   <li>{@code price} (alias {@code unit_price}) and {@code cost} (alias {@code unit_cost}): non-negative
 *       numbers with a dot as decimal separator (a comma when the {@link CsvDialect} says so);</li>
 *   <li>{@code available} (alias {@code in_stock}): {@code true/false}, {@code yes/no} or {@code 1/0};</li>
 *   <li>{@code currency}: the ISO 4217 code of the row's price and cost. With exchange rates they are converted to
 *       the reporting currency at the latest rate, each rounded to its minor unit ({@link ConvertedAmount};
 *       {@code invalid_currency}: a cell that is no code, or blank beside
 *       a price or cost; {@code no_exchange_rate}: a currency the rates lack); without, the file must hold one
 *       currency, the reporting one when there is one ({@link #checkCurrency}). Without the column prices are taken
 *       to be in the reporting currency.</li>
 * </ul>
 * Every other column is an extra attribute (e.g. {@code brand}): its name must be an ASCII letter followed by ASCII
 * letters, digits or underscores (so it can be used in a filter expression), and must not be one of the names the index
 * computes itself ({@code id}, {@code orders}, {@code customers}). An empty cell means "not given".
 *
 * <p>Every data row is used or rejected with a reason and its {@code file:line} (the header is line 1):
 * {@code wrong_field_count}, {@code missing_item_id}, {@code invalid_item_id}, {@code duplicate_item_id} (the
 * later row; the first one is kept), {@code invalid_price}, {@code invalid_cost} (not a number, negative or not
 * finite), {@code invalid_available}. A cost above the price is a warning, not a rejection: loss leaders exist;
 * such an item's margin counts as 0. A header that cannot be read fails the whole file; so does a share of
 * rejected rows above the error budget.
 */
public final class CatalogFile {
    /** Well-known columns, each under its canonical name. */
    public static final String ITEM_ID = "item_id";
    public static final String DESCRIPTION = "description";
    public static final String CATEGORY = "category";
    public static final String FAMILY = "family";
    public static final String PRICE = "price";
    public static final String COST = "cost";
    public static final String AVAILABLE = "available";
    public static final String CURRENCY = "currency";

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("item_id", ITEM_ID), Map.entry("sku", ITEM_ID), Map.entry("stock_code", ITEM_ID),
            Map.entry("stockcode", ITEM_ID), Map.entry("description", DESCRIPTION), Map.entry("name", DESCRIPTION),
            Map.entry("category", CATEGORY), Map.entry("family", FAMILY), Map.entry("product_family", FAMILY),
            Map.entry("price", PRICE), Map.entry("unit_price", PRICE), Map.entry("cost", COST),
            Map.entry("unit_cost", COST), Map.entry("available", AVAILABLE), Map.entry("in_stock", AVAILABLE),
            Map.entry("currency", CURRENCY));
    /** Fields the catalogue index fills from the transactions, or the item id under its index name. */
    static final Set<String> RESERVED = Set.of("id", "orders", "customers");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    /** Plain decimal numbers only: no hex, no NaN/Infinity, no thousands separators. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
    private static final int SAMPLES = 10;

    /** Why a row was rejected; {@link #code()} is the report's key. */
    public enum Reason {
        WRONG_FIELD_COUNT, MISSING_ITEM_ID, INVALID_ITEM_ID, DUPLICATE_ITEM_ID, INVALID_PRICE, INVALID_COST,
        INVALID_AVAILABLE, INVALID_CURRENCY, NO_EXCHANGE_RATE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The catalogue cannot be used: unreadable, a bad header, or too many rejected rows. Names file and line. */
    public static final class CatalogException extends Exception {
        private static final long serialVersionUID = 1L;

        public CatalogException(String message) {
            super(message);
        }
    }

    /**
     * One used row. Absent values: null strings, NaN numbers, null availability.
     *
     * @param line       the row's line in the file
     * @param attributes the extra attributes given (non-empty values only), by column name in file order
     */
    public record Entry(String itemId, long line, String description, String category, String family, double price,
                        double cost, Boolean available, Map<String, String> attributes) {
        public Entry {
            Ids.requireItemId(itemId);
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }

        public boolean hasPrice() {
            return !Double.isNaN(price);
        }

        public boolean hasCost() {
            return !Double.isNaN(cost);
        }
    }

    /**
     * Rows read, used and rejected (by reason, with the first few {@code file:line: why}), and warnings (used
     * rows with a doubtful value, such as a cost above the price).
     */
    public record Report(String path, long rowsRead, long rowsUsed, Map<String, Long> rejected,
                         List<String> rejectedSamples, long costAbovePrice, List<String> warningSamples) {
        public Report {
            rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
            rejectedSamples = List.copyOf(rejectedSamples);
            warningSamples = List.copyOf(warningSamples);
            long sum = rejected.values().stream().mapToLong(Long::longValue).sum();
            if (rowsRead != rowsUsed + sum) {
                throw new IllegalArgumentException("rowsRead " + rowsRead + " != used " + rowsUsed + " + rejected " + sum);
            }
        }

        public long rowsRejected() {
            return rowsRead - rowsUsed;
        }

        public long rejectedCount(Reason reason) {
            return rejected.getOrDefault(reason.code(), 0L);
        }
    }

    private final Path path;
    private final Map<String, Entry> entries;
    private final List<String> attributeNames;
    private final Set<String> numericAttributes;
    private final Map<String, String> mostlyNumbers;
    private final CsvDialect dialect;
    private final Report report;
    private final Map<String, Long> currencies;
    /** Exchange rates converted the prices to the reporting currency. */
    private final boolean converted;

    private CatalogFile(Path path, Map<String, Entry> entries, List<String> attributeNames,
                        Set<String> numericAttributes, Map<String, String> mostlyNumbers, CsvDialect dialect,
                        Report report, Map<String, Long> currencies, boolean converted) {
        this.path = path;
        this.converted = converted;
        this.currencies = Collections.unmodifiableMap(new TreeMap<>(currencies));
        this.mostlyNumbers = Collections.unmodifiableMap(mostlyNumbers);
        this.dialect = dialect;
        this.entries = Collections.unmodifiableMap(entries);
        this.attributeNames = List.copyOf(attributeNames);
        this.numericAttributes = Collections.unmodifiableSet(numericAttributes);
        this.report = report;
    }

    public Path path() {
        return path;
    }

    /** Used rows by normalised item id, in file order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The extra attribute columns, in file order. */
    public List<String> attributeNames() {
        return attributeNames;
    }

    /**
     * The attribute columns whose every non-empty value is a plain decimal number (at least one) in the file's
     * dialect, read as prices are: with {@link CsvDialect#decimalComma()} {@code 0,5} is a number and {@code 0.5}
     * is not (the column is then text). Indexed as numbers, so range filters such as {@code weight_kg:[1 TO 5]}
     * work on them.
     */
    public Set<String> numericAttributes() {
        return numericAttributes;
    }

    /**
     * Attribute columns indexed as text although most of their values are numbers (a typo or a unit in a few
     * rows), each with how many values are numbers and where the first text is: a range such as
     * {@code weight_kg:[1 TO 5]} on such a column compares text ({@code "10" < "5"}), so training says so.
     */
    public Map<String, String> mostlyNumericTextAttributes() {
        return mostlyNumbers;
    }

    /**
     * The number a value of one of the {@link #numericAttributes} stands for ({@code 0,5} is 0.5 under a decimal
     * comma).
     *
     * @throws NumberFormatException for a value that is not a number in the file's dialect
     */
    public double attributeNumber(String value) {
        String v = dialect.decimal(value);
        if (v == null || !NUMBER.matcher(v).matches()) {
            throw new NumberFormatException("not a number in this catalogue's dialect: '" + abbreviate(value) + "'");
        }
        return Double.parseDouble(v);
    }

    public Report report() {
        return report;
    }

    /** Used rows per currency of the {@code currency} column, as written (before any conversion); empty without it. */
    public Map<String, Long> currencies() {
        return currencies;
    }

    /**
     * Fails when this catalogue's prices are in another currency than the exports' amounts: {@code reporting} is the
     * exports' currency ({@code --currency}, or the one their currency column holds; null when unknown, and then the
     * catalogue's prices are taken as they are). A catalogue converted by exchange rates is in it already.
     *
     * @throws CatalogException naming the file, its currency and the exports'
     */
    public void checkCurrency(String reporting) throws CatalogException {
        if (converted || reporting == null || currencies.isEmpty() || currencies.keySet().equals(Set.of(reporting))) {
            return;
        }
        throw new CatalogException(path + ": prices in " + String.join(", ", currencies.keySet()) + " while the "
                + "exports' amounts are in " + reporting + ", and no exchange rates convert them: give --currency "
                + reporting + " and " + ExchangeRates.OPTION + " FILE");
    }

    /** Whether any used row gives a cost. */
    public boolean hasCosts() {
        return entries.values().stream().anyMatch(Entry::hasCost);
    }

    /**
     * Reads and validates {@code file}.
     *
     * @param errorBudget largest share of data rows that may be rejected, in [0, 1]
     */
    public static CatalogFile read(Path file, double errorBudget) throws IOException, CatalogException {
        return read(file, errorBudget, CsvDialect.DEFAULT, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file} written in {@code encoding}; bytes not valid in it fail the file with {@code file:line}
     * rather than become U+FFFD (two ids differing in one accented letter would become one).
     */
    public static CatalogFile read(Path file, double errorBudget, Charset encoding)
            throws IOException, CatalogException {
        return read(file, errorBudget, CsvDialect.DEFAULT, encoding);
    }

    /**
     * Reads and validates {@code file} written in {@code dialect} (the transactions' one: a retailer's exports
     * come from one system); with {@link CsvDialect#decimalComma()}, prices and costs are read like
     * {@code 2,95}.
     *
     * @param errorBudget largest share of data rows that may be rejected, in [0, 1]
     */
    public static CatalogFile read(Path file, double errorBudget, CsvDialect dialect)
            throws IOException, CatalogException {
        return read(file, errorBudget, dialect, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file} in {@code dialect} and {@code encoding} (both the transactions' ones); bytes not valid in
     * the encoding fail the file with {@code file:line}.
     *
     * @param errorBudget largest share of data rows that may be rejected, in [0, 1]
     */
    public static CatalogFile read(Path file, double errorBudget, CsvDialect dialect,
                                   Charset encoding) throws IOException, CatalogException {
        return read(file, errorBudget, dialect, encoding, null, null);
    }

    /**
     * Reads {@code file} as {@link #read(Path, double, CsvDialect, Charset)} does, its prices and costs in
     * {@code currency} ({@code --currency}, null: none), converted by their row's {@code currency} column with
     * {@code rates} (null: none) at the latest rate.
     *
     * @throws CatalogException also when, without rates, the currency column holds several currencies, or one
     *                          other than {@code currency}
     */
    public static CatalogFile read(Path file, double errorBudget, CsvDialect dialect, Charset encoding,
                                   String currency, ExchangeRates rates) throws IOException, CatalogException {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(encoding, "encoding");
        if (!(errorBudget >= 0 && errorBudget <= 1)) {
            throw new IllegalArgumentException("error budget must be in [0, 1], was " + errorBudget);
        }
        Objects.requireNonNull(file, "file");
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, Long> firstLine = new HashMap<>();
        Map<String, Long> rejected = new LinkedHashMap<>();
        List<String> rejectedSamples = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long costAbovePrice = 0;
        long rows = 0;
        String[] columns = null;
        int idColumn = -1;
        int currencyColumn = -1;
        int priceColumn = -1;
        int costColumn = -1;
        Map<String, Long> currencies = new TreeMap<>();
        try (CsvRecords csv = CsvRecords.open(new StrictTextReader(open(file), encoding), dialect.delimiter(), true)) {
            for (CsvRecord r : csv) {
                long line = r.getStartingLineNumber();
                if (columns == null) {
                    columns = header(file, line, r.getFields(), dialect);
                    idColumn = List.of(columns).indexOf(ITEM_ID);
                    // without the column, prices are the reporting currency's: nothing to convert
                    currencyColumn = List.of(columns).indexOf(CURRENCY);
                    priceColumn = List.of(columns).indexOf(PRICE);
                    costColumn = List.of(columns).indexOf(COST);
                    continue;
                }
                if (ExportReader.allBlank(r)) {
                    continue; // an empty line, or a spreadsheet's row of blank cells (;;;)
                }
                rows++;
                String where = file + ":" + line;
                Object parsed = row(r, columns, idColumn, line, dialect);
                if (parsed instanceof Entry e && currencyColumn >= 0) {
                    parsed = inReportingCurrency(e, r, currencyColumn, priceColumn, costColumn, dialect, rates);
                }
                if (parsed instanceof Rejection x) {
                    if (csv.cutShort(r)) {
                        throw new CatalogException(where + ": " + CsvRecords.cutShortReason(x.why()));
                    }
                    rejected.merge(x.reason().code(), 1L, Long::sum);
                    if (rejectedSamples.size() < SAMPLES) {
                        rejectedSamples.add(where + ": " + x.why());
                    }
                    continue;
                }
                Entry e = (Entry) parsed;
                Long first = firstLine.putIfAbsent(e.itemId(), line);
                if (first != null) {
                    rejected.merge(Reason.DUPLICATE_ITEM_ID.code(), 1L, Long::sum);
                    if (rejectedSamples.size() < SAMPLES) {
                        rejectedSamples.add(where + ": duplicate item_id '" + abbreviate(e.itemId())
                                + "' (first on line " + first + ", which is kept)");
                    }
                    continue;
                }
                if (e.hasCost() && e.hasPrice() && e.cost() > e.price()) {
                    costAbovePrice++;
                    if (warnings.size() < SAMPLES) {
                        warnings.add(where + ": cost " + e.cost() + " above price " + e.price()
                                + " (used; margin counts as 0)");
                    }
                }
                entries.put(e.itemId(), e);
                String code = currencyColumn < 0 ? null : Currencies.code(r.getField(currencyColumn));
                if (code != null) {
                    currencies.merge(code, 1L, Long::sum);
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof StrictTextReader.UndecodableInputException bad) {
                throw new CatalogException(bad.describe(file));
            }
            throw brokenGzip(file, e.getCause());
        } catch (EOFException | ZipException e) { // from the gzip header, read on opening
            throw brokenGzip(file, e);
        } catch (CsvParseException e) {
            throw new CatalogException(file + ": not readable as CSV (" + e.getMessage() + ")");
        }
        if (columns == null) {
            throw new CatalogException(file + ":1: empty file, expected a header with an item_id column");
        }
        Report report = new Report(file.toString(), rows, entries.size(), rejected, rejectedSamples, costAbovePrice,
                warnings);
        if (report.rowsRejected() > Math.floor(errorBudget * rows)) {
            throw new CatalogException(String.format(Locale.ROOT,
                    "%s: %,d of %,d catalogue rows rejected, more than the error budget of %.2f%%; first: %s",
                    file, report.rowsRejected(), rows, errorBudget * 100, String.join("; ", rejectedSamples)));
        }
        String mixed = rates != null ? null : Currencies.unconvertible(currencies, Currencies.code(currency));
        if (mixed != null) {
            throw new CatalogException(file + ": prices in " + mixed + ", and no exchange rates convert them: give "
                    + "--currency CODE and " + ExchangeRates.OPTION + " FILE");
        }
        List<String> attributes = new ArrayList<>();
        for (String c : columns) {
            if (!ALIASES.containsValue(c)) {
                attributes.add(c);
            }
        }
        ColumnKinds kinds = columnKinds(file, attributes, entries.values(), dialect);
        return new CatalogFile(file, entries, attributes, kinds.numeric(), kinds.mostlyNumbers(), dialect, report,
                currencies, rates != null);
    }

    /**
     * {@code e} (read from {@code r}) with its price and cost in the reporting currency, converted from the cells as
     * written and rounded to its minor unit ({@link ExchangeRates#convert}); a {@link Rejection} for a cell that is
     * no code (or blank beside an amount), or a currency the rates lack.
     */
    private static Object inReportingCurrency(Entry e, CsvRecord r, int currencyColumn, int priceColumn,
                                              int costColumn, CsvDialect dialect, ExchangeRates rates) {
        String cell = r.getField(currencyColumn).strip();
        if (cell.isEmpty() && !e.hasPrice() && !e.hasCost()) {
            return e;
        }
        String code = Currencies.code(cell);
        if (code == null) {
            return new Rejection(Reason.INVALID_CURRENCY, cell.isEmpty() ? "currency is blank beside a price or cost"
                    : "currency " + ShownValue.quoted(cell) + " is not an ISO 4217 code");
        }
        if (rates == null || code.equals(rates.reportingCurrency())) {
            return e;
        }
        if (rates.latestRate(code) == null) {
            return new Rejection(Reason.NO_EXCHANGE_RATE, rates.noLatestRate(code));
        }
        return new Entry(e.itemId(), e.line(), e.description(), e.category(), e.family(),
                converted(e.hasPrice(), r, priceColumn, code, dialect, rates),
                converted(e.hasCost(), r, costColumn, code, dialect, rates), e.available(), e.attributes());
    }

    /** The amount in {@code column} (read already: {@code present}) at the latest rate, NaN when absent. */
    private static double converted(boolean present, CsvRecord r, int column, String code, CsvDialect dialect,
                                    ExchangeRates rates) {
        return present ? rates.convert(dialect.decimal(r.getField(column).strip()), code, LocalDate.MAX) : Double.NaN;
    }

    private record Rejection(Reason reason, String why) {
    }

    /**
     * A gzip stream that ends early or does not decompress as a {@link CatalogException} naming the file; other read
     * failures as they are. The JDK's EOFException and ZipException say neither which file nor what it means.
     */
    private static <E extends IOException> E brokenGzip(Path file, E e) throws CatalogException {
        String broken = StrictGzipInputStream.brokenFileMessage(file, e);
        if (broken != null) {
            throw new CatalogException(broken);
        }
        return e;
    }

    /** Gzip by its content, as the exports are: the name does not decide ({@link StrictGzipInputStream#openMaybeCompressed}). */
    private static InputStream open(Path file) throws IOException {
        return StrictGzipInputStream.openMaybeCompressed(Files.newInputStream(file));
    }

    /** Canonical column names: well-known ones under their canonical name, attributes as given (normalised). */
    private static String[] header(Path file, long line, List<String> fields, CsvDialect dialect)
            throws CatalogException {
        String hint = dialect.catalogueDelimiterHint(fields);
        if (!hint.isEmpty()) {
            // Otherwise the whole line is one column name, and the message would be about the name.
            throw new CatalogException(file + ":" + line + ": " + hint);
        }
        String[] out = new String[fields.size()];
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < out.length; i++) {
            String raw = fields.get(i).replace("\uFEFF", "").strip();
            String name = raw.toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
            name = ALIASES.getOrDefault(name, name);
            if (!ALIASES.containsValue(name)) {
                if (RESERVED.contains(name)) {
                    throw new CatalogException(file + ":" + line + ": column '" + abbreviate(raw) + "' is reserved "
                            + "(the index computes it); rename it");
                }
                if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                    throw new CatalogException(file + ":" + line + ": column " + (i + 1) + " '" + abbreviate(raw)
                            + "' is not a usable attribute name (an ASCII letter, then ASCII letters, digits or underscores)");
                }
            }
            if (!seen.add(name)) {
                throw new CatalogException(file + ":" + line + ": column '" + name + "' appears twice"
                        + (name.equals(raw.toLowerCase(Locale.ROOT)) ? "" : " (as '" + abbreviate(raw) + "' too)"));
            }
            out[i] = name;
        }
        if (!seen.contains(ITEM_ID)) {
            throw new CatalogException(file + ":" + line + ": no item_id column (or sku, stock_code) in header '"
                    + abbreviate(String.join(",", fields)) + "'");
        }
        return out;
    }

    /** An {@link Entry}, or a {@link Rejection}. */
    private static Object row(CsvRecord r, String[] columns, int idColumn, long line, CsvDialect dialect) {
        if (r.getFieldCount() != columns.length) {
            return new Rejection(Reason.WRONG_FIELD_COUNT, "expected " + columns.length + " fields, found "
                    + r.getFieldCount());
        }
        String itemId = Ids.normaliseItemId(r.getField(idColumn));
        if (itemId.isEmpty()) {
            return new Rejection(Reason.MISSING_ITEM_ID, "empty item_id");
        }
        if (itemId.length() > Ids.MAX_ID_LENGTH) {
            return new Rejection(Reason.INVALID_ITEM_ID, "item_id longer than " + Ids.MAX_ID_LENGTH + " characters");
        }
        String description = null;
        String category = null;
        String family = null;
        double price = Double.NaN;
        double cost = Double.NaN;
        Boolean available = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i++) {
            String v = r.getField(i).strip();
            if (i == idColumn || v.isEmpty()) {
                continue;
            }
            switch (columns[i]) {
                case DESCRIPTION -> description = v;
                case CATEGORY -> category = v;
                case FAMILY -> family = v;
                case PRICE -> {
                    price = amount(dialect.decimal(v));
                    if (Double.isNaN(price)) {
                        return new Rejection(Reason.INVALID_PRICE, "price must be a number >= 0, was '"
                                + abbreviate(v) + "'");
                    }
                }
                case COST -> {
                    cost = amount(dialect.decimal(v));
                    if (Double.isNaN(cost)) {
                        return new Rejection(Reason.INVALID_COST, "cost must be a number >= 0, was '"
                                + abbreviate(v) + "'");
                    }
                }
                case AVAILABLE -> {
                    available = bool(v);
                    if (available == null) {
                        return new Rejection(Reason.INVALID_AVAILABLE, "available must be true/false, yes/no or "
                                + "1/0, was '" + abbreviate(v) + "'");
                    }
                }
                default -> attributes.put(columns[i], v);
            }
        }
        return new Entry(itemId, line, description, category, family, price, cost, available, attributes);
    }

    /** A non-negative finite amount, or NaN (also for null: not a number in the file's dialect). */
    private static double amount(String v) {
        if (v == null || !NUMBER.matcher(v).matches()) {
            return Double.NaN;
        }
        double d = Double.parseDouble(v);
        return d >= 0 && d < Double.POSITIVE_INFINITY ? d : Double.NaN;
    }

    private static Boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "y", "1" -> Boolean.TRUE;
            case "false", "no", "n", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Which attribute columns are numbers, and which are text only because of a few values. */
    private record ColumnKinds(Set<String> numeric, Map<String, String> mostlyNumbers) {
    }

    private static ColumnKinds columnKinds(Path file, List<String> attributes, Iterable<Entry> entries,
                                           CsvDialect dialect) {
        Map<String, long[]> counts = new TreeMap<>(); // values, numbers
        Map<String, String> firstText = new TreeMap<>();
        for (Entry e : entries) {
            for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                String v = dialect.decimal(a.getValue());
                boolean isNumber = v != null && NUMBER.matcher(v).matches() && Double.isFinite(Double.parseDouble(v));
                long[] c = counts.computeIfAbsent(a.getKey(), k -> new long[2]);
                c[0]++;
                if (isNumber) {
                    c[1]++;
                } else {
                    firstText.putIfAbsent(a.getKey(), file + ":" + e.line() + " (" + ShownValue.quoted(a.getValue())
                            + ")");
                }
            }
        }
        Set<String> numeric = new LinkedHashSet<>();
        Map<String, String> mostlyNumbers = new LinkedHashMap<>();
        for (String a : attributes) {
            long[] c = counts.get(a);
            if (c == null) {
                continue;
            }
            if (c[1] == c[0]) {
                numeric.add(a);
            } else if (2 * c[1] > c[0]) {
                // Most likely a typo or a unit written into a number column: ranges on it now compare text.
                mostlyNumbers.put(a, String.format(Locale.ROOT, "%,d of %,d values are numbers, first text at %s",
                        c[1], c[0], firstText.get(a)));
            }
        }
        return new ColumnKinds(numeric, mostlyNumbers);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
