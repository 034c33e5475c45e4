package io.affinity.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The large-catalogue generator on a small shop (2,000 items, 2,000 customers, the 18 months of benchmarks/RESULTS.md,
 * "Large catalogues"): what those figures rely on. The same seed writes the same bytes; the summary it prints counts
 * what the files hold; and the shape the RESULTS describe: about 4.5 orders and 10 rows per identified customer, 1.8
 * lines an order, guests' single orders about 2% of the orders (8% of the generated customers are guests), a fifth
 * of the lines returned later by the same customer, and catalogue items never sold.
 */
@UnitTest
class FashionRetailExportTest {
    @TempDir
    Path dir;

    private record Row(String invoice, String item, int quantity, String time, String customer) {
    }

    private static List<Row> orders(Path out) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (List<String> r : records(out.resolve("orders.csv.gz"))) {
            rows.add(new Row(r.get(0), r.get(1), Integer.parseInt(r.get(3)), r.get(4), r.get(6)));
        }
        return rows;
    }

    /** The data records of a gzip'd CSV file, after its header. */
    private static List<List<String>> records(Path file) throws IOException {
        List<List<String>> out = new ArrayList<>();
        try (Reader in = new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8);
             CsvReader<CsvRecord> csv = CsvReader.builder().ofCsvRecord(in)) {
            boolean header = true;
            for (CsvRecord r : csv) {
                if (!header) {
                    out.add(r.getFields());
                }
                header = false;
            }
        }
        return out;
    }

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws Exception {
        FashionRetailExport.Summary a = FashionRetailExport.write(300, 200, dir.resolve("a"), 7, 6);
        FashionRetailExport.Summary b = FashionRetailExport.write(300, 200, dir.resolve("b"), 7, 6);
        FashionRetailExport.write(300, 200, dir.resolve("c"), 8, 6);
        assertEquals(a, b);
        for (String file : List.of("orders.csv.gz", "catalog.csv.gz")) {
            byte[] bytes = Files.readAllBytes(dir.resolve("a").resolve(file));
            assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("b").resolve(file)), file);
            assertFalse(java.util.Arrays.equals(bytes, Files.readAllBytes(dir.resolve("c").resolve(file))), file);
        }
    }

    @Test
    void theExportHasTheShapeTheLargeCatalogueFiguresRelyOn() throws Exception {
        Path out = dir.resolve("shop");
        FashionRetailExport.Summary summary = FashionRetailExport.write(2000, 2000, out, 42, 18);
        List<Row> rows = orders(out);
        List<List<String>> catalogue = records(out.resolve("catalog.csv.gz"));

        // the summary counts what the files hold
        Map<String, String> orderCustomer = new HashMap<>();
        Set<String> sold = new HashSet<>();
        List<Row> returns = new ArrayList<>();
        for (Row r : rows) {
            if (r.invoice().startsWith("C")) {
                returns.add(r);
            } else {
                orderCustomer.putIfAbsent(r.invoice(), r.customer());
                assertEquals(r.customer(), orderCustomer.get(r.invoice()), "one customer per order");
                assertTrue(r.quantity() > 0, r.toString());
                sold.add(r.item());
            }
        }
        assertEquals(rows.size(), summary.rows());
        assertEquals(returns.size(), summary.returnRows());
        assertEquals(orderCustomer.size(), summary.orders(), "orders with at least one row");
        assertEquals(sold.size(), summary.soldItems());
        assertEquals(catalogue.size(), summary.catalogItems());
        assertEquals(2000, summary.catalogItems());

        // identified customers and guests: a guest orders once, anonymously
        long guestOrders = orderCustomer.values().stream().filter(String::isEmpty).count();
        Map<String, Long> ordersOf = new HashMap<>();
        orderCustomer.values().stream().filter(c -> !c.isEmpty()).forEach(c -> ordersOf.merge(c, 1L, Long::sum));
        double guestShare = (double) guestOrders / orderCustomer.size();
        assertTrue(guestShare > 0.01 && guestShare < 0.03, "guests' orders: " + guestShare);
        double ordersPerCustomer = (double) (orderCustomer.size() - guestOrders) / ordersOf.size();
        assertTrue(ordersPerCustomer > 4 && ordersPerCustomer < 5.5, "orders per customer: " + ordersPerCustomer);
        double rowsPerCustomer = (double) rows.stream().filter(r -> !r.customer().isEmpty()).count() / ordersOf.size();
        assertTrue(rowsPerCustomer > 9 && rowsPerCustomer < 11.5, "rows per customer: " + rowsPerCustomer);
        double linesPerOrder = (double) (rows.size() - returns.size()) / orderCustomer.size();
        assertTrue(linesPerOrder > 1.6 && linesPerOrder < 2.1, "lines per order: " + linesPerOrder);

        // a fifth of the lines returned, each by its buyer, after the purchase, at most as many as bought
        double returnShare = (double) returns.size() / (rows.size() - returns.size());
        assertTrue(returnShare > 0.17 && returnShare < 0.21, "returned lines: " + returnShare);
        Map<String, String> firstBought = new HashMap<>();
        for (Row r : rows) {
            if (!r.invoice().startsWith("C")) {
                firstBought.merge(r.customer() + "|" + r.item(), r.time(), (x, y) -> x.compareTo(y) <= 0 ? x : y);
            }
        }
        for (Row r : returns) {
            assertTrue(r.quantity() < 0, r.toString());
            String bought = firstBought.get(r.customer() + "|" + r.item());
            assertTrue(bought != null && bought.compareTo(r.time()) < 0, "returned after its purchase: " + r);
        }

        // the catalogue lists every sold item and items never sold (this week's arrivals, the long tail's end)
        Set<String> listed = new HashSet<>();
        catalogue.forEach(c -> listed.add(c.get(0)));
        assertTrue(listed.containsAll(sold), "every sold item is in the catalogue");
        int neverSold = listed.size() - sold.size();
        assertTrue(neverSold > 200 && neverSold < 700, "never sold: " + neverSold);
    }
}
