package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A converted amount is what the shop's books would say: the row's price as written times the rate as written,
 * exactly, rounded once to the reporting currency's minor unit, half up. Kept as the raw product of two doubles
 * (until the thirty-first session) 3.33 GBP at 1.17 was 3.8960999999999997 EUR, a price no shop prints, and a
 * customer's spend summed such numbers.
 */
@UnitTest
class ConvertedAmountTest {

    @TempDir
    Path dir;

    private static double of(String amount, String from, String rate, String to) {
        return ConvertedAmount.of(amount, from, new BigDecimal(rate), to);
    }

    @Test
    void aConvertedPriceIsInTheReportingCurrencysCents() {
        assertEquals(3.90, of("3.33", "GBP", "1.17", "EUR"), "3.8961 EUR");
        assertEquals(23.39, of("19.99", "GBP", "1.17", "EUR"), "23.3883 EUR");
        assertEquals(1.29, of("1.10", "GBP", "1.17", "EUR"), "1.287 EUR");
        assertEquals(11.70, of("10", "GBP", "1.17", "EUR"));
        assertNotEquals(3.90, 3.33 * 1.17, "the product of the doubles is no amount in cents");
    }

    @Test
    void anExactHalfRoundsUpAsTheDecimalsSayWhereverTheBinaryProductFalls() {
        // 8.50 x 1.15 = 9.775 exactly; the doubles' product is 9.774999999999999, which rounded would give 9.77
        assertEquals(9.774999999999999, 8.50 * 1.15);
        assertEquals(9.78, of("8.50", "GBP", "1.15", "EUR"));
        assertEquals(9.95, of("8.50", "GBP", "1.17", "EUR"), "9.945: half up, not half-even's 9.94");
        assertEquals(-9.95, of("-8.50", "GBP", "1.17", "EUR"), "away from zero both ways");
        assertEquals(0.33, of("0.25", "USD", "1.3", "EUR"), "0.325");
        assertEquals(RoundingMode.HALF_UP, ConvertedAmount.ROUNDING);
    }

    @Test
    void theMinorUnitIsTheReportingCurrencysOwn() {
        assertEquals(301.0, of("1.99", "USD", "151.37", "JPY"), "yen have no minor unit: 301.2263 -> 301");
        assertEquals(302.0, of("1.995", "USD", "151.37", "JPY"), "301.98315 to a tenth of a yen (the price's "
                + "third decimal): 302.0");
        assertEquals(3.333, of("10", "EUR", "0.33333", "KWD"), "the Kuwaiti dinar has three decimals: 3.3333");
        assertEquals(9.14, of("1499", "JPY", "0.0061", "EUR"), "9.1439");
        assertEquals(0.00043, of("1", "USD", "0.00043", "XAU"), "gold has no minor unit: not rounded");
    }

    @Test
    void aPriceQuotedFinerThanItsCurrencysMinorUnitKeepsThoseDigits() {
        assertEquals(0.005, of("0.004", "GBP", "1.17", "EUR"), "0.00468: a screw would otherwise cost 0.00");
        assertEquals(1.529, of("1.799", "EUR", "0.85", "GBP"), "1.52915: a litre of fuel");
        assertEquals(9.95, of("8.500", "GBP", "1.17", "EUR"), "written zeros are no finer quote");
        assertEquals(2.0, of("1.000000001", "EUR", "2", "GBP"), "at most six extra digits");
        assertEquals(0.0, of("0e-999999999", "EUR", "2", "GBP"));
        assertEquals(0.0, of("0e99999999999", "EUR", "2", "GBP"), "an exponent a BigDecimal cannot hold");
        assertEquals(150.0, of("1e2", "EUR", "1.5", "GBP"));
    }

    /**
     * Over many prices and rates, the result is the double the shop would have written for the rounded decimal
     * ({@code Double.parseDouble} of it), so that a converted line and a line priced in the reporting currency are
     * one and the same to every later step; and it differs from the doubles' product on most rows.
     */
    @Test
    void theResultIsTheDoubleOfThePriceTheShopWouldHaveWritten() {
        Random random = new Random(31);
        int differ = 0;
        for (int i = 0; i < 20_000; i++) {
            String price = String.format(Locale.ROOT, "%d.%02d", random.nextInt(10_000), random.nextInt(100));
            String rate = String.format(Locale.ROOT, "%d.%04d", random.nextInt(3), 1 + random.nextInt(9_999));
            String books = new BigDecimal(price).multiply(new BigDecimal(rate)).setScale(2, RoundingMode.HALF_UP)
                    .toPlainString();
            double converted = of(price, "GBP", rate, "EUR");
            assertEquals(Double.parseDouble(books), converted, price + " x " + rate);
            differ += converted == Double.parseDouble(price) * Double.parseDouble(rate) ? 0 : 1;
        }
        assertTrue(differ > 15_000, differ + " of 20,000 rows differ from the doubles' product");
    }

    @Test
    void exchangeRatesConvertFromTheRateAsWritten() throws Exception {
        Path file = Files.writeString(dir.resolve("rates.csv"), "currency,date,rate\nGBP,2024-03-01,1.15\n"
                + "GBP,2024-04-01,1.17\nJPY,2024-01-01,0.0061\n", StandardCharsets.UTF_8);
        ExchangeRates rates = ExchangeRates.read(file, "EUR");
        assertEquals(new BigDecimal("1.15"), rates.rate("GBP", LocalDate.of(2024, 3, 31)));
        assertEquals(9.78, rates.convert("8.50", "GBP", LocalDate.of(2024, 3, 31)));
        assertEquals(9.95, rates.convert("8.50", "GBP", LocalDate.of(2024, 4, 1)));
        assertEquals(9.95, rates.convert("8.50", "GBP", LocalDate.MAX), "the latest rate");
        assertEquals(9.14, rates.convert("1499", "JPY", LocalDate.MAX));
        assertEquals(0.1 + 0.2, rates.convert(Double.toString(0.1 + 0.2), "EUR", LocalDate.MIN),
                "the reporting currency's own amounts are not touched");
        assertTrue(Double.isNaN(rates.convert("8.50", "GBP", LocalDate.of(2024, 2, 1))), "no rate yet");
        assertNull(rates.rate("CHF", LocalDate.MAX));
    }
}
