package io.affinity.training.customers;

import java.util.Objects;

/**
 * The sufficient statistics of "buy till you die" models, one entry per customer, in model time units:
 * {@code x} repeat transactions (transactions after the first), {@code tx} the time of the last transaction
 * and {@code T} the length of observation, both measured from the first transaction; {@code meanSpend} the
 * mean value of the repeat transactions (0 when {@code x == 0}). Arrays are owned, not copied.
 */
public record RepeatData(int[] x, double[] tx, double[] T, double[] meanSpend) {
    public RepeatData {
        Objects.requireNonNull(x, "x");
        int n = x.length;
        if (tx.length != n || T.length != n || meanSpend.length != n) {
            throw new IllegalArgumentException("columns differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (x[i] < 0 || !(tx[i] >= 0) || !(T[i] >= tx[i]) || (x[i] == 0 && tx[i] != 0)
                    || !(meanSpend[i] >= 0) || Double.isInfinite(T[i]) || Double.isInfinite(meanSpend[i])) {
                throw new IllegalArgumentException("customer " + i + ": need x >= 0, 0 <= tx <= T, tx = 0 when x = 0,"
                        + " finite spend >= 0; was x=" + x[i] + " tx=" + tx[i] + " T=" + T[i] + " spend=" + meanSpend[i]);
            }
        }
    }

    public int size() {
        return x.length;
    }
}
