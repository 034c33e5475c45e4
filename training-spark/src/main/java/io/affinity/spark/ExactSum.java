package io.affinity.spark;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A sum of doubles that does not depend on the order they come in: kept exact, rounded to a double only when read.
 * Spark hands rows to a task, and partial results to the driver, in the order shuffle blocks arrive, which varies
 * with the partition count and from run to run once executors are separate processes; summed as doubles, the same
 * figures gave validation scores that differed in their last digits between runs, and a choice made by comparing
 * them could differ too.
 */
final class ExactSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private BigDecimal sum = BigDecimal.ZERO;

    /** Adds a finite value exactly (a double's binary value has a finite decimal expansion). */
    void add(double value) {
        sum = sum.add(new BigDecimal(value));
    }

    void add(ExactSum other) {
        sum = sum.add(other.sum);
    }

    /** The sum, rounded once. */
    double value() {
        return sum.doubleValue();
    }

    /** The exact sum as text, for a Spark row; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return sum.toString();
    }

    static ExactSum parse(String text) {
        ExactSum s = new ExactSum();
        s.sum = new BigDecimal(text);
        return s;
    }
}
