package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** Parameter recovery on simulated data, and the prediction formulas against simulated outcomes. */
@UnitTest
class BuyTillYouDieModelTest {
    // CDNOW-like parameters in weeks (Fader, Hardie & Lee 2005 report r=.243, alpha=4.41, a=.793, b=2.43).
    private static final BgNbd TRUE_BG = new BgNbd(0.25, 4.0, 0.8, 2.5);
    private static final GammaGamma TRUE_GG = new GammaGamma(6.0, 4.0, 15.0);

    @Test
    void bgNbdRecoversKnownParameters() {
        var sample = BuyTillYouDieSimulator.simulate(TRUE_BG, TRUE_GG, 20_000, 26, 78, 26, 42L);
        BgNbd.Fitted fit = BgNbd.fit(sample.calibration());
        BgNbd m = fit.model();
        assertRelative(TRUE_BG.r(), m.r(), 0.10, "r");
        assertRelative(TRUE_BG.alpha(), m.alpha(), 0.15, "alpha");
        assertRelative(TRUE_BG.a(), m.a(), 0.25, "a");
        assertRelative(TRUE_BG.b(), m.b(), 0.30, "b");
        // The optimum is an optimum: the true parameters do not score higher.
        assertTrue(fit.logLikelihood() >= TRUE_BG.logLikelihood(sample.calibration()) - 1e-6);
    }

    @Test
    void gammaGammaRecoversKnownParameters() {
        // p is identified only through how the spread of mean spend shrinks with x, so it needs many
        // customers with few transactions (here ~16k repeaters with ~4 each; with 8k it is off by ~15%).
        var sample = BuyTillYouDieSimulator.simulate(new BgNbd(1.0, 20.0, 0.5, 8.0), TRUE_GG, 20_000, 52, 104, 0, 7L);
        GammaGamma.Fitted fit = GammaGamma.fit(sample.calibration());
        GammaGamma m = fit.model();
        assertRelative(TRUE_GG.p(), m.p(), 0.15, "p");
        assertRelative(TRUE_GG.q(), m.q(), 0.15, "q");
        assertRelative(TRUE_GG.v(), m.v(), 0.20, "v");
        assertTrue(fit.logLikelihood() >= TRUE_GG.logLikelihood(sample.calibration()) - 1e-6);
        assertRelative(TRUE_GG.populationMeanSpend(), m.populationMeanSpend(), 0.05, "population mean spend");
    }

    @Test
    void conditionalExpectationMatchesSimulatedHoldoutOnAverage() {
        var s = BuyTillYouDieSimulator.simulate(TRUE_BG, TRUE_GG, 20_000, 26, 78, 39, 11L);
        RepeatData d = s.calibration();
        double predicted = 0;
        double actual = 0;
        double actualSq = 0;
        double pAlive = 0;
        int alive = 0;
        for (int i = 0; i < d.size(); i++) {
            predicted += TRUE_BG.expectedTransactions(39, d.x()[i], d.tx()[i], d.T()[i]);
            actual += s.holdoutTransactions()[i];
            actualSq += (double) s.holdoutTransactions()[i] * s.holdoutTransactions()[i];
            pAlive += TRUE_BG.pAlive(d.x()[i], d.tx()[i], d.T()[i]);
            alive += s.aliveAtT()[i] ? 1 : 0;
        }
        int n = d.size();
        double sd = Math.sqrt(actualSq / n - Math.pow(actual / n, 2));
        // Law of total expectation: the mean of E[Y | history] is E[Y]; allow 4 standard errors.
        assertEquals(actual / n, predicted / n, 4 * sd / Math.sqrt(n), "mean holdout transactions");
        assertEquals((double) alive / n, pAlive / n, 4 * 0.5 / Math.sqrt(n), "share alive at T");
    }

    @Test
    void newCustomerExpectationAgreesWithConditionalOneAtZero() {
        // A customer observed for 0 time with no repeats is a new customer: eq. 10 must reduce to eq. 9.
        for (double t : new double[] {1, 10, 52, 500}) {
            assertEquals(TRUE_BG.expectedTransactionsNewCustomer(t), TRUE_BG.expectedTransactions(t, 0, 0, 0),
                    1e-9 * Math.max(1, TRUE_BG.expectedTransactionsNewCustomer(t)));
        }
        // And eq. 9 against its closed form for the mean when p -> 0 would need a>>; instead check it against
        // the numerical derivative-free property E[X(t)] increasing in t.
        assertTrue(TRUE_BG.expectedTransactionsNewCustomer(10) < TRUE_BG.expectedTransactionsNewCustomer(20));
    }

    @Test
    void heavyBuyersStayFinite() {
        BgNbd m = new BgNbd(0.8, 30, 0.3, 4);
        // Hundreds of repeat transactions: naive products of gamma functions overflow here.
        double ll = m.logLikelihood(600, 360, 365);
        assertTrue(Double.isFinite(ll), "log-likelihood finite: " + ll);
        // Posterior rate (r+x)/(alpha+T) = 1.52/day; just bought, so alive: about 130 in 90 days.
        double e = m.expectedTransactions(90, 600, 364.9, 365);
        assertTrue(e > 110 && e < 140, "a 600-per-year buyer who just bought expects ~130 in 90 days, got " + e);
        // Five silent days are a lot for someone buying 1.5 times a day: P(alive) about one half.
        assertEquals(0.5, m.pAlive(600, 360, 365), 0.05);
        assertTrue(m.pAlive(600, 200, 365) < 1e-6, "long silence after a buying spree means gone");
        assertTrue(m.pAlive(600, 364, 365) > 0.9);
    }

    @Test
    void expectationMatchesEquation10ComputedIn60Digits() {
        // CDNOW-like parameters, light and heavy buyers, a new customer, horizons from a week to a year.
        for (double[] h : new double[][] {{3, 20, 40, 13}, {40, 35, 40, 26}, {0, 0, 10, 52}, {0, 0, 0, 4},
                {1, 2, 60, 1}, {120, 51, 52, 52}}) {
            int x = (int) h[0];
            double reference = Equation10.expectedTransactions(TRUE_BG, h[3], x, h[1], h[2]);
            assertEquals(reference, TRUE_BG.expectedTransactions(h[3], x, h[1], h[2]), 1e-12 * reference,
                    "x=" + x + " tx=" + h[1] + " T=" + h[2] + " t=" + h[3]);
        }
    }

    /**
     * The figures the model's authors publish for CDNOW (Fader, Hardie &amp; Lee 2005, and their note "Implementing
     * the BG/NBD model for customer base analysis in Excel"): at r=0.2426, alpha=4.4136, a=0.7929, b=2.4259 (weeks),
     * a customer with 2 repeat purchases, the last at week 30.43 of 38.86, is expected to make 1.226 purchases in the
     * next 39 weeks. P(alive) is eq. 11 of the paper, worked by hand: 1 / (1 + 0.7929/3.4259 x (43.2736/34.8436)^2.2426).
     */
    @Test
    void publishedCdnowFiguresAreReproduced() {
        BgNbd cdnow = new BgNbd(0.2426, 4.4136, 0.7929, 2.4259);
        assertEquals(1.226, cdnow.expectedTransactions(39, 2, 30.43, 38.86), 5e-4);
        double odds = 0.7929 / 3.4259 * Math.pow(43.2736 / 34.8436, 2.2426);
        assertEquals(1 / (1 + odds), cdnow.pAlive(2, 30.43, 38.86), 1e-12);
        assertEquals(0.7266, cdnow.pAlive(2, 30.43, 38.86), 5e-5);
        // A one-time buyer never drops out in this model, however long ago: P(alive) 1 (README, "Reading a profile").
        assertEquals(1.0, cdnow.pAlive(0, 0, 500), 0.0);
    }

    @Test
    void expectationIsContinuousThroughAEqualsOne() {
        // (a-1) divides the formula; at a = 1 the limit is used. Both sides must agree with it.
        for (double[] h : new double[][] {{0, 0, 30}, {4, 20, 40}, {60, 200, 210}}) {
            int x = (int) h[0];
            double at = new BgNbd(0.5, 10, 1.0, 3).expectedTransactions(13, x, h[1], h[2]);
            double below = new BgNbd(0.5, 10, 1.0 - 2e-4, 3).expectedTransactions(13, x, h[1], h[2]);
            double above = new BgNbd(0.5, 10, 1.0 + 2e-4, 3).expectedTransactions(13, x, h[1], h[2]);
            assertTrue(Double.isFinite(at) && at > 0);
            assertEquals(at, below, 1e-3 * at);
            assertEquals(at, above, 1e-3 * at);
        }
    }

    /**
     * One customer's likelihood is FHL 2005's eq. 6 as printed, in probabilities (no logs): Gamma(r+x) alpha^r /
     * Gamma(r) [B(a, b+x)/B(a, b) (alpha+T)^-(r+x) + [x&gt;0] B(a+1, b+x-1)/B(a, b) (alpha+tx)^-(r+x)]; and the
     * likelihood of a customer base is the sum of its customers'.
     */
    @Test
    void likelihoodIsEquationSixOfThePaper() {
        BgNbd m = new BgNbd(0.2426, 4.4136, 0.7929, 2.4259);
        int[] xs = {0, 1, 2, 5};
        double[] txs = {0, 10.5, 20, 30.25};
        double[] Ts = {38.5, 30, 35, 39};
        for (int k = 0; k < xs.length; k++) {
            int x = xs[k];
            double beta = Math.exp(org.apache.commons.math3.special.Beta.logBeta(0.7929, 2.4259));
            double front = org.apache.commons.math3.special.Gamma.gamma(0.2426 + x) * Math.pow(4.4136, 0.2426)
                    / org.apache.commons.math3.special.Gamma.gamma(0.2426);
            double survived = Math.exp(org.apache.commons.math3.special.Beta.logBeta(0.7929, 2.4259 + x)) / beta
                    * Math.pow(4.4136 + Ts[k], -(0.2426 + x));
            double dropped = x == 0 ? 0 : Math.exp(org.apache.commons.math3.special.Beta.logBeta(1.7929, 1.4259 + x))
                    / beta * Math.pow(4.4136 + txs[k], -(0.2426 + x));
            double expected = Math.log(front * (survived + dropped));
            assertEquals(expected, m.logLikelihood(x, txs[k], Ts[k]), 1e-12 * Math.abs(expected), "x=" + x);
        }
        double sum = 0;
        for (int k = 0; k < xs.length; k++) {
            sum += m.logLikelihood(xs[k], txs[k], Ts[k]);
        }
        RepeatData base = new RepeatData(xs, txs, Ts, new double[xs.length]);
        assertEquals(sum, m.logLikelihood(base), 1e-12 * Math.abs(sum));
    }

    private static void assertRelative(double expected, double actual, double tolerance, String name) {
        assertTrue(Math.abs(actual - expected) <= tolerance * expected,
                name + ": expected " + expected + " within " + (100 * tolerance) + "%, got " + actual);
    }
}
