package io.affinity.training.mining;

import java.util.Arrays;

/**
 * All frequent itemsets of one mining run, in memory, with support look-up by itemset.
 *
 * <p>Itemsets are packed in one flat array; the index is an open-addressing table of itemset numbers hashed by
 * content, so a look-up allocates nothing and the whole structure costs a few ints per itemset.
 * Immutable once built.
 */
public final class FrequentItemsets {
    private final int transactionCount;
    private final int[] items;
    private final int[] offsets;
    private final int[] supports;
    private final int size;
    /** Itemset number + 1 per slot, 0 = empty; capacity a power of two, at most half full. */
    private final int[] table;
    private final int mask;

    private FrequentItemsets(int transactionCount, int[] items, int[] offsets, int[] supports, int size) {
        this.transactionCount = transactionCount;
        this.items = items;
        this.offsets = offsets;
        this.supports = supports;
        this.size = size;
        int cap = Integer.highestOneBit(Math.max(4, size) * 2 - 1) << 1;
        this.table = new int[cap];
        this.mask = cap - 1;
        for (int i = 0; i < size; i++) {
            int start = offsets[i];
            int slot = hash(items, start, offsets[i + 1] - start) & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = i + 1;
        }
    }

    /** Number of transactions mined, the denominator of relative support. */
    public int transactionCount() {
        return transactionCount;
    }

    /** Number of frequent itemsets. */
    public int size() {
        return size;
    }

    /** Number of items in itemset {@code index}. */
    public int length(int index) {
        checkIndex(index);
        return offsets[index + 1] - offsets[index];
    }

    /** A copy of itemset {@code index}, ascending ids. */
    public int[] itemset(int index) {
        checkIndex(index);
        return Arrays.copyOfRange(items, offsets[index], offsets[index + 1]);
    }

    public long supportCount(int index) {
        checkIndex(index);
        return supports[index];
    }

    /** Visits every itemset in mining order; the array passed is reused between calls. */
    public void forEach(ItemsetSink sink) {
        int[] buf = new int[16];
        for (int i = 0; i < size; i++) {
            int start = offsets[i];
            int len = offsets[i + 1] - start;
            if (len > buf.length) {
                buf = new int[len * 2];
            }
            // A copy, so that a misbehaving sink cannot corrupt the stored itemsets.
            System.arraycopy(items, start, buf, 0, len);
            sink.accept(buf, len, supports[i]);
        }
    }

    /** Support count of an itemset given as ascending distinct ids; 0 when it is not frequent. */
    public long supportOf(int[] sortedItems) {
        return supportOf(sortedItems, sortedItems.length);
    }

    /** Support count of {@code sortedItems[0, length)}; 0 when not frequent. */
    long supportOf(int[] sortedItems, int length) {
        if (length == 0) {
            return 0;
        }
        int slot = hash(sortedItems, 0, length) & mask;
        for (int e; (e = table[slot]) != 0; slot = (slot + 1) & mask) {
            int i = e - 1;
            int start = offsets[i];
            if (offsets[i + 1] - start == length
                    && Arrays.equals(items, start, start + length, sortedItems, 0, length)) {
                return supports[i];
            }
        }
        return 0;
    }

    private static int hash(int[] a, int from, int length) {
        int h = length * 0x9E3779B9;
        for (int i = from, end = from + length; i < end; i++) {
            h = (h + a[i]) * 0x9E3779B9;
            h ^= h >>> 15;
        }
        return h ^ (h >>> 16);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("itemset " + index + " of " + size);
        }
    }

    @Override
    public String toString() {
        return "FrequentItemsets[size=" + size + ", transactions=" + transactionCount + "]";
    }

    /** The sink {@link FpGrowth#mineAll} collects into. */
    static final class Collector implements ItemsetSink {
        private int[] items = new int[1024];
        private int[] offsets = new int[257];
        private int[] supports = new int[256];
        private int size;

        @Override
        public void accept(int[] itemset, int length, long supportCount) {
            if (size == Integer.MAX_VALUE / 2 - 16) {
                throw new IllegalStateException("too many frequent itemsets to keep in memory");
            }
            int start = offsets[size];
            if ((long) start + length > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("too many frequent itemsets to keep in memory");
            }
            if (start + length > items.length) {
                items = Arrays.copyOf(items, (int) Math.min(Integer.MAX_VALUE - 16,
                        Math.max(start + length, items.length * 3L / 2)));
            }
            if (size + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 3 / 2);
                supports = Arrays.copyOf(supports, offsets.length);
            }
            System.arraycopy(itemset, 0, items, start, length);
            supports[size] = Math.toIntExact(supportCount);
            offsets[++size] = start + length;
        }

        FrequentItemsets build(int transactionCount) {
            return new FrequentItemsets(transactionCount, Arrays.copyOf(items, offsets[size]),
                    Arrays.copyOf(offsets, size + 1), Arrays.copyOf(supports, size), size);
        }
    }
}
