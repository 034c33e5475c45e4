package io.affinity.training.mining;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exact FP-growth (Han, Pei &amp; Yin 2000): finds every itemset contained in at least {@code minSupportCount}
 * transactions. Instances are immutable and thread-safe; each {@link #mine} call has its own working memory.
 *
 * <pre>{@code
 * FpGrowth miner = FpGrowth.builder()
 *         .minSupportCount(FpGrowth.minSupportCount(0.001, db.size()))
 *         .maxLength(0)
 *         .threads(2)
 *         .build();
 * miner.mine(db, (items, length, support) -> ...);
 * }</pre>
 */
public final class FpGrowth {
    private final long minSupportCount;
    private final int maxLength;
    private final int threads;
    private final long maxItemsets;

    private FpGrowth(long minSupportCount, int maxLength, int threads, long maxItemsets) {
        this.minSupportCount = minSupportCount;
        this.maxLength = maxLength;
        this.threads = threads;
        this.maxItemsets = maxItemsets;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The support count threshold for a relative support: {@code ceil(minSupport * transactions)}, at least 1.
     * Computed in decimal so that e.g. 0.001 x 100000 is exactly 100, as in the published reference counts,
     * not 101 through binary rounding: the shortest decimal form of the double (what {@link
     * java.math.BigDecimal#valueOf(double)} uses) times the count, in long arithmetic when it fits, since
     * BigDecimal's first use costs 15-25 ms of class loading and interpretation in a run lasting half a second.
     */
    public static long minSupportCount(double minSupport, int transactions) {
        if (!(minSupport > 0 && minSupport <= 1)) {
            throw new IllegalArgumentException("minSupport must be in (0, 1], was " + minSupport);
        }
        if (transactions < 0) {
            throw new IllegalArgumentException("transactions must be >= 0, was " + transactions);
        }
        long count = decimalCeiling(Double.toString(minSupport), transactions);
        if (count < 0) {
            count = BigDecimal.valueOf(minSupport).multiply(BigDecimal.valueOf(transactions))
                    .setScale(0, RoundingMode.CEILING).longValueExact();
        }
        return Math.max(1, count);
    }

    /**
     * ceil(decimal x n) for a positive decimal such as "0.05" or "5.0E-4" (Double.toString's forms), or -1 when
     * that does not fit in long arithmetic.
     */
    static long decimalCeiling(String decimal, long n) {
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        boolean fraction = false;
        int i = 0;
        for (; i < decimal.length(); i++) {
            char c = decimal.charAt(i);
            if (c == '.') {
                fraction = true;
            } else if (c >= '0' && c <= '9') {
                if (++digits > 18) {
                    return -1;
                }
                unscaled = unscaled * 10 + (c - '0');
                if (fraction) {
                    scale++;
                }
            } else {
                break;
            }
        }
        if (i < decimal.length()) {
            if (decimal.charAt(i) != 'E') {
                return -1;
            }
            int exponent;
            try {
                exponent = Integer.parseInt(decimal, i + 1, decimal.length(), 10);
            } catch (NumberFormatException e) {
                return -1;
            }
            scale -= exponent;
        }
        try {
            long product = Math.multiplyExact(unscaled, n);
            if (scale <= 0) {
                for (int k = 0; k < -scale; k++) {
                    product = Math.multiplyExact(product, 10L);
                }
                return product;
            }
            if (scale > 18) {
                return -1;
            }
            long divisor = 1;
            for (int k = 0; k < scale; k++) {
                divisor *= 10;
            }
            return product / divisor + (product % divisor == 0 ? 0 : 1);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    public long minSupportCount() {
        return minSupportCount;
    }

    /** Longest itemset reported; 0 means unlimited. */
    public int maxLength() {
        return maxLength;
    }

    /** Threads {@link #mineParallel} and {@link #mineAll} use; {@link #mine} always uses the calling thread. */
    public int threads() {
        return threads;
    }

    /** Most itemsets a run may produce before it fails with {@link TooManyItemsetsException}; 0 = no limit. */
    public long maxItemsets() {
        return maxItemsets;
    }

    /**
     * Streams every frequent non-empty itemset once, with its support count, on the calling thread; the order
     * is fixed for a given database and threshold. An exception the sink throws aborts mining.
     *
     * @throws TooManyItemsetsException beyond {@link #maxItemsets()} itemsets
     */
    public void mine(TransactionDatabase db, ItemsetSink sink) {
        Objects.requireNonNull(sink, "sink");
        run(db, 1, TaskSinks.single(sink));
    }

    /**
     * Mines on {@link #threads()} threads: independent conditional trees of first-level items run in parallel.
     * Each thread gets its own sink from {@code sinks} (called once per thread, on that thread), so sinks need
     * not be thread-safe; together they receive exactly the itemsets {@link #mine} reports, in another order.
     */
    public void mineParallel(TransactionDatabase db, Supplier<? extends ItemsetSink> sinks) {
        Objects.requireNonNull(sinks, "sinks");
        ThreadLocal<ItemsetSink> perThread = ThreadLocal.withInitial(sinks::get);
        run(db, threads, new TaskSinks() {
            @Override
            public ItemsetSink open(int task) {
                return perThread.get();
            }

            @Override
            public void close(int task, ItemsetSink sink) {
            }
        });
    }

    /** Runs the miner with per-task sinks; returns the number of itemsets produced. */
    long run(TransactionDatabase db, int threadCount, TaskSinks sinks) {
        Objects.requireNonNull(db, "db");
        if (minSupportCount > db.size()) {
            return 0; // nothing can be frequent; also keeps the int-count engine away from huge thresholds
        }
        FpMiner miner = new FpMiner((int) minSupportCount, maxLength == 0 ? Integer.MAX_VALUE : maxLength,
                maxItemsets);
        int tasks = miner.prepare(db);
        if (tasks > 0) {
            miner.run(tasks, threadCount, sinks);
        }
        return miner.emitted();
    }

    /**
     * Mines on {@link #threads()} threads and keeps everything in memory, indexed for support look-ups (what
     * rule generation needs). The itemsets are in the order {@link #mine} reports them, whatever the threads.
     */
    public FrequentItemsets mineAll(TransactionDatabase db) {
        FrequentItemsets.TaskCollectors collectors = new FrequentItemsets.TaskCollectors();
        run(db, threads, collectors);
        return collectors.build(db.size());
    }

    /**
     * The closed or maximal frequent itemsets (all of them for {@link ItemsetTarget#ALL}, as {@link #mineAll}),
     * on {@link #threads()} threads, in an order that does not depend on the thread count. Without a maximum
     * length they are found inside the recursion (FPclose/FPmax style: perfect extensions merged, branches
     * subsumed by a superset with the same transactions cut), so only candidates, not all frequent itemsets,
     * are kept: {@link #maxItemsets()} then limits the candidates. With a maximum length they are selected
     * from all frequent itemsets within it (as {@link FrequentItemsets#select}), which keeps those in memory.
     *
     * @throws TooManyItemsetsException beyond {@link #maxItemsets()} candidates (or frequent itemsets)
     */
    public FrequentItemsets mine(TransactionDatabase db, ItemsetTarget target) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(target, "target");
        if (target == ItemsetTarget.ALL) {
            return mineAll(db);
        }
        if (maxLength != 0) {
            return mineAll(db).select(target);
        }
        TargetCandidates candidates = new TargetCandidates();
        if (minSupportCount <= db.size()) {
            FpMiner miner = new FpMiner((int) minSupportCount, Integer.MAX_VALUE, maxItemsets, target);
            int tasks = miner.prepare(db);
            if (tasks > 0) {
                miner.run(tasks, threads, candidates);
            }
        }
        return candidates.select(target, db.size());
    }

    @Override
    public String toString() {
        return "FpGrowth[minSupportCount=" + minSupportCount + ", maxLength=" + maxLength + ", threads=" + threads
                + ", maxItemsets=" + maxItemsets + "]";
    }

    public static final class Builder {
        private long minSupportCount = -1;
        private int maxLength;
        private int threads = 1;
        private long maxItemsets;

        private Builder() {
        }

        /** Required; at least 1. */
        public Builder minSupportCount(long minSupportCount) {
            if (minSupportCount < 1) {
                throw new IllegalArgumentException("minSupportCount must be >= 1, was " + minSupportCount);
            }
            this.minSupportCount = minSupportCount;
            return this;
        }

        /** Longest itemset to report; 0 (the default) means unlimited. */
        public Builder maxLength(int maxLength) {
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be >= 0 (0 = unlimited), was " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** Threads for {@link #mineParallel} and {@link #mineAll}; default 1. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Fail with {@link TooManyItemsetsException} beyond this many itemsets; 0 (the default) = no limit. */
        public Builder maxItemsets(long maxItemsets) {
            if (maxItemsets < 0) {
                throw new IllegalArgumentException("maxItemsets must be >= 0 (0 = no limit), was " + maxItemsets);
            }
            this.maxItemsets = maxItemsets;
            return this;
        }

        public FpGrowth build() {
            if (minSupportCount < 1) {
                throw new IllegalStateException("minSupportCount is required");
            }
            return new FpGrowth(minSupportCount, maxLength, threads, maxItemsets);
        }
    }
}
