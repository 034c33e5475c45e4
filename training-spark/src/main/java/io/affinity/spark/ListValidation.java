package io.affinity.spark;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import io.affinity.training.customers.ExactSum;
import io.affinity.training.evaluation.RankingMetrics;
import io.affinity.training.models.Interactions;
import io.affinity.training.models.TifuKnn;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Chooses the served list's half-life and new-item weight ({@link ListTuning}) on a validation split carved from
 * the end of the data: implicit ALS and the repeat scores are fitted on the lines before the split, every
 * (half-life, weight) pair's list is built as the served list is ({@link CustomerLists.Merged}) and scored by
 * NDCG@10 ({@link RankingMetrics}, the evaluation's definition) against the distinct items each customer bought in
 * the validation period. Customers who bought nothing before the split are left out: every pair serves them the
 * same popular items. All of it runs as Spark jobs; the driver gets one row of sums per partition.
 *
 * <p>The same customers score TIFU-KNN ({@link SparkTifuKnn}) over {@link ListTuning#tifuGrid()} (single-machine
 * training's grid), fitted on the same lines before the split; with {@link ListTuning.Lists#AUTO} the model with
 * the higher NDCG@10 is served, the merge on a tie (it was the job's only model before). The section records both
 * grids, their best settings, the served model and why.
 */
final class ListValidation {
    /**
     * The pair to serve, the TIFU-KNN setting when TIFU-KNN is served instead of the merge (else null), and the
     * manifest section saying how it was chosen.
     */
    record Chosen(double halfLifeDays, double newItemWeight, TifuKnn.Params tifu, Map<String, Object> section) {
    }

    private static final StructType SUMS = new StructType()
            .add("ndcg", DataTypes.createArrayType(DataTypes.StringType, false), false) // ExactSum per pair
            .add("customers", DataTypes.LongType, false);

    private ListValidation() {
    }

    /**
     * @param indexed       every accepted line, with {@link SparkModelStage#IDX} and time in seconds
     * @param customerLines the identified customers' lines, with {@link SparkModelStage#ORDER_FIRST}
     * @param users         customer id to ALS user number
     * @return the pair to serve; the options' own values, with the reason in the section, when there is nothing to
     *         validate on
     */
    static Chosen choose(Dataset<Row> indexed, Dataset<Row> customerLines, Dataset<Row> users, int itemCount,
                         SparkModelOptions options, ListTuning tuning, Consumer<String> progress) {
        long started = System.nanoTime();
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("tuning", tuning.asManifestMap());
        Row span = indexed.agg(min(col(SparkModelStage.TIME_SECONDS)), max(col(SparkModelStage.TIME_SECONDS))).first();
        long first = span.getLong(0);
        long last = span.getLong(1);
        // As single-machine training carves its blend's validation: whole days ending with the last order's day,
        // at most a quarter of the data's span.
        int days = (int) Math.max(1, Math.min(tuning.validationDays(), (last - first) / 86_400 / 4));
        long end = (Math.floorDiv(last, 86_400L) + 1) * 86_400L;
        long cutoff = end - days * 86_400L;
        String split = "time split: train before " + LocalDateTime.ofEpochSecond(cutoff, 0, ZoneOffset.UTC)
                + ", validate on the " + days + " days from it";
        section.put("validationSplit", split);

        Column before = col(SparkModelStage.TIME_SECONDS).lt(cutoff);
        Dataset<Row> train = customerLines.filter(before);
        Dataset<Row> truth = customerLines.filter(col(SparkModelStage.TIME_SECONDS).geq(cutoff)).groupBy(col(AcceptedLines.CUSTOMER))
                .agg(array_sort(collect_set(col(SparkModelStage.IDX))).as("truth"));
        Row ref = indexed.filter(before).agg(max(col(SparkModelStage.TIME_SECONDS))).first();
        if (ref.isNullAt(0)) {
            return unchanged(options, tuning, section, "no line before the validation split");
        }
        long reference = ref.getLong(0);

        double[] halfLives = tuning.halfLivesDays().stream().mapToDouble(Double::doubleValue).toArray();
        // Per customer and item: each order with the item weighs 2^(-age / half-life), one column per half-life,
        // summed youngest first: a sum() would add them in the order Spark's partial aggregates meet, which varies
        // with the partition count and between runs.
        Dataset<Row> orders = train.groupBy(col(AcceptedLines.CUSTOMER), col(SparkModelStage.ORDER_FIRST),
                        col(SparkModelStage.IDX))
                .agg(min(col(SparkModelStage.TIME_SECONDS)).as("t"))
                .withColumn("age", greatest(lit(0.0), lit(reference).minus(col("t")).divide(86_400.0)));
        Dataset<Row> perItem = orders.groupBy(col(AcceptedLines.CUSTOMER), col(SparkModelStage.IDX))
                .agg(array_sort(collect_list(col("age"))).as("ages"));
        for (int h = 0; h < halfLives.length; h++) {
            double rate = -Math.log(2) / halfLives[h];
            perItem = perItem.withColumn("s" + h, aggregate(col("ages"), lit(0.0),
                    (total, age) -> total.plus(exp(age.multiply(rate)))));
        }
        List<Column> scoreColumns = new ArrayList<>();
        scoreColumns.add(col(SparkModelStage.IDX));
        for (int h = 0; h < halfLives.length; h++) {
            scoreColumns.add(col("s" + h));
        }
        Dataset<Row> candidates = perItem.groupBy(col(AcceptedLines.CUSTOMER))
                .agg(collect_list(struct(scoreColumns.toArray(new Column[0]))).as("bought"));
        // counted, then scored: computed once
        Dataset<Row> validated = truth.join(candidates, AcceptedLines.CUSTOMER).join(users, AcceptedLines.CUSTOMER)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return choose(validated, truth.count(), train, users, itemCount, reference, options, tuning, section,
                    split, started, progress);
        } finally {
            validated.unpersist();
        }
    }

    private static Chosen choose(Dataset<Row> validated, long truthCustomers, Dataset<Row> train, Dataset<Row> users,
                                 int itemCount, long reference, SparkModelOptions options, ListTuning tuning,
                                 Map<String, Object> section, String split, long started,
                                 Consumer<String> progress) {
        long customers = validated.count();
        section.put("validationCustomers", customers);
        section.put("validationCustomersWithoutHistory", truthCustomers - customers);
        if (customers == 0) {
            return unchanged(options, tuning, section, "no customer who bought before the validation split bought "
                    + "in it");
        }
        double mergeBest = Double.NEGATIVE_INFINITY;
        double[] pair = {options.repeatHalfLifeDays(), options.newItemWeight()};
        if (tuning.lists() != ListTuning.Lists.TIFU_KNN) {
            int best = mergeGrid(validated, train, users, itemCount, options, tuning, section, split, started,
                    customers, progress);
            @SuppressWarnings("unchecked")
            Map<String, Object> chosen = (Map<String, Object>) section.get("chosen");
            mergeBest = (double) chosen.get("ndcg@10");
            pair = tuning.pairs().get(best);
        }
        TifuKnn.Params tifu = null;
        double tifuBest = Double.NEGATIVE_INFINITY;
        if (tuning.lists() != ListTuning.Lists.ALS_REPEAT) {
            long t0 = System.nanoTime();
            double[] ndcg = tifuGrid(validated, train, users, itemCount, reference, options.topN(),
                    tuning.tifuGrid(), customers);
            int best = 0;
            List<Map<String, Object>> grid = new ArrayList<>();
            StringBuilder line = new StringBuilder("validation ndcg@10 of tifu-knn by k/alpha/m/r_b/r_g:");
            for (int p = 0; p < ndcg.length; p++) {
                if (ndcg[p] > ndcg[best]) {
                    best = p;
                }
                TifuKnn.Params s = tuning.tifuGrid().get(p);
                Map<String, Object> row = ListTuning.tifuMap(s);
                row.put("ndcg@10", ndcg[p]);
                grid.add(row);
                line.append(String.format(Locale.ROOT, " %d/%s/%d/%s/%s %.4f", s.neighbours(), fmt(s.alpha()),
                        s.groupSize(), fmt(s.withinDecay()), fmt(s.groupDecay()), ndcg[p]));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            section.put("tifuGrid", grid);
            section.put("tifuChosen", grid.get(best));
            section.put("tifuSeconds", Math.round(seconds * 10) / 10.0);
            tifu = tuning.tifuGrid().get(best);
            tifuBest = ndcg[best];
            progress.accept(line + String.format(Locale.ROOT, " [%.1f s]", seconds));
        }
        // the merge on a tie: it is what the job served before TIFU-KNN was offered
        boolean serveTifu = tuning.lists() == ListTuning.Lists.TIFU_KNN
                || (tuning.lists() == ListTuning.Lists.AUTO && tifuBest > mergeBest);
        String served = serveTifu ? SparkTifuKnn.NAME : SparkModelStage.MODEL_NAME;
        section.put("served", served);
        section.put("servedBecause", tuning.lists() != ListTuning.Lists.AUTO ? "forced by --lists "
                + tuning.lists().option() : String.format(Locale.ROOT, "higher validation ndcg@10: tifu-knn %.4f, "
                + "als+repeat %.4f (ties keep als+repeat)", tifuBest, mergeBest));
        section.put("seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        if (tuning.lists() == ListTuning.Lists.AUTO) {
            progress.accept(String.format(Locale.ROOT, "validation: serving %s (ndcg@10 tifu-knn %.4f, als+repeat "
                    + "%.4f) [%.1f s]", served, tifuBest, mergeBest, (System.nanoTime() - started) / 1e9));
        }
        return new Chosen(pair[0], pair[1], serveTifu ? tifu : null, section);
    }

    /** The merge's grid: its figures into the section, progress lines; returns the best pair's index. */
    private static int mergeGrid(Dataset<Row> validated, Dataset<Row> train, Dataset<Row> users, int itemCount,
                                 SparkModelOptions options, ListTuning tuning, Map<String, Object> section,
                                 String split, long started, long customers, Consumer<String> progress) {
        List<double[]> pairs = tuning.pairs();
        double[] halfLives = tuning.halfLivesDays().stream().mapToDouble(Double::doubleValue).toArray();
        ALSModel als = CustomerLists.als(train, users, options);
        int rank = options.alsRank();
        float[] factors = new float[itemCount * rank];
        boolean[] known = new boolean[itemCount];
        for (Row r : als.itemFactors().collectAsList()) {
            int item = r.getInt(0);
            List<Float> f = r.getList(1);
            for (int k = 0; k < f.size(); k++) {
                factors[item * rank + k] = f.get(k);
            }
            known[item] = true;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(validated.sparkSession().sparkContext());
        Dataset<Row> withFactors = validated.select(col("truth"), col("bought"), col("uid"))
                .join(als.userFactors(), col("uid").equalTo(als.userFactors().col("id")), "left")
                .select(col("truth"), col("bought"), col("features"));
        double[] weights = tuning.newItemWeights().stream().mapToDouble(Double::doubleValue).toArray();
        List<Row> sums = withFactors.mapPartitions(score(jsc.broadcast(factors), jsc.broadcast(known), rank,
                        itemCount, options.topN(), halfLives.length, weights), Encoders.row(SUMS)).collectAsList();
        ExactSum[] totals = new ExactSum[pairs.size()];
        Arrays.setAll(totals, p -> new ExactSum());
        long scored = 0;
        for (Row r : sums) {
            List<String> s = r.getList(0);
            for (int p = 0; p < totals.length; p++) {
                totals[p].add(ExactSum.parse(s.get(p)));
            }
            scored += r.getLong(1);
        }
        double[] ndcg = new double[pairs.size()];
        int best = 0;
        List<Map<String, Object>> grid = new ArrayList<>();
        for (int p = 0; p < ndcg.length; p++) {
            ndcg[p] = totals[p].value() / scored;
            if (ndcg[p] > ndcg[best]) {
                best = p;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("repeatHalfLifeDays", pairs.get(p)[0]);
            row.put("newItemWeight", pairs.get(p)[1]);
            row.put("ndcg@10", ndcg[p]);
            grid.add(row);
        }
        section.put("grid", grid);
        section.put("chosen", grid.get(best));
        progress.accept(String.format(Locale.ROOT, "validation: %s; %,d customers; chose half-life %s days, "
                        + "new-item weight %s (ndcg@10 %.4f; %d pairs tried, worst %.4f) [%.1f s]", split, customers,
                fmt(pairs.get(best)[0]), fmt(pairs.get(best)[1]), ndcg[best], pairs.size(),
                Arrays.stream(ndcg).min().orElse(Double.NaN), (System.nanoTime() - started) / 1e9));
        StringBuilder line = new StringBuilder("validation ndcg@10 by half-life/weight:");
        for (int p = 0; p < ndcg.length; p++) {
            line.append(String.format(Locale.ROOT, " %s/%s %.4f", fmt(pairs.get(p)[0]), fmt(pairs.get(p)[1]),
                    ndcg[p]));
        }
        progress.accept(line.toString());
        return best;
    }

    /**
     * NDCG@10 of TIFU-KNN's lists for each setting of {@code grid}, over the validated customers (the merge's
     * customers: the same mean). Vectors from the lines before the split with their last time as the reference;
     * neighbours among every customer with such lines; settings with the same vector parameters share the vectors
     * and one neighbour search with their largest k (a top k is the prefix of a larger top k, same order).
     */
    private static double[] tifuGrid(Dataset<Row> validated, Dataset<Row> train, Dataset<Row> users, int itemCount,
                                     long reference, int topN, List<TifuKnn.Params> grid, long customers) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(validated.sparkSession().sparkContext());
        JavaRDD<SparkTifuKnn.Baskets> baskets = SparkTifuKnn.baskets(train.join(users, AcceptedLines.CUSTOMER),
                reference).persist(StorageLevel.MEMORY_AND_DISK());
        JavaPairRDD<Integer, int[]> truth = validated.select(col("uid"), col("truth")).javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getInt(0), SparkTifuKnn.ints(CustomerLists.list(r, 1))))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Broadcast<float[]> popularity = jsc.broadcast(Interactions.popularityBelowOne(
                    customersPerItem(train, itemCount)));
            int blocks = SparkTifuKnn.blocks(baskets.count(), jsc.defaultParallelism());
            double[] ndcg = new double[grid.size()];
            boolean[] done = new boolean[grid.size()];
            for (int g = 0; g < grid.size(); g++) {
                if (done[g]) {
                    continue;
                }
                TifuKnn.Params p = grid.get(g);
                List<Integer> same = new ArrayList<>();
                int k = 0;
                for (int h = g; h < grid.size(); h++) {
                    TifuKnn.Params o = grid.get(h);
                    if (o.groupSize() == p.groupSize() && o.withinDecay() == p.withinDecay()
                            && o.groupDecay() == p.groupDecay()) {
                        same.add(h);
                        done[h] = true;
                        k = Math.max(k, o.neighbours());
                    }
                }
                JavaRDD<SparkTifuKnn.Vec> vecs = SparkTifuKnn.vectors(baskets, p)
                        .persist(StorageLevel.MEMORY_AND_DISK());
                JavaRDD<SparkTifuKnn.Vec> queries = SparkTifuKnn.only(vecs, truth.keys())
                        .persist(StorageLevel.MEMORY_AND_DISK());
                JavaPairRDD<Integer, SparkTifuKnn.Ranked> nbrs = SparkTifuKnn.neighbours(queries, vecs, k, blocks,
                        itemCount).persist(StorageLevel.MEMORY_AND_DISK());
                try {
                    for (int h : same) {
                        JavaPairRDD<Integer, SparkTifuKnn.Ranked> lists = SparkTifuKnn.withFill(queries,
                                SparkTifuKnn.scored(queries, nbrs, vecs, grid.get(h), topN, blocks, itemCount),
                                popularity, topN);
                        List<Tuple2<ExactSum, Long>> sums = lists.join(truth).mapPartitions(rows -> {
                            RankingMetrics metrics = new RankingMetrics(new double[itemCount]);
                            double[] at10 = new double[3];
                            ExactSum sum = new ExactSum();
                            long customersHere = 0;
                            while (rows.hasNext()) {
                                Tuple2<Integer, Tuple2<SparkTifuKnn.Ranked, int[]>> r = rows.next();
                                metrics.add(r._2()._1().ids, r._2()._2(), at10);
                                sum.add(at10[0]);
                                customersHere++;
                            }
                            return List.of(new Tuple2<>(sum, customersHere)).iterator();
                        }).collect();
                        ExactSum total = new ExactSum();
                        long n = 0;
                        for (Tuple2<ExactSum, Long> s : sums) {
                            total.add(s._1());
                            n += s._2();
                        }
                        if (n != customers) {
                            throw new IllegalStateException("tifu-knn validation scored " + n + " customers, the "
                                    + "merge's validation " + customers);
                        }
                        ndcg[h] = total.value() / n;
                    }
                } finally {
                    nbrs.unpersist(false);
                    queries.unpersist(false);
                    vecs.unpersist(false);
                }
            }
            return ndcg;
        } finally {
            truth.unpersist(false);
            baskets.unpersist(false);
        }
    }

    /** Each item's number of distinct customers among {@code customerLines} (Interactions' item degree). */
    static long[] customersPerItem(Dataset<Row> customerLines, int itemCount) {
        long[] out = new long[itemCount];
        for (Row r : customerLines.groupBy(col(SparkModelStage.IDX))
                .agg(countDistinct(col(AcceptedLines.CUSTOMER))).collectAsList()) {
            out[r.getInt(0)] = r.getLong(1);
        }
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Nothing to validate on: the merge with the options' values, or the forced TIFU-KNN's first setting. */
    private static Chosen unchanged(SparkModelOptions options, ListTuning tuning, Map<String, Object> section,
                                    String why) {
        section.put("skipped", why);
        TifuKnn.Params tifu = tuning.lists() == ListTuning.Lists.TIFU_KNN ? tuning.tifuGrid().get(0) : null;
        section.put("served", tifu != null ? SparkTifuKnn.NAME : SparkModelStage.MODEL_NAME);
        return new Chosen(options.repeatHalfLifeDays(), options.newItemWeight(), tifu, section);
    }

    /**
     * Per partition, the sum over customers of each pair's NDCG@10 (exact, {@link ExactSum}) and the number of
     * customers. A customer's
     * repeat candidates per half-life are ranked as the walk ranks them (score 1 + decayed count, best first,
     * ties to the lower item number) and cut to topN; the ALS candidates are the same for every pair. Pairs in
     * {@link ListTuning#pairs()} order: half-life {@code h} and weight {@code w} at {@code h x weights + w}.
     */
    private static MapPartitionsFunction<Row, Row> score(Broadcast<float[]> factors, Broadcast<boolean[]> known,
                                                         int rank, int itemCount, int topN, int halfLives,
                                                         double[] weights) {
        return rows -> {
            ExactSum[] sums = new ExactSum[halfLives * weights.length];
            Arrays.setAll(sums, p -> new ExactSum());
            long customers = 0;
            RankingMetrics metrics = new RankingMetrics(new double[itemCount]);
            double[] at10 = new double[3];
            float[] scratch = new float[itemCount];
            CustomerLists.Merged merged = new CustomerLists.Merged(topN);
            while (rows.hasNext()) {
                Row r = rows.next();
                List<Integer> truthList = CustomerLists.list(r, 0);
                int[] truth = truthList.stream().mapToInt(Integer::intValue).toArray();
                List<Row> bought = CustomerLists.list(r, 1);
                List<Integer> boughtItems = new ArrayList<>(bought.size());
                int[] items = new int[bought.size()];
                for (int k = 0; k < items.length; k++) {
                    items[k] = bought.get(k).getInt(0);
                    boughtItems.add(items[k]);
                }
                int[] fresh = r.isNullAt(2) ? new int[0]
                        : CustomerLists.fresh(CustomerLists.list(r, 2), factors.value(), known.value(), rank,
                        boughtItems, topN, scratch);
                float[] score = new float[items.length];
                for (int h = 0; h < halfLives; h++) {
                    for (int k = 0; k < items.length; k++) {
                        score[k] = 1f + (float) bought.get(k).getDouble(1 + h);
                    }
                    int[] best = CustomerLists.rankRepeats(items, score, topN);
                    int[] rep = new int[best.length];
                    float[] repScores = new float[best.length];
                    for (int k = 0; k < best.length; k++) {
                        rep[k] = items[best[k]];
                        repScores[k] = score[best[k]];
                    }
                    for (int w = 0; w < weights.length; w++) {
                        int p = h * weights.length + w;
                        merged.of(rep, repScores, fresh, scratch, (float) weights[w]);
                        metrics.add(Arrays.copyOf(merged.items, merged.size), truth, at10);
                        sums[p].add(at10[0]);
                    }
                }
                customers++;
            }
            String[] exact = Arrays.stream(sums).map(ExactSum::toString).toArray(String[]::new);
            return List.of(RowFactory.create(exact, customers)).iterator();
        };
    }
}
