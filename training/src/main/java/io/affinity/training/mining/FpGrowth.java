package io.affinity.training.mining;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact FP-growth (Han, Pei &amp; Yin 2000): finds every itemset contained in at least {@code minSupportCount}
 * transactions. Instances are immutable and thread-safe; each {@link #mine} call has its own working memory.
 *
 * <pre>{@code
 * FpGrowth miner = FpGrowth.builder()
 *         .minSupportCount(FpGrowth.minSupportCount(0.001, db.size()))
 *         .maxLength(0)
 *         .build();
 * miner.mine(db, (items, length, support) -> ...);
 * }</pre>
 */
public final class FpGrowth {
    private final long minSupportCount;
    private final int maxLength;

    private FpGrowth(long minSupportCount, int maxLength) {
        this.minSupportCount = minSupportCount;
        this.maxLength = maxLength;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The support count threshold for a relative support: {@code ceil(minSupport * transactions)}, at least 1.
     * Computed in decimal so that e.g. 0.001 x 100000 is exactly 100, as in the published reference counts,
     * not 101 through binary rounding.
     */
    public static long minSupportCount(double minSupport, int transactions) {
        if (!(minSupport > 0 && minSupport <= 1)) {
            throw new IllegalArgumentException("minSupport must be in (0, 1], was " + minSupport);
        }
        if (transactions < 0) {
            throw new IllegalArgumentException("transactions must be >= 0, was " + transactions);
        }
        long count = BigDecimal.valueOf(minSupport).multiply(BigDecimal.valueOf(transactions))
                .setScale(0, RoundingMode.CEILING).longValueExact();
        return Math.max(1, count);
    }

    public long minSupportCount() {
        return minSupportCount;
    }

    /** Longest itemset reported; 0 means unlimited. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Streams every frequent non-empty itemset once, with its support count, in no particular order.
     * The sink runs on the calling thread; an exception it throws aborts mining.
     */
    public void mine(TransactionDatabase db, ItemsetSink sink) {
        if (db == null || sink == null) {
            throw new NullPointerException("db and sink are required");
        }
        if (minSupportCount > db.size()) {
            return; // nothing can be frequent; also keeps the int-count engine away from huge thresholds
        }
        new FpMiner((int) minSupportCount, maxLength == 0 ? Integer.MAX_VALUE : maxLength, sink).mine(db);
    }

    /** Mines and keeps everything in memory, indexed for support look-ups (what rule generation needs). */
    public FrequentItemsets mineAll(TransactionDatabase db) {
        FrequentItemsets.Collector collector = new FrequentItemsets.Collector();
        mine(db, collector);
        return collector.build(db.size());
    }

    @Override
    public String toString() {
        return "FpGrowth[minSupportCount=" + minSupportCount + ", maxLength=" + maxLength + "]";
    }

    public static final class Builder {
        private long minSupportCount = -1;
        private int maxLength;

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

        public FpGrowth build() {
            if (minSupportCount < 1) {
                throw new IllegalStateException("minSupportCount is required");
            }
            return new FpGrowth(minSupportCount, maxLength);
        }
    }
}
