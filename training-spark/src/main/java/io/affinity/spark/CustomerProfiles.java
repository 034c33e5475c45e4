package io.affinity.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import io.affinity.training.customers.CustomerReportWriter;
import io.affinity.training.customers.ExactSum;
import io.affinity.training.customers.FitDiagnostics;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Customer value profiles as single-machine training's {@code CustomerProfilesStep} makes them, calibrated on all
 * the data: each customer's summary (purchase days, spend, price behaviour) is computed in the customer walk on
 * Spark with the single-machine accumulators; the driver collects the summaries (a dozen numbers per customer:
 * the BG/NBD and Gamma-Gamma fitters take arrays over all customers) and runs {@link CustomerAnalytics#analyse},
 * the code single-machine training runs after summarising. When the models cannot be fitted the snapshot goes
 * without profiles and the section says why, as there. With catalogue costs ({@link SparkModelStage.Items#costs}),
 * the walk also sums each customer's costed revenue and margin, and tiers rank by predicted margin, as there.
 * The walk counts what customers kept ({@link AcceptedLines#KEPT}, netted by {@link SparkIngest} as the
 * single-machine loader nets): a customer who returned everything has no purchase day (days 0) and is counted,
 * not profiled.
 */
final class CustomerProfiles {
    static final String SEQUENCE_ONLY = "the input has an order sequence, not timestamps: customer value models "
            + "(RFM, P(alive), value, tiers, strategies) need order dates";

    /** Each profiled customer's tier and price-sensitivity band (enum ordinals), which trade-ups segment by. */
    static final StructType SEGMENTS = new StructType()
            .add(AcceptedLines.CUSTOMER, DataTypes.StringType, false)
            .add("tier", DataTypes.IntegerType, false)
            .add("priceSensitivity", DataTypes.IntegerType, false);

    private final CustomerAnalytics.ItemPrices prices;
    private final double[] costs;
    private final LocalDate calibrationEnd;
    private final String skipped;
    private Dataset<Row> segments;

    private CustomerProfiles(CustomerAnalytics.ItemPrices prices, double[] costs, LocalDate calibrationEnd,
                             String skipped) {
        this.prices = prices;
        this.costs = costs;
        this.calibrationEnd = calibrationEnd;
        this.skipped = skipped;
    }

    /** The section of a run without profiles. */
    static Map<String, Object> skipped(String why) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("profiles", 0);
        section.put("skipped", why);
        return section;
    }

    /**
     * The item price facts the walk needs: typical prices are the medians of the lines up to the calibration end
     * (the last identified customer's last purchase day), guests' lines included, as in {@code CustomerAnalytics}.
     */
    static CustomerProfiles prepare(Dataset<Row> indexed, Dataset<Row> customerLines, SparkModelStage.Items items,
                                    SparkModelOptions options) {
        if (options.orderSequence()) {
            return new CustomerProfiles(null, null, null, SEQUENCE_ONLY);
        }
        long last = customerLines.agg(max(col(SparkModelStage.TIME_SECONDS))).first().getLong(0);
        long calEndDay = Math.floorDiv(last, 86_400L);
        double[] medians = new double[items.facts.size()];
        Arrays.fill(medians, Double.NaN);
        for (Row r : indexed.filter(col(SparkModelStage.TIME_SECONDS).lt((calEndDay + 1) * 86_400L))
                .groupBy(col(SparkModelStage.IDX))
                .agg(expr("percentile(" + AcceptedLines.PRICE + ", 0.5)").as("median"))
                .collectAsList()) {
            medians[r.getInt(0)] = r.getDouble(1);
        }
        String[] descriptions = items.facts.stream().map(ItemFacts::description).toArray(String[]::new);
        return new CustomerProfiles(CustomerAnalytics.ItemPrices.of(items.ids(), descriptions, medians),
                items.costs, LocalDate.ofEpochDay(calEndDay), null);
    }

    /** The item price facts for the walk, or null when profiles are skipped. */
    CustomerAnalytics.ItemPrices prices() {
        return prices;
    }

    /** Catalogue unit costs by item number (NaN: none) for the walk, or null when none or profiles are skipped. */
    double[] costs() {
        return costs;
    }

    /**
     * After {@link #put}: the profiled customers' segments ({@link #SEGMENTS}), or null when there are no
     * profiles. A table, not a map on the driver: trade-ups join it with the customers' purchases.
     */
    Dataset<Row> segments() {
        return segments;
    }

    /** A customer's row of {@link #SEGMENTS}. */
    static Row segmentRow(String customerId, CustomerProfile profile) {
        return RowFactory.create(customerId, profile.tier().ordinal(), profile.priceSensitivity().ordinal());
    }

    /**
     * The summing of single-machine {@code CustomerAnalytics.run} with costs: the revenue and margin of the
     * customer's lines whose item has a cost, summed exactly and rounded once (so the doubles are the same, in any
     * line order).
     */
    static final class CostSums {
        private final double[] cost;
        private final ExactSum revenue = new ExactSum();
        private final ExactSum margin = new ExactSum();

        CostSums(double[] cost) {
            this.cost = cost;
        }

        void line(int item, double quantity, double unitPrice) {
            double c = cost[item];
            if (!Double.isNaN(c)) {
                double lineRevenue = quantity * unitPrice;
                revenue.add(lineRevenue);
                margin.add(lineRevenue - quantity * c);
            }
        }

        /** Ends an order (exact sums need no per-order step; kept as the walk's order boundary). */
        void endOrder() {
        }

        double revenue() {
            return revenue.value();
        }

        double margin() {
            return margin.value();
        }
    }

    /** Fits on the walked customers' summaries and puts the profiles; returns the manifest section. */
    Map<String, Object> put(Dataset<Row> walked, SnapshotBuilder builder, Consumer<String> progress) {
        if (skipped != null) {
            if (skipped.equals(SEQUENCE_ONLY)) {
                progress.accept("customer models: skipped, " + SEQUENCE_ONLY);
            }
            return skipped(skipped);
        }
        // in the order of the customers' first lines, the loader's customer numbering (analyse takes them in
        // customer id order, whatever order they come in)
        Iterator<Row> rows = walked.select(col("customer"), col("keptFirstDay"), col("keptLastDay"), col("days"),
                        col("previousGap"), col("repeatSpend"), col("monetary"), col("priceIndex"),
                        col("cheaperShare"), col("topFamilies"), col("costedRevenue"), col("costedMargin"))
                .orderBy(col("firstFile"), col("firstLine"))
                .toLocalIterator();
        List<CustomerAnalytics.CustomerSummary> summaries = new ArrayList<>();
        int returnedEverything = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            if (r.getInt(3) == 0) {
                returnedEverything++; // no purchase day left once their returns are netted
                continue;
            }
            summaries.add(new CustomerAnalytics.CustomerSummary(r.getString(0), r.getLong(1), r.getLong(2),
                    r.getInt(3), r.getLong(4), r.getDouble(5), r.getDouble(6), 0, 0, r.getDouble(10),
                    r.getDouble(11), r.getDouble(7), r.getDouble(8), r.getList(9)));
        }
        int costsKnown = 0;
        if (costs != null) {
            for (double c : costs) {
                costsKnown += Double.isNaN(c) ? 0 : 1;
            }
        }
        CustomerAnalysis analysis;
        try {
            analysis = CustomerAnalytics.analyse(summaries, 0, returnedEverything,
                    CustomerAnalyticsOptions.defaults(calibrationEnd).withEveryReturnNetted(),
                    costsKnown > 0, costsKnown);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // said as train says it: a snapshot without profiles otherwise looks like a good one
            progress.accept("customer models: skipped, " + e.getMessage() + " (no profiles or tiers: next-best "
                    + "offers rank without activity or strategy, campaign exports answer 409)");
            return skipped(e.getMessage());
        }
        List<Row> segmentRows = new ArrayList<>(analysis.rows().size());
        analysis.rows().forEach(r -> {
            builder.putProfile(r.customerId(), r.profile());
            segmentRows.add(segmentRow(r.customerId(), r.profile()));
        });
        segments = walked.sparkSession().createDataFrame(segmentRows, SEGMENTS);
        Map<String, Object> section = new LinkedHashMap<>(CustomerReportWriter.report(analysis));
        List<String> warnings = FitDiagnostics.warnings(analysis, "a longer export");
        section.put("warnings", warnings);
        warnings.forEach(w -> progress.accept("WARNING: " + w));
        section.put("profiles", analysis.rows().size());
        return section;
    }
}
