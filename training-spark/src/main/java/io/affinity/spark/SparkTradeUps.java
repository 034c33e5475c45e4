package io.affinity.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.TradeUp;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.TradeUps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Trade-ups (upsell) on Spark, the moves single-machine {@code TradeUps.find} counts, with its conditions and final
 * ordering ({@link TradeUps#movesUp}, {@link TradeUps#keeps}, {@link TradeUps#tradeUpsOf}): per customer and item
 * the first and last order time; self-joins of those within (customer, product family) and, for pairs of different
 * families, within (customer, category); each move counted once per customer in each of the customer's segments
 * (all customers; tier and price-sensitivity band when profiled); the thresholds against the buyer counts; the
 * strongest {@code perSegment} targets per source and segment cut on Spark. The driver holds per-item data (classes,
 * buyers per segment: catalogue-sized) and streams the kept targets, one source item at a time, in item order.
 */
final class SparkTradeUps {
    private static final String CUSTOMER = AcceptedLines.CUSTOMER;
    private static final String IDX = SparkModelStage.IDX;

    /** A customer's segment numbers ({@link TradeUps#SEGMENTS}). */
    private static final StructType CUSTOMER_SEGMENT = new StructType()
            .add(CUSTOMER, DataTypes.StringType, false)
            .add("segment", DataTypes.IntegerType, false);

    private SparkTradeUps() {
    }

    /**
     * @param indexed  accepted lines with the item number {@link SparkModelStage#IDX} and the order time in seconds
     *                 {@link SparkModelStage#TIME_SECONDS}
     * @param items    facts of the bought items by item number (catalogue values applied): typical prices,
     *                 descriptions, categories
     * @param segments profiled customers' tier and price-sensitivity band ({@link CustomerProfiles#SEGMENTS}), or
     *                 null when there are no profiles (every customer then counts only in {@link TradeUp#ALL})
     * @param sink     receives each source item's trade-ups, in item order
     */
    static TradeUps.Summary find(Dataset<Row> indexed, List<ItemFacts> items, Dataset<Row> segments,
                                 TradeUpParameters parameters, BiConsumer<String, List<TradeUp>> sink) {
        SparkSession spark = indexed.sparkSession();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TradeUps.ItemClasses classes = TradeUps.ItemClasses.of(items);
        int n = classes.size();
        int segmentCount = TradeUps.SEGMENTS.size();

        // Per customer and item bought: the first and the last order time, with the item's classes.
        Dataset<Row> bought = indexed.filter(col(CUSTOMER).isNotNull())
                .groupBy(col(CUSTOMER), col(IDX))
                .agg(min(col(SparkModelStage.TIME_SECONDS)).as("first"),
                        max(col(SparkModelStage.TIME_SECONDS)).as("last"))
                .join(broadcast(itemTable(spark, classes)), IDX)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> customerSegments = customerSegments(bought, segments).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> movers = null;
        try {
            // Buyers per segment and item, customers per segment: catalogue-sized, on the driver.
            int[][] buyers = new int[segmentCount][n];
            for (Row r : bought.select(col(CUSTOMER), col(IDX)).join(customerSegments, CUSTOMER)
                    .groupBy(col("segment"), col(IDX)).agg(count(lit(1)).as("n")).collectAsList()) {
                buyers[r.getInt(0)][r.getInt(1)] = Math.toIntExact(r.getLong(2));
            }
            int[] segmentCustomers = new int[segmentCount];
            for (Row r : customerSegments.groupBy(col("segment")).agg(count(lit(1)).as("n")).collectAsList()) {
                segmentCustomers[r.getInt(0)] = Math.toIntExact(r.getLong(1));
            }

            movers = moves(bought, 1 + parameters.minPriceIncrease())
                    .join(customerSegments, CUSTOMER)
                    .groupBy(col("a"), col("b"), col("segment")).agg(count(lit(1)).as("movers"))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            long pairs = movers.filter(col("segment").equalTo(0)).count();

            Broadcast<int[][]> buyersB = jsc.broadcast(buyers);
            Broadcast<int[]> customersB = jsc.broadcast(segmentCustomers);
            int minCustomers = parameters.minCustomers();
            double minLift = parameters.minLift();
            Dataset<Row> ids = broadcast(itemTable(spark, classes).select(col(IDX).as("b"), col("id")));
            Dataset<Row> kept = movers.filter(col("movers").geq(minCustomers))
                    .filter((FilterFunction<Row>) r -> {
                        int s = r.getInt(2);
                        int[][] by = buyersB.value();
                        return TradeUps.keeps(Math.toIntExact(r.getLong(3)), by[s][r.getInt(0)], by[s][r.getInt(1)],
                                customersB.value()[s], minCustomers, minLift);
                    })
                    .join(ids, "b")
                    // the strongest perSegment of each source and segment, in TradeUps' order: more movers
                    // first, then the target id compared as UTF-16 code units, as String.compareTo does
                    .withColumn("rank", row_number().over(Window.partitionBy(col("a"), col("segment"))
                            .orderBy(col("movers").desc(), encode(col("id"), "UTF-16BE").asc())))
                    .filter(col("rank").leq(parameters.perSegment()));
            Iterator<Row> rows = kept.select(col("a"), col("segment"), col("b"), col("movers"))
                    .orderBy(col("a"), col("segment"), col("rank"))
                    .toLocalIterator();
            int sources = 0;
            List<List<TradeUps.Target>> targets = new ArrayList<>(segmentCount);
            Row r = rows.hasNext() ? rows.next() : null;
            while (r != null) {
                int a = r.getInt(0);
                targets.clear();
                for (int s = 0; s < segmentCount; s++) {
                    targets.add(new ArrayList<>());
                }
                while (r != null && r.getInt(0) == a) {
                    targets.get(r.getInt(1)).add(new TradeUps.Target(r.getInt(2), Math.toIntExact(r.getLong(3))));
                    r = rows.hasNext() ? rows.next() : null;
                }
                List<TradeUp> ups = TradeUps.tradeUpsOf(classes, a, targets, buyers, parameters.perSegment());
                if (!ups.isEmpty()) {
                    sources++;
                    sink.accept(classes.id(a), ups);
                }
            }
            return new TradeUps.Summary(sources, pairs, segmentCount);
        } finally {
            if (movers != null) {
                movers.unpersist();
            }
            customerSegments.unpersist();
            bought.unpersist();
        }
    }

    /** Item number, id, typical price, family and category numbers: a small table to broadcast. */
    private static Dataset<Row> itemTable(SparkSession spark, TradeUps.ItemClasses classes) {
        List<Row> rows = new ArrayList<>(classes.size());
        for (int i = 0; i < classes.size(); i++) {
            rows.add(RowFactory.create(i, classes.id(i), classes.price(i), classes.family(i), classes.category(i)));
        }
        return spark.createDataFrame(rows, new StructType()
                .add(IDX, DataTypes.IntegerType, false)
                .add("id", DataTypes.StringType, false)
                .add("price", DataTypes.DoubleType, false)
                .add("family", DataTypes.IntegerType, false)
                .add("category", DataTypes.IntegerType, false));
    }

    /**
     * One row per customer and segment of theirs: every customer who bought something is in segment 0 (all
     * customers); a profiled one also in the segments of their tier and price-sensitivity band.
     */
    private static Dataset<Row> customerSegments(Dataset<Row> bought, Dataset<Row> segments) {
        Dataset<Row> customers = bought.select(col(CUSTOMER)).distinct();
        if (segments == null) {
            return customers.select(col(CUSTOMER), lit(0).as("segment"));
        }
        CustomerProfile.Tier[] tiers = CustomerProfile.Tier.values();
        CustomerProfile.PriceSensitivity[] bands = CustomerProfile.PriceSensitivity.values();
        return customers.join(segments, new String[]{CUSTOMER}, "left")
                .flatMap((FlatMapFunction<Row, Row>) r -> {
                    String customer = r.getString(0);
                    if (r.isNullAt(1)) {
                        return List.of(RowFactory.create(customer, 0)).iterator();
                    }
                    return List.of(RowFactory.create(customer, 0),
                            RowFactory.create(customer, TradeUps.segmentOf(tiers[r.getInt(1)])),
                            RowFactory.create(customer, TradeUps.segmentOf(bands[r.getInt(2)]))).iterator();
                }, Encoders.row(CUSTOMER_SEGMENT));
    }

    /**
     * Every (customer, a, b) where the customer moved up from {@code a} to {@code b}: pairs of different items
     * of one family, and pairs of one category but different families (the catch-all category is none), each
     * kept when {@link TradeUps#movesUp}.
     */
    private static Dataset<Row> moves(Dataset<Row> bought, double factor) {
        Dataset<Row> from = bought.select(col(CUSTOMER), col(IDX).as("a"), col("price").as("priceA"),
                col("family").as("familyA"), col("category").as("categoryA"), col("first").as("firstA"));
        Dataset<Row> to = bought.select(col(CUSTOMER).as("customerB"), col(IDX).as("b"), col("price").as("priceB"),
                col("family").as("familyB"), col("category").as("categoryB"), col("last").as("lastB"));
        Dataset<Row> sameFamily = from.join(to, col(CUSTOMER).equalTo(col("customerB"))
                .and(col("familyA").equalTo(col("familyB"))).and(col("a").notEqual(col("b"))));
        Dataset<Row> sameCategory = from.filter(col("categoryA").geq(0))
                .join(to.filter(col("categoryB").geq(0)), col(CUSTOMER).equalTo(col("customerB"))
                        .and(col("categoryA").equalTo(col("categoryB")))
                        .and(col("familyA").notEqual(col("familyB"))));
        return sameFamily.unionByName(sameCategory)
                .filter((FilterFunction<Row>) r -> TradeUps.movesUp(r.<Double>getAs("priceA"),
                        r.<Double>getAs("priceB"), factor, r.<Long>getAs("firstA"), r.<Long>getAs("lastB")))
                .select(col(CUSTOMER), col("a"), col("b"));
    }
}
