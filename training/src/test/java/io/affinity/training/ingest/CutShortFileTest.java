package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.customers.ConsentFile;
import io.affinity.training.mining.BasketReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain CSV file cut mid-line (a copy or download that stopped) used to be read up to the cut: the cut row counted
 * as one malformed row, within the error budget, and the run trained on part of the export without a word, while a
 * cut gzip file stopped with "truncated?". Every reader of a retailer's CSV file now says so when the last line,
 * without the line break the other lines end with, does not parse; a complete file that merely lacks its final line
 * break, and a malformed last row that ends with one, are read as before.
 */
@UnitTest
class CutShortFileTest {
    private static final String EXPORT = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
            + "17850,o1,2024-03-01T10:15:30,CUP,1,1.6\n"
            + "17850,o1,2024-03-01T10:15:30,PLATE,2,4.5\n"
            + "13047,o2,2024-03-02T11:00:00,CUP,1,1.6\n"
            + "13047,o3,2024-03-03T12:00:00,BOWL,3,2.25\n";
    private static final String CUT = "the last line ends mid-row (truncated?): ";

    @TempDir
    Path dir;

    @Test
    void anExportCutMidRowStopsTheLoadSayingItLooksTruncated() throws Exception {
        IngestOptions lenient = IngestOptions.defaults().withErrorBudget(0.5); // one bad row of five would pass
        for (String eol : List.of("\n", "\r\n", "\r")) {
            String text = EXPORT.replace("\n", eol) + "13047,o4,2024-03-0";
            for (boolean gzip : new boolean[] {false, true}) {
                Path f = write("cut" + (gzip ? ".csv.gz" : ".csv"), text, gzip);
                IngestException e = assertThrows(IngestException.class,
                        () -> TransactionLoader.load(List.of(f), lenient), eol + gzip);
                assertTrue(e.getMessage().startsWith(f + ":6: " + CUT + "expected 6 fields, found 3"),
                        e.getMessage());
                assertTrue(e.getMessage().endsWith("; nothing loaded"), e.getMessage());
            }
        }
        // a cut in the last field leaves as many fields, but the value does not parse
        Path price = write("cut-price.csv", EXPORT + "13047,o4,2024-03-04T09:00:00,BOWL,3,", false);
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(price), lenient));
        assertTrue(e.getMessage().startsWith(price + ":6: " + CUT + "unit_price is blank"), e.getMessage());
    }

    @Test
    void aCompleteExportWithoutItsFinalLineBreakLoadsAndAMalformedLastRowWithOneIsCounted() throws Exception {
        Path noFinalBreak = write("no-final-break.csv", EXPORT.substring(0, EXPORT.length() - 1), false);
        assertEquals(4, TransactionLoader.load(List.of(noFinalBreak), IngestOptions.defaults()).report()
                .rowsAccepted());
        IngestOptions lenient = IngestOptions.defaults().withErrorBudget(0.5);
        Path endedBadRow = write("ended-bad-row.csv", EXPORT + "13047,o4,2024-03-0\n", false);
        IngestReport r = TransactionLoader.load(List.of(endedBadRow), lenient).report();
        assertEquals(4, r.rowsAccepted());
        assertEquals(1, r.rejectedCount(RejectReason.MALFORMED_COLUMN_COUNT));
        // a malformed row before the last one is no sign of a cut, however the file ends
        Path badRowInside = write("bad-row-inside.csv", EXPORT.replace("o2,2024-03-02T11:00:00", "o2,yesterday")
                .stripTrailing(), false);
        r = TransactionLoader.load(List.of(badRowInside), lenient).report();
        assertEquals(3, r.rowsAccepted());
        assertEquals(1, r.rejectedCount(RejectReason.MALFORMED_TIMESTAMP));
        // a spreadsheet's blank row last, without a line break, is no row
        Path blankLast = write("blank-last.csv", EXPORT + ",,,,,", false);
        assertEquals(4, TransactionLoader.load(List.of(blankLast), IngestOptions.defaults()).report().rowsAccepted());
    }

    @Test
    void aCutInsideAQuotedFieldSaysItLooksTruncated() throws Exception {
        Path f = write("cut-quote.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price,description\n"
                + "17850,o1,2024-03-01T10:15:30,CUP,1,1.6,\"Cup, blue\"\n"
                + "17850,o1,2024-03-01T10:15:30,PLATE,2,4.5,\"Plate, wh", false);
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults()));
        assertTrue(e.getMessage().startsWith(f + ": broken CSV structure"), e.getMessage());
        assertTrue(e.getMessage().contains("the file ends mid-line inside a quoted field (truncated?)"),
                e.getMessage());
        // a quote left open that swallows the rest of a file ending with its line break is not called a cut
        Path stray = write("stray-quote.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                + "17850,o1,2024-03-01T10:15:30,\"CUP,1,1.6\n17850,o2,2024-03-02T10:15:30,CUP,1,1.6\n", false);
        e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(stray), IngestOptions.defaults()));
        assertFalse(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void theCatalogueTheListsAndTheBasketsSayItToo() throws Exception {
        Path catalogue = write("catalogue.csv", "item_id,price,description\nCUP,1.60,Cup\nPLATE,4.", false);
        CatalogFile.CatalogException c = assertThrows(CatalogFile.CatalogException.class,
                () -> CatalogFile.read(catalogue, 1.0));
        assertTrue(c.getMessage().startsWith(catalogue + ":3: " + CUT + "expected 3 fields, found 2"),
                c.getMessage());
        assertEquals(2, CatalogFile.read(write("catalogue-ok.csv", "item_id,price\nCUP,1.60\nPLATE,4.5", false), 0)
                .entries().size(), "a complete catalogue without its final line break");

        Path consent = write("consent.csv", "customer_id,channel,state\n17850,email,opted_in\n13047,email,opt",
                false);
        ConsentFile.ConsentFileException x = assertThrows(ConsentFile.ConsentFileException.class,
                () -> ConsentFile.read(consent));
        assertTrue(x.getMessage().startsWith(consent + ":3: " + CUT + "state must be"), x.getMessage());
        assertEquals(Set.of("17850", "13047"), ConsentFile.read(write("consent-ok.csv",
                "customer_id,channel,state\n17850,email,opted_in\n13047,email,opted_out", false)).keySet());

        Path erased = write("erased.csv", "customer_id,requested\n17850,2026-11-01\n13047", false);
        ExcludedCustomers.InvalidListException l = assertThrows(ExcludedCustomers.InvalidListException.class,
                () -> ExcludedCustomers.read(erased));
        assertTrue(l.getMessage().startsWith(erased + ":3: " + CUT + "expected 2 fields, found 1"), l.getMessage());
        assertFalse(l.getMessage().contains("13047"), "no customer id in the message");
        assertEquals(Set.of("17850", "13047"), ExcludedCustomers.read(write("erased-ok.csv",
                "customer_id,requested\n17850,2026-11-01\n13047,2026-11-02", false)).ids());

        Path baskets = write("baskets.csv", "milk,bread\nmilk,", false);
        Exception b = assertThrows(java.io.IOException.class,
                () -> BasketReader.read(baskets, StandardCharsets.UTF_8, "--encoding"));
        assertTrue(b.getMessage().startsWith(baskets + ":2: " + CUT + "item 2 of the basket is empty"),
                b.getMessage());
        assertEquals(2, BasketReader.read(write("baskets-ok.csv", "milk,bread\nmilk,tea", false),
                StandardCharsets.UTF_8, "--encoding").transactions().size());
    }

    private Path write(String name, String text, boolean gzip) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream z = new GZIPOutputStream(out)) {
                z.write(bytes);
            }
            bytes = out.toByteArray();
        }
        return Files.write(dir.resolve(name), bytes);
    }
}
