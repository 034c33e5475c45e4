package io.affinity.training.mining;

import java.util.Arrays;

/**
 * The closed-itemset candidates one mining task has found so far, indexed by transaction-set hash, answering
 * "is there a strict superset of this itemset with the same support?" (then it is not closed). Equal support
 * plus a superset relation means equal transaction sets, hence an equal hash, so only the itemsets under one
 * hash are compared; the comparison itself is exact, so hash collisions cost time, never correctness.
 *
 * <p>Cleared for every task; clearing touches only the slots used, so thousands of small tasks stay cheap.
 */
final class CandidateRepository {
    private long[] keys = new long[256];
    /** Latest entry + 1 under the key in the same slot; 0 = empty slot. */
    private int[] heads = new int[256];
    private int[] usedSlots = new int[128];
    private int used;

    private int[] items = new int[1024];
    private int[] offsets = new int[129];
    private int[] supports = new int[128];
    /** Previous entry with the same key, -1 at the end. */
    private int[] previous = new int[128];
    private int size;

    void clear() {
        for (int i = 0; i < used; i++) {
            heads[usedSlots[i]] = 0;
        }
        used = 0;
        size = 0;
    }

    /** True when a stored itemset strictly contains {@code itemset[0, length)} and has {@code support}. */
    boolean subsumed(int[] itemset, int length, int support, long hash) {
        int slot = find(hash);
        for (int e = heads[slot] - 1; e >= 0; e = previous[e]) {
            int start = offsets[e];
            int len = offsets[e + 1] - start;
            if (supports[e] == support && len > length && contains(items, start, len, itemset, length)) {
                return true;
            }
        }
        return false;
    }

    void add(int[] itemset, int length, int support, long hash) {
        if (size + 1 == supports.length) {
            int cap = supports.length * 2;
            supports = Arrays.copyOf(supports, cap);
            previous = Arrays.copyOf(previous, cap);
            offsets = Arrays.copyOf(offsets, cap + 1);
        }
        int start = offsets[size];
        if (start + length > items.length) {
            items = Arrays.copyOf(items, Math.max(start + length, items.length * 2));
        }
        System.arraycopy(itemset, 0, items, start, length);
        offsets[size + 1] = start + length;
        supports[size] = support;
        int slot = find(hash);
        if (heads[slot] == 0) {
            keys[slot] = hash;
            if (used == usedSlots.length) {
                usedSlots = Arrays.copyOf(usedSlots, used * 2);
            }
            usedSlots[used++] = slot;
        }
        previous[size] = heads[slot] - 1;
        heads[slot] = ++size;
        if (used * 2 > keys.length) {
            rehash();
        }
    }

    /** The slot holding {@code hash}, or the empty slot where it would go. */
    private int find(long hash) {
        int mask = keys.length - 1;
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (heads[slot] != 0 && keys[slot] != hash) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldHeads = heads;
        int[] oldUsed = Arrays.copyOf(usedSlots, used);
        keys = new long[oldKeys.length * 2];
        heads = new int[oldKeys.length * 2];
        usedSlots = new int[Math.max(16, used * 2)];
        used = 0;
        for (int s : oldUsed) {
            int slot = find(oldKeys[s]);
            keys[slot] = oldKeys[s];
            heads[slot] = oldHeads[s];
            usedSlots[used++] = slot;
        }
    }

    /** {@code sub[0, subLen)} is a subset of {@code a[from, from + len)}; both ascending. */
    static boolean contains(int[] a, int from, int len, int[] sub, int subLen) {
        return contains(a, from, len, sub, 0, subLen);
    }

    /** {@code sub[subFrom, subFrom + subLen)} is a subset of {@code a[from, from + len)}; both ascending. */
    static boolean contains(int[] a, int from, int len, int[] sub, int subFrom, int subLen) {
        int i = from;
        int end = from + len;
        for (int j = subFrom, subEnd = subFrom + subLen; j < subEnd; j++) {
            int v = sub[j];
            while (i < end && a[i] < v) {
                i++;
            }
            if (i == end || a[i] != v) {
                return false;
            }
            i++;
        }
        return true;
    }
}
