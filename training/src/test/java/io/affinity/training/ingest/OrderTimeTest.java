package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.customers.CustomerAnalysis;
import io.affinity.training.customers.CustomerAnalytics;
import io.affinity.training.customers.CustomerAnalyticsOptions;
import io.affinity.training.evaluation.EvalSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An order's time is its earliest row's, whatever order its rows come in: an order keyed in over two minutes (six
 * invoices of the bundled sample) was placed at the time of whichever row the export happened to write first, so
 * the same order exported newest line first fell a minute (or, across midnight, a day) later, and an order whose
 * rows straddle a time split's cutoff went to the test period or to training depending on the row order.
 */
@UnitTest
class OrderTimeTest {
    private static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    @TempDir
    Path dir;

    /** Customer 777's order o2 keyed in from 23:59:30 to 00:00:40, across midnight, its rows in the order given. */
    private Transactions load(String name, List<String> o2Rows) throws Exception {
        StringBuilder csv = new StringBuilder(HEADER).append('\n')
                .append("777,o1,2011-05-01 10:00:00,A1,1,2.5\n");
        o2Rows.forEach(r -> csv.append(r).append('\n'));
        csv.append("778,o3,2011-05-03 09:00:00,A1,1,2.5\n");
        // repeat customers before the split's cutoff, for the value models' fit
        Random rnd = new Random(27);
        for (int c = 0; c < 40; c++) {
            for (int t = 0; t < 2 + rnd.nextInt(3); t++) {
                csv.append('c').append(c).append(",b").append(c).append('-').append(t).append(",2011-04-")
                        .append(String.format(Locale.ROOT, "%02d", 1 + rnd.nextInt(28))).append(" 12:00:00,A")
                        .append(rnd.nextInt(4)).append(",1,").append(1 + rnd.nextInt(5)).append('\n');
            }
        }
        return TransactionLoader.load(List.of(Files.writeString(dir.resolve(name), csv)), IngestOptions.defaults())
                .transactions();
    }

    private static final List<String> OLDEST_FIRST = List.of("777,o2,2011-05-01 23:59:30,A2,1,2.5",
            "777,o2,2011-05-02 00:00:10,A3,1,2.5", "777,o2,2011-05-02 00:00:40,A4,1,2.5");
    private static final List<String> NEWEST_FIRST = List.of("777,o2,2011-05-02 00:00:40,A4,1,2.5",
            "777,o2,2011-05-02 00:00:10,A3,1,2.5", "777,o2,2011-05-01 23:59:30,A2,1,2.5");

    private static int order(Transactions tx, String id) {
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.orderId(o).equals(id)) {
                return o;
            }
        }
        throw new AssertionError(id);
    }

    @Test
    void anOrdersTimeIsItsEarliestRowsWhateverTheRowOrder() throws Exception {
        for (List<String> rows : List.of(OLDEST_FIRST, NEWEST_FIRST, List.of(OLDEST_FIRST.get(1),
                OLDEST_FIRST.get(2), OLDEST_FIRST.get(0)))) {
            Transactions tx = load("rows.csv", rows);
            assertEquals(LocalDateTime.of(2011, 5, 1, 23, 59, 30), tx.timestampOf(order(tx, "o2")), rows.toString());
        }
    }

    @Test
    void customerFiguresDoNotDependOnTheRowOrder() throws Exception {
        CustomerAnalyticsOptions options = CustomerAnalyticsOptions.defaults(LocalDate.of(2011, 5, 10));
        CustomerAnalysis.Row oldest = row(CustomerAnalytics.run(load("a.csv", OLDEST_FIRST), options), "777");
        CustomerAnalysis.Row newest = row(CustomerAnalytics.run(load("b.csv", NEWEST_FIRST), options), "777");
        assertEquals(1, oldest.profile().transactions(), "one purchase day: 1 May");
        assertEquals(oldest.profile().transactions(), newest.profile().transactions());
        assertEquals(oldest.profile().recencyDays(), newest.profile().recencyDays());
        assertEquals(oldest.firstPurchase(), newest.firstPurchase());
    }

    /** The time split puts a whole order on one side: the side of the time it was placed, its earliest row's. */
    @Test
    void anOrderStraddlingTheCutoffTrainsWhateverTheRowOrder() throws Exception {
        LocalDateTime cutoff = LocalDateTime.of(2011, 5, 2, 0, 0);
        for (List<String> rows : List.of(OLDEST_FIRST, NEWEST_FIRST)) {
            Transactions tx = load("split.csv", rows);
            EvalSplit split = EvalSplit.time(tx, cutoff, 7);
            int customer = tx.customerOf(order(tx, "o2"));
            assertNull(split.truth()[customer], rows + ": o2 was placed before the cutoff, so it trains");
            assertTrue(split.train().degreeOfUser(customer) > 0, rows + ": 777 has training history");
            assertEquals(1, split.testUsers().length, rows + ": only 778 buys after the cutoff");
        }
    }

    private static CustomerAnalysis.Row row(CustomerAnalysis analysis, String customer) {
        return analysis.rows().stream().filter(r -> r.customerId().equals(customer)).findFirst()
                .orElseThrow(() -> new AssertionError(customer));
    }
}
