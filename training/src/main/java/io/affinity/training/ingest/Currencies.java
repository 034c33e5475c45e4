package io.affinity.training.ingest;

import java.util.Collections;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The currencies of one load: the reporting currency every amount is in (given with {@code --currency}, or the one
 * currency the exports' currency column holds), the rows read per currency as the exports write it, and the
 * exchange-rates file, if any. Recorded in the ingest report, so in the manifest.
 *
 * @param reportingCurrency the ISO 4217 code of every amount of the model, or null when neither {@code --currency}
 *                          nor a single currency in the exports says it
 * @param rows              rows read per currency code of the exports' currency column, sorted by code: every row
 *                          whose currency was read (not those malformed before it is, by column count, a blank or
 *                          unparsable field or an overlong id, nor those whose cell is no code); empty without such
 *                          a column
 * @param exchangeRates     what {@link ExchangeRates#provenance()} records, or null without a rates file
 */
public record Currencies(String reportingCurrency, Map<String, Long> rows, Map<String, Object> exchangeRates) {

    public Currencies {
        rows = Collections.unmodifiableMap(new TreeMap<>(rows));
        exchangeRates = exchangeRates == null ? null : Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
                exchangeRates));
    }

    /**
     * The ISO 4217 code {@code text} names (trimmed, any case: {@code eur} is EUR), or null when it names none
     * ({@code €}, {@code EURO}, a blank): {@link Currency} knows the codes.
     */
    public static String code(String text) {
        if (text == null) {
            return null;
        }
        String c = text.strip().toUpperCase(Locale.ROOT);
        if (c.length() != 3 || !c.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')) {
            return null;
        }
        try {
            return Currency.getInstance(c).getCurrencyCode();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The code of the reporting currency {@code --currency} names (any case), null for null.
     *
     * @throws IllegalArgumentException naming the option, for a value that is no ISO 4217 code
     */
    public static String reportingCurrency(String given) {
        if (given == null) {
            return null;
        }
        String c = code(given);
        if (c == null) {
            throw new IllegalArgumentException("--currency '" + given + "' is not an ISO 4217 currency code "
                    + "(EUR, GBP, CHF, USD, ...)");
        }
        return c;
    }

    /**
     * The load's currencies, or null when there is nothing to say (no currency column, no {@code --currency}): the
     * report of such a load is as it always was.
     */
    public static Currencies of(IngestOptions options, Map<String, Long> rowsByCurrency) {
        if (options.currency() == null && rowsByCurrency.isEmpty()) {
            return null;
        }
        String reporting = options.currency() != null ? options.currency()
                : rowsByCurrency.size() == 1 ? rowsByCurrency.keySet().iterator().next() : null;
        return new Currencies(reporting, rowsByCurrency,
                options.exchangeRates() == null ? null : options.exchangeRates().provenance());
    }

    /**
     * Fails when the exports hold amounts that cannot be summed without exchange rates: several currencies, or one
     * other than {@code --currency}. With rates every row was converted or rejected on its own
     * ({@link RejectReason#NO_EXCHANGE_RATE}).
     *
     * @param report what was read, carried by the exception; null when the check runs before the rest is counted
     *               (spark-train's, once the rows are classified: before the returns' netting and its shuffles)
     * @throws IngestException naming each currency with its row count and the options to give
     */
    public void check(IngestReport report) throws IngestException {
        String mixed = exchangeRates != null ? null : unconvertible(rows, reportingCurrency);
        if (mixed == null) {
            return;
        }
        throw new IngestException("the exports hold amounts in " + mixed + ", and no exchange rates convert them: "
                + "summed as one number they would make every spend, customer value, tier, margin and price wrong. "
                + "Give --currency CODE (the reporting currency) and " + ExchangeRates.OPTION + " FILE "
                + "(comma-separated lines currency,rate or currency,date,rate: what one unit is worth in the "
                + "reporting currency); nothing loaded", report, null);
    }

    /**
     * The rule for amounts without exchange rates, for the exports and the catalogue alike: null when {@code rows}
     * (rows per currency) can be summed as they are (at most one currency, {@code reporting}'s when given), else
     * what is wrong ({@code 3 currencies (CHF 1 row, EUR 2 rows, GBP 2 rows)}, or {@code GBP 5 rows while --currency
     * is EUR}).
     */
    static String unconvertible(Map<String, Long> rows, String reporting) {
        boolean foreign = reporting != null && rows.keySet().stream().anyMatch(c -> !c.equals(reporting));
        if (rows.size() <= 1 && !foreign) {
            return null;
        }
        StringJoiner counts = new StringJoiner(", ");
        new TreeMap<>(rows).forEach((c, n) -> counts.add(String.format(Locale.ROOT, "%s %,d row%s", c, n,
                n == 1 ? "" : "s")));
        return rows.size() > 1 ? rows.size() + " currencies (" + counts + ")"
                : counts + " while --currency is " + reporting;
    }
}
