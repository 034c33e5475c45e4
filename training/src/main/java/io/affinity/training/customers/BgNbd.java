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
 * expectation is a sum of positive terms instead of the paper's expression with Gauss's 2F1, which cancels
 * catastrophically at the parameters fits on little data reach (see {@link #expectedTransactions}).
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
     * {@code ln((alpha+T)/(alpha+tx))} is taken as {@code log1p((T-tx)/(alpha+tx))}: with the huge r and alpha of
     * a fit where everyone buys at the same rate, a difference of two logs would lose the digits that (r+x) then
     * multiplies. (And {@code b + (x-1)}, not {@code (b + x) - 1}, which rounds a tiny b away at x = 1.)
     */
    public double pAlive(int x, double tx, double T) {
        if (x == 0) {
            return 1.0;
        }
        double logOdds = Math.log(a) - Math.log(b + (x - 1)) + (r + x) * Math.log1p((T - tx) / (alpha + tx));
        return logOdds > 700 ? 0.0 : 1.0 / (1.0 + Math.exp(logOdds));
    }

    /**
     * Expected number of transactions in the next {@code t} time units for a customer with history
     * {@code (x, tx, T)} (FHL 2005, eq. 10): {@code P(alive) E[transactions in (T, T+t] | alive at T]}.
     *
     * <p>Eq. 10 writes the second factor as {@code (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
     * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]}, a difference of nearly equal numbers wherever 2F1's series is
     * summed: with a large {@code a} (drop-out nearly the same for everyone, where fits on a few customers land,
     * e.g. a = 2e6, b = 2e8) Euler's transformed series grows like {@code exp(a z)} before {@code (1-z)^(a-1)}
     * cancels it, which overflows to infinity x 0 = NaN; with {@code r} above {@code a + b} (purchase rates nearly
     * the same for everyone) it alternates with terms like {@code (r z)^k / k!} and leaves rounding noise. So the
     * same number is computed from the model's own account of the future, as a sum of positive terms (see
     * {@link #expectedWhileAlive}), which needs no 2F1 and no division by {@code a - 1}.
     *
     * @throws ArithmeticException when the sum would take more than {@value #MAX_TERMS} terms (a posterior mean of
     *                             that many purchase occasions in {@code t}: no fitted customer base comes near)
     */
    public double expectedTransactions(double t, int x, double tx, double T) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("t must be >= 0, was " + t);
        }
        double alive = pAlive(x, tx, T);
        if (t == 0 || alive == 0) {
            return 0;
        }
        return alive * expectedWhileAlive(t, r + x, b + x, alpha + T);
    }

    /** Expected transactions in {@code (0, t]} for a customer just acquired (FHL 2005, eq. 9); for checks. */
    public double expectedTransactionsNewCustomer(double t) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("t must be >= 0, was " + t);
        }
        return t == 0 ? 0 : expectedWhileAlive(t, r, b, alpha);
    }

    /** Upper bound on the terms of {@link #expectedWhileAlive}'s sum (its array holds up to the mode). */
    static final int MAX_TERMS = 1_000_000;

    /**
     * {@code E[transactions in the next t | alive now]} for a customer whose purchase rate is
     * {@code Gamma(shape, gammaRate)} (shape, rate) and drop-out probability {@code Beta(a, dropB)}: for an alive
     * customer with history {@code (x, T)} these are the posteriors, {@code shape = r + x},
     * {@code gammaRate = alpha + T}, {@code dropB = b + x}. While alive the customer buys at the events of a Poisson
     * process; over the rate's posterior the number {@code N} of events in {@code t} is negative binomial,
     * {@code P(N = n) = Gamma(shape+n) / (Gamma(shape) n!) z^n (1-z)^shape} with {@code z = t/(gammaRate+t)}. Each
     * event is a purchase as long as the customer has not dropped out after an earlier one, so {@code n} events
     * bring {@code D_n = sum_{k<n} E[(1-p)^k]} purchases on average, where
     * {@code E[(1-p)^k] = prod_{i<k} (dropB+i) / (a+dropB+i)}. The result, {@code sum_{n>=1} P(N=n) D_n}, is eq. 10's
     * second factor (expand {@code (1-p)^k} and sum over n to get its 2F1 back), summed from the mode of N
     * outwards, its terms relative to {@code P(N = mode)} (no underflow however large {@code shape} is); upwards
     * it stops once a geometric bound on the rest is below {@code 1e-16} of the sum.
     */
    private double expectedWhileAlive(double t, double shape, double dropB, double gammaRate) {
        // Both logs accurate whether z is near 0 (a huge gammaRate, as with a huge r) or near 1.
        double logZ = -Math.log1p(gammaRate / t);
        double log1mZ = -Math.log1p(t / gammaRate);
        double z = Math.exp(logZ);
        // Mode of N: floor((shape-1) z/(1-z)) = floor((shape-1) t/gammaRate), at least 1 (n = 0 adds nothing).
        double modeReal = shape > 1 ? Math.floor((shape - 1) * (t / gammaRate)) : 0;
        if (!(modeReal < MAX_TERMS)) {
            throw tooManyTerms(t);
        }
        int mode = Math.max(1, (int) modeReal);
        // prefix[n] = D_n for n <= mode; d = E[(1-p)^n] for the current n.
        double[] prefix = new double[mode + 1];
        double d = 1;
        for (int k = 0; k < mode; k++) {
            prefix[k + 1] = prefix[k] + d;
            d *= (dropB + k) / (a + dropB + k);
        }
        // log P(N = mode) = -log(mode) - log B(shape, mode) + mode log z + shape log(1-z); commons-math's logBeta
        // keeps its precision when shape is huge and mode small, where a difference of log-gammas would not.
        double logPMode = -Math.log(mode) - Beta.logBeta(shape, mode) + mode * logZ + shape * log1mZ;
        double sum = prefix[mode];
        double pmf = 1; // P(N = n) / P(N = mode)
        for (int n = mode; n > 1 && pmf > 0; n--) {
            pmf *= n / ((shape + n - 1) * z);
            sum += pmf * prefix[n - 1];
        }
        pmf = 1;
        double total = prefix[mode];
        for (int n = mode; ; n++) {
            // Step to n+1: P(N=n+1) = P(N=n) (shape+n) z / (n+1), D_(n+1) = D_n + E[(1-p)^n].
            pmf *= (shape + n) * z / (n + 1);
            total += d;
            d *= (dropB + n) / (a + dropB + n);
            double term = pmf * total;
            sum += term;
            // Past the mode the ratio of P(N) terms only moves towards z (down when shape > 1, up when < 1), and
            // D's ratio 1 + d/D only falls: q bounds every later term ratio, so the rest is at most term q/(1-q).
            double q = Math.max((shape + n + 1) * z / (n + 2), z) * (1 + d / total);
            if (q < 1 && term * q <= 1e-16 * sum * (1 - q)) {
                break;
            }
            if (n - mode > MAX_TERMS) {
                throw tooManyTerms(t);
            }
        }
        return sum * Math.exp(logPMode);
    }

    private ArithmeticException tooManyTerms(double t) {
        return new ArithmeticException("BG/NBD expected transactions over " + t + " time units need more than "
                + MAX_TERMS + " terms at r=" + r + " alpha=" + alpha + " a=" + a + " b=" + b);
    }

    static double logSumExp(double u, double v) {
        double m = Math.max(u, v);
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
    }
}
