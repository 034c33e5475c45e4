package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bootstrap intervals and the paired test on vectors whose answer is known without the code under test. */
@UnitTest
class SignificanceTest {
    private static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
        }
        return v;
    }

    private static Significance.Paired paired(double[] base, double[] changed) {
        return Significance.paired(List.of(base), List.of(changed), Significance.RESAMPLES, Significance.SEED).get(0);
    }

    @Test
    void theIntervalOfAConstantDifferenceIsThatConstant() {
        double[] base = random(500, 1);
        double[] changed = base.clone();
        for (int i = 0; i < changed.length; i++) {
            changed[i] = base[i] + 0.25;
        }
        // base + 0.25 - base is not always exactly 0.25 in binary: compare the differences themselves
        double[] d = Significance.differences(base, changed);
        Significance.Paired p = paired(base, changed);
        double lo = java.util.Arrays.stream(d).min().orElseThrow();
        double hi = java.util.Arrays.stream(d).max().orElseThrow();
        assertEquals(0.25, p.interval().low(), 1e-15);
        assertEquals(0.25, p.interval().high(), 1e-15);
        assertTrue(p.interval().low() >= lo - 1e-15 && p.interval().high() <= hi + 1e-15);
        assertTrue(p.significant());
        assertEquals(0, p.pValue(), 1e-12, "every customer moved up by the same amount");

        // A column of one exact constant: every resampled mean is that constant to the last bit.
        double[] quarter = new double[777];
        java.util.Arrays.fill(quarter, 0.125);
        Significance.Interval i = Significance.bootstrapMeans(List.of(quarter), 1000, 9).get(0);
        assertEquals(new Significance.Interval(0.125, 0.125), i);
    }

    @Test
    void identicalModelsHaveTheZeroIntervalNoStarAndPOne() {
        double[] base = random(2833, 2);
        Significance.Paired p = paired(base, base.clone());
        assertEquals(new Significance.Interval(0, 0), p.interval());
        assertEquals(0, p.difference());
        assertFalse(p.significant(), "an interval of exactly 0 does not exclude 0");
        assertEquals(1, p.pValue(), "nothing differs");
    }

    @Test
    void aModelBetterForEveryCustomerHasAnIntervalAboveZeroInsideTheRangeOfTheGains() {
        double[] base = random(300, 3);
        double[] gain = random(300, 4);
        double[] changed = base.clone();
        for (int i = 0; i < changed.length; i++) {
            changed[i] += 0.01 + 0.04 * gain[i]; // each customer gains between 0.01 and 0.05
        }
        Significance.Paired p = paired(base, changed);
        assertTrue(p.interval().low() > 0.01 && p.interval().high() < 0.05, p.toString());
        assertTrue(p.interval().low() < p.difference() && p.difference() < p.interval().high(), p.toString());
        assertTrue(p.significant());
        assertTrue(p.pValue() < 1e-10, p.toString());

        // The other way round: the same interval mirrored, still significant.
        Significance.Paired back = paired(changed, base);
        assertEquals(-p.interval().high(), back.interval().low(), 1e-12);
        assertTrue(back.interval().high() < 0 && back.significant());
    }

    @Test
    void pairingSeesAShiftThatTheSpreadOfEachModelHides() {
        // Customers differ far more from each other (0..1) than the models do (+0.01 each): each model's interval
        // is about +-0.03 wide and they overlap, but the paired difference is clearly above 0.
        double[] base = random(1000, 5);
        double[] changed = base.clone();
        for (int i = 0; i < changed.length; i++) {
            changed[i] += 0.01;
        }
        List<Significance.Interval> each = Significance.bootstrapMeans(List.of(base, changed), 1000, 42);
        assertTrue(each.get(1).low() < each.get(0).high(), "the unpaired intervals overlap: " + each);
        assertTrue(paired(base, changed).interval().low() > 0.0099);
    }

    @Test
    void theIntervalOfAHalfHitRateIsAboutTwoStandardErrorsWide() {
        // 1,000 customers, half with a hit: mean 0.5, standard error sqrt(0.25 / 1000) = 0.0158, so the 95% interval
        // is about 0.5 +- 1.96 * 0.0158 = [0.469, 0.531].
        double[] hits = new double[1000];
        for (int i = 0; i < hits.length; i += 2) {
            hits[i] = 1;
        }
        Significance.Interval i = Significance.bootstrapMeans(List.of(hits), Significance.RESAMPLES,
                Significance.SEED).get(0);
        assertEquals(0.469, i.low(), 0.006);
        assertEquals(0.531, i.high(), 0.006);
    }

    @Test
    void thePairedTTestMatchesAHandComputedCase() {
        // Differences 1, 2, 3, 4, 5: mean 3, standard deviation sqrt(2.5), t = 3 / (sqrt(2.5) / sqrt(5)) = 3 sqrt(2),
        // 4 degrees of freedom. The t distribution with 4 degrees of freedom has the closed form
        // F(t) = 1/2 + 3/8 x (1 - x^2 / 12) with x = t / sqrt(1 + t^2 / 4), so p = 2 (1 - F(3 sqrt 2)) = 0.0132356.
        double[] base = {10, 10, 10, 10, 10};
        double[] changed = {11, 12, 13, 14, 15};
        double t = 3 * Math.sqrt(2);
        double x = t / Math.sqrt(1 + t * t / 4);
        double expected = 2 * (1 - (0.5 + 3.0 / 8 * x * (1 - t * t / (12 * (1 + t * t / 4)))));
        assertEquals(0.0132356, expected, 1e-7);
        assertEquals(expected, Significance.pairedTTestP(base, changed), 1e-9);
        assertEquals(expected, Significance.pairedTTestP(changed, base), 1e-9, "two-sided: symmetric");
        assertTrue(Double.isNaN(Significance.pairedTTestP(new double[] {1}, new double[] {2})), "one customer");
    }

    @Test
    void seededResamplingIsReproducibleAndTheSeedMatters() {
        double[] v = random(400, 6);
        List<Significance.Interval> a = Significance.bootstrapMeans(List.of(v), 1000, 42);
        assertEquals(a, Significance.bootstrapMeans(List.of(v), 1000, 42));
        assertNotEquals(a, Significance.bootstrapMeans(List.of(v), 1000, 43));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Significance.bootstrapMeans(List.of(new double[3], new double[4]), 10, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Significance.bootstrapMeans(List.of(new double[] {0, Double.NaN}), 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Significance.bootstrapMeans(List.of(new double[0]), 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Significance.differences(new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new Significance.Interval(1, 0));
    }
}
