package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class ExactSumTest {
    private static double sum(double... values) {
        ExactSum s = new ExactSum();
        for (double v : values) {
            s.add(v);
        }
        return s.value();
    }

    @Test
    void theOrderOfTheTermsDoesNotChangeTheSum() {
        // as doubles: 0.6000000000000001 one way, 0.6 the other
        assertFalse((0.1 + 0.2) + 0.3 == 0.1 + (0.2 + 0.3), "the doubles' sums differ");
        assertEquals(sum(0.1, 0.2, 0.3), sum(0.3, 0.2, 0.1));
        assertEquals(1.0, sum(1e16, 1.0, -1e16));
        assertEquals(1.0, sum(-1e16, 1e16, 1.0));
    }

    @Test
    void partialSumsCombineExactlyAndSurviveTheirText() {
        ExactSum a = new ExactSum();
        a.add(1e16);
        ExactSum b = ExactSum.parse(sumText(1.0, -1e16));
        a.add(b);
        assertEquals(1.0, a.value());
    }

    private static String sumText(double... values) {
        ExactSum s = new ExactSum();
        for (double v : values) {
            s.add(v);
        }
        return s.toString();
    }
}
