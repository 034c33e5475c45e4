package io.affinity.training;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The typical price of an item (the median unit price paid) as the decimal amount it stands for. The median of an
 * even count is the mean of the two middle prices, and that mean computed in binary carries an error in the 16th
 * digit (2.46 and 3.32 give 2.8899999999999997): search showed it, and {@code price:2.89} missed the item. Both
 * trainers (this one and Spark's) pass their median through here, so they publish the same price.
 */
public final class TypicalPrice {
    /** More digits than any price has, fewer than a double's 15-17: the binary error falls outside them. */
    private static final MathContext DIGITS = new MathContext(12);

    private TypicalPrice() {
    }

    /** The median rounded to 12 significant digits (a finite non-zero one; anything else as it is). */
    public static double ofMedian(double median) {
        if (median == 0 || !Double.isFinite(median)) {
            return median;
        }
        return new BigDecimal(median).round(DIGITS).doubleValue();
    }
}
