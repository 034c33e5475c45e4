package io.affinity.training.mining;

/**
 * An {@link ItemsetSink} that can also take an itemset as text the miner has already prepared. The miner keeps
 * the text of its current itemset up to date one item at a time as it recurses (the prefix of a line changes
 * by one item between most lines), so a line costs a bulk copy instead of formatting every item again: on
 * dense data with millions of short lines, formatting was most of the run time.
 */
interface FormattedItemsetSink extends ItemsetSink {
    /**
     * The itemset {@code accept(items, length, supportCount)} would receive, as {@code text[0, textLength)}:
     * its ids ascending in decimal, each followed by one space ({@code "38 39 "}). The array is reused.
     */
    void acceptFormatted(byte[] text, int textLength, int length, long supportCount);
}
