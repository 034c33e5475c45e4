package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retailer selling in the euro area, the UK and Switzerland: its export writes each line's currency beside the
 * price. Read as one number, 8.50 GBP and 9.60 CHF were summed with euros into every spend, value, tier, price index
 * and margin (the UK customer who paid the same as the German one came out "price sensitive": 8.50 looked cheaper
 * than 10). Such an export now stops unless exchange rates convert it, and converted every amount is in the
 * reporting currency.
 */
@UnitTest
class MultiCurrencyTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price,currency\n";
    private static final String MIXED = HEADER
            + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.00,EUR\n"
            + "uk-1,2001,2024-03-02 10:00:00,MUG,2,8.50,GBP\n"
            + "uk-1,2002,2024-04-02 10:00:00,MUG,1,8.50,gbp\n"
            + "ch-1,3001,2024-03-03 10:00:00,MUG,2,9.60,CHF\n";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static double priceOf(Transactions tx, String order) {
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.orderId(o).equals(order)) {
                return tx.unitPriceOfLine(tx.lineStart(o));
            }
        }
        throw new AssertionError(order);
    }

    @Test
    void anExportInSeveralCurrenciesWithoutRatesStopsNamingThemAndTheOptions() throws Exception {
        Path f = write("mixed.csv", MIXED);
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults()));
        assertEquals("the exports hold amounts in 3 currencies (CHF 1 row, EUR 1 row, GBP 2 rows), and no exchange "
                + "rates convert them: summed as one number they would make every spend, customer value, tier, margin "
                + "and price wrong. Give --currency CODE (the reporting currency) and --exchange-rates FILE "
                + "(comma-separated lines currency,rate or currency,date,rate: what one unit is worth in the "
                + "reporting currency); nothing loaded", e.getMessage());
        // --currency alone does not convert anything
        IngestException alone = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(f),
                IngestOptions.defaults().withCurrency("EUR", null)));
        assertTrue(alone.getMessage().startsWith("the exports hold amounts in 3 currencies"), alone.getMessage());
    }

    @Test
    void aSingleCurrencyOtherThanTheReportingOneStopsToo() throws Exception {
        Path f = write("uk.csv", HEADER + "uk-1,2001,2024-03-02 10:00:00,MUG,2,8.50,GBP\n");
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(f),
                IngestOptions.defaults().withCurrency("eur", null)));
        assertTrue(e.getMessage().startsWith("the exports hold amounts in GBP 1 row while --currency is EUR, and no "
                + "exchange rates convert them"), e.getMessage());
    }

    @Test
    void aSingleCurrencyExportLoadsAsBeforeAndNamesItsCurrency() throws Exception {
        Path f = write("eur.csv", HEADER + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.05,EUR\n"
                + "de-2,1002,2024-03-01 11:00:00,MUG,1,10.05,eur\n");
        IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults());
        assertEquals(10.05, priceOf(r.transactions(), "1001"));
        assertEquals(new Currencies("EUR", Map.of("EUR", 2L), null), r.report().currencies());
        // an export without a currency column, without --currency: nothing to say, the report as it always was
        Path plain = write("plain.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.05\n");
        assertNull(TransactionLoader.load(List.of(plain), IngestOptions.defaults()).report().currencies());
        assertEquals(new Currencies("EUR", Map.of(), null), TransactionLoader.load(List.of(plain),
                IngestOptions.defaults().withCurrency("EUR", null)).report().currencies());
    }

    @Test
    void ratesConvertEveryAmountToTheReportingCurrency() throws Exception {
        Path f = write("mixed.csv", MIXED);
        Path rates = write("rates.csv", "currency,rate\nGBP,1.2\nCHF,1.05\n");
        IngestOptions o = IngestOptions.defaults().withCurrency("EUR", ExchangeRates.read(rates, "EUR"));
        IngestResult r = TransactionLoader.load(List.of(f), o);
        Transactions tx = r.transactions();
        assertEquals(10.00, priceOf(tx, "1001"), "the reporting currency's own amounts are kept exactly");
        assertEquals(10.20, priceOf(tx, "2001"));
        assertEquals(10.20, priceOf(tx, "2002"), "a lower-case code is the same currency");
        assertEquals(10.08, priceOf(tx, "3001"));
        Currencies c = r.report().currencies();
        assertEquals("EUR", c.reportingCurrency());
        assertEquals(Map.of("CHF", 1L, "EUR", 1L, "GBP", 2L), c.rows());
        assertEquals("rates.csv", c.exchangeRates().get("file"));
        assertEquals(Files.size(rates), c.exchangeRates().get("bytes"));
        assertEquals(64, ((String) c.exchangeRates().get("sha256")).length());
        assertTrue(r.report().toText().contains("reporting currency"), r.report().toText());
        assertEquals("EUR", o.manifestEntries().get("currency"));
        assertEquals(c.exchangeRates(), o.manifestEntries().get("exchangeRates"));
    }

    @Test
    void datedRatesTakeTheLatestOnOrBeforeTheOrdersDayAndARowWithoutOneIsRejectedAndCounted() throws Exception {
        Path f = write("mixed.csv", MIXED + "uk-2,2003,2024-02-01 10:00:00,MUG,1,8.50,GBP\n"
                + "us-1,4001,2024-03-05 10:00:00,MUG,1,11.00,USD\n");
        Path rates = write("dated.csv", "currency,date,rate\nGBP,2024-03-01,1.15\nGBP,2024-04-01,1.17\n"
                + "CHF,2024-01-01,1.05\n");
        IngestOptions o = IngestOptions.defaults().withErrorBudget(0.5)
                .withCurrency("EUR", ExchangeRates.read(rates, "EUR"));
        IngestResult r = TransactionLoader.load(List.of(f), o);
        Transactions tx = r.transactions();
        // 8.50 x 1.15 = 9.775 and 8.50 x 1.17 = 9.945: rounded to the cent, a half up (ConvertedAmount)
        assertEquals(9.78, priceOf(tx, "2001"), "2 March: the rate of 1 March");
        assertEquals(9.95, priceOf(tx, "2002"), "2 April: the rate of 1 April");
        assertEquals(List.of(f + ":6 (dated.csv has no rate for GBP on or before 2024-02-01 (its first is of "
                        + "2024-03-01))", f + ":7 (dated.csv has no rate for USD)"),
                r.report().samples(RejectReason.NO_EXCHANGE_RATE));
        assertEquals(2, r.report().rejectedCount(RejectReason.NO_EXCHANGE_RATE));
        assertEquals(2, r.report().malformed(), "counted against the error budget");
        assertEquals(Map.of("CHF", 1L, "EUR", 1L, "GBP", 3L, "USD", 1L), r.report().currencies().rows());
        // within the default budget of 1% those two rows stop the load: they are neither dropped nor summed as is
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(f),
                IngestOptions.defaults().withCurrency("EUR", ExchangeRates.read(rates, "EUR"))));
        assertTrue(e.getMessage().contains("no_exchange_rate at " + f + ":6"), e.getMessage());
    }

    @Test
    void aCurrencyCellThatIsNoCodeIsMalformed() throws Exception {
        Path f = write("bad.csv", HEADER + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.00,EUR\n"
                + "de-1,1002,2024-03-01 10:00:00,MUG,2,10.00,€\n"
                + "de-1,1003,2024-03-01 10:00:00,MUG,2,10.00,\n"
                + "de-1,1004,2024-03-01 10:00:00,MUG,2,10.00,EURO\n");
        IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults().withErrorBudget(1));
        assertEquals(List.of(f + ":3 (currency '€' is not an ISO 4217 code: the row's amounts cannot be placed)",
                f + ":4 (currency is blank: the row's amounts cannot be placed)",
                f + ":5 (currency 'EURO' is not an ISO 4217 code: the row's amounts cannot be placed)"),
                r.report().samples(RejectReason.MALFORMED_CURRENCY));
        assertEquals(1, r.report().rowsAccepted());
    }

    @Test
    void theCurrencyColumnIsARoleOfOwnColumnNames() throws Exception {
        Path f = write("de.csv", "Kunde,Beleg,Datum,Artikel,Menge,Preis,Waehrung\n"
                + "k1,B1,2024-03-01,A1,1,10,CHF\n");
        ColumnMapping m = ColumnMapping.ofColumns("customer=Kunde,order=Beleg,timestamp=Datum,item=Artikel,"
                + "quantity=Menge,price=Preis,currency=Waehrung");
        assertEquals("Waehrung", m.currency());
        assertTrue(m.describe().endsWith(",currency=Waehrung"), m.describe());
        Path rates = write("rates.csv", "currency,rate\nCHF,1.04\n");
        IngestResult r = TransactionLoader.load(List.of(f), IngestOptions.defaults().withMapping(m)
                .withCurrency("EUR", ExchangeRates.read(rates, "EUR")));
        assertEquals(10.4, r.transactions().unitPriceOfLine(0), 1e-12);
        // named on purpose, a misspelt currency column fails like any named column
        Path other = write("other.csv", "Kunde,Beleg,Datum,Artikel,Menge,Preis\nk1,B1,2024-03-01,A1,1,10\n");
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(other), IngestOptions.defaults().withMapping(m)));
        assertTrue(e.getMessage().contains("column 'Waehrung' (role currency"), e.getMessage());
    }

    @Test
    void ratesForAnExportWithoutACurrencyColumnOrDatedRatesForAnOrderSequenceAreRefused() throws Exception {
        Path plain = write("plain.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                + "de-1,1001,2024-03-01 10:00:00,MUG,2,10.05\n");
        Path rates = write("rates.csv", "currency,rate\nGBP,1.2\n");
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(plain),
                IngestOptions.defaults().withCurrency("EUR", ExchangeRates.read(rates, "EUR"))));
        assertEquals(plain + ": --exchange-rates converts each row by its currency, and the header has no currency "
                + "column ('currency' for mapping 'generic'); name it (--columns ...,currency=HEADER) or leave "
                + "--exchange-rates out", e.getMessage());
        Path seq = write("seq.csv", "customer_id,order_id,sequence,item_id,quantity,unit_price,currency\n"
                + "c1,1,1,A1,1,10,GBP\n");
        Path dated = write("dated.csv", "currency,date,rate\nGBP,2024-01-01,1.2\n");
        IngestException s = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(seq),
                IngestOptions.defaults().withCurrency("EUR", ExchangeRates.read(dated, "EUR"))));
        assertTrue(s.getMessage().contains("reads an order sequence, which has no dates"), s.getMessage());
        assertEquals(12.0, TransactionLoader.load(List.of(seq), IngestOptions.defaults()
                .withCurrency("EUR", ExchangeRates.read(rates, "EUR"))).transactions().unitPriceOfLine(0), 1e-12);
    }

    @Test
    void aBadRatesLineStopsNamingFileAndLine() throws Exception {
        String[][] cases = {
                {"currency,rate\nGBP,1.2\nGBP,1.3\n", ":3: GBP is given twice"},
                {"currency,rate\nGBP,1.2\nPOUND,1.3\n", ":3: 'POUND' is not an ISO 4217 currency code"},
                {"currency,rate\nGBP,-1.2\n", ":2: rate '-1.2' is not a positive decimal number"},
                {"currency,rate\nGBP,1,2\n", ":2: expected 2 fields, found 3"},
                {"currency,rate\nEUR,1.1\n", ":2: EUR is the reporting currency (--currency): its rate is 1, not 1.1"},
                {"currency,date,rate\nGBP,01.03.2024,1.2\n", ":2: date '01.03.2024' is not an ISO date"},
                {"currency,date,rate\nGBP,2024-03-01,1.2\nGBP,2024-03-01,1.3\n", ":3: GBP on 2024-03-01 is given twice"},
                {"code,value\nGBP,1.2\n", ":1: header [code, value] is neither currency,rate nor currency,date,rate"},
                {"currency,rate\n", ": no rates, only a header"},
        };
        for (String[] c : cases) {
            Path rates = write("rates.csv", c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExchangeRates.read(rates, "EUR"), c[0]);
            assertTrue(e.getMessage().startsWith("--exchange-rates " + rates + c[1]), e.getMessage());
        }
        Path ok = write("ok.csv", "\uFEFFCurrency , Rate\r\n gbp , 1.17 \r\n\r\nEUR,1\r\n");
        ExchangeRates r = ExchangeRates.read(ok, "EUR");
        assertEquals(new java.math.BigDecimal("1.17"), r.rate("GBP", LocalDate.of(2024, 1, 1)));
        assertEquals(java.math.BigDecimal.ONE, r.rate("EUR", LocalDate.of(2024, 1, 1)));
        assertNull(r.rate("CHF", LocalDate.of(2024, 1, 1)));
        assertFalse(r.dated());
        assertThrows(IllegalArgumentException.class, () -> ExchangeRates.read(ok, null), "rates need --currency");
        assertThrows(IllegalArgumentException.class, () -> IngestOptions.defaults().withCurrency("EURO", null));
        assertThrows(IllegalArgumentException.class, () -> IngestOptions.defaults().withCurrency(null, r));
    }

    @Test
    void aCataloguesPricesFollowTheSameRuleByItsOwnCurrencyColumn() throws Exception {
        Path cat = write("catalogue.csv", "item_id,price,cost,currency,brand\n"
                + "MUG,10,4,EUR,acme\nLAMP,100,40,GBP,acme\nVASE,50,,CHF,acme\nBOWL,7,,,acme\nPLATE,8,,USD,acme\n"
                + "CUP,3,,€,acme\nJUG,8.50,3.33,GBP,acme\nBELL,9.99,,CHF,acme\n");
        Path rates = write("dated.csv", "currency,date,rate\nGBP,2024-01-01,1.10\nGBP,2024-06-01,1.20\n"
                + "CHF,2024-01-01,1.05\n");
        CatalogFile c = CatalogFile.read(cat, 1, CsvDialect.DEFAULT, StandardCharsets.UTF_8, "EUR",
                ExchangeRates.read(rates, "EUR"));
        assertEquals(10.0, c.entries().get("MUG").price());
        assertEquals(120.0, c.entries().get("LAMP").price(), 1e-9, "a catalogue's current price: the latest rate");
        assertEquals(48.0, c.entries().get("LAMP").cost(), 1e-9);
        assertEquals(52.5, c.entries().get("VASE").price(), 1e-9);
        // rounded to the cent as the exports' prices are: 10.20 and 3.996 -> 4.00; 10.4895 -> 10.49
        assertEquals(10.20, c.entries().get("JUG").price());
        assertEquals(4.00, c.entries().get("JUG").cost());
        assertEquals(10.49, c.entries().get("BELL").price());
        assertFalse(c.entries().containsKey("BOWL"), "a price without its currency");
        assertEquals(1, c.report().rejectedCount(CatalogFile.Reason.NO_EXCHANGE_RATE));
        assertEquals(2, c.report().rejectedCount(CatalogFile.Reason.INVALID_CURRENCY));
        assertEquals(List.of("brand"), c.attributeNames(), "the currency is the price's, not a filter attribute");
        assertEquals(Map.of("CHF", 2L, "EUR", 1L, "GBP", 2L), c.currencies());
        c.checkCurrency("EUR");

        // without rates: several currencies stop, naming them; one currency is fine unless the exports' differs
        CatalogFile.CatalogException e = assertThrows(CatalogFile.CatalogException.class,
                () -> CatalogFile.read(cat, 1, CsvDialect.DEFAULT, StandardCharsets.UTF_8, null, null));
        assertEquals(cat + ": prices in 4 currencies (CHF 2 rows, EUR 1 row, GBP 2 rows, USD 1 row), and no exchange "
                + "rates convert them: give --currency CODE and --exchange-rates FILE", e.getMessage());
        Path gbp = write("gbp.csv", "item_id,price,currency\nLAMP,100,GBP\n");
        CatalogFile uk = CatalogFile.read(gbp, 0, CsvDialect.DEFAULT, StandardCharsets.UTF_8, null, null);
        uk.checkCurrency(null);
        uk.checkCurrency("GBP");
        CatalogFile.CatalogException other = assertThrows(CatalogFile.CatalogException.class,
                () -> uk.checkCurrency("EUR"));
        assertEquals(gbp + ": prices in GBP while the exports' amounts are in EUR, and no exchange rates convert "
                + "them: give --currency EUR and --exchange-rates FILE", other.getMessage());
        assertThrows(CatalogFile.CatalogException.class,
                () -> CatalogFile.read(gbp, 0, CsvDialect.DEFAULT, StandardCharsets.UTF_8, "EUR", null));
    }
}
