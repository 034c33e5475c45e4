package io.affinity.training.ingest;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which header column holds which field of a transaction export, and how its timestamps are written.
 * Header names are matched ignoring case and surrounding blanks, because exports from spreadsheets and
 * shop systems are inconsistent about both.
 *
 * @param name               a label for reports: the preset name, or whatever the caller chose
 * @param customer           customer id column; the column must exist, but a row may leave it blank
 *                           (an anonymous basket)
 * @param order              order / invoice number column
 * @param timestamp          order timestamp column, or (with the {@link #SEQUENCE} pattern) the order sequence
 *                           column of an export without timestamps
 * @param item               item id / stock code column
 * @param quantity           quantity column
 * @param unitPrice          unit price column
 * @param description        item description column, or null when the export has none
 * @param category           item category column, or null when the export has none
 * @param country            country column, or null when the export has none
 * @param currency           the column of each row's currency (an ISO 4217 code: EUR, GBP...), or null when the
 *                           export has none (its amounts are then in one currency, {@code --currency} or unnamed)
 * @param timestampPatterns  {@link DateTimeFormatter} patterns tried in order (strict resolution, so use
 *                           {@code uuuu} for the year); a pattern without time of day means midnight, an offset
 *                           in the text is dropped (the wall-clock time as written is kept) unless the load names
 *                           the shop's time zone ({@link IngestOptions#timeZone()}: the time is then converted to
 *                           it), and a fraction of a second is dropped. The single pattern {@value #SEQUENCE} reads the column as a
 *                           non-negative whole order sequence number instead (1, 2, 3... per customer or
 *                           overall; {@code 3.0} is 3): order n is placed at
 *                           midnight of day n after 1970-01-01, which keeps the order of purchases (all that the
 *                           last-basket split needs) but is no calendar, so time splits refuse such data
 * @param cancellationPrefix order-number prefix marking a cancellation (UCI: {@code C}), or null when the
 *                           export has no such convention. Not defaulted for generic exports: a retailer's
 *                           order ids may well start with C, and dropping them silently would be worse
 *                           than keeping a few cancellations, which also show as negative quantities.
 * @param adjustmentPrefix   order-number prefix marking an accounting adjustment (UCI: {@code A}), or null
 */
public record ColumnMapping(String name, String customer, String order, String timestamp, String item,
                            String quantity, String unitPrice, String description, String category,
                            String country, String currency, List<String> timestampPatterns,
                            String cancellationPrefix, String adjustmentPrefix) implements Serializable {

    /** Preset for the UCI "Online Retail" file (2010-12 .. 2011-12). */
    public static final String ONLINE_RETAIL = "online-retail";
    /** Preset for the UCI "Online Retail II" file (2009-12 .. 2010-12). */
    public static final String ONLINE_RETAIL_II = "online-retail-ii";
    /** Preset for Affinity's own documented export format. */
    public static final String GENERIC = "generic";
    /** Preset for the generic format with an order {@code sequence} column instead of {@code timestamp}. */
    public static final String GENERIC_SEQUENCE = "generic-sequence";
    /** The pseudo-pattern of a timestamp column that holds an order sequence number. */
    public static final String SEQUENCE = "sequence";

    private static final List<String> UCI_PATTERNS = List.of("uuuu-MM-dd HH:mm:ss");
    /**
     * Fractional seconds of 1 to 9 digits, longest first (a run of {@code S} has a fixed width when parsing). They
     * are read, then dropped with the rest of the sub-second part: order times are kept to the second.
     */
    private static final String FRACTION = "[.SSSSSSSSS][.SSSSSSSS][.SSSSSSS][.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]";
    /**
     * {@code Z}, {@code +01:00}, {@code +0100} or {@code +01}, right after the time or after one space (as
     * {@code date '+%F %T %z'}, Shopify's order export, Snowflake and SQL Server write it: {@code 10:12:00 +0100});
     * {@code UTC} and {@code GMT} are read as {@code Z} ({@link TimestampParser#zeroOffsetByName}); a region in
     * brackets after it, or instead of it, as Java's {@code ZonedDateTime} writes it
     * ({@code 2011-05-07T00:30+02:00[Europe/Berlin]}), is read too, the offset deciding the instant when both are
     * given (it tells which of the two 02:30s an autumn night has); a zone abbreviation after the offset, bare or in
     * parentheses, is a comment ({@link TimestampParser#withoutZoneComment}); RFC 1123 dates are read too
     * ({@code Sat, 07 May 2011 10:30:00 GMT}). Day-level features (recency, purchase days, the time
     * split, seasons) need the shop's local day. Without a time zone for the load the offset is dropped, keeping the
     * wall-clock time as written (right for an export that writes the shop's local time with its offset); with one
     * ({@code --time-zone}) the instant is converted to that zone's local time (needed for an export written in UTC,
     * whose late-evening orders would otherwise fall on the next day, or the previous one west of Greenwich).
     */
    private static final String OFFSET = "[ ][XXX][X]['['VV']']";
    private static final List<String> ISO_PATTERNS = List.of("uuuu-MM-dd'T'HH:mm[:ss" + FRACTION + "]" + OFFSET,
            "uuuu-MM-dd HH:mm[:ss" + FRACTION + "]" + OFFSET, "uuuu-MM-dd");

    /** Presets in detection order; the order only matters if a header satisfied two of them. */
    private static final Map<String, ColumnMapping> PRESETS = presets();

    public ColumnMapping {
        requireText(name, "name");
        requireText(customer, "customer");
        requireText(order, "order");
        requireText(timestamp, "timestamp");
        requireText(item, "item");
        requireText(quantity, "quantity");
        requireText(unitPrice, "unitPrice");
        description = optionalText(description, "description");
        category = optionalText(category, "category");
        country = optionalText(country, "country");
        currency = optionalText(currency, "currency");
        cancellationPrefix = optionalText(cancellationPrefix, "cancellationPrefix");
        adjustmentPrefix = optionalText(adjustmentPrefix, "adjustmentPrefix");
        Objects.requireNonNull(timestampPatterns, "timestampPatterns");
        if (timestampPatterns.isEmpty()) {
            throw new IllegalArgumentException("timestampPatterns must not be empty");
        }
        timestampPatterns = List.copyOf(timestampPatterns);
        if (timestampPatterns.contains(SEQUENCE) && timestampPatterns.size() > 1) {
            throw new IllegalArgumentException("the '" + SEQUENCE + "' pattern cannot be mixed with date patterns");
        }
        for (String p : timestampPatterns) {
            if (SEQUENCE.equals(p)) {
                continue;
            }
            formatter(p); // fail now, not at the first row
        }
    }

    /** A mapping without a currency column. */
    public ColumnMapping(String name, String customer, String order, String timestamp, String item, String quantity,
                         String unitPrice, String description, String category, String country,
                         List<String> timestampPatterns, String cancellationPrefix, String adjustmentPrefix) {
        this(name, customer, order, timestamp, item, quantity, unitPrice, description, category, country, null,
                timestampPatterns, cancellationPrefix, adjustmentPrefix);
    }

    /**
     * A named preset: {@value #ONLINE_RETAIL}, {@value #ONLINE_RETAIL_II}, {@value #GENERIC} or
     * {@value #GENERIC_SEQUENCE}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ColumnMapping preset(String name) {
        ColumnMapping m = name == null ? null : PRESETS.get(name.trim().toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown column mapping preset '" + name + "'; known presets: "
                    + String.join(", ", PRESETS.keySet()));
        }
        return m;
    }

    /**
     * True when this is one of the presets, whose optional columns (description, category, country, currency) may be absent
     * from a file; any other mapping names its optional columns on purpose, so the file must have them.
     */
    public boolean isPreset() {
        return equals(PRESETS.get(name));
    }

    /** Names of the presets, in detection order. */
    public static Set<String> presetNames() {
        return PRESETS.keySet();
    }

    /**
     * Picks the first preset whose required columns are all in {@code header}.
     *
     * @throws IllegalArgumentException when none matches; the message lists the presets, their columns and
     *                                  the header found
     */
    public static ColumnMapping detect(List<String> header) {
        Set<String> names = header.stream().map(ColumnMapping::normalise).collect(Collectors.toSet());
        for (ColumnMapping m : PRESETS.values()) {
            if (m.requiredColumns().stream().map(ColumnMapping::normalise).allMatch(names::contains)) {
                return m;
            }
        }
        StringBuilder sb = new StringBuilder("header matches no column mapping preset; header found: ")
                .append(ShownValue.cells(header)).append("; presets: ");
        String sep = "";
        for (ColumnMapping m : PRESETS.values()) {
            sb.append(sep).append(m.name()).append(' ').append(m.requiredColumns());
            sep = ", ";
        }
        return fail(sb.append(". Every export needs an order timestamp column or, without timestamps, an order "
                + "sequence column ('sequence' in the generic layout). Map your own column names with --columns "
                + "customer=..,order=..,timestamp=..,item=..,quantity=..,price=.. or rename the columns").toString());
    }

    /** The label of a mapping made by {@link #ofColumns}. */
    public static final String COLUMNS = "columns";

    /**
     * The roles {@link #ofColumns} takes, required ones first; {@code sequence} replaces {@code timestamp} for an
     * export with an order sequence instead of timestamps.
     */
    public static final List<String> ROLES = List.of("customer", "order", "timestamp", "sequence", "item", "quantity",
            "price", "description", "category", "country", "currency");

    /**
     * A mapping of a retailer's own header names, written {@code role=Header,role=Header,...} with the roles of
     * {@link #ROLES} (the names users pass to {@code --columns}), e.g.
     * {@code customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis}.
     * Timestamps are read as in the {@value #GENERIC} layout (ISO-8601 dates and times); with {@code sequence}
     * instead of {@code timestamp} the column is an order sequence as in {@value #GENERIC_SEQUENCE}. There is no
     * cancellation or adjustment prefix, as for the generic layouts.
     *
     * @throws IllegalArgumentException naming the unknown or repeated role, the missing required roles, or the
     *                                  header two roles share
     */
    public static ColumnMapping ofColumns(String spec) {
        if (spec == null || spec.isBlank()) {
            return fail("is empty; expected role=Header pairs separated by commas, roles: " + String.join(", ", ROLES));
        }
        Map<String, String> byRole = new LinkedHashMap<>();
        Map<String, String> roleByHeader = new LinkedHashMap<>();
        for (String pair : spec.split(",", -1)) {
            int eq = pair.indexOf('=');
            String role = eq < 0 ? pair.strip() : pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String header = eq < 0 ? "" : pair.substring(eq + 1).strip();
            if (eq < 0 || role.isEmpty() || header.isEmpty()) {
                return fail("'" + pair.strip() + "' is not role=Header (roles: " + String.join(", ", ROLES) + ")");
            }
            if (!ROLES.contains(role)) {
                return fail("unknown role '" + role + "'; roles: " + String.join(", ", ROLES));
            }
            if (byRole.put(role, header) != null) {
                return fail("role '" + role + "' is given twice");
            }
            String other = roleByHeader.put(normalise(header), role);
            if (other != null) {
                return fail("roles '" + other + "' and '" + role + "' both name the column '" + header + "'");
            }
        }
        if (byRole.containsKey("timestamp") && byRole.containsKey("sequence")) {
            return fail("gives both timestamp and sequence; an export has one of them");
        }
        boolean sequence = byRole.containsKey("sequence");
        List<String> missing = new ArrayList<>();
        for (String role : List.of("customer", "order", "timestamp", "item", "quantity", "price")) {
            if (!byRole.containsKey(role) && !(role.equals("timestamp") && sequence)) {
                missing.add(role.equals("timestamp") ? "timestamp (or sequence)" : role);
            }
        }
        if (!missing.isEmpty()) {
            return fail("misses the required role(s) " + String.join(", ", missing) + " (required: customer, order, "
                    + "timestamp or sequence, item, quantity, price)");
        }
        return new ColumnMapping(COLUMNS, byRole.get("customer"), byRole.get("order"),
                byRole.get(sequence ? "sequence" : "timestamp"), byRole.get("item"), byRole.get("quantity"),
                byRole.get("price"), byRole.get("description"), byRole.get("category"), byRole.get("country"),
                byRole.get("currency"), sequence ? List.of(SEQUENCE) : ISO_PATTERNS, null, null);
    }

    /** The mapping as {@link #ofColumns} reads it ({@code customer=Kunde,order=...}), for provenance records. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        String[] roles = {"customer", "order", sequenceOrdered() ? "sequence" : "timestamp", "item", "quantity",
                "price", "description", "category", "country", "currency"};
        String[] columns = {customer, order, timestamp, item, quantity, unitPrice, description, category, country,
                currency};
        for (int i = 0; i < roles.length; i++) {
            if (columns[i] != null) {
                sb.append(sb.length() == 0 ? "" : ",").append(roles[i]).append('=').append(columns[i]);
            }
        }
        return sb.toString();
    }

    /** The columns a file must have, in a fixed order: customer, order, timestamp, item, quantity, price. */
    public List<String> requiredColumns() {
        return List.of(customer, order, timestamp, item, quantity, unitPrice);
    }

    /**
     * This mapping reading its timestamps with the export's own {@link DateTimeFormatter} pattern, as users pass it to
     * {@code --timestamp-format} ({@code dd.MM.yyyy HH:mm}; {@code yyyy} may be written for {@code uuuu}), instead of
     * ISO 8601. The pattern is applied strictly: a row in another shape, or a day that does not exist, is
     * {@code malformed_timestamp}, so a month/day file read as day/month stops at the error budget on its first day
     * after the 12th rather than swap the two silently.
     *
     * @throws IllegalArgumentException naming {@code --timestamp-format}, for a pattern that is not one or does not
     *                                  give a date, or a mapping of an order sequence
     */
    public ColumnMapping withTimestampFormat(String pattern) {
        if (sequenceOrdered()) {
            return fail("--timestamp-format is for a timestamp column; --columns maps an order sequence");
        }
        DateTimeFormatter f;
        try {
            f = formatter(pattern);
        } catch (IllegalArgumentException e) {
            return fail("--timestamp-format '" + pattern + "' is not a date pattern (" + e.getCause().getMessage()
                    + ")");
        }
        LocalDate sample = LocalDate.of(2024, 6, 14);
        try {
            String text = f.format(sample.atTime(10, 30, 15).atZone(java.time.ZoneId.of("Europe/Berlin")));
            TemporalAccessor t = f.parseBest(text, LocalDateTime::from, LocalDate::from);
            LocalDate back = t instanceof LocalDateTime ldt ? ldt.toLocalDate() : (LocalDate) t;
            if (!back.equals(sample)) {
                throw new DateTimeParseException("another date read back", text, 0);
            }
        } catch (java.time.DateTimeException e) {
            return fail("--timestamp-format '" + pattern + "' does not give a date (year, month and day of month), "
                    + "e.g. 'dd.MM.yyyy HH:mm' or 'MM/dd/yyyy'");
        }
        return new ColumnMapping(name, customer, order, timestamp, item, quantity, unitPrice, description, category,
                country, currency, List.of(pattern), cancellationPrefix, adjustmentPrefix);
    }

    /** The single pattern given by {@link #withTimestampFormat}, or null for the layouts' own timestamps. */
    public String timestampFormat() {
        return timestampPatterns.size() == 1 && !sequenceOrdered() && !timestampPatterns.equals(UCI_PATTERNS)
                ? timestampPatterns.get(0) : null;
    }

    /** Same mapping under another label. */
    public ColumnMapping withName(String newName) {
        return new ColumnMapping(newName, customer, order, timestamp, item, quantity, unitPrice, description,
                category, country, currency, timestampPatterns, cancellationPrefix, adjustmentPrefix);
    }

    /** The header normalisation used for matching: trimmed, lower case. */
    static String normalise(String column) {
        return column.strip().toLowerCase(Locale.ROOT);
    }

    /** True when the timestamp column holds an order sequence number, not a date. */
    public boolean sequenceOrdered() {
        return timestampPatterns.equals(List.of(SEQUENCE));
    }

    /**
     * A parser trying every pattern in order; not thread-safe (it caches the last value). Timestamps with an offset
     * or zone are converted to {@code zone}'s local time, or keep their clock time when {@code zone} is null.
     */
    TimestampParser timestampParser(ZoneId zone) {
        List<DateTimeFormatter> formatters = new ArrayList<>();
        if (!sequenceOrdered()) {
            for (String p : timestampPatterns) {
                formatters.add(formatter(p));
            }
        }
        return new TimestampParser(formatters, sequenceOrdered(), timestampPatterns.equals(ISO_PATTERNS), zone);
    }

    private static DateTimeFormatter formatter(String pattern) {
        try {
            return DateTimeFormatter.ofPattern(properYear(pattern), Locale.ROOT)
                    .withResolverStyle(ResolverStyle.STRICT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid timestamp pattern '" + pattern + "': " + e.getMessage(), e);
        }
    }

    /**
     * The pattern with {@code y} (year of era) as {@code u} (year) outside quoted text: people write {@code yyyy}, and
     * under strict resolution a year of era without an era resolves no date, so every row would be malformed.
     */
    private static String properYear(String pattern) {
        StringBuilder sb = new StringBuilder(pattern.length());
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            sb.append(c == 'y' && !quoted ? 'u' : c);
        }
        return sb.toString();
    }

    /** Parses timestamps; remembers the last one because an order's rows repeat the same timestamp. */
    static final class TimestampParser {
        private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME
                .withResolverStyle(ResolverStyle.STRICT);
        /** A time, a numeric offset or Z (group 1 ends there), one space, an abbreviation or a parenthesised name. */
        private static final Pattern ZONE_COMMENT = Pattern.compile(
                "(.*\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)? ?(?:[+-]\\d{2}(?::?\\d{2})?|Z))"
                        + " (?:[A-Z][A-Za-z]{1,5}|\\([A-Za-z][A-Za-z .'-]{0,62}\\))");
        private static final LocalDateTime SEQUENCE_ORIGIN = LocalDateTime.of(1970, 1, 1, 0, 0);
        private static final long MAX_SEQUENCE = 1_000_000_000L;
        private final List<DateTimeFormatter> formatters;
        private final boolean sequence;
        /** The ISO shapes of the generic layouts, not an export's own pattern (applied as written). */
        private final boolean iso;
        private final ZoneId zone;
        private String lastText;
        private LocalDateTime lastValue;
        private boolean lastValueHadOffset;
        private boolean lastHadOffset;

        private TimestampParser(List<DateTimeFormatter> formatters, boolean sequence, boolean iso, ZoneId zone) {
            this.formatters = formatters;
            this.sequence = sequence;
            this.iso = iso;
            this.zone = zone;
        }

        /** Whether the timestamp {@link #parse} read last carried a UTC offset or a zone. */
        boolean lastHadOffset() {
            return lastHadOffset;
        }

        /** The timestamp (in the shop's local time), or null when no pattern matches. */
        LocalDateTime parse(String text) {
            if (text.equals(lastText)) {
                lastHadOffset = lastValueHadOffset;
                return lastValue;
            }
            lastHadOffset = false;
            if (sequence) {
                try {
                    long n = Long.parseLong(wholeNumber(text));
                    if (n < 0 || n > MAX_SEQUENCE) {
                        return null;
                    }
                    lastText = text;
                    lastValue = SEQUENCE_ORIGIN.plusDays(n);
                    return lastValue;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            String commentless = iso ? withoutZoneComment(text) : text;
            String shape = iso ? zeroOffsetByName(commentless) : text;
            for (DateTimeFormatter f : formatters) {
                TemporalAccessor t;
                try {
                    t = f.parse(shape);
                } catch (DateTimeParseException e) {
                    continue; // try the next pattern
                }
                LocalDateTime v = resolved(t, text);
                if (v != null) {
                    return v;
                }
            }
            return iso ? rfc1123(commentless, text) : null;
        }

        /**
         * An RFC 1123 date (HTTP's, and RFC 2822 mail's without the comment): {@code Sat, 07 May 2011 10:30:00 GMT}
         * or {@code ... +0100}, the weekday optional and checked against the date, English month names, {@code UTC}
         * read as {@code GMT}. Tried after the ISO shapes, for the generic layouts and {@code --columns} only.
         */
        private LocalDateTime rfc1123(String commentless, String text) {
            if (commentless.isEmpty() || !Character.isLetterOrDigit(commentless.charAt(0))
                    || commentless.indexOf(' ') < 0) {
                return null;
            }
            String shape = commentless.endsWith(" UTC")
                    ? commentless.substring(0, commentless.length() - 3) + "GMT" : commentless;
            try {
                return resolved(RFC_1123.parse(shape), text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        /** The parsed value in the shop's local time, remembered for {@code text}; null when it gives no date. */
        private LocalDateTime resolved(TemporalAccessor t, String text) {
            LocalDate date = t.query(TemporalQueries.localDate());
            if (date == null) {
                return null; // (a pattern gives a date: withTimestampFormat checks it)
            }
            LocalTime time = t.query(TemporalQueries.localTime());
            // the offset first: with a region as well (2011-10-30T02:30+01:00[Europe/Berlin]) it says which
            // of an autumn night's two 02:30s it was, which the region alone cannot
            ZoneId offset = t.query(TemporalQueries.offset());
            if (offset == null) {
                offset = t.query(TemporalQueries.zone());
            }
            LocalDateTime v = time == null ? date.atStartOfDay() : LocalDateTime.of(date, time);
            if (offset != null && time != null && zone != null) {
                v = v.atZone(offset).withZoneSameInstant(zone).toLocalDateTime();
            }
            lastText = text;
            lastValue = v;
            lastValueHadOffset = offset != null && time != null;
            lastHadOffset = lastValueHadOffset;
            return v;
        }

        /**
         * The text without a zone abbreviation after a numeric offset or {@code Z}, bare or in parentheses:
         * {@code 2011-05-07 10:30:00 +0100 CET}, {@code ... +0100 (CET)}, {@code Sat, 07 May 2011 10:30:00 +0100
         * (BST)}, as {@code date} formats and mail headers write it. The offset decides the instant; the
         * abbreviation is a comment, and alone ({@code 10:30:00 CET}) it stays malformed: {@code CST} is China's,
         * Cuba's or the US's. Anything else is returned as it is.
         */
        static String withoutZoneComment(String text) {
            int n = text.length();
            // no regular expression over a long cell (a shifted column's description): no timestamp is that long
            if (n < 12 || n > 120 || !(text.charAt(n - 1) == ')' || Character.isUpperCase(text.charAt(n - 1)))) {
                return text;
            }
            Matcher m = ZONE_COMMENT.matcher(text);
            return m.matches() ? m.group(1) : text;
        }

        /**
         * A time ending in {@code UTC} or {@code GMT} (BigQuery's CSV export, Ruby's {@code Time#to_s} in UTC:
         * {@code 2024-01-05 10:12:00 UTC}) with {@code Z} in their place: both name the zero offset, unambiguously,
         * unlike {@code CET} or {@code CST} (China, Cuba or the US), which stay malformed. Upper case only, as written
         * by those systems.
         */
        static String zeroOffsetByName(String text) {
            return text.length() > 3 && (text.endsWith("UTC") || text.endsWith("GMT"))
                    ? text.substring(0, text.length() - 3) + "Z" : text;
        }

        /** {@code 3.0} as a spreadsheet writes a whole number becomes {@code 3}; anything else is left as is. */
        private static String wholeNumber(String text) {
            int dot = text.indexOf('.');
            if (dot <= 0) {
                return text;
            }
            for (int i = dot + 1; i < text.length(); i++) {
                if (text.charAt(i) != '0') {
                    return text;
                }
            }
            return text.substring(0, dot);
        }
    }

    private static Map<String, ColumnMapping> presets() {
        Map<String, ColumnMapping> m = new LinkedHashMap<>();
        m.put(ONLINE_RETAIL_II, new ColumnMapping(ONLINE_RETAIL_II, "Customer ID", "Invoice", "InvoiceDate",
                "StockCode", "Quantity", "Price", "Description", null, "Country", "Currency", UCI_PATTERNS, "C", "A"));
        m.put(ONLINE_RETAIL, new ColumnMapping(ONLINE_RETAIL, "CustomerID", "InvoiceNo", "InvoiceDate",
                "StockCode", "Quantity", "UnitPrice", "Description", null, "Country", "Currency", UCI_PATTERNS, "C",
                "A"));
        m.put(GENERIC, new ColumnMapping(GENERIC, "customer_id", "order_id", "timestamp", "item_id", "quantity",
                "unit_price", "description", "category", "country", "currency", ISO_PATTERNS, null, null));
        m.put(GENERIC_SEQUENCE, new ColumnMapping(GENERIC_SEQUENCE, "customer_id", "order_id", "sequence", "item_id",
                "quantity", "unit_price", "description", "category", "country", "currency", List.of(SEQUENCE), null,
                null));
        return Collections.unmodifiableMap(m);
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static String optionalText(String value, String what) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(what + " must be null or non-blank");
        }
        return value;
    }

    private static <T> T fail(String message) {
        throw new IllegalArgumentException(message);
    }
}
