package io.affinity.training.customers;

/** Gauss's hypergeometric function 2F1 by its power series, for {@code 0 <= z < 1}. */
final class Hypergeometric {
    private Hypergeometric() {
    }

    /**
     * {@code sum_k (a)_k (b)_k / ((c)_k k!) z^k}. Callers arrange (by Euler's transformation) that the terms
     * stay small; the ratio of consecutive terms tends to {@code z}, so the series converges geometrically.
     */
    static double f21(double a, double b, double c, double z) {
        if (!(z >= 0 && z < 1)) {
            throw new IllegalArgumentException("2F1 series needs 0 <= z < 1, was " + z);
        }
        double term = 1;
        double sum = 1;
        for (int k = 0; k < 1_000_000; k++) {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
            if (Math.abs(term) <= 1e-16 * Math.abs(sum)) {
                return sum;
            }
        }
        throw new ArithmeticException("2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge");
    }
}
