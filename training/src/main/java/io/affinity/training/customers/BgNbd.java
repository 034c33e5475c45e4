package io.affinity.training.customers;

import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * The BG/NBD "buy till you die" model (Fader, Hardie &amp; Lee 2005, "Counting your customers the easy way"):
 * while alive a customer buys as a Poisson process with rate {@code lambda ~ Gamma(r, alpha)} (shape, rate),
 * and after each repeat purchase drops out with probability {@code p ~ Beta(a, b)}. Time is in whatever unit
 * the data was summarised in (days or weeks); {@code alpha} carries that unit.
 *
 * <p>All formulas are evaluated in log space (log-gamma, log-beta, log-sum-exp), so customers with hundreds
 * of transactions neither overflow nor lose the second likelihood term to underflow. The conditional
 * expectation needs Gauss's 2F1; it is evaluated after Euler's transformation, which turns the series with
 * huge terms for large {@code x} into one with small, quickly shrinking terms (see {@link #expectedTransactions}).
 */
public record BgNbd(double r, double alpha, double a, double b) {
    public BgNbd {
        for (double v : new double[] {r, alpha, a, b}) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("BG/NBD parameters must be finite and > 0: r=" + r + " alpha="
                        + alpha + " a=" + a + " b=" + b);
            }
        }
    }

    /** Maximum-likelihood fit; the result also reports the log-likelihood and optimiser effort. */
    public static Fitted fit(RepeatData data) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("no customers to fit BG/NBD to");
        }
        double meanX = 0;
        double meanT = 0;
        for (int i = 0; i < data.size(); i++) {
            meanX += data.x()[i];
            meanT += data.T()[i];
        }
        meanX /= data.size();
        meanT /= data.size();
        // Start where E[lambda] = r / alpha matches the observed repeat rate.
        double[] start = {1.0, Math.max(1e-3, meanT / Math.max(meanX, 0.01)), 1.0, 3.0};
        LogSpaceMle.Fit f = LogSpaceMle.maximise("BG/NBD",
                p -> new BgNbd(p[0], p[1], p[2], p[3]).logLikelihood(data), start);
        double[] p = f.parameters();
        return new Fitted(new BgNbd(p[0], p[1], p[2], p[3]), f.logLikelihood(), f.evaluations());
    }

    /** A fitted model with its maximised log-likelihood. */
    public record Fitted(BgNbd model, double logLikelihood, int evaluations) {
    }

    /** Sum over customers of the log-likelihood (FHL 2005, eq. 6). */
    public double logLikelihood(RepeatData d) {
        int maxX = 0;
        for (int x : d.x()) {
            maxX = Math.max(maxX, x);
        }
        // The special functions depend on x only: evaluate them once per distinct count, not per customer.
        double lnBab = Beta.logBeta(a, b);
        double base = r * Math.log(alpha) - Gamma.logGamma(r) - lnBab;
        double[] survivedTerm = new double[maxX + 1];
        double[] droppedTerm = new double[maxX + 1];
        for (int x = 0; x <= maxX; x++) {
            double common = Gamma.logGamma(r + x) + base;
            survivedTerm[x] = common + Beta.logBeta(a, b + x);
            droppedTerm[x] = x == 0 ? Double.NEGATIVE_INFINITY : common + Beta.logBeta(a + 1, b + x - 1);
        }
        double sum = 0;
        for (int i = 0; i < d.size(); i++) {
            int x = d.x()[i];
            double rx = r + x;
            double survived = survivedTerm[x] - rx * Math.log(alpha + d.T()[i]);
            sum += x == 0 ? survived : logSumExp(survived, droppedTerm[x] - rx * Math.log(alpha + d.tx()[i]));
        }
        return sum;
    }

    /** One customer's log-likelihood. */
    public double logLikelihood(int x, double tx, double T) {
        return logLikelihood(x, tx, T, Beta.logBeta(a, b), Gamma.logGamma(r), Math.log(alpha));
    }

    private double logLikelihood(int x, double tx, double T, double lnBab, double lnGammaR, double lnAlpha) {
        double rx = r + x;
        double common = Gamma.logGamma(rx) - lnGammaR + r * lnAlpha;
        double survived = Beta.logBeta(a, b + x) - lnBab - rx * Math.log(alpha + T);
        if (x == 0) {
            return common + survived;
        }
        double droppedOut = Beta.logBeta(a + 1, b + x - 1) - lnBab - rx * Math.log(alpha + tx);
        return common + logSumExp(survived, droppedOut);
    }

    /**
     * Probability that a customer with this history is still alive at {@code T} (FHL 2005, eq. 11):
     * {@code 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x))}, the odds taken in log space.
     */
    public double pAlive(int x, double tx, double T) {
        if (x == 0) {
            return 1.0;
        }
        double logOdds = Math.log(a) - Math.log(b + x - 1)
                + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
        return logOdds > 700 ? 0.0 : 1.0 / (1.0 + Math.exp(logOdds));
    }

    /**
     * Expected number of transactions in the next {@code t} time units for a customer with history
     * {@code (x, tx, T)} (FHL 2005, eq. 10):
     * {@code (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] P(alive)} with
     * {@code z = t/(alpha+T+t)}. By Euler's transformation
     * {@code (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)}, whose series has bounded
     * terms whatever {@code x} is.
     */
    public double expectedTransactions(double t, int x, double tx, double T) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("t must be >= 0, was " + t);
        }
        if (t == 0) {
            return 0;
        }
        double c = a + b + x - 1;
        double z = t / (alpha + T + t);
        return Math.max(0, c * bracketOverAMinusOne(c, z) * pAlive(x, tx, T));
    }

    /**
     * {@code [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)] / (a-1)}. Near {@code a = 1} both numerator and
     * denominator vanish; there the first-order limit is used:
     * {@code -ln(1-z) - sum_k (a+b-1-r)_k z^k / ((c)_k k)}.
     */
    private double bracketOverAMinusOne(double c, double z) {
        double e = a - 1;
        if (Math.abs(e) > 1e-4) {
            double f = Hypergeometric.f21(a + b - 1 - r, e, c, z);
            return (1 - Math.exp(e * Math.log1p(-z)) * f) / e;
        }
        double first = a + b - 1 - r;
        double term = 1;
        double sum = 0;
        for (int k = 1; k < 1_000_000; k++) {
            term *= (first + k - 1) / (c + k - 1) * z;
            double add = term / k;
            sum += add;
            if (Math.abs(add) <= 1e-16 * Math.abs(sum)) {
                return -Math.log1p(-z) - sum;
            }
        }
        throw new ArithmeticException("BG/NBD expectation series did not converge at a = " + a);
    }

    /** Expected transactions in {@code (0, t]} for a customer just acquired (FHL 2005, eq. 9); for checks. */
    public double expectedTransactionsNewCustomer(double t) {
        double z = t / (alpha + t);
        // (alpha/(alpha+t))^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z) by Euler again.
        return (a + b - 1) * bracketOverAMinusOne(a + b - 1, z);
    }

    static double logSumExp(double u, double v) {
        double m = Math.max(u, v);
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
    }
}
