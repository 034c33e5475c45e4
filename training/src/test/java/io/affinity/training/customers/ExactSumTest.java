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

    @Test
    void linesAddAsTheDecimalsTheyWereWrittenIn() {
        // 9.95 read into a double is 9.9499999999999993: six such lines summed from their binary values are
        // 59.699999999999996, three at a time 29.849999999999998; a till says 59.70 and 29.85
        ExactSum binary = new ExactSum();
        ExactSum lines = new ExactSum();
        for (int k = 0; k < 6; k++) {
            binary.add(9.95);
            lines.addAmount(1, 9.95);
        }
        assertEquals(59.699999999999996, binary.value());
        assertEquals(59.7, lines.value());
        ExactSum three = new ExactSum();
        three.addAmount(3, 9.95);
        assertEquals(29.85, three.value());
        assertFalse(3 * 9.95 == 29.85, "the doubles' product is not the till's");
        // fractional quantities (weights) and credits too, in any order
        ExactSum a = new ExactSum();
        a.addAmount(0.35, 2.99);
        a.addAmount(-1, 0.1);
        a.addAmount(2, 0.2);
        ExactSum b = new ExactSum();
        b.addAmount(2, 0.2);
        b.addAmount(-1, 0.1);
        b.addAmount(0.35, 2.99);
        assertEquals("1.3465", a.toString().replaceAll("0+$", ""));
        assertEquals(a.value(), b.value());
        assertEquals(1.3465, a.value());
    }

    private static String sumText(double... values) {
        ExactSum s = new ExactSum();
        for (double v : values) {
            s.add(v);
        }
        return s.toString();
    }
}
