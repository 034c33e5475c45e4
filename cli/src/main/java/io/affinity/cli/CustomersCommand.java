package io.affinity.cli;

import io.affinity.store.Invocation;
import io.affinity.store.Manifest;
import io.affinity.training.ReadableFile;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import io.affinity.training.customers.CustomerReportWriter;
import io.affinity.training.customers.FitDiagnostics;
import io.affinity.training.customers.ModelFitException;
import io.affinity.training.customers.ObjectionsToProfiling;
import io.affinity.training.customers.ProfilingObjections;
import io.affinity.training.TrainingPipeline;
import io.affinity.training.ingest.Transactions;
import java.time.temporal.ChronoUnit;
import io.affinity.training.customers.ItemCosts;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.ingest.IngestOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import io.affinity.training.ingest.IngestResult;
import io.affinity.training.ingest.TransactionLoader;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code affinity customers}: RFM, BG/NBD + Gamma-Gamma value, tiers, lifecycle and price sensitivity per
 * customer, written as {@code profiles.csv} and {@code report.json}; with {@code --holdout-end}, the report
 * also scores the predictions against what customers did after the calibration end.
 */
@Command(name = "customers", mixinStandardHelpOptions = true,
        description = "Customer value models (RFM, BG/NBD, Gamma-Gamma), tiers and lifecycle profiles.")
final class CustomersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Shortest calibration period fitted: four weeks, so that weekly buyers show at least a few repeats. */
    static final int MIN_CALIBRATION_DAYS = 28;

    @Mixin
    TransactionInput input;

    @Option(names = "--calibration-end", required = true, paramLabel = "DATE",
            description = "Last day (inclusive, YYYY-MM-DD) of the data the models are fitted on.")
    String calibrationEnd;

    @Option(names = "--holdout-end", paramLabel = "DATE",
            description = "Last day (inclusive) of a holdout period after the calibration end, to score predictions.")
    String holdoutEnd;

    @Option(names = "--time-unit", defaultValue = "days", paramLabel = "UNIT",
            description = "BG/NBD time unit: days or weeks (default: ${DEFAULT-VALUE}).")
    String timeUnit;

    @Option(names = "--discount-rate", defaultValue = "0.1", paramLabel = "RATE",
            description = "Annual discount rate for the 12-month value (default: ${DEFAULT-VALUE}).")
    double discountRate;

    @Option(names = "--tiers", defaultValue = "0.05,0.15,0.30", paramLabel = "P,G,I",
            description = "Shares of customers in Platinum, Gold, Iron by value; the rest are Lead (default: ${DEFAULT-VALUE}).")
    String tiers;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for profiles.csv and report.json.")
    Path output;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Product catalogue (as for train); with costs in it, tiers rank customers by predicted margin "
                    + "(12-month value x their margin share of spend) instead of predicted revenue.")
    Path catalog;

    @Mixin
    ProfilingConsentOptions consent;

    @Override
    public Integer call() throws Exception {
        ReadableFile.require("--catalog", catalog);
        ObjectionsToProfiling objecting = consent.read();
        OptionFiles.directoryOrAbsent("--output", output);
        CustomerAnalyticsOptions options = CustomerAnalyticsOptions.defaults(date("--calibration-end", calibrationEnd))
                .withDiscountRate(discountRate).withTimeUnit(unit());
        if (holdoutEnd != null) {
            options = options.withHoldoutEnd(date("--holdout-end", holdoutEnd));
        }
        double[] shares = shares();
        options = options.withTierShares(shares[0], shares[1], shares[2]);
        IngestOptions ingest = input.ingestOptions();
        long t0 = System.nanoTime();
        CatalogFile catalogue = catalog == null ? null
                : CatalogFile.read(catalog, ingest.errorBudget(), ingest.dialect(), input.encoding, ingest.currency(),
                ingest.exchangeRates());
        IngestResult loaded = TransactionLoader.load(input.files, ingest, input.encoding);
        TrainingPipeline.checkCatalogueCurrency(catalogue, loaded.report());
        System.err.printf(Locale.ROOT, "affinity customers: ingest: %,d rows read, %,d accepted, %,d orders, %,d customers "
                + "[%.1f s]%n", loaded.report().rowsRead(), loaded.report().rowsAccepted(),
                loaded.transactions().orderCount(), loaded.transactions().customerCount(), (System.nanoTime() - t0) / 1e9);
        // Every row is used or counted as rejected with a reason: the report says which and where, as train's does.
        System.err.print(loaded.report().toText());
        loaded.transactions().outsizedCustomerWarning().ifPresent(w ->
                System.err.println("affinity customers: WARNING: " + w));
        // An objection to profiling, as train honours it: nothing of the customer is computed
        ProfilingObjections objections = objecting.counted(loaded.transactions());
        Transactions tx = loaded.transactions().anonymising(objecting.customers());
        // profiles.csv has no manifest: the lines only
        objecting.record(objections, consent.listGiven(), (name, section) -> { },
                line -> System.err.println("affinity customers: " + line));
        checkWindows(tx, options);
        long t1 = System.nanoTime();
        Map<String, Double> costs = new HashMap<>();
        if (catalogue != null) {
            catalogue.entries().values().stream().filter(CatalogFile.Entry::hasCost)
                    .forEach(e -> costs.put(e.itemId(), e.cost()));
        }
        ItemCosts itemCosts = ItemCosts.of(tx, costs);
        CustomerAnalysis analysis;
        try {
            analysis = CustomerAnalytics.run(tx, options, itemCosts);
        } catch (ModelFitException e) {
            throw new AffinityCli.UserFacingException(e.getMessage() + "; with --calibration-end " + calibrationEnd
                    + " the calibration data are too thin: use a later --calibration-end (more history and more "
                    + "repeat customers)");
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("inputs", input.provenance());
        if (loaded.report().currencies() != null) {
            // what every amount of profiles.csv (monetary, spend, value) is in
            provenance.put("currencies", loaded.report().currencies());
        }
        provenance.put("software", Manifest.Software.current());
        provenance.put(Invocation.SECTION, Invocation.current("customers", AffinityCli.verbArguments(spec)));
        CustomerReportWriter.write(analysis, output, provenance);
        // Every customer of the ingest line is accounted for: those whose first purchase is after the calibration
        // end have no calibration history and are not profiled (report.json: customersFirstSeenAfterCalibration).
        // So are those who returned all they bought by the calibration end (customersReturnedEverything).
        System.err.printf(Locale.ROOT, "affinity customers: fitted and profiled %,d customers%s%s [%.1f s]%n",
                analysis.rows().size(), analysis.customersAfterCalibration() == 0 ? ""
                        : String.format(Locale.ROOT, "; %,d more first bought after --calibration-end %s and are not "
                                + "profiled", analysis.customersAfterCalibration(), calibrationEnd),
                analysis.customersReturnedEverything() == 0 ? ""
                        : String.format(Locale.ROOT, "; %,d more returned everything they bought by then and are "
                                + "not profiled", analysis.customersReturnedEverything()),
                (System.nanoTime() - t1) / 1e9);
        CustomerAnalysis.Returns returns = analysis.returns();
        if (returns != null && returns.afterCalibrationEnd() > 0) {
            // The ingest report above nets every return of the export; the calibration must not see later ones.
            System.err.printf(Locale.ROOT, "affinity customers: returns: %,d netted against calibration purchases, "
                    + "%,d matching none, %,d made after --calibration-end %s not netted against calibration "
                    + "purchases%s (report.json: returns)%n", returns.netted(), returns.unmatched(),
                    returns.afterCalibrationEnd(), calibrationEnd, holdoutEnd == null ? ""
                            : " (those made by --holdout-end " + holdoutEnd + " are netted against holdout purchases)");
        }
        var bg = analysis.bgNbd().model();
        var gg = analysis.gammaGamma().model();
        // Four significant digits, not four decimals: a fit at the edge of the parameter space has a = 5e-7 or
        // b = 3e4, and "a=0.0000" reads as a value the model cannot take.
        System.out.printf(Locale.ROOT, "BG/NBD (%s): r=%.4g alpha=%.4g a=%.4g b=%.4g%n", timeUnit, bg.r(), bg.alpha(),
                bg.a(), bg.b());
        System.out.printf(Locale.ROOT, "Gamma-Gamma: p=%.4g q=%.4g v=%.4g%n", gg.p(), gg.q(), gg.v());
        for (String warning : FitDiagnostics.warnings(analysis)) {
            System.out.println("WARNING: " + warning);
        }
        if (analysis.holdout() != null) {
            var h = analysis.holdout();
            System.out.printf(Locale.ROOT, "holdout %d days, %,d customers, %,d transactions: BG/NBD MAE %.4f corr %.4f"
                            + " predicted %.0f; naive last-period MAE %.4f corr %.4f predicted %.0f%n", h.days(),
                    h.customers(), h.actualTotal(), h.model().mae(), h.model().correlation(), h.model().predictedTotal(),
                    h.naiveLastPeriod().mae(), h.naiveLastPeriod().correlation(), h.naiveLastPeriod().predictedTotal());
        }
        System.out.printf(Locale.ROOT, "tiers by %s%n", analysis.tierBasis() == CustomerAnalysis.TierBasis.MARGIN
                ? String.format(Locale.ROOT, "predicted margin (catalogue costs for %,d of %,d items bought)",
                        itemCosts.known(), loaded.transactions().itemCount())
                : "predicted revenue (no catalogue costs)");
        System.out.println("wrote " + output.resolve(CustomerReportWriter.PROFILES) + " and "
                + output.resolve(CustomerReportWriter.REPORT));
        return 0;
    }

    /**
     * Refuses date windows the models cannot be fitted or scored on: a calibration period shorter than
     * {@link #MIN_CALIBRATION_DAYS} (too few customers have had time to come back, and the fit wanders off to
     * limiting cases or does not converge), or a holdout end after the data's last transaction (days without
     * data would be scored as days without purchases). A calibration end after the data only gets a warning.
     */
    private static void checkWindows(Transactions tx, CustomerAnalyticsOptions options) {
        if (tx.sequenceOnly()) {
            // Sequence n is stored as day n after 1970-01-01: recency, frequency windows and P(alive) would be
            // computed on days that never were.
            throw new AffinityCli.UserFacingException("the input has an order sequence, not timestamps "
                    + "(generic-sequence layout or --columns sequence=...): customer value models measure recency and "
                    + "purchase rates in days and need order dates; use an export with order timestamps");
        }
        LocalDate first = null;
        LocalDate last = null;
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.customerOf(o) >= 0) {
                LocalDate d = tx.timestampOf(o).toLocalDate();
                first = first == null || d.isBefore(first) ? d : first;
                last = last == null || d.isAfter(last) ? d : last;
            }
        }
        if (first == null) {
            throw new AffinityCli.UserFacingException("no order with a customer id in the input: customer models "
                    + "need identified customers");
        }
        LocalDate calEnd = options.calibrationEnd();
        if (calEnd.isAfter(last)) {
            // Allowed ("as of today" with yesterday's export), but the gap lowers every P(alive): say so.
            System.err.println("affinity customers: WARNING: --calibration-end " + calEnd + " is "
                    + ChronoUnit.DAYS.between(last, calEnd) + " days after the data's last transaction (" + last
                    + "): those days count as days without purchases");
        }
        long days = ChronoUnit.DAYS.between(first, calEnd) + 1;
        if (days < MIN_CALIBRATION_DAYS) {
            throw new AffinityCli.UserFacingException("--calibration-end " + calEnd + " leaves a calibration period "
                    + "of " + Math.max(days, 0) + " days (data start " + first + "); BG/NBD and Gamma-Gamma need at "
                    + "least " + MIN_CALIBRATION_DAYS + " days to see customers come back: use --calibration-end "
                    + first.plusDays(MIN_CALIBRATION_DAYS - 1) + " or later");
        }
        LocalDate holdEnd = options.holdoutEnd();
        if (holdEnd != null && holdEnd.isAfter(last)) {
            throw new AffinityCli.UserFacingException("--holdout-end " + holdEnd + " is after the data's last "
                    + "transaction (" + last + "): the holdout would score " + ChronoUnit.DAYS.between(last, holdEnd)
                    + " days without data as days without purchases; use --holdout-end " + last + " or earlier");
        }
    }

    private CustomerAnalyticsOptions.TimeUnit unit() {
        return switch (timeUnit.toLowerCase(Locale.ROOT)) {
            case "days" -> CustomerAnalyticsOptions.TimeUnit.DAYS;
            case "weeks" -> CustomerAnalyticsOptions.TimeUnit.WEEKS;
            default -> throw new AffinityCli.UserFacingException("--time-unit must be days or weeks, was '" + timeUnit + "'");
        };
    }

    private double[] shares() {
        String[] parts = tiers.split(",");
        if (parts.length != 3) {
            throw new AffinityCli.UserFacingException("--tiers needs three shares like 0.05,0.15,0.30, was '" + tiers + "'");
        }
        double[] s = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                s[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new AffinityCli.UserFacingException("--tiers: '" + parts[i] + "' is not a number");
            }
        }
        return s;
    }

    private static LocalDate date(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new AffinityCli.UserFacingException(option + " must be a date YYYY-MM-DD, was '" + value + "'");
        }
    }
}
