package io.affinity.training.ingest;

import io.affinity.recommender.Ids;
import java.io.Serializable;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link TransactionLoader} reads and cleans exports. Start from {@link #defaults()} and change what
 * differs with the {@code with*} methods.
 *
 * @param mapping            the column mapping for every file, or null to detect it from each file's header
 *                           (the default: the two UCI files have different headers and are loaded together)
 * @param nonProductCodes    stock codes that are not products (postage, fees, discounts, manual entries,
 *                           samples, tests...), compared after normalisation (trimmed, upper case). Default
 *                           {@link #DEFAULT_NON_PRODUCT_CODES}. They would otherwise become the "most popular
 *                           items" and the strongest association rules (POST is in 2,000+ invoices).
 * @param nonProductPrefixes prefixes of such codes, normalised like the codes; default
 *                           {@link #DEFAULT_NON_PRODUCT_PREFIXES} (gift vouchers {@code gift_0001_10}, ...)
 * @param errorBudget        fraction of rows read that may be malformed before loading fails; default 0.01.
 *                           A few broken lines in a million-row export are normal, a broken export is not,
 *                           and training on it must stop rather than publish a half-empty model.
 * @param samplesPerReason   how many {@code file:line} samples the report keeps per rejection reason;
 *                           default 5
 * @param dialect            field delimiter and decimal separator of every file; default
 *                           {@link CsvDialect#DEFAULT} (comma-separated, decimal dot)
 * @param excludedCustomers  customers whose rows are not used (rejected as {@link RejectReason#EXCLUDED_CUSTOMER}):
 *                           those who asked to be erased or objected to profiling, while the retailer's order
 *                           exports still hold their orders; normalised as the exports' ids. Default none. Never
 *                           shown by {@link #toString()} (personal data).
 * @param guestCustomers     customer ids a shop system writes for guest checkouts ({@code 0}, a "one-time customer"
 *                           account): their rows are read as if the customer cell were blank (anonymous baskets,
 *                           counted with the placeholders), not as one huge customer; normalised as the exports'
 *                           ids. Default none.
 * @param timeZone           the shop's time zone ({@code --time-zone}), or null: a timestamp written with a UTC offset
 *                           or zone ({@code 2011-05-06T22:30:00Z}) is converted to this zone's local time, since days
 *                           (purchase days, recency, the time split) are the shop's; without one the offset is
 *                           dropped and the clock time as written is kept. Timestamps without an offset are the
 *                           shop's local time either way. Default none.
 * @param currency           the reporting currency ({@code --currency}), an ISO 4217 code, or null: every amount of
 *                           the model is in it. Without exchange rates the exports must hold no other currency.
 *                           Default none (amounts as the exports give them, which must then be in one currency).
 * @param exchangeRates      the {@code --exchange-rates} file, which converts each row's price by its currency
 *                           column to {@code currency} (the rate of the row's day), or null. Default none.
 */
public record IngestOptions(ColumnMapping mapping, Set<String> nonProductCodes, Set<String> nonProductPrefixes,
                            double errorBudget, int samplesPerReason, CsvDialect dialect,
                            Set<String> excludedCustomers, Set<String> guestCustomers, ZoneId timeZone,
                            String currency, ExchangeRates exchangeRates)
        implements Serializable {

    /**
     * Codes in the UCI exports that are not products, found by listing every stock code that is not five
     * digits plus an optional letter: carriage / postage (POST, DOT, C2), discount (D), manual entries (M),
     * bank charges, Amazon fees, charity commission (CRUK), free cushion pads (PADS), samples (S), bad-debt
     * adjustments (B, ADJUST, ADJUST2), test products. The DCGS... codes are real products (dog collars,
     * party bags) and stay.
     */
    public static final Set<String> DEFAULT_NON_PRODUCT_CODES = Set.of("POST", "D", "M", "DOT", "BANK CHARGES",
            "AMAZONFEE", "CRUK", "PADS", "S", "B", "C2", "TEST001", "TEST002", "ADJUST", "ADJUST2");

    /** Gift vouchers ({@code gift_0001_10} .. {@code gift_0001_80}) are money, not products. */
    public static final Set<String> DEFAULT_NON_PRODUCT_PREFIXES = Set.of("GIFT_0001_");

    public static final double DEFAULT_ERROR_BUDGET = 0.01;
    public static final int DEFAULT_SAMPLES_PER_REASON = 5;

    public IngestOptions {
        nonProductCodes = normaliseCodes(nonProductCodes, "nonProductCodes");
        nonProductPrefixes = normaliseCodes(nonProductPrefixes, "nonProductPrefixes");
        if (!(errorBudget >= 0 && errorBudget <= 1)) {
            throw new IllegalArgumentException("errorBudget must be in [0, 1], was " + errorBudget);
        }
        if (samplesPerReason < 0 || samplesPerReason > 1000) {
            throw new IllegalArgumentException("samplesPerReason must be in [0, 1000], was " + samplesPerReason);
        }
        Objects.requireNonNull(dialect, "dialect");
        excludedCustomers = normaliseIds(excludedCustomers, "excludedCustomers",
                "excludedCustomers must not contain blank ids");
        // named as users give them (train's and spark-train's --guest-customers): the one message for both
        guestCustomers = normaliseIds(guestCustomers, "guestCustomers",
                "--guest-customers lists a blank id; a blank customer cell is read as a guest already");
        currency = Currencies.reportingCurrency(currency);
        if (exchangeRates != null && !exchangeRates.reportingCurrency().equals(currency)) {
            throw new IllegalArgumentException(ExchangeRates.OPTION + " converts to " + exchangeRates.reportingCurrency()
                    + ", and --currency is " + currency);
        }
    }

    private static Set<String> normaliseIds(Set<String> given, String name, String blank) {
        Objects.requireNonNull(given, name + " (use an empty set)");
        Set<String> ids = new HashSet<>();
        for (String id : given) {
            String normalised = id == null ? "" : Ids.normaliseCustomerId(id);
            if (normalised.isEmpty()) {
                throw new IllegalArgumentException(blank);
            }
            ids.add(normalised);
        }
        return Set.copyOf(ids);
    }

    public IngestOptions(ColumnMapping mapping, Set<String> nonProductCodes, Set<String> nonProductPrefixes,
                         double errorBudget, int samplesPerReason, CsvDialect dialect) {
        this(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect, Set.of(), Set.of(),
                null, null, null);
    }

    /** Auto-detected mapping, default non-product codes, 1% error budget, 5 samples per reason. */
    public static IngestOptions defaults() {
        return new IngestOptions(null, DEFAULT_NON_PRODUCT_CODES, DEFAULT_NON_PRODUCT_PREFIXES,
                DEFAULT_ERROR_BUDGET, DEFAULT_SAMPLES_PER_REASON, CsvDialect.DEFAULT);
    }

    /**
     * The options as every command that reads exports takes them ({@code --format}, {@code --columns},
     * {@code --delimiter}, {@code --decimal-comma}, {@code --error-budget}), so the single-machine and Spark verbs
     * read the same command line the same way.
     *
     * @param errorBudget null for the default
     * @throws IllegalArgumentException naming the option, e.g. {@code --delimiter ...}
     */
    public static IngestOptions fromOptions(String format, String columns, String delimiter, boolean decimalComma,
                                            Double errorBudget) {
        return fromOptions(format, columns, null, delimiter, decimalComma, errorBudget);
    }

    /**
     * As {@link #fromOptions(String, String, String, boolean, Double)}, with {@code --timestamp-format}: the
     * export's own timestamp pattern ({@link ColumnMapping#withTimestampFormat}), null for ISO 8601. It needs
     * {@code --columns}: the presets' timestamps have their own format.
     */
    public static IngestOptions fromOptions(String format, String columns, String timestampFormat, String delimiter,
                                            boolean decimalComma, Double errorBudget) {
        if (timestampFormat != null && columns == null) {
            throw new IllegalArgumentException("--timestamp-format needs --columns: the presets' timestamps have their "
                    + "own format");
        }
        if (errorBudget != null && !(errorBudget >= 0 && errorBudget <= 1)) {
            throw new IllegalArgumentException("--error-budget must be a share in [0, 1], was " + errorBudget);
        }
        char separator;
        try {
            separator = CsvDialect.parseDelimiter(delimiter);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--delimiter " + e.getMessage(), e);
        }
        IngestOptions options = defaults().withDialect(new CsvDialect(separator, decimalComma));
        if (errorBudget != null) {
            options = options.withErrorBudget(errorBudget);
        }
        if (columns == null) {
            return options.withFormat(format);
        }
        if (!"auto".equalsIgnoreCase(format)) {
            throw new IllegalArgumentException("--columns replaces --format " + format
                    + ": give one of them (--columns names every column itself)");
        }
        ColumnMapping mapping;
        try {
            mapping = ColumnMapping.ofColumns(columns);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--columns " + e.getMessage(), e);
        }
        return options.withMapping(timestampFormat == null ? mapping : mapping.withTimestampFormat(timestampFormat));
    }

    /** Use {@code m} for every file; null means detect per file. */
    public IngestOptions withMapping(ColumnMapping m) {
        return new IngestOptions(m, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect,
                excludedCustomers, guestCustomers, timeZone, currency, exchangeRates);
    }

    /**
     * The layout as users name it: {@code auto} detects it from each file's header, any other value is a preset
     * name ({@link ColumnMapping#preset}, which rejects unknown names with the list of presets).
     */
    public IngestOptions withFormat(String format) {
        return withMapping("auto".equalsIgnoreCase(format) ? null : ColumnMapping.preset(format));
    }

    public IngestOptions withNonProductCodes(Set<String> codes, Set<String> prefixes) {
        return new IngestOptions(mapping, codes, prefixes, errorBudget, samplesPerReason, dialect, excludedCustomers,
                guestCustomers, timeZone, currency, exchangeRates);
    }

    public IngestOptions withErrorBudget(double budget) {
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, budget, samplesPerReason, dialect,
                excludedCustomers, guestCustomers, timeZone, currency, exchangeRates);
    }

    public IngestOptions withSamplesPerReason(int samples) {
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samples, dialect,
                excludedCustomers, guestCustomers, timeZone, currency, exchangeRates);
    }

    /** Read every file with this delimiter and decimal separator. */
    public IngestOptions withDialect(CsvDialect d) {
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, d,
                excludedCustomers, guestCustomers, timeZone, currency, exchangeRates);
    }

    /** Leave out every row of these customers (ids as in the exports; normalised as they are). */
    public IngestOptions withExcludedCustomers(Set<String> customers) {
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect,
                customers, guestCustomers, timeZone, currency, exchangeRates);
    }

    /** Read the rows of these customer ids as guests' (ids as in the exports; normalised as they are). */
    public IngestOptions withGuestCustomers(java.util.Collection<String> customers) {
        // as the user listed them (repeats, blanks): the constructor normalises them and refuses a blank one
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect,
                excludedCustomers, new HashSet<>(customers), timeZone, currency, exchangeRates);
    }

    /**
     * Convert timestamps written with a UTC offset to {@code zone}'s local time ({@code --time-zone}); null keeps their
     * clock time.
     */
    public IngestOptions withTimeZone(ZoneId zone) {
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect,
                excludedCustomers, guestCustomers, zone, currency, exchangeRates);
    }

    /**
     * Amounts in {@code code} ({@code --currency}, an ISO 4217 code in any case; null: none), converted to it by
     * {@code rates} ({@code --exchange-rates}, read against that currency; null: none).
     *
     * @throws IllegalArgumentException naming the option, for a code that is no currency, rates without a currency or
     *                                  rates read against another one
     */
    public IngestOptions withCurrency(String code, ExchangeRates rates) {
        if (rates != null && code == null) {
            throw new IllegalArgumentException(ExchangeRates.NEEDS_CURRENCY);
        }
        return new IngestOptions(mapping, nonProductCodes, nonProductPrefixes, errorBudget, samplesPerReason, dialect,
                excludedCustomers, guestCustomers, timeZone, code, rates);
    }

    /**
     * The zone {@code --time-zone} names: an IANA time-zone id such as {@code Europe/Berlin} (or {@code UTC}); null for
     * null.
     *
     * @throws IllegalArgumentException naming the option, for a name that is no zone, or a fixed offset: a shop's
     *                                  clock changes with daylight saving time, which an offset does not
     */
    public static ZoneId parseTimeZone(String name) {
        if (name == null) {
            return null;
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(name.strip());
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("--time-zone '" + name + "' is not a time zone; give the shop's IANA "
                    + "time-zone name, e.g. Europe/Berlin, America/New_York or UTC");
        }
        if (zone instanceof java.time.ZoneOffset && !zone.equals(java.time.ZoneOffset.UTC)) {
            throw new IllegalArgumentException("--time-zone '" + name + "' is a fixed offset, not a time zone: it "
                    + "would put summer orders an hour off; give the shop's IANA time-zone name, e.g. Europe/Berlin");
        }
        return zone;
    }

    /** True when the normalised customer id stands for guest checkouts. */
    boolean isGuestCustomer(String normalisedCustomerId) {
        return normalisedCustomerId != null && guestCustomers.contains(normalisedCustomerId);
    }

    /** True when the normalised customer id is excluded. */
    boolean isExcludedCustomer(String normalisedCustomerId) {
        return normalisedCustomerId != null && excludedCustomers.contains(normalisedCustomerId);
    }

    @Override
    public String toString() {
        return "IngestOptions[mapping=" + mapping + ", nonProductCodes=" + nonProductCodes + ", nonProductPrefixes="
                + nonProductPrefixes + ", errorBudget=" + errorBudget + ", samplesPerReason=" + samplesPerReason
                + ", dialect=" + dialect + ", excludedCustomers=" + excludedCustomers.size() + " ids, guestCustomers="
                + guestCustomers.size() + " ids, timeZone=" + timeZone + ", currency=" + currency + ", exchangeRates="
                + (exchangeRates == null ? null : exchangeRates.fileName()) + "]";
    }

    /**
     * How the exports were read, for a manifest's parameters, where it is not the defaults: the column layout when
     * given with {@code --columns} (and its timestamp pattern), the delimiter and decimal separator, and the guest
     * ids. {@code train} and {@code spark-train} record the same entries, so that either run can be repeated.
     */
    public java.util.Map<String, Object> manifestEntries() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (mapping != null && mapping.name().equals(ColumnMapping.COLUMNS)) {
            m.put("format", ColumnMapping.COLUMNS);
            m.put("columns", mapping.describe());
            if (mapping.timestampFormat() != null) {
                m.put("timestampFormat", mapping.timestampFormat());
            }
        }
        if (!dialect.equals(CsvDialect.DEFAULT)) {
            m.put("delimiter", String.valueOf(dialect.delimiter()));
            m.put("decimalComma", dialect.decimalComma());
        }
        if (!guestCustomers.isEmpty()) {
            // shop accounts by the operator's declaration, not people: recorded so that the run can be repeated
            m.put("guestCustomers", new java.util.TreeSet<>(guestCustomers));
        }
        if (timeZone != null) {
            // the days every purchase date of the model is counted in (serve's "today" too)
            m.put("timeZone", timeZone.getId());
        }
        if (currency != null) {
            // what every amount of the model (spend, value, margins, prices) is in
            m.put("currency", currency);
        }
        if (exchangeRates != null) {
            m.put("exchangeRates", exchangeRates.provenance());
        }
        return m;
    }

    /** True when the normalised item id is a non-product code. */
    boolean isNonProduct(String normalisedItemId) {
        if (nonProductCodes.contains(normalisedItemId)) {
            return true;
        }
        for (String p : nonProductPrefixes) {
            if (normalisedItemId.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> normaliseCodes(Set<String> codes, String what) {
        if (codes == null) {
            throw new IllegalArgumentException(what + " must not be null (use an empty set)");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String c : codes) {
            String code = c == null ? "" : TransactionLoader.normaliseItemId(c);
            if (code.isEmpty()) {
                throw new IllegalArgumentException(what + " must not contain blank codes");
            }
            out.add(code);
        }
        return Set.copyOf(out);
    }
}
