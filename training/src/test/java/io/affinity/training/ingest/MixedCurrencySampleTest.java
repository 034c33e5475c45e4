package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import de.siegmar.fastcsv.writer.CsvWriter;
import io.affinity.testing.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled sample with half its orders written in euros at twice the pound price, converted back with
 * {@code EUR,0.5} (both factors exact in binary): every line, quantity, return and price loads exactly as from the
 * original pound-only export, so nothing but the unit price is touched by a conversion, and a single-currency export
 * (a currency column of pounds only) loads as the export without the column.
 */
@IntegrationTest
class MixedCurrencySampleTest {
    private static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");

    @TempDir
    Path dir;

    /** The sample with a Currency column: orders with an odd number in euros at twice the price when {@code mixed}. */
    private Path withCurrency(String name, boolean mixed) throws Exception {
        Path out = dir.resolve(name);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(SAMPLE)), StandardCharsets.UTF_8));
             CsvReader<CsvRecord> csv = CsvReader.builder().ofCsvRecord(in);
             Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
             CsvWriter writer = CsvWriter.builder().lineDelimiter(de.siegmar.fastcsv.writer.LineDelimiter.LF)
                     .build(w)) {
            int price = -1;
            int invoice = -1;
            for (CsvRecord r : csv) {
                List<String> fields = new ArrayList<>(r.getFields());
                if (price < 0) {
                    price = fields.indexOf("UnitPrice");
                    invoice = fields.indexOf("InvoiceNo");
                    fields.add("Currency");
                } else {
                    String number = fields.get(invoice).replaceAll("\\D", "");
                    boolean euro = mixed && !number.isEmpty() && (number.charAt(number.length() - 1) - '0') % 2 == 1;
                    if (euro) {
                        fields.set(price, Double.toString(2 * Double.parseDouble(fields.get(price))));
                    }
                    fields.add(euro ? "EUR" : "GBP");
                }
                writer.writeRecord(fields);
            }
        }
        return out;
    }

    private static List<String> lines(Transactions tx) {
        List<String> out = new ArrayList<>();
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                out.add(String.join("|", tx.orderId(o), tx.itemId(tx.itemOfLine(l)), c < 0 ? "-" : tx.customerId(c),
                        Double.toString(tx.quantityOfLine(l)), Double.toString(tx.keptQuantityOfLine(l)),
                        Long.toHexString(Double.doubleToLongBits(tx.unitPriceOfLine(l))),
                        Long.toString(tx.localEpochSecondOf(o)), tx.countryOf(o)));
            }
        }
        return out;
    }

    private static Map<String, Long> counts(IngestReport r) {
        Map<String, Long> m = new java.util.TreeMap<>();
        r.rejected().forEach((reason, x) -> m.put(reason, x.count()));
        m.put("accepted", r.rowsAccepted());
        m.put("orders", r.ordersAccepted());
        m.put("customers", r.customers());
        m.put("netted", r.returns().netted());
        return m;
    }

    @Test
    void halfTheSampleInEurosConvertedBackLoadsAsThePoundOnlyExport() throws Exception {
        IngestResult original = TransactionLoader.load(List.of(SAMPLE), IngestOptions.defaults());
        Path mixed = withCurrency("mixed.csv", true);
        Path rates = Files.writeString(dir.resolve("rates.csv"), "currency,rate\nEUR,0.5\n");
        IngestResult converted = TransactionLoader.load(List.of(mixed),
                IngestOptions.defaults().withCurrency("GBP", ExchangeRates.read(rates, "GBP")));
        assertEquals(lines(original.transactions()), lines(converted.transactions()));
        assertEquals(counts(original.report()), counts(converted.report()));
        Map<String, Long> rows = converted.report().currencies().rows();
        assertTrue(rows.get("EUR") > 30_000 && rows.get("GBP") > 30_000, rows.toString());

        IngestResult pounds = TransactionLoader.load(List.of(withCurrency("gbp.csv", false)),
                IngestOptions.defaults());
        assertEquals(lines(original.transactions()), lines(pounds.transactions()));
        assertEquals(counts(original.report()), counts(pounds.report()));
        assertEquals("GBP", pounds.report().currencies().reportingCurrency());
    }
}
