package io.affinity.training.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code --exchange-rates} file: what one unit of each currency is worth in the reporting currency
 * ({@code --currency}), so that an export mixing currencies is summed in one. A comma-separated UTF-8 file with a
 * header, either {@code currency,rate} (one rate per currency, for every date) or {@code currency,date,rate} (ISO
 * dates; an order is converted at the rate in effect on its day: the latest dated on or before it). A rate is a
 * positive decimal with a dot: with {@code --currency EUR}, {@code GBP,1.17} reads a price of 10 GBP as 11.70 EUR
 * (note that central banks usually quote the other way round, 1 EUR = 0.85 GBP: invert such a rate). The reporting
 * currency itself needs no line (its rate is 1); a line for it must say 1. A rate is kept as the decimal written, and
 * {@link #convert} rounds each converted amount to the reporting currency's minor unit ({@link ConvertedAmount}).
 *
 * @param reportingCurrency the ISO 4217 code every amount is converted to
 * @param rates             rate by currency, then by date ({@link LocalDate#MIN} for an undated file), exactly as
 *                          written
 * @param dated             the file has a date column
 * @param fileName          the file's name (no directory), for reports and manifests
 * @param bytes             the file's size
 * @param sha256            the SHA-256 of the file as read, lower-case hex
 */
public record ExchangeRates(String reportingCurrency, Map<String, TreeMap<LocalDate, BigDecimal>> rates, boolean dated,
                            String fileName, long bytes, String sha256) implements Serializable {

    /** The option that names the file, in messages. */
    public static final String OPTION = "--exchange-rates";
    /** Rates given without the currency they convert to. */
    static final String NEEDS_CURRENCY = OPTION + " needs --currency: the reporting currency the rates convert to";
    private static final Pattern NUMBER = Pattern.compile("(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    public ExchangeRates {
        reportingCurrency = Currencies.code(reportingCurrency);
        if (reportingCurrency == null) {
            throw new IllegalArgumentException("reportingCurrency must be an ISO 4217 code");
        }
        Map<String, TreeMap<LocalDate, BigDecimal>> copy = new LinkedHashMap<>();
        rates.forEach((c, byDate) -> copy.put(c, new TreeMap<>(byDate)));
        rates = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sha256, "sha256");
    }

    /**
     * Reads {@code file}, each rate against {@code reportingCurrency}.
     *
     * @throws IllegalArgumentException naming {@code --exchange-rates file:line} and what is wrong: a header that is
     *                                  neither layout, a field count, a code that is not ISO 4217, a date, a rate that
     *                                  is not a positive number, a currency (and date) given twice, a rate for the
     *                                  reporting currency other than 1, bytes that are not UTF-8, no rate at all;
     *                                  before reading, no {@code reportingCurrency} or one that is no ISO 4217 code
     * @throws IOException              when the file cannot be read
     */
    public static ExchangeRates read(Path file, String reportingCurrency) throws IOException {
        if (reportingCurrency == null) {
            throw new IllegalArgumentException(NEEDS_CURRENCY);
        }
        String reporting = Currencies.reportingCurrency(reportingCurrency);
        byte[] content = Files.readAllBytes(file);
        String where = OPTION + " " + file;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + ": not UTF-8 text");
        }
        List<String> lines = text.lines().toList();
        int headerLine = 0;
        while (headerLine < lines.size() && lines.get(headerLine).isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.size()) {
            throw new IllegalArgumentException(where + ": empty file; expected a header currency,rate or "
                    + "currency,date,rate and one line per currency");
        }
        List<String> header = fields(lines.get(headerLine).replace("\uFEFF", "").toLowerCase(Locale.ROOT));
        int currencyAt = header.indexOf("currency");
        int dateAt = header.indexOf("date");
        int rateAt = header.indexOf("rate");
        boolean dated = dateAt >= 0;
        if (currencyAt < 0 || rateAt < 0 || header.size() != (dated ? 3 : 2)) {
            throw new IllegalArgumentException(where + ":" + (headerLine + 1) + ": header " + header
                    + " is neither currency,rate nor currency,date,rate");
        }
        Map<String, TreeMap<LocalDate, BigDecimal>> rates = new LinkedHashMap<>();
        for (int i = headerLine + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String at = where + ":" + (i + 1) + ": ";
            List<String> f = fields(lines.get(i));
            if (f.size() != header.size()) {
                throw new IllegalArgumentException(at + "expected " + header.size() + " fields, found " + f.size());
            }
            String code = Currencies.code(f.get(currencyAt));
            if (code == null) {
                throw new IllegalArgumentException(at + ShownValue.quoted(f.get(currencyAt)) + " is not an ISO 4217 "
                        + "currency code (EUR, GBP, CHF, ...)");
            }
            LocalDate date = LocalDate.MIN;
            if (dated) {
                try {
                    date = LocalDate.parse(f.get(dateAt));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(at + "date " + ShownValue.quoted(f.get(dateAt))
                            + " is not an ISO date (2024-06-14)");
                }
            }
            String raw = f.get(rateAt);
            double rate = NUMBER.matcher(raw).matches() ? Double.parseDouble(raw) : Double.NaN;
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException(at + "rate " + ShownValue.quoted(raw) + " is not a positive "
                        + "decimal number with a dot (what one " + code + " is worth in " + reporting + ")");
            }
            BigDecimal exact = new BigDecimal(raw); // the double check above bounds its exponent
            if (code.equals(reporting) && exact.compareTo(BigDecimal.ONE) != 0) {
                throw new IllegalArgumentException(at + code + " is the reporting currency (--currency): its rate is "
                        + "1, not " + raw);
            }
            if (rates.computeIfAbsent(code, c -> new TreeMap<>()).put(date, exact) != null) {
                throw new IllegalArgumentException(at + code + (dated ? " on " + date : "") + " is given twice");
            }
        }
        if (rates.isEmpty()) {
            throw new IllegalArgumentException(where + ": no rates, only a header");
        }
        return new ExchangeRates(reporting, rates, dated, file.getFileName().toString(), content.length,
                sha256(content));
    }

    /**
     * What one unit of {@code currency} is worth in the reporting currency on {@code day}: 1 for the reporting
     * currency, the file's rate as written (for a dated file the latest on or before {@code day}), or null when it
     * has none.
     */
    public BigDecimal rate(String currency, LocalDate day) {
        if (currency.equals(reportingCurrency)) {
            return BigDecimal.ONE;
        }
        TreeMap<LocalDate, BigDecimal> byDate = rates.get(currency);
        Map.Entry<LocalDate, BigDecimal> e = byDate == null ? null : byDate.floorEntry(day);
        return e == null ? null : e.getValue();
    }

    /**
     * The latest rate of {@code currency} (for amounts without a date, such as a catalogue's current prices), 1 for
     * the reporting currency, null when the file has none.
     */
    public BigDecimal latestRate(String currency) {
        return rate(currency, LocalDate.MAX);
    }

    /**
     * {@code amount} (decimal text with a dot, as the row wrote it) in {@code currency} on {@code day}, in the
     * reporting currency rounded to its minor unit ({@link ConvertedAmount}); NaN when there is no rate
     * ({@link #noRate} says why). The reporting currency's own amounts are not touched: {@code Double.parseDouble}.
     *
     * @param day the order's day, or {@link LocalDate#MAX} for the latest rate
     * @throws NumberFormatException when {@code amount} is no decimal number
     */
    public double convert(String amount, String currency, LocalDate day) {
        if (currency.equals(reportingCurrency)) {
            return Double.parseDouble(amount);
        }
        BigDecimal rate = rate(currency, day);
        return rate == null ? Double.NaN : ConvertedAmount.of(amount, currency, rate, reportingCurrency);
    }

    /** Why {@link #latestRate} had none (the file has no line for {@code currency}), for a rejected row's sample. */
    public String noLatestRate(String currency) {
        return noRate(currency, LocalDate.MAX);
    }

    /** Why {@link #rate} had none, for a rejected row's sample. */
    public String noRate(String currency, LocalDate day) {
        TreeMap<LocalDate, BigDecimal> byDate = rates.get(currency);
        return byDate == null ? fileName + " has no rate for " + currency
                : fileName + " has no rate for " + currency + " on or before " + day + " (its first is of "
                + byDate.firstKey() + ")";
    }

    /** What a manifest or report records of the file: its name, size, SHA-256, layout and currencies. */
    public Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", fileName);
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        m.put("dated", dated);
        m.put("currencies", new ArrayList<>(new java.util.TreeSet<>(rates.keySet())));
        return m;
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",", -1)) {
            out.add(f.strip());
        }
        return out;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
