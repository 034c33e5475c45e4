package io.affinity.spark;

import static org.apache.spark.sql.functions.col;

import io.affinity.training.models.TifuKnn;
import io.affinity.training.models.TopK;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * TIFU-KNN ({@link TifuKnn}, Hu et al. SIGIR 2020) on Spark, with the single machine's arithmetic, so that the
 * vectors, neighbours and lists are the same floats (SparkTifuKnnTest).
 *
 * <p><b>Vectors.</b> A customer's baskets are their distinct purchase times as float days before the reference
 * (as {@code Interactions} stores ages), newest first; each item keeps the baskets that hold it in the order of
 * its orders ({@link Baskets}, made by the history walk), and the vector of a setting sums their weights
 * {@code r_b^(q mod m) r_g^(q div m) / (m g)} in that order, as {@code TifuKnn.vectors} does.
 *
 * <p><b>Neighbours, exactly.</b> Customers are split into {@code B} blocks by number ({@code uid mod B}); every
 * (query block, candidate block) pair is one task ({@code cartesian} of two RDDs of one block per partition: no
 * block passes through the driver), which indexes the candidate block by item and accumulates each query
 * customer's dot products over its items in ascending item order, then keeps the customer's k best in the block
 * by cosine (similarity > 0, ties to the lower customer number). The per-block lists are merged per customer
 * under the same total order, so the merge is the global top k. The work is that of the single machine, the sum
 * over items of their buyer count squared (each similarity computed once from each side), spread over
 * {@code B x B} tasks; what grows with the customer count is that sum (an item bought by a million customers
 * costs 10^12 multiply-adds however it is spread) and the {@code B x customers x k} candidates shuffled to the
 * merge. Beyond some millions of customers with mass-market items, an approximate search (or a cap on an item's
 * buyers) would be needed; this one is exact.
 *
 * <p><b>Scores.</b> {@code alpha x own + (1 - alpha) / |N| x sum of the neighbours' vectors}, each item's sum
 * taken in TifuKnn.score's order (own first, then neighbours best first). Items are split into {@code B} slices
 * ({@code item mod B}); each (query block, item slice) task holds the query customers' neighbour lists and every
 * candidate's entries of the slice, so an item's sum never crosses tasks and no neighbour vector is shuffled per
 * customer. Each task keeps a customer's top N scored items of its slice and its least positive score; the merge
 * per customer takes the top N of those, and fills a list short of N with unscored items by popularity below
 * every scored item, as TifuKnn does.
 */
final class SparkTifuKnn {
    /** The served model's name and every list item's source: explanations read "proposed by the tifu-knn model". */
    static final String NAME = "tifu-knn";

    private SparkTifuKnn() {
    }

    /**
     * One customer's purchases as TIFU-KNN sees them: {@code items} ascending; {@code ages} the distinct basket
     * ages in float days, ascending (newest first); for item {@code j}, {@code baskets[ptr[j] .. ptr[j + 1])} the
     * indices into {@code ages} of the baskets holding it, each once, in the order of the customer's orders.
     */
    static final class Baskets implements Serializable {
        private static final long serialVersionUID = 1L;
        final int uid;
        final int[] items;
        final float[] ages;
        final int[] ptr;
        final int[] baskets;

        Baskets(int uid, int[] items, float[] ages, int[] ptr, int[] baskets) {
            if (ptr.length != items.length + 1) {
                throw new IllegalArgumentException("ptr must have items + 1 entries");
            }
            this.uid = uid;
            this.items = items;
            this.ages = ages;
            this.ptr = ptr;
            this.baskets = baskets;
        }
    }

    /**
     * Collects one customer's orders and lines in the loader's order (the history walk's) and makes their
     * {@link Baskets}. Reused from customer to customer.
     */
    static final class BasketBuilder {
        private final List<Float> orderAges = new ArrayList<>();
        private final List<int[]> itemOrders = new ArrayList<>(); // per slot: orders holding the item, in order
        private final List<Integer> itemCounts = new ArrayList<>();
        private final List<Integer> slotItems = new ArrayList<>();
        private final java.util.Map<Integer, Integer> slots = new java.util.HashMap<>();

        void clear() {
            orderAges.clear();
            itemOrders.clear();
            itemCounts.clear();
            slotItems.clear();
            slots.clear();
        }

        /** A new order, {@code age} days before the reference, as Interactions computes it. */
        void order(long reference, long epochSecond) {
            orderAges.add((float) ((reference - epochSecond) / 86400.0));
        }

        /** A line of the current order (several lines of one item in an order count once). */
        void line(int item) {
            int order = orderAges.size() - 1;
            Integer s = slots.get(item);
            if (s == null) {
                s = slotItems.size();
                slots.put(item, s);
                slotItems.add(item);
                itemOrders.add(new int[4]);
                itemCounts.add(0);
            }
            int n = itemCounts.get(s);
            int[] o = itemOrders.get(s);
            if (n > 0 && o[n - 1] == order) {
                return;
            }
            if (n == o.length) {
                o = Arrays.copyOf(o, n * 2);
                itemOrders.set(s, o);
            }
            o[n] = order;
            itemCounts.set(s, n + 1);
        }

        Baskets build(int uid) {
            float[] sorted = new float[orderAges.size()];
            for (int k = 0; k < sorted.length; k++) {
                sorted[k] = orderAges.get(k);
            }
            Arrays.sort(sorted);
            int n = 0;
            for (int e = 0; e < sorted.length; e++) {
                if (e == 0 || sorted[e] != sorted[n - 1]) {
                    sorted[n++] = sorted[e];
                }
            }
            float[] ages = Arrays.copyOf(sorted, n);
            Integer[] order = new Integer[slotItems.size()];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(slotItems.get(a), slotItems.get(b)));
            int[] items = new int[order.length];
            int[] ptr = new int[order.length + 1];
            int[] baskets = new int[itemCounts.stream().mapToInt(Integer::intValue).sum()];
            boolean[] seen = new boolean[n];
            int p = 0;
            for (int j = 0; j < order.length; j++) {
                int s = order[j];
                items[j] = slotItems.get(s);
                int[] o = itemOrders.get(s);
                int start = p;
                for (int k = 0; k < itemCounts.get(s); k++) {
                    int q = Arrays.binarySearch(ages, orderAges.get(o[k]));
                    if (!seen[q]) { // two orders in one basket hold the item once
                        seen[q] = true;
                        baskets[p++] = q;
                    }
                }
                for (int k = start; k < p; k++) {
                    seen[baskets[k]] = false;
                }
                ptr[j + 1] = p;
            }
            return new Baskets(uid, items, ages, ptr, Arrays.copyOf(baskets, p));
        }
    }

    /** A customer's vector: {@code items} ascending with their weights, and its norm as TifuKnn computes it. */
    static final class Vec implements Serializable {
        private static final long serialVersionUID = 1L;
        final int uid;
        final int[] items;
        final float[] weights;
        final float norm;

        Vec(int uid, int[] items, float[] weights) {
            this.uid = uid;
            this.items = items;
            this.weights = weights;
            double s = 0;
            for (float w : weights) {
                s += (double) w * w;
            }
            this.norm = (float) Math.sqrt(s);
        }
    }

    /** TifuKnn.vectors of one customer for groups of {@code m}, decays {@code rb} within and {@code rg} between. */
    static Vec vector(Baskets b, int m, double rb, double rg) {
        int n = b.ages.length;
        int groups = (n + m - 1) / m;
        double[] weight = new double[n];
        for (int q = 0; q < n; q++) {
            weight[q] = Math.pow(rb, q % m) * Math.pow(rg, q / m) / ((double) m * groups);
        }
        float[] w = new float[b.items.length];
        for (int j = 0; j < w.length; j++) {
            double s = 0;
            for (int k = b.ptr[j]; k < b.ptr[j + 1]; k++) {
                s += weight[b.baskets[k]];
            }
            w[j] = (float) s;
        }
        return new Vec(b.uid, b.items, w);
    }

    static JavaRDD<Vec> vectors(JavaRDD<Baskets> baskets, TifuKnn.Params p) {
        int m = p.groupSize();
        double rb = p.withinDecay();
        double rg = p.groupDecay();
        return baskets.map(b -> vector(b, m, rb, rg));
    }

    /** A customer's best neighbours (or best items), best first: parallel arrays of number and score. */
    static final class Ranked implements Serializable {
        private static final long serialVersionUID = 1L;
        static final Ranked EMPTY = new Ranked(new int[0], new float[0], Float.POSITIVE_INFINITY);
        final int[] ids;
        final float[] scores;
        /** For item lists: the least positive score of any item scored (not only of those kept). */
        final float least;

        Ranked(int[] ids, float[] scores, float least) {
            this.ids = ids;
            this.scores = scores;
            this.least = least;
        }

        /** The first {@code k}. */
        Ranked prefix(int k) {
            return ids.length <= k ? this
                    : new Ranked(Arrays.copyOf(ids, k), Arrays.copyOf(scores, k), least);
        }

        /** The {@code k} best of both, by score, ties to the lower number (the two share no number). */
        static Ranked merge(Ranked a, Ranked b, int k) {
            int n = Math.min(k, a.ids.length + b.ids.length);
            int[] ids = new int[n];
            float[] scores = new float[n];
            int i = 0;
            int j = 0;
            for (int r = 0; r < n; r++) {
                boolean takeA = j >= b.ids.length || (i < a.ids.length && (a.scores[i] > b.scores[j]
                        || (a.scores[i] == b.scores[j] && a.ids[i] < b.ids[j])));
                if (takeA) {
                    ids[r] = a.ids[i];
                    scores[r] = a.scores[i++];
                } else {
                    ids[r] = b.ids[j];
                    scores[r] = b.scores[j++];
                }
            }
            return new Ranked(ids, scores, Math.min(a.least, b.least));
        }
    }

    /** The {@code k} best of {@code n} candidates by (score desc, id asc); scores must be >= 0 and not NaN. */
    static Ranked best(int[] ids, float[] scores, int n, int k, float least) {
        long[] keys = new long[n];
        for (int t = 0; t < n; t++) {
            // non-negative floats order as their bits: best first = smallest (MAX - bits); then the lower id
            keys[t] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(scores[t])) << 32) | (ids[t] & 0xffffffffL);
        }
        Arrays.sort(keys);
        int m = Math.min(k, n);
        int[] outIds = new int[m];
        float[] outScores = new float[m];
        for (int r = 0; r < m; r++) {
            outIds[r] = (int) keys[r];
            outScores[r] = Float.intBitsToFloat(Integer.MAX_VALUE - (int) (keys[r] >>> 32));
        }
        return new Ranked(outIds, outScores, least);
    }

    /** Customers of one block: their vectors, by ascending number, and an item index (one block per task). */
    static final class Block implements Serializable {
        private static final long serialVersionUID = 1L;
        final Vec[] customers;
        final int[] colPtr;   // itemCount + 1
        final int[] rowIdx;   // position in customers, ascending within an item
        final float[] colW;

        Block(List<Vec> vecs, int itemCount, boolean indexed) {
            customers = vecs.toArray(new Vec[0]);
            Arrays.sort(customers, (a, b) -> Integer.compare(a.uid, b.uid));
            if (!indexed) {
                colPtr = null;
                rowIdx = null;
                colW = null;
                return;
            }
            colPtr = new int[itemCount + 1];
            int nnz = 0;
            for (Vec v : customers) {
                for (int i : v.items) {
                    colPtr[i + 1]++;
                }
                nnz += v.items.length;
            }
            for (int i = 0; i < itemCount; i++) {
                colPtr[i + 1] += colPtr[i];
            }
            rowIdx = new int[nnz];
            colW = new float[nnz];
            int[] fill = Arrays.copyOf(colPtr, itemCount);
            for (int c = 0; c < customers.length; c++) {
                Vec v = customers[c];
                for (int j = 0; j < v.items.length; j++) {
                    int at = fill[v.items[j]]++;
                    rowIdx[at] = c;
                    colW[at] = v.weights[j];
                }
            }
        }
    }

    private static JavaRDD<Block> blocks(JavaRDD<Vec> vecs, int b, int itemCount, boolean indexed) {
        return grouped(vecs.mapToPair(v -> new Tuple2<>(Math.floorMod(v.uid, b), v)), b,
                all -> new Block(all, itemCount, indexed));
    }

    /** One {@code make(values)} per key 0..b-1: the values of a key brought into one partition, then made one. */
    private static <T, R> JavaRDD<R> grouped(JavaPairRDD<Integer, T> keyed, int b, Function<List<T>, R> make) {
        return keyed.partitionBy(new HashPartitioner(b))
                .values()
                .mapPartitions(it -> {
                    List<T> all = new ArrayList<>();
                    it.forEachRemaining(all::add);
                    return List.of(make.call(all)).iterator();
                });
    }

    /**
     * Each query customer's {@code k} most similar candidates (cosine > 0, not itself), best first, ties to the
     * lower number: TifuKnn's neighbours, computed by blocks ({@code b} of them). Customers with no candidate
     * sharing an item are absent.
     */
    static JavaPairRDD<Integer, Ranked> neighbours(JavaRDD<Vec> queries, JavaRDD<Vec> candidates, int k, int b,
                                                   int itemCount) {
        JavaRDD<Block> q = blocks(queries, b, itemCount, false);
        JavaRDD<Block> c = blocks(candidates, b, itemCount, true);
        return q.cartesian(c).flatMapToPair(pair -> {
            Block qb = pair._1();
            Block cb = pair._2();
            List<Tuple2<Integer, Ranked>> out = new ArrayList<>();
            if (k == 0 || cb.customers.length == 0) {
                return out.iterator();
            }
            int size = cb.customers.length;
            float[] dot = new float[size];
            int[] mark = new int[size];
            Arrays.fill(mark, -1);
            int[] touched = new int[size];
            int[] ids = new int[size];
            float[] sims = new float[size];
            for (int qi = 0; qi < qb.customers.length; qi++) {
                Vec u = qb.customers[qi];
                if (!(u.norm > 0)) {
                    continue;
                }
                int nt = 0;
                for (int j = 0; j < u.items.length; j++) {
                    int i = u.items[j];
                    float a = u.weights[j];
                    for (int p = cb.colPtr[i]; p < cb.colPtr[i + 1]; p++) {
                        int v = cb.rowIdx[p];
                        if (mark[v] != qi) {
                            mark[v] = qi;
                            touched[nt++] = v;
                        }
                        dot[v] += a * cb.colW[p];
                    }
                }
                int n = 0;
                for (int t = 0; t < nt; t++) {
                    int v = touched[t];
                    Vec cv = cb.customers[v];
                    if (cv.uid != u.uid && dot[v] > 0) {
                        float sim = dot[v] / (u.norm * cv.norm);
                        if (!Float.isNaN(sim)) { // TopK never selects NaN
                            ids[n] = cv.uid;
                            sims[n++] = sim;
                        }
                    }
                    dot[v] = 0;
                }
                if (n > 0) {
                    out.add(new Tuple2<>(u.uid, best(ids, sims, n, k, Float.POSITIVE_INFINITY)));
                }
            }
            return out.iterator();
        }).reduceByKey((x, y) -> Ranked.merge(x, y, k));
    }

    /** A query customer for scoring: its vector and its neighbours' numbers, best first. */
    static final class Query implements Serializable {
        private static final long serialVersionUID = 1L;
        final Vec own;
        final int[] neighbours;

        Query(Vec own, int[] neighbours) {
            this.own = own;
            this.neighbours = neighbours;
        }
    }

    /** Every candidate's entries of the items of one slice, by customer number (one slice per task). */
    static final class Slice implements Serializable {
        private static final long serialVersionUID = 1L;
        final int[] uids;     // ascending
        final int[] ptr;
        final int[] items;
        final float[] weights;

        Slice(List<Vec> parts) {
            parts.sort((a, b) -> Integer.compare(a.uid, b.uid));
            uids = new int[parts.size()];
            ptr = new int[parts.size() + 1];
            int nnz = 0;
            for (Vec v : parts) {
                nnz += v.items.length;
            }
            items = new int[nnz];
            weights = new float[nnz];
            for (int c = 0; c < uids.length; c++) {
                Vec v = parts.get(c);
                uids[c] = v.uid;
                System.arraycopy(v.items, 0, items, ptr[c], v.items.length);
                System.arraycopy(v.weights, 0, weights, ptr[c], v.items.length);
                ptr[c + 1] = ptr[c] + v.items.length;
            }
        }

        /**
         * Adds {@code weight} x customer {@code uid}'s entries of this slice to {@code s} (nothing when the customer
         * has none here), noting each item touched the first time in {@code touched[nt..]}; returns the new count.
         */
        int add(int uid, float weight, float[] s, boolean[] on, int[] touched, int nt) {
            int c = Arrays.binarySearch(uids, uid);
            if (c < 0) {
                return nt;
            }
            for (int e = ptr[c]; e < ptr[c + 1]; e++) {
                int i = items[e];
                if (!on[i]) {
                    on[i] = true;
                    touched[nt++] = i;
                }
                s[i] += weight * weights[e];
            }
            return nt;
        }
    }

    /**
     * Each query customer's scored items, best first, at most {@code topN}, with the least positive score of all
     * its scored items (the fill below it is {@link #list}'s): TifuKnn.score's sums, by (query block, item slice)
     * tasks. {@code neighbours} without an entry for a query customer: none.
     */
    static JavaPairRDD<Integer, Ranked> scored(JavaRDD<Vec> queries, JavaPairRDD<Integer, Ranked> neighbours,
                                               JavaRDD<Vec> candidates, TifuKnn.Params p, int topN, int b,
                                               int itemCount) {
        float alpha = (float) p.alpha();
        int k = p.neighbours();
        JavaPairRDD<Integer, Query> byBlock = queries.mapToPair(v -> new Tuple2<>(v.uid, v))
                .leftOuterJoin(neighbours)
                .map(t -> new Query(t._2()._1(), t._2()._2().isPresent()
                        ? Arrays.copyOf(t._2()._2().get().ids, Math.min(k, t._2()._2().get().ids.length))
                        : new int[0]))
                .mapToPair(qq -> new Tuple2<>(Math.floorMod(qq.own.uid, b), qq));
        JavaPairRDD<Integer, Vec> bySlice = candidates.flatMapToPair(v -> {
                    List<Tuple2<Integer, Vec>> parts = new ArrayList<>();
                    int[] count = new int[b];
                    for (int i : v.items) {
                        count[Math.floorMod(i, b)]++;
                    }
                    for (int s = 0; s < b; s++) {
                        if (count[s] == 0) {
                            continue;
                        }
                        int[] items = new int[count[s]];
                        float[] w = new float[count[s]];
                        int n = 0;
                        for (int j = 0; j < v.items.length; j++) {
                            if (Math.floorMod(v.items[j], b) == s) {
                                items[n] = v.items[j];
                                w[n++] = v.weights[j];
                            }
                        }
                        parts.add(new Tuple2<>(s, new Vec(v.uid, items, w)));
                    }
                    return parts.iterator();
                });
        return grouped(byBlock, b, all -> all).cartesian(grouped(bySlice, b, Slice::new)).flatMapToPair(pair -> {
            List<Query> qs = pair._1();
            Slice slice = pair._2();
            List<Tuple2<Integer, Ranked>> out = new ArrayList<>();
            float[] s = new float[itemCount];
            boolean[] on = new boolean[itemCount];
            int[] touched = new int[itemCount];
            int[] scoredIds = new int[itemCount];
            float[] scoredValues = new float[itemCount];
            for (Query q : qs) {
                int nt = slice.add(q.own.uid, alpha, s, on, touched, 0);
                if (q.neighbours.length > 0) {
                    float w = (1 - alpha) / q.neighbours.length;
                    for (int v : q.neighbours) {
                        nt = slice.add(v, w, s, on, touched, nt);
                    }
                }
                int n = 0;
                float least = Float.POSITIVE_INFINITY;
                for (int t = 0; t < nt; t++) {
                    int i = touched[t];
                    if (s[i] > 0) { // TifuKnn: what is not > 0 is unscored
                        scoredIds[n] = i;
                        scoredValues[n++] = s[i];
                        least = Math.min(least, s[i]);
                    }
                    s[i] = 0;
                    on[i] = false;
                }
                if (n > 0) {
                    out.add(new Tuple2<>(q.own.uid, best(scoredIds, scoredValues, n, topN, least)));
                }
            }
            return out.iterator();
        }).reduceByKey((x, y) -> Ranked.merge(x, y, topN));
    }

    /**
     * The served list from a customer's scored items ({@code scored} null: none): those, then, when fewer than
     * {@code topN}, the unscored items by {@code 0.5 x least score x popularity} (1 x popularity without any
     * score), as TifuKnn.score ranks them, ties to the lower item number.
     */
    static Ranked list(Ranked scored, float[] popularity, int topN) {
        Ranked r = scored == null ? Ranked.EMPTY : scored;
        int want = Math.min(topN, popularity.length);
        if (r.ids.length >= want) {
            return r.prefix(want);
        }
        float scale = r.least == Float.POSITIVE_INFINITY ? 1f : 0.5f * r.least;
        float[] fill = new float[popularity.length];
        boolean[] skip = new boolean[popularity.length];
        for (int i = 0; i < fill.length; i++) {
            fill[i] = scale * popularity[i];
        }
        for (int i : r.ids) {
            skip[i] = true;
        }
        int[] more = TopK.select(fill, want - r.ids.length, skip);
        int[] ids = Arrays.copyOf(r.ids, r.ids.length + more.length);
        float[] scores = Arrays.copyOf(r.scores, ids.length);
        for (int t = 0; t < more.length; t++) {
            ids[r.ids.length + t] = more[t];
            scores[r.ids.length + t] = fill[more[t]];
        }
        return new Ranked(ids, scores, r.least);
    }

    /**
     * The number of blocks for {@code customers}: enough for the executors' cores ({@code B x B} tasks per
     * search), and at most 50,000 customers per block (a task holds one block's vectors and dot products).
     */
    static int blocks(long customers, int parallelism) {
        int forCores = (int) Math.ceil(Math.sqrt(Math.max(1, parallelism)));
        int forSize = (int) Math.min(10_000, (customers + 49_999) / 50_000);
        return Math.max(1, Math.max(forCores, forSize));
    }

    /**
     * Every query customer's top-N list (customer number, ranked items and scores), for one setting: vectors of
     * the candidates (queries are candidates too), neighbours, sums and the popularity fill. Returned computed and
     * persisted: the caller unpersists it.
     *
     * @param queryUids customers to list (null: all of {@code baskets})
     */
    static JavaPairRDD<Integer, Ranked> lists(JavaRDD<Baskets> baskets, JavaRDD<Integer> queryUids,
                                              TifuKnn.Params p, Broadcast<float[]> popularity, int topN, int b,
                                              int itemCount) {
        JavaRDD<Vec> vecs = vectors(baskets, p).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            JavaRDD<Vec> queries = queryUids == null ? vecs : only(vecs, queryUids);
            JavaPairRDD<Integer, Ranked> nbrs = neighbours(queries, vecs, p.neighbours(), b, itemCount);
            JavaPairRDD<Integer, Ranked> out = withFill(queries, scored(queries, nbrs, vecs, p, topN, b, itemCount),
                    popularity, topN).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
            out.count(); // while the vectors are cached
            return out;
        } finally {
            vecs.unpersist(false);
        }
    }

    static JavaRDD<Vec> only(JavaRDD<Vec> vecs, JavaRDD<Integer> uids) {
        return vecs.mapToPair(v -> new Tuple2<>(v.uid, v))
                .join(uids.mapToPair(u -> new Tuple2<>(u, Boolean.TRUE)))
                .map(t -> t._2()._1());
    }

    static JavaPairRDD<Integer, Ranked> withFill(JavaRDD<Vec> queries, JavaPairRDD<Integer, Ranked> scored,
                                                 Broadcast<float[]> popularity, int topN) {
        return queries.mapToPair(v -> new Tuple2<>(v.uid, Boolean.TRUE))
                .leftOuterJoin(scored)
                .mapToPair(t -> new Tuple2<>(t._1(), list(t._2()._2().orElse(null), popularity.value(), topN)));
    }

    /** The baskets of the walked rows ({@link CustomerLists#WALKED}'s uid, bought and tifu columns). */
    static JavaRDD<Baskets> baskets(Dataset<Row> walked) {
        return walked.select(col("uid"), col("bought"), col("tifuAges"), col("tifuPtr"), col("tifuBaskets"))
                .javaRDD()
                .map(r -> new Baskets(r.getInt(0), ints(CustomerLists.list(r, 1)), floats(CustomerLists.list(r, 2)),
                        ints(CustomerLists.list(r, 3)), ints(CustomerLists.list(r, 4))));
    }

    static int[] ints(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = l.get(k);
        }
        return a;
    }

    static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = l.get(k);
        }
        return a;
    }

    private static final StructType BASKETS = new StructType()
            .add("uid", DataTypes.IntegerType, false)
            .add("bought", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("tifuAges", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("tifuPtr", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("tifuBaskets", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

    /**
     * The baskets of customer lines (with uid), walked as the history walk walks them (for the validation split,
     * whose lines the served walk does not see).
     */
    static JavaRDD<Baskets> baskets(Dataset<Row> customerLines, long reference) {
        Dataset<Row> walked = customerLines
                .select(col(AcceptedLines.CUSTOMER), col("uid"), col(SparkModelStage.ORDER_FIRST),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(SparkModelStage.IDX),
                        col(SparkModelStage.TIME_SECONDS))
                .repartition(col(AcceptedLines.CUSTOMER))
                .sortWithinPartitions(col(AcceptedLines.CUSTOMER), col(SparkModelStage.ORDER_FIRST),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE))
                .mapPartitions(basketWalker(reference), Encoders.row(BASKETS));
        return baskets(walked);
    }

    private static MapPartitionsFunction<Row, Row> basketWalker(long reference) {
        return rows -> new Iterator<>() {
            private final BasketBuilder builder = new BasketBuilder();
            private Row pending = rows.hasNext() ? rows.next() : null;

            @Override
            public boolean hasNext() {
                return pending != null;
            }

            @Override
            public Row next() {
                String customer = pending.getString(0);
                int uid = pending.getInt(1);
                builder.clear();
                int orderFile = -1;
                long orderLine = -1;
                boolean any = false;
                while (pending != null && pending.getString(0).equals(customer)) {
                    Row r = pending;
                    pending = rows.hasNext() ? rows.next() : null;
                    Row first = r.getStruct(2);
                    if (!any || first.getInt(0) != orderFile || first.getLong(1) != orderLine) {
                        any = true;
                        orderFile = first.getInt(0);
                        orderLine = first.getLong(1);
                        builder.order(reference, r.getLong(6));
                    }
                    builder.line(r.getInt(5));
                }
                return row(builder.build(uid));
            }
        };
    }

    /** The baskets as the tifu columns of a walked row (boxed arrays, as Spark's row encoder takes them). */
    static Row row(Baskets b) {
        return RowFactory.create(b.uid, box(b.items), boxF(b.ages), box(b.ptr), box(b.baskets));
    }

    static Integer[] box(int[] a) {
        return Arrays.stream(a).boxed().toArray(Integer[]::new);
    }

    static Float[] boxF(float[] a) {
        Float[] out = new Float[a.length];
        for (int k = 0; k < a.length; k++) {
            out[k] = a[k];
        }
        return out;
    }
}
