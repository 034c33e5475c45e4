package io.affinity.training.customers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import de.siegmar.fastcsv.writer.CsvWriter;
import io.affinity.recommender.CustomerProfile;
import io.affinity.training.CsvNumbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Writes a {@link CustomerAnalysis} as {@code profiles.csv} (one row per customer) and {@code report.json}. */
public final class CustomerReportWriter {
    public static final String PROFILES = "profiles.csv";
    public static final String REPORT = "report.json";

    private CustomerReportWriter() {
    }

    public static void write(CustomerAnalysis analysis, Path dir) throws IOException {
        write(analysis, dir, Map.of());
    }

    /**
     * As {@link #write(CustomerAnalysis, Path)}, with {@code provenance} (the inputs by size and SHA-256, the
     * software, the command) first in {@code report.json}: what a rerun of the analysis needs.
     */
    public static void write(CustomerAnalysis analysis, Path dir, Map<String, Object> provenance)
            throws IOException {
        Files.createDirectories(dir);
        writeProfiles(analysis, dir.resolve(PROFILES));
        Map<String, Object> json = new LinkedHashMap<>(provenance);
        json.putAll(report(analysis));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(REPORT).toFile(), json);
    }

    static void writeProfiles(CustomerAnalysis analysis, Path file) throws IOException {
        boolean holdout = analysis.holdout() != null;
        try (CsvWriter csv = CsvWriter.builder().build(file)) {
            var header = new ArrayList<>(List.of("customer_id", "first_purchase",
                    "last_purchase", "transactions", "repeat_transactions", "t_x", "T", "recency_days", "monetary",
                    "mean_repeat_spend", "r_score", "f_score", "m_score", "rfm_segment", "p_alive",
                    "expected_transactions_90d", "expected_spend_per_transaction", "expected_value_12m", "tier",
                    "lifecycle_stage", "strategy", "price_index", "cheaper_variant_share", "price_sensitivity",
                    "favourite_families"));
            boolean margin = analysis.tierBasis() == CustomerAnalysis.TierBasis.MARGIN;
            if (margin) {
                header.addAll(List.of("margin_share", "expected_margin_12m"));
            }
            if (holdout) {
                header.addAll(List.of("holdout_actual", "holdout_predicted", "holdout_naive"));
            }
            csv.writeRecord(header);
            for (CustomerAnalysis.Row r : analysis.rows()) {
                CustomerProfile p = r.profile();
                var rec = new ArrayList<>(List.of(r.customerId(), r.firstPurchase().toString(),
                        r.lastPurchase().toString(), Integer.toString(p.transactions()), Integer.toString(r.x()),
                        num(r.tx()), num(r.T()), Integer.toString(p.recencyDays()), num(p.monetary()),
                        num(r.meanRepeatSpend()), Integer.toString(p.recencyScore()),
                        Integer.toString(p.frequencyScore()), Integer.toString(p.monetaryScore()), p.segment(),
                        num(p.pAlive()), num(p.expectedTransactions90()), num(p.expectedSpend()),
                        num(p.expectedValue12()), lower(p.tier()), lower(p.stage()), lower(p.strategy()),
                        num(p.priceIndex()), num(p.cheaperVariantShare()), lower(p.priceSensitivity()),
                        String.join("|", p.favouriteFamilies())));
                if (margin) {
                    rec.addAll(List.of(num(r.marginShare()), num(r.expectedMargin12())));
                }
                if (holdout) {
                    rec.addAll(List.of(Integer.toString(r.holdoutActual()), num(r.holdoutPredicted()),
                            num(r.holdoutNaive())));
                }
                csv.writeRecord(rec);
            }
        }
    }

    /** The report as nested maps (JSON-ready; NaN becomes null). */
    public static Map<String, Object> report(CustomerAnalysis a) {
        Map<String, Object> out = new LinkedHashMap<>();
        CustomerAnalyticsOptions o = a.options();
        out.put("calibrationEnd", o.calibrationEnd().toString());
        out.put("holdoutEnd", o.holdoutEnd() == null ? null : o.holdoutEnd().toString());
        out.put("timeUnit", lower(o.timeUnit()));
        out.put("discountRate", o.discountRate());
        out.put("transactionDefinition", "distinct purchase day per customer, net of returns");
        out.put("customers", a.rows().size());
        out.put("customersFirstSeenAfterCalibration", a.customersAfterCalibration());
        out.put("customersReturnedEverything", a.customersReturnedEverything());
        if (a.returns() != null) {
            Map<String, Object> returns = new LinkedHashMap<>();
            returns.put("nettedAgainstCalibration", a.returns().netted());
            returns.put("matchingNoCalibrationPurchase", a.returns().unmatched());
            returns.put("datedAfterCalibrationEnd", a.returns().afterCalibrationEnd());
            out.put("returns", returns);
        }
        out.put("warnings", FitDiagnostics.warnings(a));
        Map<String, Object> bg = new LinkedHashMap<>();
        bg.put("r", a.bgNbd().model().r());
        bg.put("alpha", a.bgNbd().model().alpha());
        bg.put("a", a.bgNbd().model().a());
        bg.put("b", a.bgNbd().model().b());
        bg.put("logLikelihood", a.bgNbd().logLikelihood());
        bg.put("evaluations", a.bgNbd().evaluations());
        out.put("bgNbd", bg);
        Map<String, Object> gg = new LinkedHashMap<>();
        gg.put("p", a.gammaGamma().model().p());
        gg.put("q", a.gammaGamma().model().q());
        gg.put("v", a.gammaGamma().model().v());
        gg.put("populationMeanSpend", finite(a.gammaGamma().model().populationMeanSpend()));
        gg.put("logLikelihood", a.gammaGamma().logLikelihood());
        gg.put("repeatCustomers", a.gammaGamma().customers());
        gg.put("spendFrequencyCorrelation", finite(a.spendFrequencyCorrelation()));
        out.put("gammaGamma", gg);
        Map<String, Object> tiers = new LinkedHashMap<>();
        // Ordered, not Map.of: its iteration order changes from one JVM run to the next, and so would the manifest.
        Map<String, Object> cutPoints = new LinkedHashMap<>();
        cutPoints.put("platinum", o.platinumShare());
        cutPoints.put("gold", o.goldShare());
        cutPoints.put("iron", o.ironShare());
        tiers.put("cutPoints", cutPoints);
        tiers.put("basis", a.tierBasis() == CustomerAnalysis.TierBasis.MARGIN
                ? "predicted margin: expected 12-month value x the customer's margin share of spend on items with a "
                        + "catalogue cost (the population's share for customers who bought none)"
                : "predicted value: expected 12-month revenue (no catalogue costs)");
        tiers.put("itemsWithCost", a.itemsWithCost());
        tiers.put("customers", count(a, r -> r.profile().tier(), CustomerProfile.Tier.class));
        out.put("tiers", tiers);
        out.put("stages", count(a, r -> r.profile().stage(), CustomerProfile.Stage.class));
        out.put("strategies", count(a, r -> r.profile().strategy(), CustomerProfile.Strategy.class));
        out.put("priceSensitivity", count(a, r -> r.profile().priceSensitivity(), CustomerProfile.PriceSensitivity.class));
        Map<String, Integer> segments = new TreeMap<>();
        a.rows().forEach(r -> segments.merge(r.profile().segment(), 1, Integer::sum));
        out.put("rfmSegments", segments);
        if (a.holdout() != null) {
            CustomerAnalysis.HoldoutEvaluation h = a.holdout();
            Map<String, Object> hold = new LinkedHashMap<>();
            hold.put("days", h.days());
            hold.put("customers", h.customers());
            hold.put("actualTransactions", h.actualTotal());
            hold.put("bgNbd", accuracy(h.model()));
            hold.put("naiveLastPeriod", accuracy(h.naiveLastPeriod()));
            out.put("holdout", hold);
        }
        return out;
    }

    private static Map<String, Object> accuracy(CustomerAnalysis.Accuracy acc) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mae", acc.mae());
        m.put("rmse", acc.rmse());
        m.put("correlation", finite(acc.correlation()));
        m.put("predictedTransactions", acc.predictedTotal());
        return m;
    }

    private static <E extends Enum<E>> Map<String, Integer> count(CustomerAnalysis a,
            Function<CustomerAnalysis.Row, E> key, Class<E> type) {
        Map<E, Integer> counts = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            counts.put(e, 0);
        }
        a.rows().forEach(r -> counts.merge(key.apply(r), 1, Integer::sum));
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(lower(k), v));
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A number as it was computed (the shortest decimal that reads back as the same double), in plain notation: a
     * spreadsheet or campaign tool reads the cents of a total spend, which six significant digits cut off (60125.23
     * read 60125.2, and a million 1.23457e+06). Only below 1e-6 (a P(alive) of a customer long gone) in E notation,
     * which every spreadsheet reads, rather than hundreds of zeros. Empty for NaN.
     */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v != 0 && Math.abs(v) < 1e-6) {
            return Double.toString(v);
        }
        return CsvNumbers.plain(v);
    }
}
