package io.affinity.training.mining;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reference results by exhaustive enumeration, for databases over at most 20 distinct items: every itemset is
 * a bit mask over the sorted universe of ids, every transaction too, and support is a subset test.
 */
final class BruteForce {
    final int[] universe;
    final int[] transactionMasks;

    BruteForce(TransactionDatabase db) {
        universe = java.util.stream.IntStream.range(0, db.size())
                .flatMap(t -> Arrays.stream(db.transaction(t))).distinct().sorted().toArray();
        if (universe.length > 20) {
            throw new IllegalArgumentException("too many items for brute force: " + universe.length);
        }
        transactionMasks = new int[db.size()];
        for (int t = 0; t < db.size(); t++) {
            transactionMasks[t] = mask(db.transaction(t));
        }
    }

    int mask(int[] items) {
        int m = 0;
        for (int it : items) {
            int k = Arrays.binarySearch(universe, it);
            if (k < 0) {
                throw new IllegalArgumentException("item " + it + " not in the universe");
            }
            m |= 1 << k;
        }
        return m;
    }

    int[] items(int mask) {
        return java.util.stream.IntStream.range(0, universe.length).filter(k -> (mask & (1 << k)) != 0)
                .map(k -> universe[k]).toArray();
    }

    long support(int mask) {
        long s = 0;
        for (int t : transactionMasks) {
            if ((t & mask) == mask) {
                s++;
            }
        }
        return s;
    }

    /** Support of every itemset, indexed by mask: one pass per transaction over its subsets. */
    long[] allSupports() {
        long[] s = new long[1 << universe.length];
        for (int t : transactionMasks) {
            for (int sub = t; sub != 0; sub = (sub - 1) & t) {
                s[sub]++;
            }
            s[0]++;
        }
        return s;
    }

    /** Frequent itemsets as mask -> support count; maxLength 0 = unlimited. */
    Map<Integer, Long> frequent(long minSupportCount, int maxLength) {
        Map<Integer, Long> result = new HashMap<>();
        for (int m = 1; m < (1 << universe.length); m++) {
            if (maxLength > 0 && Integer.bitCount(m) > maxLength) {
                continue;
            }
            long s = support(m);
            if (s >= minSupportCount) {
                result.put(m, s);
            }
        }
        return result;
    }
}
