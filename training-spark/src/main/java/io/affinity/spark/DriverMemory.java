package io.affinity.spark;

import java.util.Locale;

/**
 * What the driver's heap holds by the end of a run, estimated from the counts the first steps give: the snapshot
 * is assembled on the driver ({@code SnapshotBuilder} keeps every customer's history, profile and list, and the
 * rules, encoded, until it writes them), so that part grows with the customers, their histories and the rules, and
 * the rest of the job's data stays on the executors. The sizes are the encoded bytes and map entries a builder
 * was measured to hold for the bundled sample and the UCI data (1,634 and 5,852 customers, histories of 30 and 82
 * items on average, lists of 50; benchmarks/RESULTS.md), rounded up, plus the profiled customers' segment rows that
 * stay for the trade-ups.
 */
final class DriverMemory {
    /** Per identified customer: the profile, the segment row and each map's entry and key (measured ~500). */
    static final long PER_CUSTOMER = 600;
    /** Per distinct item in a customer's history (measured 26). */
    static final long PER_HISTORY_ITEM = 28;
    /** Per item of a precomputed list (measured 30-33, with the list's own share). */
    static final long PER_LIST_ITEM = 32;
    /** Per rule kept, listed under each item of its antecedent (measured 325). */
    static final long PER_RULE = 330;
    /** Spark's own driver (its context, scheduler and block manager): an allowance, not a measurement. */
    static final long SPARK_DRIVER = 512L << 20;

    private DriverMemory() {
    }

    /**
     * @param customers     identified customers
     * @param historyItems  distinct (customer, item) pairs: the sum of the items' customer counts
     * @param rules         rules kept
     * @param topN          items per precomputed list
     */
    static long snapshotBytes(long customers, long historyItems, long rules, int topN) {
        return customers * (PER_CUSTOMER + PER_LIST_ITEM * topN) + historyItems * PER_HISTORY_ITEM + rules * PER_RULE;
    }

    /**
     * The progress line, and a warning when the snapshot and Spark's own allowance exceed the heap the driver may
     * use ({@code Runtime.maxMemory()}): said after the rules, before the hours a big day's lists may take, instead
     * of an out-of-memory failure at their end.
     */
    static String describe(long customers, long historyItems, long rules, int topN, long maxHeap) {
        long snapshot = snapshotBytes(customers, historyItems, rules, topN);
        String line = String.format(Locale.ROOT, "driver: the snapshot it assembles will take about %,d MiB of its "
                        + "heap (%,d customers, %,d history items, %,d rules, lists of %d), about %,d MiB with Spark's "
                        + "own; its heap may grow to %,d MiB", mib(snapshot), customers, historyItems, rules, topN,
                mib(snapshot + SPARK_DRIVER), mib(maxHeap));
        if (snapshot + SPARK_DRIVER <= maxHeap) {
            return line;
        }
        return line + "\nwarning: the driver's heap is likely too small for this run: it may run out of memory "
                + "while it assembles the snapshot, at the end of the run, and publish nothing; give it at least "
                + mib(snapshot * 3 / 2 + SPARK_DRIVER) + " MiB (spark-submit --driver-memory; ./affinity spark-train: "
                + "AFFINITY_JAVA_OPTS=-Xmx..., where the executors share the driver's heap too)";
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
