package io.affinity.training.ingest;

import java.util.Arrays;

/**
 * The identified customers' returns of products ({@link ReturnNetting#isReturn}) as loaded, each customer and item's
 * returns kept with the purchase lines they may be netted against, so that they can be netted as of a day.
 * {@code train} nets every return in the export ({@link Transactions#keptQuantityOfLine}); {@code customers
 * --calibration-end} nets only those made by the calibration end ({@link Transactions#keptAsOf}): a return made
 * later is a fact of the future the models are checked against, and taken off a calibration purchase it lowered the
 * calibration spend, and counted customers as having "returned everything by then" who had not.
 *
 * <p>Lines and returns of a group are in load order (file, then line), as {@link ReturnNetting} and the Spark
 * ingestion net them, so netting every return gives the loader's doubles exactly.
 */
final class CustomerReturns {
    /** Group g (one customer and item with returns and a purchase) has lines {@code lineOffsets[g] .. [g+1]-1}. */
    private final int[] lineOffsets;
    /** Transactions line numbers. */
    private final int[] lines;
    /** Each line's order time (local epoch second). */
    private final long[] lineTimes;
    private final int[] returnOffsets;
    private final long[] returnTimes;
    private final double[] returnQuantities;
    /** Times of the returns whose customer or item has no accepted line at all: they match nothing. */
    private final long[] orphanTimes;

    CustomerReturns(int[] lineOffsets, int[] lines, long[] lineTimes, int[] returnOffsets, long[] returnTimes,
                    double[] returnQuantities, long[] orphanTimes) {
        if (lineOffsets.length != returnOffsets.length || lines.length != lineTimes.length
                || returnTimes.length != returnQuantities.length
                || lineOffsets[lineOffsets.length - 1] != lines.length
                || returnOffsets[returnOffsets.length - 1] != returnTimes.length) {
            throw new IllegalArgumentException("inconsistent return groups");
        }
        this.lineOffsets = lineOffsets;
        this.lines = lines;
        this.lineTimes = lineTimes;
        this.returnOffsets = returnOffsets;
        this.returnTimes = returnTimes;
        this.returnQuantities = returnQuantities;
        this.orphanTimes = orphanTimes;
    }

    /** Returns of every customer and item, as a customer-value run counts them. */
    long count() {
        return returnTimes.length + orphanTimes.length;
    }

    /**
     * Nets the returns made at or before {@code lastSecond} (local epoch second) against the lines of {@code bought}
     * (each Transactions line's quantity); later returns take off nothing and are counted as such.
     */
    Transactions.KeptQuantities netUntil(long lastSecond, double[] bought) {
        double[] kept = bought.clone();
        long netted = 0;
        long unmatched = 0;
        long later = 0;
        for (long t : orphanTimes) {
            if (t > lastSecond) {
                later++;
            } else {
                unmatched++;
            }
        }
        for (int g = 0; g + 1 < lineOffsets.length; g++) {
            int l0 = lineOffsets[g];
            int n = lineOffsets[g + 1] - l0;
            long[] pTime = Arrays.copyOfRange(lineTimes, l0, l0 + n);
            double[] pKept = new double[n];
            for (int k = 0; k < n; k++) {
                pKept[k] = kept[lines[l0 + k]];
            }
            int r0 = returnOffsets[g];
            int r1 = returnOffsets[g + 1];
            int due = 0;
            for (int r = r0; r < r1; r++) {
                due += returnTimes[r] <= lastSecond ? 1 : 0;
            }
            later += (r1 - r0) - due;
            long[] rTime = new long[due];
            double[] rQty = new double[due];
            int k = 0;
            for (int r = r0; r < r1; r++) {
                if (returnTimes[r] <= lastSecond) {
                    rTime[k] = returnTimes[r];
                    rQty[k++] = returnQuantities[r];
                }
            }
            for (double m : ReturnNetting.net(pTime, pKept, rTime, rQty)) {
                if (m > 0) {
                    netted++;
                } else {
                    unmatched++;
                }
            }
            for (int p = 0; p < n; p++) {
                kept[lines[l0 + p]] = pKept[p];
            }
        }
        return new Transactions.KeptQuantities(kept, netted, unmatched, later);
    }
}
