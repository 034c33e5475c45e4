package io.affinity.training.mining;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * The closed or maximal itemsets among these (all of them for {@link ItemsetTarget#ALL}), in the same
     * order; needs every subset of every itemset present, as one complete mining run gives.
     */
    public FrequentItemsets select(ItemsetTarget target) {
        return ItemsetTargets.select(this, target);
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
        int i = indexOf(sortedItems, length);
        return i < 0 ? 0 : supports[i];
    }

    /** Index of itemset {@code sortedItems[0, length)}; -1 when not frequent. */
    int indexOf(int[] sortedItems, int length) {
        if (length == 0) {
            return -1;
        }
        int slot = hash(sortedItems, 0, length) & mask;
        for (int e; (e = table[slot]) != 0; slot = (slot + 1) & mask) {
            int i = e - 1;
            int start = offsets[i];
            if (offsets[i + 1] - start == length
                    && Arrays.equals(items, start, start + length, sortedItems, 0, length)) {
                return i;
            }
        }
        return -1;
    }

    /** Position of itemset {@code index}'s first item in {@link #flatItems()}. */
    int offset(int index) {
        return offsets[index];
    }

    /** All itemsets back to back; not to be modified. */
    int[] flatItems() {
        return items;
    }

    /** The itemsets whose indexes {@code keep} selects, in index order, as a new indexed set. */
    FrequentItemsets select(BitSet keep) {
        int n = keep.cardinality();
        int[] o = new int[n + 1];
        int[] sup = new int[n];
        long total = 0;
        for (int i = keep.nextSetBit(0); i >= 0; i = keep.nextSetBit(i + 1)) {
            total += offsets[i + 1] - offsets[i];
        }
        int[] it = new int[(int) total];
        int k = 0;
        int pos = 0;
        for (int i = keep.nextSetBit(0); i >= 0; i = keep.nextSetBit(i + 1)) {
            int len = offsets[i + 1] - offsets[i];
            System.arraycopy(items, offsets[i], it, pos, len);
            pos += len;
            sup[k] = supports[i];
            o[++k] = pos;
        }
        return new FrequentItemsets(transactionCount, it, o, sup, n);
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

    /**
     * Itemsets in flat arrays: the sink {@link FpGrowth#mineAll} collects into, and, made {@link #hashed}, the one
     * closed/maximal candidates are collected into (each with its transaction-set hash, see {@link TargetCandidates}).
     */
    static final class Collector implements TargetCandidates.Sink {
        int[] items = new int[1024];
        int[] offsets = new int[257];
        int[] supports = new int[256];
        /** Null unless hashed. */
        long[] hashes;
        int size;

        Collector() {
        }

        private Collector(long[] hashes) {
            this.hashes = hashes;
        }

        /** A collector of closed/maximal candidates: each comes with its transaction-set hash. */
        static Collector hashed() {
            return new Collector(new long[256]);
        }

        @Override
        public void accept(int[] itemset, int length, long supportCount) {
            if (hashes != null) {
                throw new UnsupportedOperationException("candidates need their transaction-set hash");
            }
            add(itemset, length, supportCount, 0);
        }

        @Override
        public void accept(int[] itemset, int length, long supportCount, long hash) {
            if (hashes == null) {
                throw new UnsupportedOperationException("this collector keeps no transaction-set hashes");
            }
            add(itemset, length, supportCount, hash);
        }

        private void add(int[] itemset, int length, long supportCount, long hash) {
            if (size == Integer.MAX_VALUE / 2 - 16) {
                throw tooMany();
            }
            int start = offsets[size];
            if ((long) start + length > Integer.MAX_VALUE - 16) {
                throw tooMany();
            }
            if (start + length > items.length) {
                items = Arrays.copyOf(items, (int) Math.min(Integer.MAX_VALUE - 16,
                        Math.max(start + length, items.length * 3L / 2)));
            }
            if (size + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 3 / 2);
                supports = Arrays.copyOf(supports, offsets.length);
                if (hashes != null) {
                    hashes = Arrays.copyOf(hashes, offsets.length);
                }
            }
            System.arraycopy(itemset, 0, items, start, length);
            supports[size] = Math.toIntExact(supportCount);
            if (hashes != null) {
                hashes[size] = hash;
            }
            offsets[++size] = start + length;
        }

        private IllegalStateException tooMany() {
            return tooMany(hashes != null);
        }

        static IllegalStateException tooMany(boolean hashed) {
            return new IllegalStateException("too many " + (hashed ? "closed/maximal candidates" : "frequent itemsets")
                    + " to keep in memory");
        }

        FrequentItemsets build(int transactionCount) {
            return new FrequentItemsets(transactionCount, Arrays.copyOf(items, offsets[size]),
                    Arrays.copyOf(offsets, size + 1), Arrays.copyOf(supports, size), size);
        }
    }

    /**
     * Collects the tasks of a (possibly parallel) run, one collector per thread, and assembles them in task
     * order, so the result is the same as a single-threaded run's.
     */
    static final class TaskCollectors implements TaskSinks {
        private final ThreadLocal<Collector> perThread;
        private final boolean hashed;
        /** Per finished task: the collector and its itemset range. */
        private final Map<Integer, Segment> segments = new ConcurrentHashMap<>();
        private final ThreadLocal<int[]> taskStart = ThreadLocal.withInitial(() -> new int[1]);

        private record Segment(Collector collector, int from, int to) {
        }

        TaskCollectors() {
            this(false);
        }

        /** @param hashed whether the miner reports transaction-set hashes (closed/maximal candidates) */
        TaskCollectors(boolean hashed) {
            this.hashed = hashed;
            perThread = ThreadLocal.withInitial(hashed ? Collector::hashed : Collector::new);
        }

        @Override
        public ItemsetSink open(int task) {
            Collector c = perThread.get();
            taskStart.get()[0] = c.size;
            return c;
        }

        @Override
        public void close(int task, ItemsetSink sink) {
            Collector c = (Collector) sink;
            segments.put(task, new Segment(c, taskStart.get()[0], c.size));
        }

        FrequentItemsets build(int transactionCount) {
            Collector all = inTaskOrder();
            return new FrequentItemsets(transactionCount, all.items, all.offsets, all.supports, all.size);
        }

        /** Every task's itemsets in task order, in exactly sized arrays (hashes too when collected). */
        Collector inTaskOrder() {
            long count = 0;
            long itemCount = 0;
            for (Segment s : segments.values()) {
                count += s.to - s.from;
                itemCount += s.collector.offsets[s.to] - s.collector.offsets[s.from];
            }
            if (count > Integer.MAX_VALUE / 2 - 16 || itemCount > Integer.MAX_VALUE - 16) {
                throw Collector.tooMany(hashed);
            }
            int n = (int) count;
            int[] items = new int[(int) itemCount];
            int[] offsets = new int[n + 1];
            int[] supports = new int[n];
            long[] hashes = hashed ? new long[n] : null;
            int k = 0;
            int pos = 0;
            for (int task = 0; k < n; task++) {
                Segment s = segments.get(task);
                if (s == null) {
                    continue;
                }
                Collector c = s.collector;
                int from = c.offsets[s.from];
                System.arraycopy(c.items, from, items, pos, c.offsets[s.to] - from);
                for (int i = s.from; i < s.to; i++) {
                    supports[k] = c.supports[i];
                    if (hashes != null) {
                        hashes[k] = c.hashes[i];
                    }
                    pos += c.offsets[i + 1] - c.offsets[i];
                    offsets[++k] = pos;
                }
            }
            Collector result = new Collector(hashes);
            result.items = items;
            result.offsets = offsets;
            result.supports = supports;
            result.size = n;
            return result;
        }
    }
}
