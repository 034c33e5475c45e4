package io.affinity.training.customers;

import org.apache.commons.math3.special.Beta;

/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie &amp; Lee 2005, "RFM and CLV"; Colombo &amp;
 * Weina 1999): a customer's transaction values are {@code Gamma(p, nu)} (shape, rate) around their own mean
 * {@code p/nu}, and {@code nu ~ Gamma(q, v)} across customers. Spend is assumed independent of how often the
 * customer buys (check the correlation of frequency and mean spend before trusting it; the report gives it).
 * Fitted on customers with at least one repeat transaction, from their mean repeat-transaction value.
 */
public record GammaGamma(double p, double q, double v) {
    public GammaGamma {
        for (double w : new double[] {p, q, v}) {
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("Gamma-Gamma parameters must be finite and > 0: p=" + p + " q="
                        + q + " v=" + v);
            }
        }
    }

    public record Fitted(GammaGamma model, double logLikelihood, int evaluations, int customers) {
    }

    /** Maximum-likelihood fit on the customers with {@code x > 0} and a positive mean spend. */
    public static Fitted fit(RepeatData data) {
        int n = 0;
        double mean = 0;
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        for (int i = 0; i < data.size(); i++) {
            double m = data.meanSpend()[i];
            if (data.x()[i] > 0 && m > 0) {
                n++;
                mean += m;
                lowest = Math.min(lowest, m);
                highest = Math.max(highest, m);
            }
        }
        if (n < 2) {
            throw new IllegalArgumentException("Gamma-Gamma needs at least 2 customers with repeat transactions, had " + n);
        }
        mean /= n;
        final int count = n;
        if (lowest == highest) {
            // One spend for every customer (a subscription shop): the likelihood grows without bound with p and q
            // (every purchase of everyone that spend), and the search would chase it until its budget ran out.
            // The limit, taken at the search's clamps, predicts exactly that spend for everyone.
            double edge = Math.exp(LogSpaceMle.MAX_LOG);
            GammaGamma limit = new GammaGamma(edge, edge, lowest * (edge - 1) / edge);
            return new Fitted(limit, limit.logLikelihood(data), 0, count);
        }
        // Start with p = 1 and a population mean spend p v / (q - 1) equal to the observed one.
        LogSpaceMle.Fit f = LogSpaceMle.maximise("Gamma-Gamma",w -> new GammaGamma(w[0], w[1], w[2]).logLikelihood(data),
                new double[] {1.0, 3.0, 2.0 * mean});
        double[] w = f.parameters();
        return new Fitted(new GammaGamma(w[0], w[1], w[2]), f.logLikelihood(), f.evaluations(), count);
    }

    /**
     * Sum of the log-likelihood over customers with {@code x > 0} and positive mean spend (others carry no
     * information). Per customer, with {@code r = x m / v}: {@code -log B(px, q) - px log1p(1/r) - q log1p(r) - log
     * m}, which is the usual {@code log Gamma(px + q) - log Gamma(px) - log Gamma(q) + q log v + (px - 1) log m + px
     * log x - (px + q) log(v + x m)} rearranged so that no two large terms cancel. The maximum lies at a limit of the
     * parameters on some data: q and v without bound where customers' mean spends differ no more than their single
     * purchases do (one mean spend for all), p without bound where each customer's purchases hardly vary. There the
     * usual form subtracted numbers of 1e15 and more, and its rounding noise kept the search from ever settling (it
     * gave up, and training published no profiles).
     */
    public double logLikelihood(RepeatData d) {
        int maxX = 0;
        for (int x : d.x()) {
            maxX = Math.max(maxX, x);
        }
        double[] logBeta = new double[maxX + 1]; // once per distinct x
        for (int x = 1; x <= maxX; x++) {
            logBeta[x] = Beta.logBeta(p * x, q);
        }
        double sum = 0;
        for (int i = 0; i < d.size(); i++) {
            int x = d.x()[i];
            double m = d.meanSpend()[i];
            if (x > 0 && m > 0) {
                double ratio = x * m / v;
                sum += -logBeta[x] - p * x * Math.log1p(1 / ratio) - q * Math.log1p(ratio) - Math.log(m);
            }
        }
        return sum;
    }

    /** Mean spend per transaction across the population, {@code p v / (q - 1)}; infinite when {@code q <= 1}. */
    public double populationMeanSpend() {
        return q > 1 ? p * v / (q - 1) : Double.POSITIVE_INFINITY;
    }

    /**
     * Expected spend per transaction for a customer with {@code x} repeat transactions of mean value
     * {@code meanSpend}: {@code p (v + x m) / (p x + q - 1)}, a weighted average of the population mean and the
     * customer's own; with {@code x == 0}, the population mean.
     */
    public double expectedSpend(int x, double meanSpend) {
        if (q <= 1) {
            throw new IllegalStateException("q <= 1: the expected spend is undefined (infinite)");
        }
        if (x == 0) {
            return populationMeanSpend();
        }
        return p * (v + x * meanSpend) / (p * x + q - 1);
    }
}
