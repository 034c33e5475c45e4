package io.affinity.training.mining;

import java.util.Arrays;

/**
 * An immutable list of transactions over non-negative int item ids.
 *
 * <p>All transactions live in one flat {@code int[]} with an offsets array: millions of tiny {@code int[]}s
 * would cost more in headers and pointer chasing than the items themselves. Each transaction is stored sorted
 * ascending without duplicates, because an itemset's support counts baskets, not occurrences.
 */
public final class TransactionDatabase {
    private final int[] items;
    private final int[] offsets;
    private final int itemBound;

    private TransactionDatabase(int[] items, int[] offsets, int itemBound) {
        this.items = items;
        this.offsets = offsets;
        this.itemBound = itemBound;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of transactions, empty ones included. */
    public int size() {
        return offsets.length - 1;
    }

    /** Number of distinct items in transaction {@code t}. */
    public int length(int t) {
        checkIndex(t);
        return offsets[t + 1] - offsets[t];
    }

    /** The {@code j}-th smallest item of transaction {@code t}. */
    public int item(int t, int j) {
        int len = length(t);
        if (j < 0 || j >= len) {
            throw new IndexOutOfBoundsException("item " + j + " of a transaction of length " + len);
        }
        return items[offsets[t] + j];
    }

    /** A copy of transaction {@code t}: distinct item ids, ascending. */
    public int[] transaction(int t) {
        checkIndex(t);
        return Arrays.copyOfRange(items, offsets[t], offsets[t + 1]);
    }

    /** One more than the largest item id, 0 when there are no items: the size of an array indexed by item. */
    public int itemBound() {
        return itemBound;
    }

    /** Sum of the transaction lengths. */
    public long totalItems() {
        return offsets[offsets.length - 1];
    }

    // The miner reads the flat arrays directly; they are never handed out publicly, so immutability holds.
    int[] flatItems() {
        return items;
    }

    int[] offsets() {
        return offsets;
    }

    private void checkIndex(int t) {
        if (t < 0 || t >= size()) {
            throw new IndexOutOfBoundsException("transaction " + t + " of " + size());
        }
    }

    @Override
    public String toString() {
        return "TransactionDatabase[transactions=" + size() + ", items=" + totalItems() + "]";
    }

    /** Accumulates transactions; not thread-safe. May keep being used after {@link #build()}. */
    public static final class Builder {
        private int[] items = new int[1024];
        private int[] offsets = new int[256];
        private int transactions;
        private int itemBound;

        private Builder() {
        }

        /** Adds one transaction; duplicate ids are dropped, order does not matter. */
        public Builder add(int[] transaction) {
            return add(transaction, 0, transaction.length);
        }

        /** Adds {@code transaction[from, to)} as one transaction. */
        public Builder add(int[] transaction, int from, int to) {
            if (from < 0 || to > transaction.length || from > to) {
                throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of an array of length "
                        + transaction.length);
            }
            int start = offsets[transactions];
            int len = to - from;
            if ((long) start + len > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("more than " + (Integer.MAX_VALUE - 16) + " item occurrences");
            }
            // Files usually list a basket's items ascending already: then neither sorting nor dropping
            // duplicates is needed (a few % of reading a FIMI file under the C1-only JIT the launcher uses).
            boolean ascending = true;
            int previous = -1;
            for (int i = from; i < to; i++) {
                int x = transaction[i];
                if (x < 0) {
                    throw new IllegalArgumentException("negative item id " + x + " in transaction "
                            + transactions);
                }
                ascending &= x > previous;
                previous = x;
            }
            if (start + len > items.length) {
                items = Arrays.copyOf(items, (int) Math.min(Integer.MAX_VALUE - 16,
                        Math.max((long) start + len, items.length * 3L / 2)));
            }
            System.arraycopy(transaction, from, items, start, len);
            int end = start + len;
            if (!ascending) {
                Arrays.sort(items, start, start + len);
                end = start;
                for (int i = start; i < start + len; i++) {
                    if (end == start || items[end - 1] != items[i]) {
                        items[end++] = items[i];
                    }
                }
            }
            if (end > start) {
                itemBound = Math.max(itemBound, items[end - 1] + 1);
            }
            if (transactions + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[++transactions] = end;
            return this;
        }

        /** Transactions added so far. */
        public int size() {
            return transactions;
        }

        public TransactionDatabase build() {
            return new TransactionDatabase(Arrays.copyOf(items, offsets[transactions]),
                    Arrays.copyOf(offsets, transactions + 1), itemBound);
        }
    }
}
