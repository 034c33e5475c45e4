package io.affinity.training.ingest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * How an amount in another currency becomes one in the reporting currency: the amount as the export wrote it (its
 * decimal text, not the nearest double) times the rate as the rates file wrote it, computed exactly, then rounded
 * once to the reporting currency's minor unit ({@link Currency#getDefaultFractionDigits()}: EUR and GBP cents, JPY
 * whole yen, KWD thousandths), half a unit up (away from zero). The result is the double {@code Double.parseDouble}
 * gives for that decimal, so a converted price is exactly the number the shop would have written had it priced the
 * line in the reporting currency, and everything downstream (each line's {@code quantity x price}, summed exactly
 * and rounded once per purchase day by the customer analytics' {@code ExactSum}) treats the two alike.
 *
 * <p>Half up because that is the rule for money conversions accountants know: the euro conversion regulation
 * (Council Regulation (EC) No 1103/97, article 5) rounds converted amounts to the nearest cent and an exact half up,
 * and ERPs' "commercial rounding" does the same; half-even's lack of bias matters only on exact halves, which real
 * rates with four to six significant digits seldom produce. Exact decimal arithmetic decides those halves as the
 * books do ({@code 8.50 GBP x 1.17 = 9.945 EUR} is a half and gives 9.95), where the doubles' binary noise would
 * decide them either way.
 *
 * <p>A price written finer than its own currency's minor unit (0.004 GBP a screw, 1.799 a litre) keeps those extra
 * digits in the reporting currency: rounded to whole cents a 0.004 GBP screw would cost 0.00 EUR and be rejected as
 * a non-positive price. The extra digits are capped at {@link #MAX_EXTRA_DIGITS}. A reporting currency without a
 * minor unit (gold, XAU: {@code getDefaultFractionDigits() == -1}) is not rounded.
 */
final class ConvertedAmount {
    /** Half a minor unit rounds away from zero (see the class comment for why not half-even). */
    static final RoundingMode ROUNDING = RoundingMode.HALF_UP;
    /**
     * At most this many digits beyond the reporting currency's minor unit: prices are not quoted finer than a
     * millionth of a cent, and the bound keeps a cell of a thousand decimals from making a thousand-digit number.
     */
    static final int MAX_EXTRA_DIGITS = 6;

    private ConvertedAmount() {
    }

    /**
     * {@code amount} (a decimal with a dot, as {@link Double#parseDouble} reads it) in {@code from}, at {@code rate}
     * (one {@code from} in {@code to}), in {@code to} rounded as the class comment says.
     *
     * @throws NumberFormatException when {@code amount} is no decimal number
     */
    static double of(String amount, String from, BigDecimal rate, String to) {
        BigDecimal written;
        try {
            written = new BigDecimal(amount);
        } catch (NumberFormatException e) {
            // an exponent beyond an int (0e99999999999), which a double reads as 0 (or as infinity, which the
            // readers reject before converting); anything else that is no number fails here as it did there
            written = new BigDecimal(Double.parseDouble(amount));
        }
        if (written.signum() == 0) {
            return 0; // also for 0e-999999999, whose scale would otherwise be taken for sub-cent digits
        }
        BigDecimal exact = written.multiply(rate);
        int digits = Currency.getInstance(to).getDefaultFractionDigits();
        if (digits < 0) {
            return exact.doubleValue();
        }
        int fromDigits = Math.max(0, Currency.getInstance(from).getDefaultFractionDigits());
        int extra = Math.min(MAX_EXTRA_DIGITS, Math.max(0, written.stripTrailingZeros().scale() - fromDigits));
        // BigDecimal#doubleValue is the double nearest to the decimal, as Double.parseDouble of its text is
        return exact.setScale(digits + extra, ROUNDING).doubleValue();
    }
}
