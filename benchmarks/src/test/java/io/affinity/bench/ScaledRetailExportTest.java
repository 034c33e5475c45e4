package io.affinity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.IngestReport;
import io.affinity.training.ingest.TransactionLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A K-times export is K populations of the original: ingestion sees K times everything, rejects included. */
@UnitTest
class ScaledRetailExportTest {
    /** The last row is malformed on purpose: a budget that lets one in seven through. */
    private static final IngestOptions OPTIONS = IngestOptions.defaults().withErrorBudget(0.5);
    @TempDir
    Path tmp;

    private static final String EXPORT = """
            Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
            489434,85048,"LIGHTS, GLASS BALL",12,2009-12-01 07:45:00,6.95,13085,United Kingdom
            489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085,United Kingdom
            489435,22350,CAT BOWL,12,2009-12-01 07:46:00,2.55,13085.0,United Kingdom
            489436,22350,CAT BOWL,4,2009-12-01 08:01:00,2.55,,United Kingdom
            489437,21232,STRAWBERRY MUG,6,2009-12-02 09:00:00,1.25,18102,France
            C489438,21232,STRAWBERRY MUG,-2,2009-12-03 09:00:00,1.25,18102,France
            489439,21232,STRAWBERRY MUG,6,2009-12-03 10:00:00
            """;

    @Test
    void shiftsCustomersAndOrdersIntoPopulationsOfTheirOwn() {
        assertEquals("13085", ScaledRetailExport.shiftCustomer("13085", 0));
        assertEquals("213085", ScaledRetailExport.shiftCustomer("13085.0", 2));
        assertEquals("", ScaledRetailExport.shiftCustomer("", 3), "anonymous stays anonymous");
        assertEquals("jane@example.com-1", ScaledRetailExport.shiftCustomer("jane@example.com", 1));
        assertEquals("C1489438", ScaledRetailExport.shiftOrder("C489438", 1), "the cancellation prefix is kept");
        assertEquals("3489434", ScaledRetailExport.shiftOrder("489434", 3));
    }

    @Test
    void ingestionOfTheScaledExportCountsKTimesTheOriginal() throws Exception {
        Path original = tmp.resolve("export.csv");
        Files.writeString(original, EXPORT, StandardCharsets.UTF_8);
        Path scaled = tmp.resolve("export-x3.csv.gz");
        assertEquals(7, ScaledRetailExport.scale(original, scaled, 3));

        IngestReport one = TransactionLoader.load(List.of(original), OPTIONS).report();
        IngestReport three = TransactionLoader.load(List.of(scaled), OPTIONS).report();
        assertEquals(3 * one.rowsRead(), three.rowsRead());
        assertEquals(3 * one.rowsAccepted(), three.rowsAccepted());
        assertEquals(3 * one.rowsAcceptedAnonymous(), three.rowsAcceptedAnonymous());
        assertEquals(3 * one.ordersAccepted(), three.ordersAccepted());
        assertEquals(3 * one.customers(), three.customers());
        assertEquals(one.items(), three.items(), "the catalogue stays the original one");
        assertEquals(counts(one, 3), counts(three, 1), "every rejection repeated, for the same reason");
    }

    private static Map<String, Long> counts(IngestReport report, int times) {
        Map<String, Long> counts = new TreeMap<>();
        report.rejected().forEach((reason, r) -> counts.put(reason, r.count() * times));
        return counts;
    }
}
