package io.affinity.training.ingest;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Nets a customer's returns against what they bought, for customer value: a cancellation row of an identified
 * customer for a product ({@link #isReturn}) is a return of its quantity of that item, taken off that customer's
 * purchase lines of the same item made at or before the return's time, the most recent first (the return most
 * likely refers to the latest delivery). What matches no such purchase (bought before the export starts, or in
 * an order kept by another file) takes off nothing and is counted. Both trainers call this with the same lines
 * in the same order, so they subtract the same doubles in the same order.
 */
public final class ReturnNetting {
    private ReturnNetting() {
    }

    /**
     * Whether a row rejected as a cancellation is a return to net: it names a customer, its item is a product
     * (postage, fees and vouchers refunded are no goods taken back), and it has a positive price and a quantity.
     */
    public static boolean isReturn(String customer, String item, double quantity, double price,
                                   IngestOptions options) {
        return customer != null && item != null && quantity != 0 && price > 0 && !options.isNonProduct(item);
    }

    /**
     * Nets one customer's returns of one item against their purchases of it.
     *
     * @param purchaseTime   time of each purchase line (its order's), lines in load order (file, then line)
     * @param kept           each line's quantity; reduced in place to what the customer kept (0: all returned)
     * @param returnTime     time of each return row, rows in load order
     * @param returnQuantity each return's quantity, positive
     * @return the quantity each return took off purchases (0: it matched nothing)
     */
    public static double[] net(long[] purchaseTime, double[] kept, long[] returnTime, double[] returnQuantity) {
        if (purchaseTime.length != kept.length || returnTime.length != returnQuantity.length) {
            throw new IllegalArgumentException("times and quantities differ in length");
        }
        Integer[] latestFirst = order(purchaseTime.length,
                Comparator.<Integer>comparingLong(p -> -purchaseTime[p]).thenComparing(p -> -p));
        Integer[] returnsInTime = order(returnTime.length,
                Comparator.<Integer>comparingLong(r -> returnTime[r]).thenComparing(r -> r));
        double[] matched = new double[returnTime.length];
        for (int r : returnsInTime) {
            double left = returnQuantity[r];
            for (int p : latestFirst) {
                if (left <= 0) {
                    break;
                }
                if (purchaseTime[p] > returnTime[r] || kept[p] <= 0) {
                    continue;
                }
                double take = Math.min(kept[p], left);
                kept[p] -= take;
                left -= take;
            }
            matched[r] = returnQuantity[r] - Math.max(0, left);
        }
        return matched;
    }

    private static Integer[] order(int n, Comparator<Integer> by) {
        Integer[] o = new Integer[n];
        Arrays.setAll(o, i -> i);
        Arrays.sort(o, by);
        return o;
    }
}
