package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
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
 * {@code customers --calibration-end}: a return made after the calibration end is the holdout's, not the
 * calibration's. Netted against calibration purchases (the loader nets every return in the export) it lowered the
 * calibration spend and made customers "return everything by then" who had kept it all by then.
 */
@UnitTest
class ReturnsAfterCalibrationEndTest {
    private static final String HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country";
    private static final LocalDate CAL_END = LocalDate.of(2010, 6, 30);
    private static final LocalDate HOLD_END = LocalDate.of(2010, 8, 28);

    @TempDir
    Path dir;
    private Transactions tx;

    @BeforeEach
    void load() throws Exception {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        // 95001 keeps 12 mugs through the calibration period and sends them all back in the holdout
        line(csv, "600001", 10, "2010-03-01 10:00:00", "95001");
        line(csv, "600002", 2, "2010-05-01 10:00:00", "95001");
        line(csv, "C600003", -12, "2010-08-01 10:00:00", "95001");
        // 95003 buys in the holdout and returns it only after the holdout end: a holdout purchase day all the same
        line(csv, "600004", 1, "2010-02-01 10:00:00", "95003");
        line(csv, "600005", 3, "2010-07-05 10:00:00", "95003");
        line(csv, "C600006", -3, "2010-09-10 10:00:00", "95003");
        // 95004 returned everything by the calibration end: not profiled, counted
        line(csv, "600007", 4, "2010-04-01 10:00:00", "95004");
        line(csv, "C600008", -4, "2010-06-15 10:00:00", "95004");
        Random rnd = new Random(5);
        int invoice = 700000;
        for (int c = 0; c < 120; c++) {
            int trips = 2 + rnd.nextInt(6);
            for (int t = 0; t < trips; t++) {
                LocalDate day = LocalDate.of(2010, 1, 1).plusDays(rnd.nextInt(260));
                line(csv, Integer.toString(invoice++), 1 + rnd.nextInt(12), day + " 12:00:00",
                        Integer.toString(96000 + c));
            }
        }
        Path file = Files.writeString(dir.resolve("returns.csv"), csv);
        tx = TransactionLoader.load(List.of(file), IngestOptions.defaults()).transactions();
    }

    @Test
    void calibrationPurchasesAreNetOnlyOfReturnsMadeByTheCalibrationEnd() {
        CustomerAnalysis a = CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(CAL_END)
                .withHoldoutEnd(HOLD_END));
        Map<String, CustomerAnalysis.Row> rows = a.rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, Function.identity()));
        CustomerAnalysis.Row kept = rows.get("95001");
        assertTrue(kept != null, "95001 kept all 12 mugs until the calibration end: profiled");
        assertEquals(120, kept.profile().monetary(), 1e-9);
        assertEquals(2, kept.profile().transactions());
        assertEquals(0, kept.holdoutActual(), "a return is no purchase day of the holdout");
        assertEquals(1, rows.get("95003").holdoutActual(), "returned only after the holdout end");
        assertFalse(rows.containsKey("95004"));
        assertEquals(1, a.customersReturnedEverything(), "only 95004 had returned everything by the calibration end");
        // every return of the export counted once: 95004's netted, 95001's and 95003's made after the calibration end
        assertEquals(new CustomerAnalysis.Returns(1, 0, 2), a.returns());
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) CustomerReportWriter.report(a).get("returns");
        assertEquals(2L, section.get("datedAfterCalibrationEnd"));
    }

    @Test
    void withoutAHoldoutTheLaterReturnsAreCountedAndLeftAlone() {
        CustomerAnalysis a = CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(CAL_END));
        assertEquals(120, a.rows().stream().filter(r -> r.customerId().equals("95001")).findFirst().orElseThrow()
                .profile().monetary(), 1e-9);
        assertEquals(new CustomerAnalysis.Returns(1, 0, 2), a.returns());
    }

    /** train's calibration end is the data's last purchase day, and it nets every return of the export, as before. */
    @Test
    void trainNetsEveryReturn() {
        CustomerAnalysis a = CustomerAnalytics.run(tx, CustomerAnalyticsOptions.defaults(CAL_END)
                .withEveryReturnNetted());
        assertTrue(a.rows().stream().noneMatch(r -> r.customerId().equals("95001")));
        assertEquals(2, a.customersReturnedEverything());
        assertNull(a.returns());
        assertFalse(CustomerReportWriter.report(a).containsKey("returns"), "train's manifest section as before");
    }

    private static void line(StringBuilder csv, String invoice, int qty, String time, String customer) {
        csv.append(invoice).append(",10001,RED MUG,").append(qty).append(',').append(time).append(",10,")
                .append(customer).append(",United Kingdom\n");
    }
}
