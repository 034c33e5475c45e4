package io.affinity.training.mining;

/**
 * Receives frequent itemsets as the miner finds them, so that results need not fit in memory.
 */
@FunctionalInterface
public interface ItemsetSink {
    /**
     * One frequent itemset.
     *
     * @param items        the original item ids in {@code items[0, length)}, sorted ascending. The array is
     *                     reused for the next call: copy what you keep, and do not modify it
     * @param length       number of items, at least 1
     * @param supportCount number of transactions containing all the items
     */
    void accept(int[] items, int length, long supportCount);
}
