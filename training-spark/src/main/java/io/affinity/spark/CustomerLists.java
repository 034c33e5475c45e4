package io.affinity.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.CustomerHistories;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.ExactSum;
import io.affinity.training.models.Interactions;
import io.affinity.training.models.TifuKnn;
import io.affinity.training.models.TopK;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Customer histories and precomputed lists on Spark. A customer's lines are brought together by a shuffle and
 * sorted as the single-machine loader numbers them (orders by their first accepted line, then lines in input
 * order), so {@link CustomerHistories.Accumulator} sums in the same order and gives the same doubles; the same
 * walk scores repeat items as {@code models/RepeatFrequency} does. Implicit ALS (Spark MLlib) scores the items
 * new to the customer against broadcast item factors (catalogue-sized). When validation chooses TIFU-KNN, the walk's
 * baskets feed {@link SparkTifuKnn} instead and ALS is not fitted. The driver streams one row per customer.
 */
final class CustomerLists {
    /**
     * Customers whose histories were put, those of them with a non-empty precomputed list, the manifest section
     * of the customer models (profiles), the options the lists were built with and the validation section (null
     * when not tuned), and the profiled customers' segments ({@link CustomerProfiles#segments}, null without
     * profiles).
     */
    record Result(long customers, long withLists, Map<String, Object> customerModels, SparkModelOptions served,
                  Map<String, Object> validation, Dataset<Row> segments, TifuKnn.Params tifu) {
        /** The served lists' model: {@link SparkTifuKnn#NAME} or {@link SparkModelStage#MODEL_NAME}. */
        String model() {
            return tifu != null ? SparkTifuKnn.NAME : SparkModelStage.MODEL_NAME;
        }
    }

    private static final StructType PURCHASE = new StructType()
            .add("item", DataTypes.StringType, false)
            .add("orders", DataTypes.IntegerType, false)
            .add("quantity", DataTypes.DoubleType, false)
            .add("lastDay", DataTypes.LongType, false)
            .add("returned", DataTypes.DoubleType, false);

    /** One customer after the history walk: the history, the repeat candidates, the items bought. */
    static final StructType WALKED = new StructType()
            .add("customer", DataTypes.StringType, false)
            .add("uid", DataTypes.IntegerType, false)
            .add("orders", DataTypes.IntegerType, false)
            .add("history", DataTypes.createArrayType(PURCHASE, false), false)
            .add("bought", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("repeatItems", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("repeatScores", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            // the profile summary (CustomerAnalytics.CustomerSummary), when profiles are computed
            .add("firstFile", DataTypes.IntegerType, false)
            .add("firstLine", DataTypes.LongType, false)
            .add("days", DataTypes.IntegerType, false)
            // the first and last purchase day kept (net of returns; the history's are those bought)
            .add("keptFirstDay", DataTypes.LongType, false)
            .add("keptLastDay", DataTypes.LongType, false)
            .add("previousGap", DataTypes.LongType, false)
            .add("repeatSpend", DataTypes.DoubleType, false)
            .add("monetary", DataTypes.DoubleType, false)
            .add("priceIndex", DataTypes.DoubleType, false)
            .add("cheaperShare", DataTypes.DoubleType, false)
            .add("topFamilies", DataTypes.createArrayType(DataTypes.StringType, false), false)
            // revenue and margin of the lines of items with a catalogue cost (0 without costs)
            .add("costedRevenue", DataTypes.DoubleType, false)
            .add("costedMargin", DataTypes.DoubleType, false)
            // TIFU-KNN's baskets (SparkTifuKnn.Baskets), per item of "bought"
            .add("tifuAges", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("tifuPtr", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("tifuBaskets", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    private static final StructType LISTED = new StructType()
            .add("item", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("repeat", DataTypes.BooleanType, false)
            .add("source", DataTypes.StringType, false);

    /** The history and the merged list of one customer. */
    static final StructType SCORED = new StructType()
            .add("customer", DataTypes.StringType, false)
            .add("orders", DataTypes.IntegerType, false)
            .add("history", DataTypes.createArrayType(PURCHASE, false), false)
            .add("list", DataTypes.createArrayType(LISTED, false), false);

    /** Favourite families kept per profile, as CustomerAnalytics keeps. */
    private static final int FAVOURITE_FAMILIES = 3;

    private CustomerLists() {
    }

    /**
     * @param indexed lines with the item number column {@link SparkModelStage#IDX} and time in seconds
     * @param orders  one row per order with its first line {@link SparkModelStage#ORDER_FIRST}
     */
    static Result run(SparkSession spark, Dataset<Row> indexed, Dataset<Row> orders, SparkModelStage.Items items,
                      SparkModelOptions options, ListTuning tuning, SnapshotBuilder builder,
                      Consumer<String> progress) {
        Dataset<Row> customerLines = indexed.filter(col(AcceptedLines.CUSTOMER).isNotNull())
                .join(orders.select(col(AcceptedLines.ORDER), col(SparkModelStage.ORDER_FIRST)), AcceptedLines.ORDER);
        // Dense customer numbers for ALS (ints), assigned in Spark in id order: ALS's blocks and initial factors
        // follow the numbers, and a distinct() comes out in the order shuffle blocks arrive, which differs from run
        // to run once executors are separate processes (benchmarks/spark-cluster.sh: other lists from the same data).
        JavaRDD<Row> numbered = customerLines.select(col(AcceptedLines.CUSTOMER)).distinct()
                .orderBy(col(AcceptedLines.CUSTOMER)).javaRDD().zipWithIndex()
                .map(t -> RowFactory.create(t._1().getString(0), Math.toIntExact(t._2())));
        Dataset<Row> users = spark.createDataFrame(numbered, new StructType()
                        .add(AcceptedLines.CUSTOMER, DataTypes.StringType, false)
                        .add("uid", DataTypes.IntegerType, false))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            if (users.isEmpty()) {
                // every order anonymous: nothing to walk, and ALS needs ratings
                return new Result(0, 0, CustomerProfiles.skipped("no identified customers"), options, null, null,
                        null);
            }
            Map<String, Object> validation = null;
            TifuKnn.Params tifu = null;
            if (tuning.enabled() && options.topN() > 0) {
                ListValidation.Chosen chosen = ListValidation.choose(indexed, customerLines, users,
                        items.facts.size(), options, tuning, progress);
                options = options.withRepeatHalfLifeDays(chosen.halfLifeDays())
                        .withNewItemWeight(chosen.newItemWeight());
                validation = chosen.section();
                tifu = chosen.tifu();
            } else if (options.topN() > 0 && tuning.lists() == ListTuning.Lists.TIFU_KNN) {
                tifu = tuning.tifuGrid().get(0); // forced without validation: the grid's first setting
            }
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<String[]> ids = jsc.broadcast(items.ids());
            CustomerProfiles profiles = CustomerProfiles.prepare(indexed, customerLines, items, options);
            Dataset<Row> walked = walk(customerLines.join(users, AcceptedLines.CUSTOMER), ids, items.lastTime,
                    options, profiles.prices() == null ? null : jsc.broadcast(profiles.prices()),
                    profiles.costs() == null ? null : jsc.broadcast(profiles.costs()))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Map<String, Object> customerModels = profiles.put(walked, builder, progress);
            Dataset<Row> scored;
            List<JavaPairRDD<?, ?>> persisted = new ArrayList<>();
            if (options.topN() == 0) {
                scored = walked.mapPartitions(score(ids, null, null, 0, 0, options), Encoders.row(SCORED));
            } else if (tifu != null) {
                scored = tifu(spark, walked, customerLines, ids, items.facts.size(), tifu, options.topN(), progress,
                        persisted);
            } else {
                ALSModel als = als(customerLines, users, options);
                float[] factors = new float[items.facts.size() * options.alsRank()];
                boolean[] known = new boolean[items.facts.size()];
                for (Row r : als.itemFactors().collectAsList()) {
                    int item = r.getInt(0);
                    List<Float> f = r.getList(1);
                    for (int k = 0; k < f.size(); k++) {
                        factors[item * options.alsRank() + k] = f.get(k);
                    }
                    known[item] = true;
                }
                scored = walked.join(als.userFactors(), walked.col("uid").equalTo(als.userFactors().col("id")),
                                "left")
                        .mapPartitions(score(ids, jsc.broadcast(factors), jsc.broadcast(known), options.alsRank(),
                                items.facts.size(), options), Encoders.row(SCORED));
            }
            String model = tifu != null ? SparkTifuKnn.NAME : SparkModelStage.MODEL_NAME;
            // put in customer id order, as train puts them: in Spark's hash-partition order the histories' places in
            // customers.cmap followed the number of shuffle partitions. Persisted first, so that the sort's sampling
            // pass reads the scored rows instead of scoring every customer a second time.
            scored = scored.persist(StorageLevel.MEMORY_AND_DISK());
            Result r;
            try {
                r = put(scored.orderBy(col("customer")).toLocalIterator(), builder, model);
            } finally {
                scored.unpersist();
            }
            walked.unpersist();
            persisted.forEach(d -> d.unpersist(false));
            return new Result(r.customers(), r.withLists(), customerModels, options, validation,
                    profiles.segments(), tifu);
        } finally {
            users.unpersist();
        }
    }

    /**
     * TIFU-KNN's lists of every walked customer ({@link SparkTifuKnn}), as {@link #SCORED} rows: the walk's
     * baskets (ages relative to the last line's time, as the repeat scores), neighbours among all customers,
     * popularity by customers from all customer lines. Every item is sourced {@link SparkTifuKnn#NAME}; a repeat
     * is an item of the customer's history.
     */
    private static Dataset<Row> tifu(SparkSession spark, Dataset<Row> walked, Dataset<Row> customerLines,
                                     Broadcast<String[]> ids, int itemCount, TifuKnn.Params p, int topN,
                                     Consumer<String> progress, List<JavaPairRDD<?, ?>> persisted) {
        long started = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<SparkTifuKnn.Baskets> baskets = SparkTifuKnn.baskets(walked);
        long customers = walked.count();
        int blocks = SparkTifuKnn.blocks(customers, jsc.defaultParallelism());
        Broadcast<float[]> popularity = jsc.broadcast(Interactions.popularityBelowOne(
                ListValidation.customersPerItem(customerLines, itemCount)));
        // computed and persisted: the walked rows are then streamed to the driver a partition at a time
        JavaPairRDD<Integer, SparkTifuKnn.Ranked> tifuLists = SparkTifuKnn.lists(baskets, null, p, popularity,
                topN, blocks, itemCount);
        persisted.add(tifuLists);
        long listed = tifuLists.count();
        progress.accept(String.format(Locale.ROOT, "tifu-knn: %,d customers' lists (k %d, alpha %s, m %d, r_b %s, "
                        + "r_g %s; %d x %d blocks) [%.1f s]", listed, p.neighbours(), p.alpha(), p.groupSize(),
                p.withinDecay(), p.groupDecay(), blocks, blocks, (System.nanoTime() - started) / 1e9));
        StructType schema = new StructType()
                .add("tuid", DataTypes.IntegerType, false)
                .add("titems", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("tscores", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        Dataset<Row> lists = spark.createDataFrame(tifuLists.map(t -> RowFactory.create(t._1(),
                SparkTifuKnn.box(t._2().ids), SparkTifuKnn.boxF(t._2().scores))), schema);
        int at = WALKED.length();
        return walked.join(lists, walked.col("uid").equalTo(lists.col("tuid")), "left")
                .map((MapFunction<Row, Row>) r -> {
                    int[] bought = SparkTifuKnn.ints(list(r, WALKED.fieldIndex("bought")));
                    SparkTifuKnn.Ranked ranked = r.isNullAt(at)
                            ? SparkTifuKnn.list(null, popularity.value(), topN)
                            : new SparkTifuKnn.Ranked(SparkTifuKnn.ints(list(r, at + 1)),
                            SparkTifuKnn.floats(list(r, at + 2)), Float.POSITIVE_INFINITY);
                    String[] id = ids.value();
                    Row[] out = new Row[ranked.ids.length];
                    for (int k = 0; k < out.length; k++) {
                        int item = ranked.ids[k];
                        boolean repeat = Arrays.binarySearch(bought, item) >= 0;
                        out[k] = RowFactory.create(id[item], (double) ranked.scores[k], repeat, SparkTifuKnn.NAME);
                    }
                    return RowFactory.create(r.getString(WALKED.fieldIndex("customer")),
                            r.getInt(WALKED.fieldIndex("orders")), r.get(WALKED.fieldIndex("history")), out);
                }, Encoders.row(SCORED));
    }

    /** Implicit ALS on (customer, item, 1 + ln orders), the single-machine ALS's preference weight. */
    static ALSModel als(Dataset<Row> customerLines, Dataset<Row> users, SparkModelOptions options) {
        Dataset<Row> ratings = customerLines
                .select(col(AcceptedLines.CUSTOMER), col(SparkModelStage.ORDER_FIRST), col(SparkModelStage.IDX))
                .distinct()
                .groupBy(col(AcceptedLines.CUSTOMER), col(SparkModelStage.IDX)).agg(count(lit(1)).as("n"))
                .join(users, AcceptedLines.CUSTOMER)
                .select(col("uid"), col(SparkModelStage.IDX), lit(1.0).plus(log(col("n"))).cast("float").as("rating"));
        return new ALS().setImplicitPrefs(true).setRank(options.alsRank()).setRegParam(options.alsRegularization())
                .setAlpha(options.alsAlpha()).setMaxIter(options.alsIterations()).setSeed(options.seed())
                .setUserCol("uid").setItemCol(SparkModelStage.IDX).setRatingCol("rating")
                .fit(ratings);
    }

    /** Groups each customer's lines in loader order and walks them: history and repeat scores. */
    static Dataset<Row> walk(Dataset<Row> customerLines, Broadcast<String[]> ids, long reference,
                             SparkModelOptions options, Broadcast<CustomerAnalytics.ItemPrices> prices,
                             Broadcast<double[]> costs) {
        double lambda = Math.log(2) / options.repeatHalfLifeDays();
        int topN = options.topN();
        return customerLines
                .select(col(AcceptedLines.CUSTOMER), col("uid"), col(SparkModelStage.ORDER_FIRST),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(SparkModelStage.IDX),
                        col(AcceptedLines.QUANTITY), col(AcceptedLines.PRICE), col(SparkModelStage.TIME_SECONDS),
                        col(AcceptedLines.KEPT))
                .repartition(col(AcceptedLines.CUSTOMER))
                .sortWithinPartitions(col(AcceptedLines.CUSTOMER), col(SparkModelStage.ORDER_FIRST),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE))
                .mapPartitions(walker(ids, reference, lambda, topN, prices, costs), Encoders.row(WALKED));
    }

    private static MapPartitionsFunction<Row, Row> walker(Broadcast<String[]> ids, long reference, double lambda,
                                                          int topN,
                                                          Broadcast<CustomerAnalytics.ItemPrices> prices,
                                                          Broadcast<double[]> costs) {
        return rows -> new Iterator<>() {
            private final CustomerHistories.Accumulator acc = new CustomerHistories.Accumulator();
            private final Map<Integer, Integer> slot = new HashMap<>();
            private final List<Integer> slotItem = new ArrayList<>();
            private final List<Double> personal = new ArrayList<>();
            private final List<Integer> lastOrder = new ArrayList<>();
            private final SparkTifuKnn.BasketBuilder baskets = new SparkTifuKnn.BasketBuilder();
            private Row pending = rows.hasNext() ? rows.next() : null;

            @Override
            public boolean hasNext() {
                return pending != null;
            }

            @Override
            public Row next() {
                String[] id = ids.value();
                String customer = pending.getString(0);
                int uid = pending.getInt(1);
                acc.clear();
                slot.clear();
                slotItem.clear();
                personal.clear();
                lastOrder.clear();
                baskets.clear();
                CustomerAnalytics.CustomerPriceSums priceSums = prices == null ? null
                        : new CustomerAnalytics.CustomerPriceSums(prices.value());
                CustomerProfiles.CostSums costSums = costs == null ? null
                        : new CustomerProfiles.CostSums(costs.value());
                // CustomerAnalytics: an order's spend summed exactly over its lines (as the decimals written), then
                // per purchase day, rounded once a day (the total once), so that neither the lines' order nor the
                // orders' changes a bit
                TreeMap<Long, ExactSum> perDay = new TreeMap<>();
                Row firstRow = pending.getStruct(2);
                int orderFile = -1;
                long orderLine = -1;
                int orders = 0;
                long orderTime = 0;
                ExactSum orderSpend = new ExactSum();
                boolean orderKept = false; // an order all of whose lines were returned is no purchase day
                while (pending != null && pending.getString(0).equals(customer)) {
                    Row r = pending;
                    pending = rows.hasNext() ? rows.next() : null;
                    Row first = r.getStruct(2);
                    if (orders == 0 || first.getInt(0) != orderFile || first.getLong(1) != orderLine) {
                        if (orders > 0 && orderKept) {
                            perDay.computeIfAbsent(Math.floorDiv(orderTime, 86_400L), k -> new ExactSum())
                                    .add(orderSpend);
                            if (costSums != null) {
                                costSums.endOrder();
                            }
                        }
                        orderFile = first.getInt(0);
                        orderLine = first.getLong(1);
                        orders++;
                        orderTime = r.getLong(8);
                        orderSpend = new ExactSum();
                        orderKept = false;
                        acc.order(LocalDate.ofEpochDay(Math.floorDiv(orderTime, 86_400L)));
                        baskets.order(reference, orderTime);
                    }
                    int item = r.getInt(5);
                    baskets.line(item);
                    // customer value counts what the customer kept (CustomerAnalytics), the history what they
                    // bought, and what they returned of it
                    double kept = r.getDouble(9);
                    acc.line(item, id[item], r.getDouble(6), kept);
                    if (kept > 0) {
                        orderKept = true;
                        orderSpend.addAmount(kept, r.getDouble(7));
                        if (priceSums != null) {
                            priceSums.line(item, kept, r.getDouble(7));
                        }
                        if (costSums != null) {
                            costSums.line(item, kept, r.getDouble(7));
                        }
                    }
                    Integer s = slot.get(item);
                    if (s == null) {
                        s = slotItem.size();
                        slot.put(item, s);
                        slotItem.add(item);
                        personal.add(0.0);
                        lastOrder.add(0);
                    }
                    if (lastOrder.get(s) != orders) {
                        // RepeatFrequency: each order containing the item weighs 2^(-age / half-life), the age in
                        // days as Interactions stores it (a float)
                        lastOrder.set(s, orders);
                        float age = (float) ((reference - orderTime) / 86400.0);
                        personal.set(s, personal.get(s) + Math.exp(-lambda * Math.max(0, age)));
                    }
                }
                if (orderKept) {
                    perDay.computeIfAbsent(Math.floorDiv(orderTime, 86_400L), k -> new ExactSum()).add(orderSpend);
                }
                if (costSums != null) {
                    costSums.endOrder();
                }
                long[] days = new long[perDay.size()];
                ExactSum[] daySpend = new ExactSum[perDay.size()];
                int d = 0;
                for (Map.Entry<Long, ExactSum> e : perDay.entrySet()) {
                    days[d] = e.getKey();
                    daySpend[d++] = e.getValue();
                }
                // a customer who returned everything has no purchase day: days 0, left out of the profiles
                CustomerAnalytics.CustomerSummary summary = days.length == 0 ? null
                        : CustomerAnalytics.CustomerSummary.of(customer, days,
                        daySpend, 0, 0, 0, 0, priceSums == null ? 1.0 : priceSums.priceIndex(),
                        priceSums == null ? Double.NaN : priceSums.cheaperVariantShare(),
                        priceSums == null ? List.of() : priceSums.topFamilies(FAVOURITE_FAMILIES));
                CustomerHistory h = acc.history();
                Row[] history = new Row[h.items().size()];
                for (int k = 0; k < history.length; k++) {
                    PurchasedItem p = h.items().get(k);
                    history[k] = RowFactory.create(p.itemId(), p.orderCount(), p.quantity(),
                            p.lastPurchased().toEpochDay(), p.returnedQuantity());
                }
                int n = slotItem.size();
                int[] bought = new int[n];
                float[] score = new float[n];
                for (int s = 0; s < n; s++) {
                    bought[s] = slotItem.get(s);
                    // RepeatFrequency's score of a bought item: 1 + the decayed count, as a float
                    score[s] = 1f + (float) (double) personal.get(s);
                }
                int[] best = rankRepeats(bought, score, topN);
                Integer[] repeatItems = new Integer[best.length];
                Float[] repeatScores = new Float[best.length];
                for (int r = 0; r < best.length; r++) {
                    repeatItems[r] = bought[best[r]];
                    repeatScores[r] = score[best[r]];
                }
                Arrays.sort(bought);
                Integer[] boughtBoxed = Arrays.stream(bought).boxed().toArray(Integer[]::new);
                SparkTifuKnn.Baskets tifu = baskets.build(uid); // its items are "bought", ascending
                return RowFactory.create(customer, uid, h.orderCount(), history, boughtBoxed, repeatItems, repeatScores,
                        firstRow.getInt(0), firstRow.getLong(1), summary == null ? 0 : summary.days(),
                        summary == null ? 0L : summary.firstDay(), summary == null ? 0L : summary.lastDay(),
                        summary == null ? 0L : summary.previousGapDays(), summary == null ? 0.0 : summary.repeatSpend(),
                        summary == null ? 0.0 : summary.monetary(), summary == null ? 1.0 : summary.priceIndex(),
                        summary == null ? Double.NaN : summary.cheaperVariantShare(),
                        summary == null ? new String[0] : summary.topFamilies().toArray(new String[0]),
                        costSums == null ? 0.0 : costSums.revenue(), costSums == null ? 0.0 : costSums.margin(),
                        SparkTifuKnn.boxF(tifu.ages), SparkTifuKnn.box(tifu.ptr), SparkTifuKnn.box(tifu.baskets));
            }
        };
    }

    /**
     * The customer's repeat candidates as the served list takes them: positions in {@code items} of the at most
     * {@code topN} best, best first by score, ties to the lower item number (TopK's rule).
     */
    static int[] rankRepeats(int[] items, float[] scores, int topN) {
        Integer[] order = new Integer[items.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a])
                : Integer.compare(items[a], items[b]));
        int[] best = new int[Math.min(topN, order.length)];
        for (int k = 0; k < best.length; k++) {
            best[k] = order[k];
        }
        return best;
    }

    /**
     * Scores new items by ALS (when {@code factors} is given) and merges them with the repeat candidates into
     * one list of at most topN ({@link Merged}).
     */
    private static MapPartitionsFunction<Row, Row> score(Broadcast<String[]> ids, Broadcast<float[]> factors,
                                                         Broadcast<boolean[]> known, int rank, int itemCount,
                                                         SparkModelOptions options) {
        int topN = options.topN();
        float newWeight = (float) options.newItemWeight();
        return rows -> new Iterator<>() {
            private final float[] s = new float[itemCount];
            private final Merged merged = new Merged(topN);

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row r = rows.next();
                List<Integer> repeatItems = list(r, WALKED.fieldIndex("repeatItems"));
                List<Float> repeatScores = list(r, WALKED.fieldIndex("repeatScores"));
                int[] fresh = new int[0];
                // after the walked columns, the join adds ALS's "id" and "features" (by position: rows passed on
                // between map functions carry no schema)
                int featuresAt = WALKED.length() + 1;
                if (factors != null && !r.isNullAt(featuresAt)) {
                    fresh = fresh(list(r, featuresAt), factors.value(), known.value(), rank,
                            CustomerLists.<Integer>list(r, WALKED.fieldIndex("bought")), topN, s);
                }
                int[] rep = new int[repeatItems.size()];
                float[] repScores = new float[rep.length];
                for (int k = 0; k < rep.length; k++) {
                    rep[k] = repeatItems.get(k);
                    repScores[k] = repeatScores.get(k);
                }
                merged.of(rep, repScores, fresh, s, newWeight);
                String[] id = ids.value();
                Row[] list = new Row[merged.size];
                for (int k = 0; k < merged.size; k++) {
                    boolean repeat = merged.repeat[k];
                    list[k] = RowFactory.create(id[merged.items[k]], (double) merged.scores[k], repeat,
                            repeat ? SparkModelStage.REPEAT_SOURCE : SparkModelStage.NEW_SOURCE);
                }
                return RowFactory.create(r.getString(WALKED.fieldIndex("customer")),
                        r.getInt(WALKED.fieldIndex("orders")), r.get(WALKED.fieldIndex("history")), list);
            }
        };
    }

    /**
     * The {@code topN} items the customer did not buy, best first by the ALS score {@code u . v_i} (items ALS has
     * no factors for excluded), as TopK selects (ties to the lower item number); {@code scores} (one per item)
     * is left holding each item's score, NaN for the excluded.
     */
    static int[] fresh(List<Float> u, float[] factors, boolean[] known, int rank, List<Integer> bought, int topN,
                       float[] scores) {
        for (int i = 0; i < scores.length; i++) {
            if (!known[i]) {
                scores[i] = Float.NaN;
                continue;
            }
            float dot = 0;
            for (int k = 0; k < rank; k++) {
                dot += u.get(k) * factors[i * rank + k];
            }
            scores[i] = dot;
        }
        for (Integer b : bought) {
            scores[b] = Float.NaN; // TopK never selects NaN: bought items are repeat candidates only
        }
        return TopK.select(scores, topN, null);
    }

    /**
     * One customer's served list: the repeat candidates and the new (ALS) candidates, each best first, merged by
     * score: each kind's scores min-max normalised to (0.1, 1] as the blend normalises a model's candidates, new
     * items' multiplied by {@code newItemWeight}; ties to the repeat item, then each kind's own order. At most
     * {@code topN} items. Reused from customer to customer: the arrays hold the last list.
     */
    static final class Merged {
        final int[] items;
        final float[] scores;
        final boolean[] repeat;
        int size;

        Merged(int topN) {
            items = new int[topN];
            scores = new float[topN];
            repeat = new boolean[topN];
        }

        /**
         * @param fresh       new items, best first
         * @param freshScores their scores, indexed by item number (as {@link #fresh} leaves them)
         */
        void of(int[] repeatItems, float[] repeatScores, int[] fresh, float[] freshScores, float newWeight) {
            float[] repN = normalise(repeatScores);
            float[] f = new float[fresh.length];
            for (int k = 0; k < f.length; k++) {
                f[k] = freshScores[fresh[k]];
            }
            float[] freshN = normalise(f);
            int a = 0;
            int b = 0;
            size = 0;
            while (size < items.length && (a < repeatItems.length || b < fresh.length)) {
                boolean takeRepeat = b >= fresh.length
                        || (a < repeatItems.length && repN[a] >= newWeight * freshN[b]);
                if (takeRepeat) {
                    items[size] = repeatItems[a];
                    scores[size] = repN[a++];
                } else {
                    items[size] = fresh[b];
                    scores[size] = newWeight * freshN[b++];
                }
                repeat[size++] = takeRepeat;
            }
        }
    }

    /**
     * An array column as a list, whether the row came through Spark's encoder (a Seq) or straight from the previous
     * map function, which Spark may chain without serialising (the Java array it was given).
     */
    @SuppressWarnings("unchecked")
    static <T> List<T> list(Row r, int i) {
        Object v = r.get(i);
        return v instanceof Object[] a ? Arrays.asList((T[]) a) : r.getList(i);
    }

    /** The blend's normalisation of a ranked list (ModelRun.normalise): best 1, last 0.1, all 1 when equal. */
    static float[] normalise(float[] ranked) {
        float[] out = new float[ranked.length];
        if (ranked.length == 0) {
            return out;
        }
        float hi = ranked[0];
        float lo = ranked[ranked.length - 1];
        for (int r = 0; r < ranked.length; r++) {
            out[r] = hi > lo ? 0.1f + 0.9f * (ranked[r] - lo) / (hi - lo) : 1f;
        }
        return out;
    }

    /** Streams the scored customers into the builder; returns the counts. */
    private static Result put(Iterator<Row> scored, SnapshotBuilder builder, String model) {
        long customers = 0;
        long withLists = 0;
        while (scored.hasNext()) {
            Row r = scored.next();
            String customer = r.getString(0);
            List<Row> history = list(r, SCORED.fieldIndex("history"));
            List<PurchasedItem> purchases = new ArrayList<>(history.size());
            Map<String, PurchasedItem> byId = new HashMap<>();
            for (Row p : history) {
                PurchasedItem item = new PurchasedItem(p.getString(0), p.getInt(1), p.getDouble(2),
                        LocalDate.ofEpochDay(p.getLong(3)), p.getDouble(4));
                purchases.add(item);
                byId.put(item.itemId(), item);
            }
            builder.putCustomer(customer, new CustomerHistory(r.getInt(SCORED.fieldIndex("orders")), purchases,
                    purchases.size()));
            customers++;
            List<Row> list = list(r, SCORED.fieldIndex("list"));
            if (list.isEmpty()) {
                continue;
            }
            List<PrecomputedItem> items = new ArrayList<>(list.size());
            for (Row p : list) {
                String itemId = p.getString(0);
                boolean repeat = p.getBoolean(2);
                PurchasedItem purchase = repeat ? byId.get(itemId) : null;
                if (repeat && purchase == null) {
                    // as CustomerRecommendations: a repeat without its purchase would be a claim without facts
                    throw new IllegalStateException("item " + itemId + " was listed as a repeat purchase, but the "
                            + "customer's history does not contain it");
                }
                items.add(new PrecomputedItem(itemId, p.getDouble(1), repeat, p.getString(3), purchase));
            }
            builder.putCustomerRecommendations(customer, new PrecomputedRecommendations(model, items));
            withLists++;
        }
        return new Result(customers, withLists, Map.of(), null, null, null, null);
    }
}
