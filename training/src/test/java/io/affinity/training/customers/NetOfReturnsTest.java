package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.IngestReport;
import io.affinity.training.ingest.IngestResult;
import io.affinity.training.ingest.RejectReason;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customer value counts what a customer kept: a hand-made history with a purchase kept whole, a partial return, a
 * full return, returns that match nothing, and a customer who returned everything, checked by hand.
 */
@UnitTest
class NetOfReturnsTest {
    private static final String HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country";
    private static final LocalDate END = LocalDate.of(2010, 6, 30);

    @TempDir
    Path dir;
    private IngestResult loaded;

    @BeforeEach
    void load() throws Exception {
        loaded = TransactionLoader.load(List.of(write()), IngestOptions.defaults());
    }

    @Test
    void moneyDaysAndRecencyAreNetOfReturns() {
        Map<String, CustomerAnalysis.Row> rows = CustomerAnalytics.run(loaded.transactions(),
                        CustomerAnalyticsOptions.defaults(END)).rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, Function.identity()));
        CustomerAnalysis.Row k = rows.get("95001");
        // Bought: 03-01 10 mugs (100) + 2 lamps (40); 04-01 5 mugs (50); 06-01 2 mugs (20): gross 210 on 3 days.
        // 04-10 return of 8 mugs: the latest purchase at or before it first, 5 of 04-01 (that day is gone), then 3
        // of 03-01 (7 kept), never the 06-01 mugs bought after it. 05-01: both lamps back. Kept: 03-01 70, 06-01 20.
        assertEquals(90, k.profile().monetary(), 1e-9);
        assertEquals(2, k.profile().transactions());
        assertEquals(1, k.x());
        assertEquals(29, k.profile().recencyDays()); // 06-01 .. 06-30
        assertEquals(LocalDate.of(2010, 3, 1), k.firstPurchase());
        assertEquals(20, k.meanRepeatSpend(), 1e-9);
        // only mugs kept: one family, paid the mug's typical price
        assertEquals(List.of("MUG"), k.profile().favouriteFamilies());

        // 95002 bought 4 mugs and returned them the same day: no purchase day left, so no profile; counted
        assertFalse(rows.containsKey("95002"));
        assertEquals(1, CustomerAnalytics.run(loaded.transactions(), CustomerAnalyticsOptions.defaults(END))
                .customersReturnedEverything());
    }

    @Test
    void basketsAndHistoriesKeepWhatWasBought() {
        Transactions tx = loaded.transactions();
        double bought = 0;
        double kept = 0;
        int customer = tx.customerIndex("95001");
        for (int k = tx.customerOrderStart(customer); k < tx.customerOrderEnd(customer); k++) {
            int o = tx.customerOrder(k);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                bought += tx.quantityOfLine(l);
                kept += tx.keptQuantityOfLine(l);
            }
        }
        assertEquals(19, bought, 1e-9); // 10 + 2 + 5 + 2 mugs and lamps, as bought
        assertEquals(9, kept, 1e-9); // 7 + 2 mugs
        assertEquals(3, tx.customerOrderEnd(customer) - tx.customerOrderStart(customer), "orders stay");
    }

    @Test
    void theReportCountsWhatTheCancellationsDid() {
        IngestReport r = loaded.report();
        // every cancellation row is still rejected as one: the 5 returns, a guest's and a postage refund
        assertEquals(7, r.rejectedCount(RejectReason.CANCELLATION));
        // netted: 95001's mugs and lamps, 95002's mugs; unmatched: 95001's mug return before any purchase, the
        // candle nobody bought
        assertEquals(new IngestReport.Returns(3, 2, 3, 2), r.returns());
        String text = r.toText();
        assertTrue(text.contains("returns netted against purchases"), text);
        assertTrue(text.contains("orders returned in full"), text);
        assertEquals(r.rowsRead(), r.rowsAccepted() + r.rejected().values().stream()
                .mapToLong(IngestReport.Rejections::count).sum(), "every row once");
    }

    private Path write() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        line(csv, "C600000", "10001", "RED MUG", -1, "2010-02-01 10:00:00", 10, "95001"); // before any purchase
        line(csv, "600001", "10001", "RED MUG", 10, "2010-03-01 10:00:00", 10, "95001");
        line(csv, "600001", "10005", "LAMP", 2, "2010-03-01 10:00:00", 20, "95001");
        line(csv, "600002", "10001", "RED MUG", 5, "2010-04-01 10:00:00", 10, "95001");
        line(csv, "C600003", "10001", "RED MUG", -8, "2010-04-10 12:00:00", 10, "95001");
        line(csv, "C600004", "10005", "LAMP", -2, "2010-05-01 09:00:00", 20, "95001");
        line(csv, "C600005", "10009", "CANDLE", -3, "2010-05-02 09:00:00", 2, "95001"); // never bought
        line(csv, "C600006", "POST", "POSTAGE", -1, "2010-05-02 09:00:00", 18, "95001"); // a refund, not goods
        line(csv, "C600007", "10001", "RED MUG", -2, "2010-05-03 09:00:00", 10, ""); // a guest's
        line(csv, "600008", "10001", "RED MUG", 2, "2010-06-01 10:00:00", 10, "95001");
        line(csv, "600009", "10001", "RED MUG", 4, "2010-05-05 10:00:00", 10, "95002");
        line(csv, "C600010", "10001", "RED MUG", -4, "2010-05-05 16:00:00", 10, "95002");
        // seeded random customers without returns, so that the models have something to fit
        Random rnd = new Random(11);
        int invoice = 700000;
        for (int c = 0; c < 120; c++) {
            int trips = 2 + rnd.nextInt(6);
            for (int t = 0; t < trips; t++) {
                LocalDate day = LocalDate.of(2010, 1, 1).plusDays(rnd.nextInt(180));
                line(csv, Integer.toString(invoice++), "10001", "RED MUG", 1 + rnd.nextInt(12), day + " 12:00:00", 10,
                        Integer.toString(96000 + c));
            }
        }
        Path file = dir.resolve("returns.csv");
        Files.writeString(file, csv);
        return file;
    }

    private static void line(StringBuilder csv, String invoice, String code, String description, int qty,
                             String time, double price, String customer) {
        csv.append(invoice).append(',').append(code).append(',').append(description).append(',').append(qty)
                .append(',').append(time).append(',').append(price).append(',').append(customer)
                .append(",United Kingdom\n");
    }
}
