package io.affinity.spark;

import static org.apache.spark.sql.functions.array_remove;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.CatalogMerge;
import io.affinity.training.RuleIndex;
import io.affinity.training.TradeUpParameters;
import io.affinity.training.TradeUps;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import io.affinity.training.TypicalPrice;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.MinedRule;
import io.affinity.training.mining.RuleGenerator;
import io.affinity.training.models.TifuKnn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.fpm.FPGrowth;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * The model stage of training on Spark: from the {@link AcceptedLines} table to the item facts, association
 * rules, customer histories, popular items, trade-ups and precomputed customer lists of a snapshot, with the
 * semantics of single-machine training ({@code TrainingPipeline}) wherever it has the same step.
 *
 * <p>What runs where: every aggregation over lines, orders and customers runs as Spark jobs. The driver holds
 * per-item data (facts, the item numbering, ALS item factors, the kept rules: catalogue-sized) and, for the
 * customer value fits, a dozen numbers per customer; it streams rules and per-customer results into the builder
 * with {@code toLocalIterator()}, one partition at a time.
 *
 * <p>Customer value profiles are fitted on the driver from per-customer summaries made on Spark (see
 * {@link CustomerProfiles}); trade-ups are counted on Spark ({@link SparkTradeUps}) in the profiles' segments. A
 * retailer's catalogue file, read on the driver, is merged with the derived item facts by single-machine
 * training's {@link CatalogMerge}: its values override them (trade-ups see its prices and categories, its costs
 * make tiers margin-based), its never-bought items are indexed. Not computed here: consent (the job reads it
 * itself); the served lists come from TIFU-KNN ({@link SparkTifuKnn}, single-machine training's model) or from
 * implicit ALS plus the customer's own repeat purchases, whichever validates better on a split of the data's end
 * (their parameters chosen there too, {@link ListTuning}), not from the single-machine blend.
 */
public final class SparkModelStage {
    /** The merged lists' model name, stored with every precomputed list it serves ({@link SparkTifuKnn#NAME}: TIFU-KNN's). */
    public static final String MODEL_NAME = "spark-als+repeat";
    /** Source names of the two kinds of list items, the evaluation's names of the same models. */
    public static final String REPEAT_SOURCE = "repeat-frequency";
    public static final String NEW_SOURCE = "als";

    static final String IDX = "idx";
    static final String TIME_SECONDS = "t";
    static final String ORDER_FIRST = "ofirst";

    private SparkModelStage() {
    }

    /**
     * What the stage made besides the snapshot's contents: manifest sections (name -> JSON-serialisable) for the
     * caller to put with the rest of its manifest, and the options the lists were built with (the tuned half-life
     * and weight in place of the given ones).
     */
    public record Trained(Map<String, Object> sections, SparkModelOptions served) {
    }

    /**
     * Trains everything from the accepted lines on Spark and puts it into the builder. The caller's manifest
     * parameters should include {@link SparkModelOptions#asManifestMap()} of {@link Trained#served()}: its
     * {@code orderSequence} is what the served snapshot reads to know that dates are order sequence numbers.
     *
     * @param tuning how the lists' half-life and new-item weight are chosen on a validation split
     *               ({@link ListTuning#OFF}: the options' values)
     * @throws IllegalArgumentException when {@code accepted} lacks a column of {@link AcceptedLines#SCHEMA} or has
     *                                  no line (a snapshot without items would serve nothing)
     */
    public static Trained train(Dataset<Row> accepted, SparkModelOptions options, ListTuning tuning,
                                SnapshotBuilder builder, Consumer<String> progress) {
        return train(accepted, options, tuning, TradeUpParameters.DEFAULTS, null, builder, progress);
    }

    /**
     * As {@link #train(Dataset, SparkModelOptions, ListTuning, SnapshotBuilder, Consumer)}, with what counts as a
     * trade-up and the retailer's catalogue (null: none), whose {@code catalog} section this puts into the builder
     * itself.
     */
    public static Trained train(Dataset<Row> accepted, SparkModelOptions options, ListTuning tuning,
                                TradeUpParameters tradeUps, CatalogFile catalogue, SnapshotBuilder builder,
                                Consumer<String> progress) {
        Objects.requireNonNull(accepted, "accepted");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(tradeUps, "tradeUps");
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(progress, "progress");
        checkSchema(accepted.schema());
        SparkSession spark = accepted.sparkSession();
        Map<String, Object> seconds = new LinkedHashMap<>();
        Map<String, Object> counts = new LinkedHashMap<>();
        Map<String, Object> customerModels = new LinkedHashMap<>();
        SparkModelOptions served = options;
        Map<String, Object> validation = null;
        String listModel = MODEL_NAME;
        TifuKnn.Params tifu = null;
        Map<String, Object> upsell;
        // what purchase ages count from: the data's last time, as train records it (servedModel.recencyAsOf)
        String recencyAsOf;

        Dataset<Row> lines = accepted.select(col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.ORDER),
                        col(AcceptedLines.ITEM), col(AcceptedLines.CUSTOMER), col(AcceptedLines.QUANTITY),
                        col(AcceptedLines.PRICE), col(AcceptedLines.DESCRIPTION), col(AcceptedLines.CATEGORY),
                        col(AcceptedLines.TIME).as(TIME_SECONDS),
                        (List.of(accepted.columns()).contains(AcceptedLines.KEPT) ? col(AcceptedLines.KEPT)
                                : col(AcceptedLines.QUANTITY)).as(AcceptedLines.KEPT))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long start = System.nanoTime();
            Items items = items(lines);
            if (items.facts.isEmpty()) {
                throw new IllegalArgumentException("no accepted lines: refusing to train a model without items");
            }
            recencyAsOf = java.time.LocalDateTime.ofEpochSecond(items.lastTime, 0, java.time.ZoneOffset.UTC).toString();
            // Catalogue-sized, on the driver: the items, index and catalog section single-machine training
            // writes, by the same code from the same facts. Popularity stays the transactions'.
            CatalogMerge merged = catalogue == null ? CatalogMerge.none(items.facts)
                    : CatalogMerge.of(items.facts, catalogue);
            items = items.withCosts(merged.bought());
            builder.popularItems(popular(items.facts, options.popularItems()));
            counts.put("lines", items.lines);
            counts.put("items", merged.all().size());
            step(progress, seconds, "items", start, "items: %,d accepted lines, %s", items.lines,
                    TrainingPipeline.itemCounts(merged.all().size(), merged.neverBought().size()));
            try {
                merged.put(builder, catalogue, progress);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the catalogue file " + catalogue.path(), e);
            }

            Dataset<Row> indexed = lines.join(broadcast(itemNumbers(spark, items.facts)), AcceptedLines.ITEM);
            Dataset<Row> orders = indexed.groupBy(col(AcceptedLines.ORDER))
                    .agg(array_sort(collect_set(col(IDX))).as("items"),
                            min(struct(col(AcceptedLines.FILE), col(AcceptedLines.LINE))).as(ORDER_FIRST))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                start = System.nanoTime();
                Map<String, Object> mining = rules(spark, orders, items, options, builder);
                counts.putAll(mining);
                step(progress, seconds, "rules", start, "rules: %,d baskets, min support count %,d, %,d frequent "
                                + "itemsets, %,d rules (%,d over the per-item cap of %d)", mining.get("baskets"),
                        mining.get("minSupportCount"), mining.get("frequentItemsets"), mining.get("rulesPublished"),
                        mining.get("rulesDroppedByCap"), options.maxRulesPerItem());
                // as train: a support given as a share leaves a large catalogue without rules, say so
                TrainingPipeline.fewRulesWarning(((Number) mining.get("baskets")).longValue(),
                        ((Number) mining.get("minSupportCount")).longValue(),
                        ((Number) mining.get("itemsWithRules")).longValue(), items.facts.size()).ifPresent(progress);
                progress.accept(DriverMemory.describe(items.customers, items.historyItems(),
                        ((Number) mining.get("rulesPublished")).longValue(), options.topN(),
                        Runtime.getRuntime().maxMemory()));

                start = System.nanoTime();
                CustomerLists.Result customers = CustomerLists.run(spark, indexed, orders, items, options, tuning,
                        builder, progress);
                served = customers.served();
                validation = customers.validation();
                if (customers.customers() == 0) {
                    progress.accept("warning: no identified customers (every accepted order is anonymous): the "
                            + "model serves basket recommendations only");
                }
                counts.put("customers", customers.customers());
                counts.put("customersWithLists", customers.withLists());
                customerModels.putAll(customers.customerModels());
                step(progress, seconds, "customers", start, "customers: %,d histories, %,d precomputed lists "
                        + "(%s, top %d)", customers.customers(), customers.withLists(), customers.model(),
                        options.topN());
                listModel = customers.model();
                tifu = customers.tifu();

                start = System.nanoTime();
                TradeUps.Summary found = SparkTradeUps.find(indexed, merged.bought(), customers.segments(),
                        tradeUps, builder::putTradeUps);
                upsell = found.section(tradeUps);
                step(progress, seconds, "upsell", start, "%s", found.describe(tradeUps));
            } finally {
                orders.unpersist();
            }
        } finally {
            lines.unpersist();
        }

        Map<String, Object> training = new LinkedHashMap<>();
        training.put("engine", "spark");
        training.put("sparkVersion", spark.version());
        training.put("master", spark.sparkContext().master());
        training.put("parameters", served.asManifestMap());
        training.put("tuning", tuning.asManifestMap());
        training.putAll(counts);
        training.put("seconds", seconds);
        Map<String, Object> model = new LinkedHashMap<>();
        if (options.topN() == 0) {
            model.put("name", "rules");
            model.put("note", "no precomputed lists: customers get rules fired by their history per request");
        } else if (tifu != null) {
            model.put("name", listModel);
            model.put("note", "TIFU-KNN (Hu et al., SIGIR 2020), as single-machine training's tifu-knn: the "
                    + "customer's decayed item frequencies (baskets newest first in groups) mixed with the mean of "
                    + "the k most similar customers' (cosine, exact); unscored items by popularity; "
                    + (validation == null ? "the grid's first setting (no validation)"
                    : "setting and model chosen on the validation split"));
            model.put("customers", counts.get("customersWithLists"));
            model.put("tifu", ListTuning.tifuMap(tifu));
        } else {
            model.put("name", listModel);
            model.put("note", "implicit ALS (Spark MLlib) for items new to the customer, the customer's own "
                    + "purchases weighted by recency for repeat items; each kind min-max normalised, new items "
                    + "times newItemWeight; half-life and weight chosen on the validation split when tuned");
            model.put("customers", counts.get("customersWithLists"));
        }
        model.put("parameters", served.asManifestMap());
        if (options.topN() != 0) {
            model.put("recencyAsOf", recencyAsOf);
        }
        if (validation != null) {
            model.put("validation", validation);
        }
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put("training", training);
        sections.put("servedModel", model);
        sections.put("customerModels", customerModels);
        sections.put("upsell", upsell);
        return new Trained(sections, served);
    }

    private static void checkSchema(StructType schema) {
        for (StructField f : AcceptedLines.SCHEMA.fields()) {
            int at = List.of(schema.fieldNames()).indexOf(f.name());
            if (at < 0) {
                throw new IllegalArgumentException("accepted lines lack column '" + f.name() + "' of "
                        + "AcceptedLines.SCHEMA");
            }
            if (!schema.fields()[at].dataType().equals(f.dataType())) {
                throw new IllegalArgumentException("accepted lines' column '" + f.name() + "' is "
                        + schema.fields()[at].dataType().simpleString() + ", AcceptedLines.SCHEMA has "
                        + f.dataType().simpleString());
            }
        }
    }

    private static void step(Consumer<String> progress, Map<String, Object> seconds, String name, long startNanos,
                             String format, Object... args) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        seconds.put(name, Math.round(s * 10) / 10.0);
        progress.accept(String.format(Locale.ROOT, format, args) + String.format(Locale.ROOT, " [%.1f s]", s));
    }

    /**
     * Per-item data on the driver: facts in order of first appearance (the single-machine item numbering, which
     * {@link #itemNumbers} gives the lines), with each item's order count (its support as a singleton).
     */
    static final class Items {
        final List<ItemFacts> facts;
        final long lines;
        final long lastTime;
        /** Catalogue unit costs by item number (NaN: none), null when no item has one. */
        final double[] costs;
        /** Identified customers. */
        final long customers;

        Items(List<ItemFacts> facts, long lines, long lastTime, long customers) {
            this(facts, lines, lastTime, null, customers);
        }

        private Items(List<ItemFacts> facts, long lines, long lastTime, double[] costs, long customers) {
            this.facts = facts;
            this.lines = lines;
            this.lastTime = lastTime;
            this.costs = costs;
            this.customers = customers;
        }

        /** Distinct (customer, item) pairs: the items of all customers' histories. */
        long historyItems() {
            return facts.stream().mapToLong(ItemFacts::customerCount).sum();
        }

        /**
         * These items with the costs of {@code merged} (the same items in the same order, catalogue values
         * applied), which customer value ranks tiers by; the derived facts stay, for what single-machine training
         * derives from the transactions alone (typical prices and families of price sensitivity).
         */
        Items withCosts(List<ItemFacts> merged) {
            double[] costs = new double[facts.size()];
            Arrays.fill(costs, Double.NaN);
            boolean any = false;
            for (int i = 0; i < costs.length; i++) {
                if (!merged.get(i).itemId().equals(facts.get(i).itemId())) {
                    throw new IllegalArgumentException("merged facts out of item order at " + i);
                }
                if (merged.get(i).hasCost()) {
                    costs[i] = merged.get(i).unitCost();
                    any = true;
                }
            }
            return new Items(facts, lines, lastTime, any ? costs : null, customers);
        }

        String[] ids() {
            return facts.stream().map(ItemFacts::itemId).toArray(String[]::new);
        }

        long[] orderCounts() {
            return facts.stream().mapToLong(ItemFacts::orderCount).toArray();
        }
    }

    /**
     * Item facts as {@code CatalogFacts} derives them: order and customer counts, units, median price paid; the
     * description and category voted as the loader does (the most frequent non-blank value, first seen on ties).
     */
    static Items items(Dataset<Row> lines) {
        Dataset<Row> agg = lines.groupBy(col(AcceptedLines.ITEM)).agg(
                min(struct(col(AcceptedLines.FILE), col(AcceptedLines.LINE))).as("first"),
                countDistinct(col(AcceptedLines.ORDER)).as("orders"),
                countDistinct(col(AcceptedLines.CUSTOMER)).as("customers"),
                sum(col(AcceptedLines.QUANTITY)).as("quantity"),
                // exact (not percentile_approx); for an even count the mean of the two middle prices
                expr("percentile(" + AcceptedLines.PRICE + ", 0.5)").as("median"),
                count(lit(1)).as("lines"),
                max(col(TIME_SECONDS)).as("lastTime"));
        Dataset<Row> all = agg
                .join(vote(lines, AcceptedLines.DESCRIPTION), new String[]{AcceptedLines.ITEM}, "left")
                .join(vote(lines, AcceptedLines.CATEGORY), new String[]{AcceptedLines.ITEM}, "left")
                .orderBy(col("first"));
        List<ItemFacts> facts = new ArrayList<>();
        long lineCount = 0;
        long lastTime = Long.MIN_VALUE;
        for (Row r : all.collectAsList()) {
            facts.add(new ItemFacts(r.getAs(AcceptedLines.ITEM), r.getAs(AcceptedLines.DESCRIPTION),
                    r.getAs(AcceptedLines.CATEGORY), TypicalPrice.ofMedian(r.<Double>getAs("median")),
                    r.<Long>getAs("orders"), r.<Long>getAs("customers"), r.<Double>getAs("quantity")));
            lineCount += r.<Long>getAs("lines");
            lastTime = Math.max(lastTime, r.<Long>getAs("lastTime"));
        }
        long customers = lines.agg(countDistinct(col(AcceptedLines.CUSTOMER))).first().getLong(0);
        return new Items(List.copyOf(facts), lineCount, lastTime, customers);
    }

    /** Per item, the value of {@code column} the loader would keep: most frequent non-blank, first seen on ties. */
    private static Dataset<Row> vote(Dataset<Row> lines, String column) {
        Dataset<Row> votes = lines.filter(col(column).isNotNull().and(col(column).notEqual("")))
                .groupBy(col(AcceptedLines.ITEM), col(column))
                .agg(count(lit(1)).as("n"), min(struct(col(AcceptedLines.FILE), col(AcceptedLines.LINE))).as("seen"));
        return votes.withColumn("rank", row_number().over(Window.partitionBy(col(AcceptedLines.ITEM))
                        .orderBy(col("n").desc(), col("seen").asc())))
                .filter(col("rank").equalTo(1))
                .select(col(AcceptedLines.ITEM), col(column));
    }

    /** Item id to item number (position in {@code facts}), as a small table to broadcast. */
    private static Dataset<Row> itemNumbers(SparkSession spark, List<ItemFacts> facts) {
        List<Row> rows = new ArrayList<>(facts.size());
        for (int i = 0; i < facts.size(); i++) {
            rows.add(RowFactory.create(facts.get(i).itemId(), i));
        }
        return spark.createDataFrame(rows, new StructType()
                .add(AcceptedLines.ITEM, DataTypes.StringType, false)
                .add(IDX, DataTypes.IntegerType, false));
    }

    /** The {@code n} items first in {@link PopularItem#BEST_FIRST} order, as {@code CatalogFacts.popular}. */
    static List<PopularItem> popular(List<ItemFacts> facts, int n) {
        List<PopularItem> all = new ArrayList<>();
        for (ItemFacts f : facts) {
            all.add(new PopularItem(f.itemId(), f.orderCount(), f.customerCount()));
        }
        all.sort(PopularItem.BEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    static final StructType ITEMSETS = new StructType()
            .add("items", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("freq", DataTypes.LongType, false);

    /**
     * Frequent itemsets of the baskets (one per order, anonymous ones too, distinct items) at
     * {@code max(MIN_SUPPORT_COUNT, ceil(minSupport x baskets))}, as single-machine mining; Spark's FP-growth is
     * exact, so these are the same itemsets with the same counts. Items numbered as {@link Items}, ascending.
     */
    static Dataset<Row> frequentItemsets(SparkSession spark, Dataset<Row> orders, long baskets, long minCount,
                                         int maxLength) {
        if (minCount > baskets) {
            return spark.createDataFrame(List.of(), ITEMSETS);
        }
        // Spark's count threshold is ceil(minSupport x baskets): half a basket below the count gives exactly it,
        // whatever the rounding of the division.
        double fraction = (minCount - 0.5) / baskets;
        Dataset<Row> all = new FPGrowth().setItemsCol("items").setMinSupport(fraction).fit(orders.select("items"))
                .freqItemsets();
        return all.filter(size(col("items")).leq(maxLength).and(col("freq").geq(minCount)))
                .select(array_sort(col("items")).as("items"), col("freq"));
    }

    static final StructType RULES = new StructType()
            .add("antecedent", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("consequent", DataTypes.StringType, false)
            .add("supportCount", DataTypes.LongType, false)
            .add("support", DataTypes.DoubleType, false)
            .add("confidence", DataTypes.DoubleType, false)
            .add("lift", DataTypes.DoubleType, false)
            .add("leverage", DataTypes.DoubleType, false)
            .add("conviction", DataTypes.DoubleType, false)
            .add("antecedentKey", DataTypes.StringType, false);

    /** Mines, measures, caps and puts the rules; returns the mining counts for the manifest. */
    private static Map<String, Object> rules(SparkSession spark, Dataset<Row> orders, Items items,
                                             SparkModelOptions options, SnapshotBuilder builder) {
        long baskets = orders.count();
        long fractionCount = minSupportCount(options.minSupport(), baskets);
        long minCount = Math.max(TrainingParameters.MIN_SUPPORT_COUNT, fractionCount);
        Dataset<Row> itemsets = frequentItemsets(spark, orders, baskets, minCount, options.maxLength())
                .persist(StorageLevel.MEMORY_AND_DISK());
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            long frequent = itemsets.count();
            Dataset<Row> rules = measuredRules(spark, itemsets, items, baskets, options.minConfidence(),
                    options.minLift());
            // Best first as RuleIndex.BEST_FIRST: ids compared as UTF-16 code units like String.compareTo (Spark
            // compares strings by UTF-8 bytes, which differs above U+FFFF), the check in ofBestFirst guards it.
            Iterator<Row> sorted = rules.orderBy(col("confidence").desc(), col("lift").desc(),
                    encode(col("consequent"), "UTF-16BE").asc(), encode(col("antecedentKey"), "UTF-16BE").asc())
                    .toLocalIterator();
            RuleIndex index = RuleIndex.ofBestFirst(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return sorted.hasNext();
                }

                @Override
                public AssociationRule next() {
                    Row r = sorted.next();
                    return new AssociationRule(r.getList(0), r.getString(1), r.getLong(2), r.getDouble(3),
                            r.getDouble(4), r.getDouble(5), r.getDouble(6), r.getDouble(7));
                }
            }, options.maxRulesPerItem());
            index.byItem().forEach(builder::putRules);
            m.put("baskets", baskets);
            m.put("minSupportCount", minCount);
            m.put("minSupportCountFromFraction", fractionCount);
            m.put("frequentItemsets", frequent);
            m.put("rulesMined", index.keptRules() + index.droppedByCap());
            m.put("rulesPublished", index.keptRules());
            m.put("rulesDroppedByCap", index.droppedByCap());
            m.put("itemsWithRules", index.byItem().size());
            return m;
        } finally {
            itemsets.unpersist();
        }
    }

    /** {@link FpGrowth#minSupportCount}, also for more baskets than an int counts (the same decimal ceiling). */
    static long minSupportCount(double minSupport, long baskets) {
        if (baskets <= Integer.MAX_VALUE) {
            return FpGrowth.minSupportCount(minSupport, (int) baskets);
        }
        return BigDecimal.valueOf(minSupport).multiply(BigDecimal.valueOf(baskets))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * Every rule X\{c} => c of every frequent itemset X with at least two items, measured by
     * {@link RuleGenerator#rule} (the single-machine expressions) and kept when it passes the thresholds. The
     * antecedent's support is joined from the itemsets (every subset of a frequent itemset is one), the
     * consequent's is the item's order count.
     */
    static Dataset<Row> measuredRules(SparkSession spark, Dataset<Row> itemsets, Items items, long baskets,
                                      double minConfidence, double minLift) {
        Dataset<Row> candidates = itemsets.filter(size(col("items")).geq(2))
                .select(col("items"), col("freq"), posexplode(col("items")).as(new String[]{"pos", "consequent"}))
                .withColumn("antecedent", array_remove(col("items"), col("consequent")));
        Dataset<Row> anteSupport = itemsets.select(col("items").as("antecedent"), col("freq").as("anteFreq"));
        Dataset<Row> joined = candidates.join(anteSupport, "antecedent")
                .select(col("antecedent"), col("consequent"), col("freq"), col("anteFreq"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<String[]> ids = jsc.broadcast(items.ids());
        Broadcast<long[]> support = jsc.broadcast(items.orderCounts());
        return joined.mapPartitions(measure(ids, support, baskets, minConfidence, minLift), Encoders.row(RULES));
    }

    private static MapPartitionsFunction<Row, Row> measure(Broadcast<String[]> ids, Broadcast<long[]> support,
                                                           long baskets, double minConfidence, double minLift) {
        return rows -> new Iterator<>() {
            private Row next = advance();

            private Row advance() {
                String[] id = ids.value();
                long[] orders = support.value();
                while (rows.hasNext()) {
                    Row r = rows.next();
                    List<Integer> ante = r.getList(0);
                    int[] antecedent = new int[ante.size()];
                    for (int i = 0; i < antecedent.length; i++) {
                        antecedent[i] = ante.get(i);
                    }
                    int consequent = r.getInt(1);
                    MinedRule rule = RuleGenerator.rule(antecedent, antecedent.length, consequent, r.getLong(2),
                            r.getLong(3), orders[consequent], baskets, minConfidence, minLift);
                    if (rule != null) {
                        AssociationRule a = RuleIndex.toAssociationRule(rule, i -> id[i]);
                        return RowFactory.create(a.antecedent().toArray(String[]::new), a.consequent(),
                                a.supportCount(), a.support(), a.confidence(), a.lift(), a.leverage(),
                                a.conviction(), String.join(" ", a.antecedent()));
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Row next() {
                Row r = next;
                next = advance();
                return r;
            }
        };
    }
}
