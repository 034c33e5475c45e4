package io.affinity.training.customers;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A sum of money figures that does not depend on the order they are added in: kept exact, rounded to a double once
 * when read. Summed as doubles, an order's lines, a day's orders and a customer's lines gave figures that differed
 * in their last bits when the same export listed its rows in another order ({@code 0.1 + 0.2 + 0.3} is not
 * {@code 0.3 + 0.2 + 0.1}), and so did the value models fitted on them and every published profile. Spark hands
 * rows and partial results over in the order shuffle blocks arrive, so spark-train sums with it too (serialisable,
 * and as text in a Spark row: {@link #toString}, {@link #parse}).
 */
public final class ExactSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private BigDecimal sum = BigDecimal.ZERO;

    /** Adds a finite value exactly (a double's binary value has a finite decimal expansion). */
    public void add(double value) {
        if (value != 0) {
            sum = sum.add(new BigDecimal(value));
        }
    }

    /**
     * Adds a line's amount, quantity times unit price, as the decimals they were written in: a double read from
     * "9.95" is 9.9499999999999993 in binary, and six such lines summed exactly from their binary values come to
     * 59.699999999999996, where a shop's till shows 59.70. {@link BigDecimal#valueOf(double)} recovers the shortest
     * decimal that reads back as the double (what the export wrote, or a converted amount's rounded cents), so the
     * sum is the till's and its one rounding gives the double nearest 59.7. Still exact, so still independent of
     * the order lines are added in.
     */
    public void addAmount(double quantity, double unitPrice) {
        if (quantity != 0 && unitPrice != 0) {
            sum = sum.add(BigDecimal.valueOf(quantity).multiply(BigDecimal.valueOf(unitPrice)));
        }
    }

    public void add(ExactSum other) {
        sum = sum.add(other.sum);
    }

    /** The sum, rounded once. */
    public double value() {
        return sum.doubleValue();
    }

    /** The exact sum as text, for a Spark row; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return sum.toString();
    }

    public static ExactSum parse(String text) {
        ExactSum s = new ExactSum();
        s.sum = new BigDecimal(text);
        return s;
    }
}
