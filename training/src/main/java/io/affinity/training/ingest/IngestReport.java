package io.affinity.training.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What ingestion read, kept and dropped, and why. Stored in the model snapshot's manifest (Jackson
 * serialises and reads it back as is) and printed by the CLI with {@link #toText()}.
 *
 * @param files                  every file read, in load order
 * @param rowsRead               data rows read (header and empty lines excluded)
 * @param rowsAccepted           rows loaded into {@link Transactions}, anonymous ones included
 * @param rowsAcceptedAnonymous  accepted rows of orders without a customer id (used for baskets only)
 * @param rowsAcceptedPlaceholderCustomer accepted rows whose customer id was a placeholder such as {@code NULL} or
 *                               {@code N/A}, read as blank (so anonymous unless another row of the order names
 *                               the customer)
 * @param rejected               rejection reason code ({@link RejectReason#code()}) to count and samples, every
 *                               reason present (count 0 when it never happened), in {@link RejectReason} order
 * @param invoicesSeen           distinct order numbers over all files, whatever happened to their rows
 * @param ordersAccepted         orders with at least one accepted row
 * @param ordersAcceptedAnonymous accepted orders without a customer
 * @param customers              distinct customers among accepted rows
 * @param items                  distinct items among accepted rows
 * @param malformed              rows rejected for a malformed reason
 * @param errorBudget            allowed fraction of malformed rows
 * @param returns                what the cancellation rows that are a customer's returns did to their purchases
 *                               (customer value counts purchases net of them); null in manifests written before
 *                               returns were netted
 * @param timeOffsets            the rows whose timestamp carried a UTC offset, and what was done with it; null in
 *                               manifests written before offsets were counted
 * @param currencies             the reporting currency, the rows per currency of the exports' currency column and the
 *                               exchange-rates file; null (and not written) when the exports have no currency column
 *                               and no {@code --currency} was given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestReport(List<FileStats> files, long rowsRead, long rowsAccepted, long rowsAcceptedAnonymous,
                           long rowsAcceptedPlaceholderCustomer, Map<String, Rejections> rejected, long invoicesSeen, long ordersAccepted,
                           long ordersAcceptedAnonymous, long customers, long items, long malformed,
                           double errorBudget, Returns returns, TimeOffsets timeOffsets, Currencies currencies) {

    public IngestReport {
        files = List.copyOf(files);
        rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
        long rejectedSum = rejected.values().stream().mapToLong(Rejections::count).sum();
        if (rowsRead < 0 || rowsAccepted < 0 || rowsRead != rowsAccepted + rejectedSum) {
            // the invariant the whole report is built on: every row is accepted or rejected exactly once
            throw new IllegalArgumentException("rowsRead " + rowsRead + " != accepted " + rowsAccepted
                    + " + rejected " + rejectedSum);
        }
        if (rowsAcceptedAnonymous < 0 || rowsAcceptedAnonymous > rowsAccepted) {
            throw new IllegalArgumentException("rowsAcceptedAnonymous must be in [0, rowsAccepted]");
        }
        if (rowsAcceptedPlaceholderCustomer < 0 || rowsAcceptedPlaceholderCustomer > rowsAccepted) {
            throw new IllegalArgumentException("rowsAcceptedPlaceholderCustomer must be in [0, rowsAccepted]");
        }
        if (ordersAccepted < 0 || ordersAcceptedAnonymous < 0 || ordersAcceptedAnonymous > ordersAccepted
                || invoicesSeen < ordersAccepted || customers < 0 || items < 0 || malformed < 0) {
            throw new IllegalArgumentException("inconsistent order, customer or item counts");
        }
        Rejections cancellations = rejected.get(RejectReason.CANCELLATION.code());
        if (returns != null && (returns.netted() + returns.unmatched() > (cancellations == null ? 0
                : cancellations.count()) || returns.linesReturnedInFull() > rowsAccepted
                || returns.ordersReturnedInFull() > ordersAccepted)) {
            // returns are a subset of the cancellation rows, and take off accepted lines only
            throw new IllegalArgumentException("returns exceed the cancellation rows or the accepted lines");
        }
        if (timeOffsets != null && timeOffsets.rows() > rowsRead) {
            throw new IllegalArgumentException("more rows with a time offset than rows read");
        }
    }

    /**
     * Rows whose timestamp was written with a UTC offset or zone ({@code Z}, {@code +02:00}), whatever else happened
     * to them, and the time zone they were converted to ({@code --time-zone}), or null when the offset was dropped
     * and the clock time as written kept.
     */
    public record TimeOffsets(long rows, String convertedTo) {
        public TimeOffsets {
            if (rows < 0) {
                throw new IllegalArgumentException("negative row count");
            }
        }
    }

    /**
     * The cancellation rows that are an identified customer's return of a product ({@link ReturnNetting#isReturn}),
     * still counted under {@code cancellation} (they are not purchases), and what netting them did.
     *
     * @param netted               returns that took some quantity off the customer's earlier purchases of the item
     * @param unmatched            returns that matched no such purchase (bought before the export starts): they
     *                             change nothing
     * @param linesReturnedInFull  accepted purchase lines netted to zero
     * @param ordersReturnedInFull accepted orders all of whose lines were netted to zero (no longer a purchase for
     *                             customer value)
     */
    public record Returns(long netted, long unmatched, long linesReturnedInFull, long ordersReturnedInFull) {
        public Returns {
            if (netted < 0 || unmatched < 0 || linesReturnedInFull < 0 || ordersReturnedInFull < 0
                    || ordersReturnedInFull > linesReturnedInFull) {
                throw new IllegalArgumentException("inconsistent return counts");
            }
        }
    }

    /**
     * Fails when the rows cannot make a model: amounts in several currencies without exchange rates
     * ({@link Currencies#check}), or malformed rows over the error budget ({@link #checkErrorBudget}). Both loaders
     * call it once every row is read.
     *
     * @throws IngestException carrying this report
     */
    public void checkUsable() throws IngestException {
        if (currencies != null) {
            currencies.check(this);
        }
        checkErrorBudget();
    }

    /**
     * Fails when malformed rows exceed the error budget: a broken export must stop training rather than publish
     * a model trained on a fraction of the data. The message gives the first samples of each malformed reason.
     *
     * @throws IngestException carrying this report
     */
    public void checkErrorBudget() throws IngestException {
        if (malformed <= errorBudget * rowsRead) {
            return;
        }
        List<String> first = new ArrayList<>();
        for (RejectReason r : RejectReason.values()) {
            if (r.isMalformed()) {
                for (String s : samples(r)) {
                    first.add(r.code() + " at " + s);
                }
            }
        }
        // Order conflicts count against the budget but are well-formed rows: "malformed" alone would send
        // the user looking for broken lines rather than reused order numbers.
        String what = rejectedCount(RejectReason.ORDER_CUSTOMER_CONFLICT) > 0 ? "malformed or conflicting" : "malformed";
        // An export whose dates are not ISO fails here on every row; the sample shows the dates, but not what was
        // expected nor that there is an option for the export's own format.
        String timestamps = rejectedCount(RejectReason.MALFORMED_TIMESTAMP) == 0 ? "" : ". " + TIMESTAMP_HINT;
        throw new IngestException(String.format(Locale.ROOT,
                "%,d of %,d rows are %s (%.2f%%), more than the error budget of %.2f%% (%,d rows); "
                        + "nothing loaded. First samples: %s%s",
                malformed, rowsRead, what, 100.0 * malformed / rowsRead, errorBudget * 100,
                (long) Math.floor(errorBudget * rowsRead), first, timestamps), this, null);
    }

    static final String TIMESTAMP_HINT = "Timestamps are read as ISO 8601 (2024-06-14, 2024-06-14 10:30:15, "
            + "2024-06-14T10:30+02:00, 2024-06-14 10:30:15 +0200, 2024-06-14 08:30:15 UTC) or RFC 1123 (Fri, 14 Jun "
            + "2024 08:30:15 GMT), unless --timestamp-format gives the export's own pattern (with --columns), e.g. "
            + "--timestamp-format 'dd.MM.yyyy HH:mm'";

    /** One input file. */
    public record FileStats(String path, String mapping, long rowsRead, long rowsAccepted) {
        public FileStats {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(mapping, "mapping");
            if (rowsRead < 0 || rowsAccepted < 0 || rowsAccepted > rowsRead) {
                throw new IllegalArgumentException("need 0 <= rowsAccepted <= rowsRead");
            }
        }
    }

    /** Rows rejected for one reason, with the first few {@code file:line} locations (header is line 1). */
    public record Rejections(long count, List<String> samples) {
        public Rejections {
            samples = List.copyOf(samples);
            if (count < samples.size()) {
                throw new IllegalArgumentException("count " + count + " < samples " + samples.size());
            }
        }
    }

    /** Count for a reason, 0 when absent. */
    public long rejectedCount(RejectReason reason) {
        Rejections r = rejected.get(reason.code());
        return r == null ? 0 : r.count();
    }

    /** Samples for a reason, empty when absent. */
    public List<String> samples(RejectReason reason) {
        Rejections r = rejected.get(reason.code());
        return r == null ? List.of() : r.samples();
    }

    /** Human-readable table for the CLI. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("Ingestion report\n");
        for (FileStats f : files) {
            sb.append(String.format(Locale.ROOT, "  file %s [%s]: %,d rows read, %,d accepted%n",
                    f.path(), f.mapping(), f.rowsRead(), f.rowsAccepted()));
        }
        row(sb, "rows read", rowsRead, rowsRead);
        row(sb, "rows accepted", rowsAccepted, rowsRead);
        row(sb, "  of which anonymous", rowsAcceptedAnonymous, rowsRead);
        if (rowsAcceptedPlaceholderCustomer > 0) {
            row(sb, "  customer id NULL, N/A... (as blank)", rowsAcceptedPlaceholderCustomer, rowsRead);
        }
        sb.append("  rejected:\n");
        for (Map.Entry<String, Rejections> e : rejected.entrySet()) {
            if (e.getValue().count() == 0) {
                continue;
            }
            row(sb, "  " + e.getKey(), e.getValue().count(), rowsRead);
            if (!e.getValue().samples().isEmpty()) {
                sb.append("      e.g. ").append(String.join(", ", e.getValue().samples())).append('\n');
            }
            if (returns != null && e.getKey().equals(RejectReason.CANCELLATION.code())) {
                row(sb, "    returns netted against purchases", returns.netted(), rowsRead);
                row(sb, "    returns matching no purchase", returns.unmatched(), rowsRead);
            }
        }
        Rejections conflicts = rejected.get(RejectReason.ORDER_CUSTOMER_CONFLICT.code());
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d (budget %.2f%% = %,d)%n",
                conflicts != null && conflicts.count() > 0 ? "malformed or conflicting" : "malformed", malformed,
                errorBudget * 100, (long) Math.floor(errorBudget * rowsRead)));
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "invoices seen (distinct)", invoicesSeen));
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "orders accepted", ordersAccepted));
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "  of which anonymous", ordersAcceptedAnonymous));
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "customers", customers));
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "items", items));
        if (timeOffsets != null && timeOffsets.rows() > 0) {
            row(sb, "timestamps with a UTC offset", timeOffsets.rows(), rowsRead);
            sb.append(timeOffsets.convertedTo() != null
                    ? "      converted to " + timeOffsets.convertedTo() + " local time (--time-zone)\n"
                    : "      offset dropped, the clock time as written kept: if these times are UTC (Z) or not the "
                            + "shop's own, pass --time-zone with the shop's zone (e.g. Europe/Berlin) so that orders "
                            + "fall on the shop's days\n");
        }
        if (currencies != null) {
            sb.append(String.format(Locale.ROOT, "  %-38s %12s%n", "reporting currency",
                    currencies.reportingCurrency() == null ? "(none)" : currencies.reportingCurrency()));
            currencies.rows().forEach((c, n) -> row(sb, "  rows in " + c, n, rowsRead));
            if (currencies.exchangeRates() != null) {
                sb.append("      converted with ").append(currencies.exchangeRates().get("file")).append(" (")
                        .append(ExchangeRates.OPTION).append(")\n");
            }
        }
        if (returns != null) {
            sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "lines returned in full",
                    returns.linesReturnedInFull()));
            sb.append(String.format(Locale.ROOT, "  %-38s %,12d%n", "orders returned in full",
                    returns.ordersReturnedInFull()));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, long n, long of) {
        sb.append(String.format(Locale.ROOT, "  %-38s %,12d %6.2f%%%n", label, n, of == 0 ? 0.0 : 100.0 * n / of));
    }
}
