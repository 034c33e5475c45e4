package io.affinity.training.customers;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Draws customers from BG/NBD and Gamma-Gamma exactly as the models describe them (seeded), with a
 * calibration period and a holdout after it, so tests know the truth the fits must recover.
 */
final class BuyTillYouDieSimulator {
    /** Calibration summary plus what happened after it. */
    record Sample(RepeatData calibration, int[] holdoutTransactions, boolean[] aliveAtT) {
    }

    private BuyTillYouDieSimulator() {
    }

    /**
     * @param minT,maxT observation length per customer, uniform (staggered acquisition, as in real cohorts)
     * @param holdout   length of the period after calibration whose transactions are counted
     */
    static Sample simulate(BgNbd bg, GammaGamma gg, int n, double minT, double maxT, double holdout, long seed) {
        RandomGenerator rng = new Well19937c(seed);
        GammaDistribution lambdas = new GammaDistribution(rng, bg.r(), 1 / bg.alpha());
        BetaDistribution dropouts = new BetaDistribution(rng, bg.a(), bg.b());
        GammaDistribution nus = new GammaDistribution(rng, gg.q(), 1 / gg.v());
        int[] x = new int[n];
        double[] tx = new double[n];
        double[] T = new double[n];
        double[] spend = new double[n];
        int[] future = new int[n];
        boolean[] alive = new boolean[n];
        for (int i = 0; i < n; i++) {
            double lambda = lambdas.sample();
            double p = dropouts.sample();
            double nu = nus.sample();
            GammaDistribution values = new GammaDistribution(rng, gg.p(), 1 / nu);
            T[i] = minT + (maxT - minT) * rng.nextDouble();
            double t = 0;
            boolean isAlive = true;
            double total = 0;
            // Calibration: repeat purchases at Poisson times; after each, drop out with probability p.
            while (true) {
                t += -Math.log(1 - rng.nextDouble()) / lambda;
                if (t > T[i]) {
                    break;
                }
                x[i]++;
                tx[i] = t;
                total += values.sample();
                if (rng.nextDouble() < p) {
                    isAlive = false;
                    break;
                }
            }
            spend[i] = x[i] == 0 ? 0 : total / x[i];
            alive[i] = isAlive;
            // Holdout: memoryless, so restart the clock at T.
            if (isAlive) {
                double u = T[i];
                while (true) {
                    u += -Math.log(1 - rng.nextDouble()) / lambda;
                    if (u > T[i] + holdout) {
                        break;
                    }
                    future[i]++;
                    if (rng.nextDouble() < p) {
                        break;
                    }
                }
            }
        }
        return new Sample(new RepeatData(x, tx, T, spend), future, alive);
    }
}
