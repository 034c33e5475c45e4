package io.affinity.training.models;

import io.affinity.training.ingest.Transactions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.function.IntPredicate;

/**
 * Implicit feedback as a sparse customer x item matrix, in both row (customer -> items) and column
 * (item -> customers) order, with the purchase history behind every cell.
 *
 * <p>A cell's raw value is the number of distinct orders of the customer containing the item; quantities are
 * ignored on purpose, because wholesale quantities (one customer buying 12,000 of an item) would drown
 * everything else. Models transform the counts themselves ({@link #logWeight(int)} is the usual
 * {@code 1 + log(count)}). Every cell also keeps the age in days, relative to {@link #referenceEpochSecond()},
 * of each purchase, for recency-decayed models.
 *
 * <p>Rows and columns use the caller's numbering (usually {@link Transactions}' customer and item numbers), so
 * customers and items without any purchase simply have empty rows or columns. Immutable once built.
 */
public final class Interactions {
    private final int users;
    private final int items;
    final int[] rowPtr;    // users + 1
    final int[] colIdx;    // nnz, sorted within each row
    final float[] count;   // nnz, orders containing the item
    final int[] eventPtr;  // nnz + 1
    final float[] eventAgeDays;
    final int[] colPtr;    // items + 1
    final int[] rowIdx;    // nnz, user of each column entry, ascending
    final int[] colToRow;  // nnz, position in row order of each column entry
    private final int[] userSegment;
    private final String[] segments;
    private final long referenceEpochSecond;

    private Interactions(int users, int items, int[] rowPtr, int[] colIdx, float[] count, int[] eventPtr,
                         float[] eventAgeDays, int[] userSegment, String[] segments, long referenceEpochSecond) {
        this.users = users;
        this.items = items;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.count = count;
        this.eventPtr = eventPtr;
        this.eventAgeDays = eventAgeDays;
        this.userSegment = userSegment;
        this.segments = segments;
        this.referenceEpochSecond = referenceEpochSecond;
        int nnz = colIdx.length;
        colPtr = new int[items + 1];
        for (int k = 0; k < nnz; k++) {
            colPtr[colIdx[k] + 1]++;
        }
        for (int i = 0; i < items; i++) {
            colPtr[i + 1] += colPtr[i];
        }
        rowIdx = new int[nnz];
        colToRow = new int[nnz];
        int[] fill = Arrays.copyOf(colPtr, items);
        for (int u = 0; u < users; u++) {
            for (int k = rowPtr[u]; k < rowPtr[u + 1]; k++) {
                int p = fill[colIdx[k]]++;
                rowIdx[p] = u;
                colToRow[p] = k;
            }
        }
    }

    /**
     * The purchases of identified customers in the orders accepted by {@code orderFilter}, with ages relative to
     * {@code referenceEpochSecond} (in {@link Transactions#localEpochSecondOf} units). A customer's segment is
     * the country of their latest accepted order.
     */
    public static Interactions of(Transactions tx, IntPredicate orderFilter, long referenceEpochSecond) {
        Builder b = new Builder(tx.customerCount(), tx.itemCount(), referenceEpochSecond);
        long[] latest = new long[tx.customerCount()];
        Arrays.fill(latest, Long.MIN_VALUE);
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            if (c < 0 || !orderFilter.test(o)) {
                continue;
            }
            long t = tx.localEpochSecondOf(o);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                b.add(c, tx.itemOfLine(l), o, t);
            }
            if (t >= latest[c]) {
                latest[c] = t;
                b.segment(c, tx.countryOf(o));
            }
        }
        return b.build();
    }

    public int userCount() {
        return users;
    }

    public int itemCount() {
        return items;
    }

    /** Number of non-zero cells. */
    public int nonZeros() {
        return colIdx.length;
    }

    public long referenceEpochSecond() {
        return referenceEpochSecond;
    }

    /** Distinct items of {@code user}, ascending (a copy). */
    public int[] itemsOf(int user) {
        return Arrays.copyOfRange(colIdx, rowPtr[user], rowPtr[user + 1]);
    }

    public int degreeOfUser(int user) {
        return rowPtr[user + 1] - rowPtr[user];
    }

    /** Number of customers who bought {@code item}. */
    public int degreeOfItem(int item) {
        return colPtr[item + 1] - colPtr[item];
    }

    /**
     * Each item's customer count scaled into [0, 0.999): the popularity order as a tie-break that stays below
     * any personal score of 1 or more, for models that rank a customer's own items first.
     */
    public float[] popularityBelowOne() {
        long[] customers = new long[items];
        for (int i = 0; i < items; i++) {
            customers[i] = degreeOfItem(i);
        }
        return popularityBelowOne(customers);
    }

    /**
     * {@link #popularityBelowOne()} from each item's customer count, for a caller that counted them elsewhere (the
     * Spark job's TIFU-KNN fills its lists by the same order and the same scores).
     */
    public static float[] popularityBelowOne(long[] customers) {
        float[] pop = new float[customers.length];
        float max = 1;
        for (int i = 0; i < pop.length; i++) {
            pop[i] = customers[i];
            max = Math.max(max, pop[i]);
        }
        for (int i = 0; i < pop.length; i++) {
            pop[i] = 0.999f * pop[i] / max;
        }
        return pop;
    }

    /** True when the user bought the item (binary search in the row). */
    public boolean contains(int user, int item) {
        return Arrays.binarySearch(colIdx, rowPtr[user], rowPtr[user + 1], item) >= 0;
    }

    /** {@code 1 + ln(count)} of cell {@code k} (row order): damps heavy repeat buyers, keeps one purchase at 1. */
    public float logWeight(int k) {
        return 1f + (float) Math.log(count[k]);
    }

    /** Segment (country) of a user, or -1 when the user has no purchase. */
    public int segmentOf(int user) {
        return userSegment[user];
    }

    public int segmentCount() {
        return segments.length;
    }

    public String segmentName(int s) {
        return segments[s];
    }

    /** Approximate heap bytes of the arrays. */
    public long bytes() {
        return 4L * (rowPtr.length + colIdx.length * 5L + eventPtr.length + eventAgeDays.length + colPtr.length
                + userSegment.length);
    }

    /**
     * Collects purchase events (user, item, order, time) in any order; several lines of one order for the same
     * item count once.
     */
    public static final class Builder {
        private final int users;
        private final int items;
        private final long reference;
        private long[] keys = new long[1024]; // user << 32 | item, then sorted with events alongside
        private int[] orders = new int[1024];
        private long[] times = new long[1024];
        private int size;
        private final int[] userSegment;
        private final LinkedHashMap<String, Integer> segmentIds = new LinkedHashMap<>();

        public Builder(int users, int items, long referenceEpochSecond) {
            if (users < 0 || items < 0) {
                throw new IllegalArgumentException("users and items must be >= 0");
            }
            this.users = users;
            this.items = items;
            this.reference = referenceEpochSecond;
            this.userSegment = new int[users];
            Arrays.fill(userSegment, -1);
        }

        /** One purchase of {@code item} by {@code user} in order {@code order} at {@code epochSecond}. */
        public Builder add(int user, int item, int order, long epochSecond) {
            if (user < 0 || user >= users || item < 0 || item >= items) {
                throw new IllegalArgumentException("user " + user + " / item " + item + " out of range");
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                orders = Arrays.copyOf(orders, size * 2);
                times = Arrays.copyOf(times, size * 2);
            }
            keys[size] = ((long) user << 32) | item;
            orders[size] = order;
            times[size] = epochSecond;
            size++;
            return this;
        }

        public Builder segment(int user, String segment) {
            userSegment[user] = segmentIds.computeIfAbsent(segment, s -> segmentIds.size());
            return this;
        }

        public Interactions build() {
            Integer[] perm = new Integer[size];
            for (int i = 0; i < size; i++) {
                perm[i] = i;
            }
            // Sort by cell, then order, so duplicates of (cell, order) are adjacent; deterministic for equal keys.
            Arrays.sort(perm, (a, b) -> {
                int c = Long.compare(keys[a], keys[b]);
                return c != 0 ? c : Integer.compare(orders[a], orders[b]);
            });
            int[] rowPtr = new int[users + 1];
            int[] colIdx = new int[size];
            float[] count = new float[size];
            int[] eventPtr = new int[size + 1];
            float[] ages = new float[size];
            int nnz = 0;
            int events = 0;
            long prevKey = -1;
            int prevOrder = -1;
            for (int p = 0; p < size; p++) {
                int e = perm[p];
                long key = keys[e];
                if (key == prevKey && orders[e] == prevOrder) {
                    continue; // another line of the same order
                }
                if (key != prevKey) {
                    eventPtr[nnz] = events;
                    int u = (int) (key >>> 32);
                    colIdx[nnz] = (int) key;
                    rowPtr[u + 1]++;
                    nnz++;
                }
                count[nnz - 1]++;
                ages[events++] = (float) ((reference - times[e]) / 86400.0);
                prevKey = key;
                prevOrder = orders[e];
            }
            eventPtr[nnz] = events;
            for (int u = 0; u < users; u++) {
                rowPtr[u + 1] += rowPtr[u];
            }
            String[] names = segmentIds.keySet().toArray(new String[0]);
            return new Interactions(users, items, rowPtr, Arrays.copyOf(colIdx, nnz), Arrays.copyOf(count, nnz),
                    Arrays.copyOf(eventPtr, nnz + 1), Arrays.copyOf(ages, events), userSegment.clone(), names,
                    reference);
        }
    }
}
