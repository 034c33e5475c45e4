package io.affinity.training.mining;

import java.util.BitSet;

/**
 * Closed and maximal itemsets, selected from all frequent ones: what {@link FrequentItemsets#select} does, and what
 * {@link FpGrowth#mine(TransactionDatabase, ItemsetTarget)} uses with a maximum length (without one the miner finds
 * them in its recursion, see {@link TargetCandidates}; the tests compare the two). A frequent itemset X is closed when no
 * frequent superset has the same support, and maximal when no superset is frequent. Checking the supersets
 * with one more item is enough: supports only fall as itemsets grow, so if some superset has X's support (or
 * is frequent) then so does one with a single extra item. Each itemset therefore marks its one-smaller subsets
 * in one pass of hash look-ups, without going back to the transactions.
 *
 * <p>With a maximum length, "superset" means one within that length (the closed/maximal itemsets of the
 * length-limited result).
 */
final class ItemsetTargets {
    private ItemsetTargets() {
    }

    static FrequentItemsets select(FrequentItemsets all, ItemsetTarget target) {
        if (target == ItemsetTarget.ALL) {
            return all;
        }
        int n = all.size();
        BitSet keep = new BitSet(n);
        keep.set(0, n);
        int[] items = all.flatItems();
        int[] sub = new int[16];
        for (int i = 0; i < n; i++) {
            int len = all.length(i);
            if (len < 2) {
                continue;
            }
            if (sub.length < len) {
                sub = new int[len * 2];
            }
            int start = all.offset(i);
            long support = all.supportCount(i);
            for (int drop = 0; drop < len; drop++) {
                for (int j = 0, k = 0; j < len; j++) {
                    if (j != drop) {
                        sub[k++] = items[start + j];
                    }
                }
                int s = all.indexOf(sub, len - 1);
                if (s < 0) {
                    throw new IllegalStateException("a subset of a frequent itemset is missing: itemsets incomplete");
                }
                if (target == ItemsetTarget.MAXIMAL || all.supportCount(s) == support) {
                    keep.clear(s);
                }
            }
        }
        return all.select(keep);
    }
}
