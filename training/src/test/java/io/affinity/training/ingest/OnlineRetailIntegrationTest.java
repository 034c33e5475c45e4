package io.affinity.training.ingest;

import io.affinity.testing.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loads both real UCI files when the shared data folder is there (skipped elsewhere). Checks the figures
 * the data README states, and prints ours next to its "clean view".
 */
@IntegrationTest
class OnlineRetailIntegrationTest {

    /** The shared data folder: system property {@code affinity.shared.data}, else {@code shared/data} above the working dir. */
    static Path sharedData() {
        String prop = System.getProperty("affinity.shared.data");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void loadsBothUciFilesWithoutCountingTheOverlapTwice() throws Exception {
        Path data = sharedData();
        assumeTrue(data != null, "shared data folder not found, skipping");
        Path ii = data.resolve("online-retail/online_retail_II_2009-2010.csv.gz");
        Path i = data.resolve("online-retail/online_retail_2010-2011.csv.gz");
        assumeTrue(Files.isRegularFile(ii) && Files.isRegularFile(i), "UCI files not found, skipping");

        System.gc();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        IngestResult result = TransactionLoader.load(List.of(ii, i), IngestOptions.defaults());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.gc();
        long heapAfter = usedHeap();
        IngestReport r = result.report();
        System.out.println(r.toText());
        System.out.printf("load time %,d ms, heap retained by the result ~%,d MB%n", millis,
                (heapAfter - heapBefore) >> 20);

        assertEquals(525_461 + 541_909, r.rowsRead());
        assertEquals(53_628, r.invoicesSeen());
        assertEquals(22_523, r.rejectedCount(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE));
        assertEquals(0, r.malformed());
        long rejected = r.rejected().values().stream().mapToLong(IngestReport.Rejections::count).sum();
        assertEquals(r.rowsRead(), r.rowsAccepted() + rejected);
        assertEquals(List.of("online-retail-ii", "online-retail"),
                r.files().stream().map(IngestReport.FileStats::mapping).toList());

        // The README's clean view (customer present, no exact-duplicate removal): 788,189 rows, 36,594
        // invoices, 5,852 customers, 4,620 items. We also drop exact duplicate lines and keep anonymous rows.
        Transactions tx = result.transactions();
        long identifiedRows = 0;
        long identifiedOrders = 0;
        java.util.BitSet identifiedItems = new java.util.BitSet();
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.customerOf(o) >= 0) {
                identifiedOrders++;
                identifiedRows += tx.lineEnd(o) - tx.lineStart(o);
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    identifiedItems.set(tx.itemOfLine(l));
                }
            }
        }
        System.out.printf("data folder %s (property affinity.shared.data=%s)%n", data,
                System.getProperty("affinity.shared.data"));
        System.out.printf("identified customers only: %,d rows, %,d orders, %,d customers, %,d items%n",
                identifiedRows, identifiedOrders, tx.customerCount(), identifiedItems.cardinality());
        assertEquals(36_594, identifiedOrders);
        assertEquals(5_852, tx.customerCount());
        assertEquals(4_620, identifiedItems.cardinality());
        // The README's 788,189 keeps exact duplicate lines; we drop them (11,610 among identified rows).
        assertEquals(776_579, identifiedRows);
        // Speed is a benchmark's business, never a test assertion; the time is printed for the log only.
        System.out.printf("loaded in %,d ms%n", millis);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
