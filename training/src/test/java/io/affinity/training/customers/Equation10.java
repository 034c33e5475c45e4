package io.affinity.training.customers;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The BG/NBD conditional expectation exactly as Fader, Hardie &amp; Lee (2005) print it (eq. 10), evaluated in
 * 60-digit decimal arithmetic: a reference for {@link BgNbd#expectedTransactions} that shares none of its method.
 * <pre>
 *   E[X(t) | x, tx, T] = (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
 *                        / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+tx))^(r+x)),   z = t/(alpha+T+t)
 * </pre>
 * 2F1 is summed term by term; from the second term on they all have one sign (that of {@code a+b+x-1}), so the
 * only loss is the subtraction from 1, which 60 digits absorb (double arithmetic loses everything there when a is
 * large). Slow: for tests only.
 */
final class Equation10 {
    private static final MathContext MC = new MathContext(60, RoundingMode.HALF_EVEN);
    private static final BigDecimal TINY = new BigDecimal("1e-40");
    private static final BigDecimal LN2 = lnReduced(BigDecimal.valueOf(2));

    private Equation10() {
    }

    static double expectedTransactions(BgNbd m, double t, int x, double tx, double T) {
        BigDecimal r = big(m.r());
        BigDecimal alpha = big(m.alpha());
        BigDecimal a = big(m.a());
        BigDecimal b = big(m.b());
        BigDecimal rx = r.add(BigDecimal.valueOf(x));
        BigDecimal bx = b.add(BigDecimal.valueOf(x));
        BigDecimal c = a.add(bx).subtract(BigDecimal.ONE);
        BigDecimal aT = alpha.add(big(T));
        BigDecimal aTt = aT.add(big(t));
        BigDecimal z = big(t).divide(aTt, MC);
        BigDecimal f = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int k = 0; ; k++) {
            BigDecimal kk = BigDecimal.valueOf(k);
            BigDecimal previous = term;
            term = term.multiply(rx.add(kk)).multiply(bx.add(kk)).multiply(z)
                    .divide(c.add(kk).multiply(BigDecimal.valueOf(k + 1L)), MC);
            f = f.add(term, MC);
            // Tiny and shrinking: the term ratio tends to z < 1 and, once below 1, stays below it here.
            if (term.abs().compareTo(f.abs().multiply(TINY)) < 0 && term.abs().compareTo(previous.abs()) < 0) {
                break;
            }
            if (k > 5_000_000) {
                throw new ArithmeticException("2F1 series too long");
            }
        }
        BigDecimal bracket = BigDecimal.ONE.subtract(pow(aT.divide(aTt, MC), rx).multiply(f, MC), MC);
        BigDecimal conditional = c.divide(a.subtract(BigDecimal.ONE), MC).multiply(bracket, MC);
        BigDecimal odds = BigDecimal.ZERO;
        if (x > 0) {
            odds = a.divide(bx.subtract(BigDecimal.ONE), MC).multiply(pow(aT.divide(alpha.add(big(tx)), MC), rx), MC);
        }
        return conditional.divide(BigDecimal.ONE.add(odds), MC).doubleValue();
    }

    private static BigDecimal big(double v) {
        return new BigDecimal(v); // the double's exact value
    }

    /** {@code base^e = exp(e ln base)} for {@code base > 0}. */
    static BigDecimal pow(BigDecimal base, BigDecimal e) {
        return exp(e.multiply(ln(base), MC));
    }

    static BigDecimal ln(BigDecimal y) {
        if (y.signum() <= 0) {
            throw new ArithmeticException("ln of " + y);
        }
        // y = m 2^k with m in [1, 2): ln y = ln m + k ln 2.
        int k = 0;
        BigDecimal two = BigDecimal.valueOf(2);
        while (y.compareTo(two) >= 0) {
            y = y.divide(two, MC);
            k++;
        }
        while (y.compareTo(BigDecimal.ONE) < 0) {
            y = y.multiply(two);
            k--;
        }
        return lnReduced(y).add(LN2.multiply(BigDecimal.valueOf(k)), MC);
    }

    /** ln m for m in [1, 2]: 2 atanh((m-1)/(m+1)), |u| <= 1/3. */
    private static BigDecimal lnReduced(BigDecimal m) {
        BigDecimal u = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), MC);
        BigDecimal u2 = u.multiply(u, MC);
        BigDecimal power = u;
        BigDecimal sum = BigDecimal.ZERO;
        for (int j = 0; j < 1000; j++) {
            BigDecimal add = power.divide(BigDecimal.valueOf(2L * j + 1), MC);
            sum = sum.add(add, MC);
            if (add.abs().compareTo(TINY.multiply(TINY)) < 0) {
                break;
            }
            power = power.multiply(u2, MC);
        }
        return sum.multiply(BigDecimal.valueOf(2), MC);
    }

    static BigDecimal exp(BigDecimal w) {
        // exp(w) = exp(w / 2^k)^(2^k) with |w / 2^k| < 1/2, then Taylor.
        int k = 0;
        BigDecimal half = new BigDecimal("0.5");
        while (w.abs().compareTo(half) >= 0) {
            w = w.divide(BigDecimal.valueOf(2), MC);
            k++;
        }
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int j = 1; j < 1000; j++) {
            term = term.multiply(w).divide(BigDecimal.valueOf(j), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(TINY.multiply(TINY)) < 0) {
                break;
            }
        }
        for (int i = 0; i < k; i++) {
            sum = sum.multiply(sum, MC);
        }
        return sum;
    }
}
