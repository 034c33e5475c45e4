package io.affinity.training.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class TransactionLoaderTest {

    private static final String UCI_II_HEADER =
            "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n";
    private static final String UCI_HEADER =
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
    private static final String GENERIC_HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price\n";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static IngestResult load(IngestOptions options, Path... files) throws Exception {
        IngestResult r = TransactionLoader.load(List.of(files), options);
        assertInvariant(r.report());
        return r;
    }

    private static void assertInvariant(IngestReport r) {
        long rejected = r.rejected().values().stream().mapToLong(IngestReport.Rejections::count).sum();
        assertEquals(r.rowsRead(), r.rowsAccepted() + rejected, "rowsRead == accepted + rejected");
        assertEquals(RejectReason.values().length, r.rejected().size(), "every reason listed");
    }

    @Test
    void everyRuleIsCountedOnceAndSampledWithFileAndLine() throws Exception {
        Path f = write("rules.csv", UCI_II_HEADER
                + "100,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"      // 2 accepted
                + "100,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"      // 3 duplicate_line
                + "C101,85123A,HEART,-6,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"    // 4 cancellation
                + "102,85123A,HEART,-1,2010-12-01 09:00:00,0,,United Kingdom\n"             // 5 cancellation (qty<0)
                + "A103,B,Adjust bad debt,1,2010-12-01 09:00:00,-100,,United Kingdom\n"     // 6 adjustment
                + "104,85123A,HEART,0,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"      // 7 zero_quantity
                + "104,85123B,HEART,1,2010-12-01 09:00:00,0,17850,United Kingdom\n"         // 8 non_positive_price
                + "104,POST,POSTAGE,1,2010-12-01 09:00:00,18,17850,United Kingdom\n"        // 9 non_product_code
                + "104,gift_0001_20,Voucher,1,2010-12-01 09:00:00,17.39,,United Kingdom\n"  // 10 non_product (prefix)
                + "104,85123A,HEART,x,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"      // 11 malformed_quantity
                + "104,85123A,HEART,1,2010-12-01 09:00:00,2;55,17850,United Kingdom\n"      // 12 malformed_price
                + "104,85123A,HEART,1,01/12/2010 09:00,2.55,17850,United Kingdom\n"         // 13 malformed_timestamp
                + "104,,HEART,1,2010-12-01 09:00:00,2.55,17850,United Kingdom\n"            // 14 malformed_blank_field
                + "104,85123A,HEART,1,2010-12-01 09:00:00,2.55,17850\n"                     // 15 malformed_column_count
                + "105,22041,\"RECORD FRAME 7\"\" SINGLE, SIZE\",48,2010-12-01 10:00:00,2.1,,France\n"); // 16 anonymous
        IngestResult res = load(IngestOptions.defaults().withErrorBudget(1.0), f);
        IngestReport r = res.report();
        String file = f.toString();

        assertEquals(15, r.rowsRead());
        assertEquals(2, r.rowsAccepted());
        assertEquals(1, r.rowsAcceptedAnonymous());
        assertSamples(r, RejectReason.DUPLICATE_LINE, file + ":3");
        assertSamples(r, RejectReason.CANCELLATION, file + ":4", file + ":5");
        assertSamples(r, RejectReason.ADJUSTMENT, file + ":6");
        assertSamples(r, RejectReason.ZERO_QUANTITY, file + ":7");
        assertSamples(r, RejectReason.NON_POSITIVE_PRICE, file + ":8");
        assertSamples(r, RejectReason.NON_PRODUCT_CODE, file + ":9", file + ":10");
        assertSamples(r, RejectReason.MALFORMED_QUANTITY, file + ":11 (Quantity 'x')");
        assertSamples(r, RejectReason.MALFORMED_PRICE, file + ":12 (Price '2;55')");
        assertSamples(r, RejectReason.MALFORMED_TIMESTAMP, file + ":13 (InvoiceDate '01/12/2010 09:00')");
        assertSamples(r, RejectReason.MALFORMED_BLANK_FIELD, file + ":14 (StockCode is blank)");
        assertSamples(r, RejectReason.MALFORMED_COLUMN_COUNT, file + ":15 (expected 8 fields, found 7)");
        assertEquals(0, r.rejectedCount(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE));
        assertEquals(5, r.malformed());
        assertEquals(6, r.invoicesSeen()); // 100, C101, 102, A103, 104, 105
        assertEquals(2, r.ordersAccepted());
        assertEquals(1, r.ordersAcceptedAnonymous());

        Transactions tx = res.transactions();
        assertEquals(2, tx.itemCount());
        assertEquals("RECORD FRAME 7\" SINGLE, SIZE", tx.itemDescription(tx.itemIndex("22041")));
        assertEquals("France", tx.countryOf(1));
        assertEquals(-1, tx.customerOf(1));
        assertEquals("17850", tx.customerId(tx.customerOf(0)));
    }

    private static void assertSamples(IngestReport r, RejectReason reason, String... expected) {
        assertEquals(expected.length, r.rejectedCount(reason), reason.code());
        assertEquals(List.of(expected), r.samples(reason), reason.code());
    }

    @Test
    void quotedFieldSpanningLinesKeepsPhysicalLineNumbers() throws Exception {
        Path f = write("multiline.csv", GENERIC_HEADER.replace("\n", ",description\n")
                + "c1,o1,2024-01-01,I1,1,1.0,\"two\nlines, with comma\"\n"   // lines 2-3
                + "c1,o1,2024-01-01,I2,0,1.0,zero\n");                         // line 4
        IngestResult r = load(IngestOptions.defaults(), f);
        assertEquals(List.of(f + ":4"), r.report().samples(RejectReason.ZERO_QUANTITY));
        assertEquals("two\nlines, with comma", r.transactions().itemDescription(0));
    }

    @Test
    void tooManyMalformedRowsThrowWithCountsBudgetAndSamples() throws Exception {
        StringBuilder sb = new StringBuilder(GENERIC_HEADER);
        for (int i = 0; i < 98; i++) {
            sb.append("c1,o").append(i).append(",2024-01-01,I1,1,1.0\n");
        }
        sb.append("c1,o98,2024-01-01,I1,one,1.0\n");          // line 100
        sb.append("c1,o99,2024-01-01,I1,1\n");                // line 101
        Path f = write("bad.csv", sb.toString());

        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults()));
        assertTrue(e.getMessage().contains("2 of 100 rows are malformed (2.00%)"), e.getMessage());
        assertTrue(e.getMessage().contains("error budget of 1.00% (1 rows)"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed_quantity at " + f + ":100"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed_column_count at " + f + ":101"), e.getMessage());
        assertEquals(2, e.report().orElseThrow().malformed());

        // the same file within a 2% budget loads, skipping the two rows
        IngestResult ok = load(IngestOptions.defaults().withErrorBudget(0.02), f);
        assertEquals(98, ok.report().rowsAccepted());
        assertEquals(2, ok.report().malformed());
    }

    @Test
    void gzipIsDetectedByMagicBytesNotByName() throws Exception {
        Path f = dir.resolve("export.csv"); // no .gz on purpose
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write((UCI_HEADER + "536365,85123a,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        IngestResult r = load(IngestOptions.defaults(), f);
        assertEquals(1, r.report().rowsAccepted());
        assertEquals("online-retail", r.report().files().get(0).mapping());
        assertEquals("85123A", r.transactions().itemId(0));
        assertEquals("17850", r.transactions().customerId(0));
    }

    @Test
    void invoiceInAnEarlierFileIsNotLoadedAgain() throws Exception {
        Path a = write("a.csv", UCI_II_HEADER
                + "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
                + "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n");
        Path b = write("b.csv", UCI_HEADER
                + "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"    // line 2
                + "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"   // line 3
                + "536367,84879,BIRD,32,2010-12-01 08:34:00,1.69,13047,United Kingdom\n");
        IngestReport r = load(IngestOptions.defaults(), a, b).report();
        assertSamples(r, RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE, b + ":2", b + ":3");
        assertEquals(3, r.invoicesSeen());
        assertEquals(3, r.ordersAccepted());
        assertEquals(List.of(new IngestReport.FileStats(a.toString(), "online-retail-ii", 2, 2),
                new IngestReport.FileStats(b.toString(), "online-retail", 3, 1)), r.files());
        assertEquals(2, r.customers());
    }

    @Test
    void interleavedOrdersAreGroupedAndNormalised() throws Exception {
        Path f = write("interleaved.csv", "Customer_ID , ORDER_ID,timestamp,item_id,quantity,unit_price,description,"
                + "category,country\n"
                + "17850.0,o1,2024-03-01T10:15:30,abc,1,1.5,Mug,Kitchen,DE\n"
                + ",o2,2024-03-02,XYZ,2,3.0,Pen,Office,\n"
                + "17850,o1,2024-03-01T10:15:30, ABC ,3,1.5,Mug (red),Kitchen,DE\n"
                + "17850,o1,2024-03-01T10:15:30,Abc,1,1.5,Mug (red),Kitchen,DE\n"
                + ",o2,2024-03-02,xyz,1,3.0,Pen,Office,\n");
        Transactions tx = load(IngestOptions.defaults(), f).transactions();
        assertEquals(2, tx.orderCount());
        assertEquals("o1", tx.orderId(0));
        assertEquals(0, tx.lineStart(0));
        assertEquals(3, tx.lineEnd(0));
        assertEquals(3, tx.lineStart(1));
        assertEquals(5, tx.lineEnd(1));
        assertEquals(List.of(1.0, 3.0, 1.0), List.of(tx.quantityOfLine(0), tx.quantityOfLine(1), tx.quantityOfLine(2)));
        assertEquals(2, tx.itemCount());
        assertEquals(0, tx.itemOfLine(1));
        assertEquals("ABC", tx.itemId(0));
        assertEquals("Mug (red)", tx.itemDescription(0));   // most frequent of the three
        assertEquals("Kitchen", tx.itemCategory(0));
        assertEquals(1, tx.customerCount());
        assertEquals("17850", tx.customerId(tx.customerOf(0)));
        assertEquals(-1, tx.customerOf(1));
        assertEquals(LocalDateTime.of(2024, 3, 1, 10, 15, 30), tx.timestampOf(0));
        assertEquals(LocalDateTime.of(2024, 3, 2, 0, 0), tx.timestampOf(1));
        assertEquals("DE", tx.countryOf(0));
        assertEquals("", tx.countryOf(1));
        assertEquals(1.5, tx.unitPriceOfLine(0));
    }

    @Test
    void eachPresetIsDetectedFromItsHeader() {
        assertEquals("online-retail", ColumnMapping.detect(List.of(UCI_HEADER.strip().split(","))).name());
        assertEquals("online-retail-ii", ColumnMapping.detect(List.of(UCI_II_HEADER.strip().split(","))).name());
        assertEquals("generic", ColumnMapping.detect(List.of(GENERIC_HEADER.strip().split(","))).name());
        assertEquals("generic", ColumnMapping.detect(List.of("order_id", "item_id", "customer_id", "timestamp",
                "unit_price", "quantity", "country")).name());
        assertEquals(ColumnMapping.preset("generic"), ColumnMapping.preset(" Generic "));
        assertThrows(IllegalArgumentException.class, () -> ColumnMapping.preset("nope"));
    }

    @Test
    void unknownHeaderFailsListingPresetsAndTheHeader() throws Exception {
        Path f = write("odd.csv", "when,what,who\n2024-01-01,a,b\n");
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults()));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ": header matches no column mapping preset"), m);
        assertTrue(m.contains("[when, what, who]"), m);
        assertTrue(m.contains("online-retail-ii") && m.contains("online-retail [") && m.contains("generic"), m);
    }

    @Test
    void missingRequiredColumnNamesFileAndColumn() throws Exception {
        Path f = write("nocust.csv", "order_id,timestamp,item_id,quantity,unit_price\no1,2024-01-01,I,1,1\n");
        IngestException e = assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(f),
                IngestOptions.defaults().withMapping(ColumnMapping.preset("generic"))));
        assertTrue(e.getMessage().startsWith(f + ":1: column 'customer_id' (role customer"), e.getMessage());
    }

    @Test
    void emptyFileAndBrokenQuotingFailClearly() throws Exception {
        Path empty = write("empty.csv", "");
        assertThrows(IngestException.class, () -> TransactionLoader.load(List.of(empty), IngestOptions.defaults()));
        Path open = write("open.csv", GENERIC_HEADER + "c,o,2024-01-01,\"I,1,1\n" + "c,o,2024-01-01,J,1,1\n".repeat(200));
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(open), IngestOptions.defaults()));
        assertTrue(e.getMessage().startsWith(open + ": broken CSV structure"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void nonProductCodesAreConfigurable() throws Exception {
        Path f = write("codes.csv", GENERIC_HEADER + "c,o,2024-01-01,post,1,1\nc,o,2024-01-01,FEE-1,1,1\n");
        IngestReport def = load(IngestOptions.defaults(), f).report();
        assertEquals(1, def.rejectedCount(RejectReason.NON_PRODUCT_CODE));
        IngestReport custom = load(IngestOptions.defaults().withNonProductCodes(Set.of(), Set.of("fee-")), f).report();
        assertEquals(List.of(f + ":3"), custom.samples(RejectReason.NON_PRODUCT_CODE));
    }

    @Test
    void samplesAreCappedButCountsAreNot() throws Exception {
        StringBuilder sb = new StringBuilder(GENERIC_HEADER);
        for (int i = 0; i < 10; i++) {
            sb.append("c,o").append(i).append(",2024-01-01,I,0,1\n");
        }
        IngestReport r = load(IngestOptions.defaults().withSamplesPerReason(3), write("z.csv", sb.toString())).report();
        assertEquals(10, r.rejectedCount(RejectReason.ZERO_QUANTITY));
        assertEquals(3, r.samples(RejectReason.ZERO_QUANTITY).size());
    }

    @Test
    void reportSurvivesJsonRoundTripAndPrints() throws Exception {
        Path f = write("j.csv", GENERIC_HEADER + "c,o,2024-01-01,I,1,1\nc,o,2024-01-01,J,0,1\n");
        IngestReport r = load(IngestOptions.defaults(), f).report();
        ObjectMapper json = new ObjectMapper();
        IngestReport back = json.readValue(json.writeValueAsString(r), IngestReport.class);
        assertEquals(r, back);
        String text = r.toText();
        assertTrue(text.contains("zero_quantity") && text.contains(f + ":3"), text);
        assertTrue(!text.contains("cancellation"), "zero counts are not printed");
    }

    @Test
    void optionsAndMappingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> IngestOptions.defaults().withErrorBudget(1.5));
        assertThrows(IllegalArgumentException.class, () -> IngestOptions.defaults().withSamplesPerReason(-1));
        assertThrows(IllegalArgumentException.class,
                () -> IngestOptions.defaults().withNonProductCodes(Set.of(" "), Set.of()));
        ColumnMapping g = ColumnMapping.preset("generic");
        assertThrows(IllegalArgumentException.class, () -> new ColumnMapping("x", "", g.order(), g.timestamp(),
                g.item(), g.quantity(), g.unitPrice(), null, null, null, g.timestampPatterns(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new ColumnMapping("x", "c", g.order(), g.timestamp(),
                g.item(), g.quantity(), g.unitPrice(), null, null, null, List.of("not a pattern {"), null, null));
        assertThrows(IllegalArgumentException.class, () -> TransactionLoader.load(List.of(), IngestOptions.defaults()));
    }

    @Test
    void byteOrderMarkAndCustomMappingWithOwnTimestampFormat() throws Exception {
        Path bom = write("bom.csv", "\uFEFF" + GENERIC_HEADER + "c,o,2024-01-31 23:59,I,1,1\n");
        assertEquals(1, load(IngestOptions.defaults(), bom).report().rowsAccepted());

        ColumnMapping shop = new ColumnMapping("shop", "Kunde", "Beleg", "Datum", "Artikel", "Menge", "Preis",
                null, "Warengruppe", null, List.of("dd.MM.uuuu HH:mm", "dd.MM.uuuu"), "S", null);
        Path f = write("shop.csv", "Beleg;Kunde;Datum;Artikel;Menge;Preis;Warengruppe\n".replace(';', ',')
                + "B1,K9,31.01.2024 18:30,a-1,2,9.99,Garden\n"
                + "S2,K9,01.02.2024,a-1,1,9.99,Garden\n"
                + "B3,K9,30.02.2024,a-1,1,9.99,Garden\n");
        IngestResult r = load(IngestOptions.defaults().withMapping(shop).withErrorBudget(0.5), f);
        assertEquals(List.of(f + ":3"), r.report().samples(RejectReason.CANCELLATION));
        assertEquals(List.of(f + ":4 (Datum '30.02.2024')"), r.report().samples(RejectReason.MALFORMED_TIMESTAMP));
        assertEquals(LocalDateTime.of(2024, 1, 31, 18, 30), r.transactions().timestampOf(0));
        assertEquals("Garden", r.transactions().itemCategory(0));
        assertEquals("", r.transactions().itemDescription(0));
        assertEquals("shop", r.report().files().get(0).mapping());
    }

    @Test
    void anOrderSequenceStandsInForMissingTimestamps() throws Exception {
        Path f = write("seq.csv", "customer_id,order_id,sequence,item_id,quantity,unit_price\n"
                + "c1,o9,2,P2,1,1\n"   // 2 second order of c1, listed first
                + "c1,o3,1,P1,1,1\n"   // 3
                + "c2,o4,x,P1,1,1\n"   // 4 malformed sequence
                + "c2,o5,-1,P1,1,1\n"  // 5 negative sequence
                + "c2,o6,7,P3,2,1\n"  // 6
                + "c2,o7,8.0,P3,2,1\n" // 7 a spreadsheet's whole number
                + "c2,o8,8.5,P3,2,1\n"); // 8 not whole
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(0.5), f);
        assertEquals(ColumnMapping.GENERIC_SEQUENCE, r.report().files().get(0).mapping());
        assertEquals(0, r.report().rejectedCount(RejectReason.MALFORMED_TIMESTAMP), "a sequence is no timestamp");
        assertEquals(List.of(f + ":4 (sequence 'x')", f + ":5 (sequence '-1')", f + ":8 (sequence '8.5')"),
                r.report().samples(RejectReason.MALFORMED_SEQUENCE));
        Transactions tx = r.transactions();
        assertTrue(tx.sequenceOnly());
        int first = -1;
        int second = -1;
        for (int o = 0; o < tx.orderCount(); o++) {
            if (tx.orderId(o).equals("o3")) {
                first = o;
            } else if (tx.orderId(o).equals("o9")) {
                second = o;
            }
        }
        assertEquals(java.time.LocalDateTime.parse("1970-01-02T00:00"), tx.timestampOf(first), "sequence 1 = day 1");
        assertTrue(tx.localEpochSecondOf(first) < tx.localEpochSecondOf(second), "order follows the sequence");
        assertEquals(java.time.LocalDateTime.parse("1970-01-09T00:00"), tx.timestampOf(tx.orderCount() - 1), "8.0 = 8");
        assertFalse(load(IngestOptions.defaults(), write("ts.csv", GENERIC_HEADER + "c1,o1,2024-01-01,P1,1,1\n"))
                .transactions().sequenceOnly());
    }

    @Test
    void neitherTimestampNorSequenceIsAClearError() throws Exception {
        Path f = write("none.csv", "customer_id,order_id,item_id,quantity,unit_price\nc1,o1,P1,1,1\n");
        IngestException e = assertThrows(IngestException.class, () -> load(IngestOptions.defaults(), f));
        assertTrue(e.getMessage().contains("none.csv") && e.getMessage().contains("order sequence column"),
                e.getMessage());
    }

    @Test
    void sequenceAndTimestampFilesDoNotMix() throws Exception {
        Path a = write("a.csv", GENERIC_HEADER + "c1,o1,2024-01-01,P1,1,1\n");
        Path b = write("b.csv", "customer_id,order_id,sequence,item_id,quantity,unit_price\nc1,o2,1,P1,1,1\n");
        IngestException e = assertThrows(IngestException.class, () -> load(IngestOptions.defaults(), a, b));
        assertTrue(e.getMessage().startsWith("b.csv") || e.getMessage().contains("b.csv"), e.getMessage());
    }

    @Test
    void isoTimestampsWithFractionsAndOffsetsKeepTheWallClockTimeAsWritten() throws Exception {
        String[] written = {"2024-01-01T09:10:00Z", "2024-01-01T09:10:00+01:00", "2024-01-01T09:10:00.123",
                "2024-01-01 09:10:00.000", "2024-01-01 09:10:00+00", "2024-01-01T09:10:00.000Z",
                "2024-01-01T09:10:00.123456789-05:00", "2024-01-01T09:10:00.5+0530", "2024-01-01T09:10Z",
                "2024-01-01 09:10:00"};
        StringBuilder sb = new StringBuilder(GENERIC_HEADER);
        for (int i = 0; i < written.length; i++) {
            sb.append("c1,o").append(i).append(',').append(written[i]).append(",P1,1,1\n");
        }
        sb.append("c1,o98,2024-01-01T09:10:00+25:00,P1,1,1\n")   // no such offset
                .append("c1,o99,2024-01-01T09:10:00.,P1,1,1\n");  // a dot without digits
        Path f = write("iso.csv", sb.toString());
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(1.0), f);
        Transactions tx = r.transactions();
        assertEquals(written.length, tx.orderCount(), r.report().toText());
        for (int o = 0; o < tx.orderCount(); o++) {
            // the shop's day and time as written: an offset is dropped, not applied; fractions are dropped
            assertEquals(LocalDateTime.parse("2024-01-01T09:10"), tx.timestampOf(o), written[o]);
        }
        assertEquals(List.of(f + ":12 (timestamp '2024-01-01T09:10:00+25:00')",
                f + ":13 (timestamp '2024-01-01T09:10:00.')"), r.report().samples(RejectReason.MALFORMED_TIMESTAMP));
    }

    @Test
    void anOrderNumberReusedByAnotherCustomerIsRejectedNotMerged() throws Exception {
        Path a = write("collide.csv", GENERIC_HEADER
                + ",1,2024-01-05,A1,1,1\n"                    // 2 anonymous row first: alice's order below
                + "alice@example.com,1,2024-01-05,A2,1,1\n"   // 3 claims order 1
                + "alice@example.com,2,2024-02-05,B1,1,1\n"   // 4
                + "bob@example.com,1,2024-03-05,C1,1,1\n"     // 5 order 1 is alice's: conflict
                + "NULL,1,2024-01-05,A3,1,1\n"                // 6 placeholder: a missing value in alice's order
                + "bob@example.com,3,2024-04-05,D1,1,1\n");   // 7
        Path b = write("other-store.csv", GENERIC_HEADER
                + "carol@example.com,2,2024-05-05,E1,1,1\n"   // 2 order 2 of the first file is alice's: conflict
                + "alice@example.com,2,2024-02-05,B1,1,1\n"); // 3 the same order again: overlapping exports
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(1.0), a, b);
        IngestReport rep = r.report();
        assertEquals(List.of(a + ":5 (order_id '1' already belongs to another customer)",
                b + ":2 (order_id '2' already belongs to another customer)"),
                rep.samples(RejectReason.ORDER_CUSTOMER_CONFLICT));
        assertTrue(RejectReason.ORDER_CUSTOMER_CONFLICT.isMalformed(), "counts against the error budget");
        assertEquals(2, rep.malformed());
        assertEquals(List.of(b + ":3"), rep.samples(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE));
        assertFalse(rep.samples(RejectReason.ORDER_CUSTOMER_CONFLICT).toString().contains("bob"), "no customer id");

        Transactions tx = r.transactions();
        assertEquals(3, tx.orderCount());
        assertEquals(0, rep.rowsAcceptedAnonymous(), "the blank and NULL rows belong to alice's order");
        assertEquals(1, rep.rowsAcceptedPlaceholderCustomer());
        assertEquals(2, tx.customerCount(), "alice and bob; no customer 'NULL'");
        for (int o = 0; o < tx.orderCount(); o++) {
            String who = tx.customerId(tx.customerOf(o));
            assertEquals(tx.orderId(o).equals("3") ? "bob@example.com" : "alice@example.com", who, tx.orderId(o));
        }
        int order1 = tx.orderId(0).equals("1") ? 0 : -1;
        assertEquals(3, tx.lineEnd(order1) - tx.lineStart(order1), "A1, A2, A3; not bob's C1");
        assertTrue(tx.itemIndex("C1") < 0 && tx.itemIndex("E1") < 0, "the conflicting rows are not used");

        // one export whose order numbers restart per store: far over the budget, so training stops
        IngestException e = assertThrows(IngestException.class, () -> load(IngestOptions.defaults(), a, b));
        assertTrue(e.getMessage().contains("order_customer_conflict at " + a + ":5"), e.getMessage());
        // the rows are well-formed: the summary must not send the reader looking for broken lines only
        assertTrue(e.getMessage().startsWith("2 of 8 rows are malformed or conflicting (25.00%)"), e.getMessage());
        assertTrue(rep.toText().contains("malformed or conflicting"), rep.toText());
    }

    @Test
    void placeholderCustomerIdsAreAnonymousAndCounted() throws Exception {
        Path f = write("guests.csv", GENERIC_HEADER
                + "NULL,o1,2024-01-01,P1,1,1\n" + " null ,o2,2024-01-01,P1,1,1\n" + "None,o3,2024-01-01,P1,1,1\n"
                + "NaN,o4,2024-01-01,P1,1,1\n" + "n/a,o5,2024-01-01,P1,1,1\n" + "#N/A,o6,2024-01-01,P1,1,1\n"
                + "c1,o7,2024-01-01,P1,1,1\n" + "Nullmann,o8,2024-01-01,P1,1,1\n" + ",o9,2024-01-01,P1,1,1\n");
        IngestResult r = load(IngestOptions.defaults(), f);
        assertEquals(6, r.report().rowsAcceptedPlaceholderCustomer());
        assertEquals(7, r.report().rowsAcceptedAnonymous());
        assertEquals(7, r.report().ordersAcceptedAnonymous());
        assertEquals(2, r.transactions().customerCount(), "c1 and Nullmann only");
        assertTrue(r.report().toText().contains("customer id NULL, N/A... (as blank)"), r.report().toText());
    }

    @Test
    void aByteOrderMarkBeforeAQuotedHeaderNameIsNotPartOfTheName() throws Exception {
        // Found by IngestFuzzTest: with the BOM glued to it, "Invoice" read as the unquoted name \uFEFF"Invoice", so
        // an export whose every field is quoted (R, pandas QUOTE_ALL) failed with "header matches no preset".
        Path f = write("bom-quoted.csv", "\uFEFF\"Invoice\",\"StockCode\",\"Description\",\"Quantity\",\"InvoiceDate\","
                + "\"Price\",\"Customer ID\",\"Country\"\r\n"
                + "\"489434\",\"85048\",\"GLASS BALL\",\"12\",\"2009-12-01 07:45:00\",\"6.95\",\"13085.0\",\"United Kingdom\"\r\n");
        IngestResult r = load(IngestOptions.defaults(), f);
        assertEquals("online-retail-ii", r.report().files().get(0).mapping());
        assertEquals(1, r.report().rowsAccepted());
        assertEquals("13085", r.transactions().customerId(0));
    }

    @Test
    void aFileWithoutItsHeaderLineIsReportedWithoutQuotingTheEmailAddressesOfItsFirstRow() throws Exception {
        // Found by IngestFuzzTest: the first data row is taken for the header, and the message listed its cells.
        Path f = write("no-header.csv", "anna@example.com,o-1,2024-01-05T10:12:00,TASSE-1,2,4.33\n");
        IngestException detected = assertThrows(IngestException.class, () -> load(IngestOptions.defaults(), f));
        assertTrue(detected.getMessage().startsWith(f + ": header matches no column mapping preset; header found: "
                + "[(16 characters with an '@', not shown), o-1, 2024-01-05T10:12:00, TASSE-1, 2, 4.33]; presets: "),
                detected.getMessage());
        IngestException mapped = assertThrows(IngestException.class, () -> load(IngestOptions.defaults()
                .withMapping(ColumnMapping.ofColumns("customer=Kunde,order=Beleg,timestamp=Datum,item=Artikel,"
                        + "quantity=Menge,price=Preis")), f));
        assertEquals(f + ":1: column 'Kunde' (role customer, required by mapping 'columns') is missing from the "
                + "header; headers found: [(16 characters with an '@', not shown), o-1, 2024-01-05T10:12:00, TASSE-1, "
                + "2, 4.33]", mapped.getMessage());
    }

    @Test
    void aRejectedCellThatLooksLikeAnEmailAddressIsNotQuotedInTheSamples() throws Exception {
        // Columns swapped by mistake: the customer's e-mail address sits in the timestamp column.
        Path f = write("swapped.csv", GENERIC_HEADER
                + "2024-01-01,o1,ann.smith@example.com,P1,1,1\n"   // 2
                + "c2,o2,2024-01-0x,P1,1,1\n");                      // 3: an ordinary bad timestamp is quoted
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(1.0), f);
        List<String> samples = r.report().samples(RejectReason.MALFORMED_TIMESTAMP);
        assertEquals(List.of(f + ":2 (timestamp (21 characters with an '@', not shown: a customer's e-mail "
                + "address in the wrong column?))", f + ":3 (timestamp '2024-01-0x')"), samples);
    }

    @Test
    void anIdOverTheModelLimitIsRejectedAtIngestWithoutEchoingIt() throws Exception {
        String longCustomer = "x".repeat(140) + "@example.com";
        String longItem = "I".repeat(129);
        Path f = write("long.csv", GENERIC_HEADER
                + longCustomer + ",o1,2024-01-01,P1,1,1\n"        // 2
                + "c1,o2,2024-01-01," + longItem + ",1,1\n"       // 3
                + "c1,o3,2024-01-01," + "I".repeat(128) + ",1,1\n" // 4 exactly 128: fine
                + " " + "c".repeat(128) + " ,o4,2024-01-01,P1,1,1\n"); // 5 128 after trimming: fine
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(1.0), f);
        assertEquals(List.of(f + ":2 (customer_id of 152 characters, at most 128)",
                f + ":3 (item_id of 129 characters, at most 128)"), r.report().samples(RejectReason.MALFORMED_ID_TOO_LONG));
        assertEquals(2, r.report().malformed());
        assertEquals(2, r.report().rowsAccepted());
        IngestException e = assertThrows(IngestException.class, () -> load(IngestOptions.defaults(), f));
        assertFalse(e.getMessage().contains("xxxx"), "no customer id: " + e.getMessage());
    }

    @Test
    void aQuantityOrPriceNoRetailLineHasIsMalformedNotASpendThatBreaksTheCustomerModels() throws Exception {
        // 1e300 x 1e300 stopped train after mining with "totalSpend must be finite", naming no row; a 20-digit
        // quantity (a barcode or an order number in the wrong column) made its customer the best one
        Path f = write("huge.csv", GENERIC_HEADER
                + "c1,o1,2024-01-01,P1,1e300,1e300\n"                   // 2
                + "c1,o2,2024-01-01,P1,99999999999999999999,3\n"        // 3
                + "c1,o3,2024-01-01,P1,4006381333931,3\n"               // 4 an EAN-13 in the quantity column
                + "c1,o4,2024-01-01,P1,1,4006381333931000\n"            // 5
                + "c1,o5,2024-01-01,P1,-99999999999999999999,3\n"       // 6 no cancellation of so many either
                + "c1,o6,2024-01-01,P1,1000000000,999999999999\n"       // 7 the largest accepted
                + "c1,o7,2024-01-01,P1,80995,1.04\n");                  // 8 UCI's largest line
        IngestResult r = load(IngestOptions.defaults().withErrorBudget(1.0), f);
        String why = " out of range (at most 1,000,000,000 either way): an id or a barcode in the quantity column?)";
        assertEquals(List.of(f + ":2 (quantity '1e300'" + why, f + ":3 (quantity '99999999999999999999'" + why,
                f + ":4 (quantity '4006381333931'" + why, f + ":6 (quantity '-99999999999999999999'" + why),
                r.report().samples(RejectReason.MALFORMED_QUANTITY));
        assertEquals(List.of(f + ":5 (unit_price '4006381333931000' out of range (at most 1,000,000,000,000 either "
                + "way): an id or a barcode in the price column?)"), r.report().samples(RejectReason.MALFORMED_PRICE));
        assertEquals(2, r.report().rowsAccepted());
    }

    /**
     * A shop system's guest-checkout id (WooCommerce writes 0) made one customer of every guest: with half of the
     * orders it was the most valuable customer and everyone's neighbour, silently. Ingest now warns about a
     * customer id holding over 5% of the orders (without showing it), and --guest-customers reads its rows as
     * anonymous baskets, counted with the placeholders; every row is still used or rejected.
     */
    @Test
    void aGuestCheckoutIdIsWarnedAboutAndReadAsAnonymousWhenListed() throws Exception {
        StringBuilder sb = new StringBuilder(GENERIC_HEADER);
        for (int o = 0; o < 60; o++) {
            String customer = o % 2 == 0 ? (o % 4 == 0 ? "0" : "0.0") : "c" + (o % 10);
            for (int line = 0; line < 2; line++) {
                sb.append(customer).append(",o").append(o).append(",2011-05-0").append(1 + o % 9).append("T10:00:00,")
                        .append(line == 0 ? "A" : "B" + o % 3).append(",1,2.5\n");
            }
        }
        Path f = write("guests.csv", sb.toString());

        IngestResult plain = load(IngestOptions.defaults(), f);
        assertEquals(6, plain.transactions().customerCount(), "0 and 0.0 are one customer, with c1..c9 odd");
        String warning = plain.transactions().outsizedCustomerWarning().orElseThrow();
        assertTrue(warning.startsWith("one customer id holds 50.0% of the orders that name a customer (30 of 60)"),
                warning);
        assertTrue(warning.contains("--guest-customers"), warning);

        IngestResult guests = load(IngestOptions.defaults().withGuestCustomers(java.util.Set.of("0")), f);
        assertEquals(5, guests.transactions().customerCount());
        assertEquals(60, guests.transactions().orderCount(), "guest orders stay, as anonymous baskets");
        assertEquals(60, guests.report().rowsAcceptedPlaceholderCustomer());
        assertEquals(-1, guests.transactions().customerIndex("0"));
        assertTrue(guests.transactions().outsizedCustomerWarning().isEmpty());
        assertTrue(plain.transactions().customerIndex("0") >= 0);
        assertEquals(plain.report().rowsAccepted(), guests.report().rowsAccepted());
    }

    /** A listed objection to profiling: the customer's orders become anonymous baskets, nothing else changes. */
    @Test
    void anonymisingACustomerKeepsTheirOrdersAsBasketsAndRenumbersNoOneElse() throws Exception {
        Path f = write("objection.csv", GENERIC_HEADER
                + "c1,o1,2011-05-01T10:00:00,P1,2,2.5\nc2,o2,2011-05-02T10:00:00,P1,1,2.5\n"
                + "c2,o2,2011-05-02T10:00:00,P2,1,4.0\nc3,o3,2011-05-03T10:00:00,P2,3,4.0\n"
                + "c2,o4,2011-05-04T10:00:00,P3,1,1.0\nc2,r5,2011-05-05T10:00:00,P2,-1,4.0\n");
        Transactions loaded = load(IngestOptions.defaults(), f).transactions();
        assertEquals(3, loaded.customerCount());
        assertSame(loaded, loaded.anonymising(java.util.Set.of("c9")), "nobody of the list bought anything");

        Transactions tx = loaded.anonymising(java.util.Set.of("c2", "c9"));
        assertEquals(loaded.orderCount(), tx.orderCount(), "every order stays");
        assertEquals(loaded.lineCount(), tx.lineCount());
        assertEquals(List.of("c1", "c3"), List.of(tx.customerId(0), tx.customerId(1)));
        assertEquals(2, tx.customerCount());
        assertEquals(-1, tx.customerIndex("c2"));
        for (int o = 0; o < tx.orderCount(); o++) {
            int before = loaded.customerOf(o);
            String id = before < 0 ? null : loaded.customerId(before);
            int after = tx.customerOf(o);
            assertEquals("c2".equals(id) || id == null ? null : id, after < 0 ? null : tx.customerId(after),
                    loaded.orderId(o));
        }
        for (int c = 0; c < tx.customerCount(); c++) {
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                assertEquals(c, tx.customerOf(tx.customerOrder(k)));
            }
        }
        // c2's return of P2 was netted against their purchase: lines keep what was kept, as the loader netted it
        for (int l = 0; l < tx.lineCount(); l++) {
            assertEquals(loaded.keptQuantityOfLine(l), tx.keptQuantityOfLine(l), 0.0);
            assertEquals(loaded.itemOfLine(l), tx.itemOfLine(l));
        }
        assertEquals(1, loaded.everyReturnNetted().netted());
    }

    /**
     * The evaluation's numbering: by first purchase, then by that purchase's line. Read newest first, the loader
     * numbers the items of the last orders first; numbered by first purchase, the items bought before an instant are
     * numbered by those rows alone, wherever the later rows stand, and the items first bought after it follow.
     */
    @Test
    void numberingByFirstPurchaseDependsOnTheEarlierRowsOnly() throws Exception {
        List<String> may = List.of("c2,o1,2011-05-01T10:00:00,P9,1,1.0", "c2,o1,2011-05-01T10:00:00,P3,1,1.0",
                "c1,o2,2011-05-02T10:00:00,P3,1,1.0", ",o3,2011-05-03T10:00:00,P5,1,1.0");
        List<String> june = List.of("c3,o4,2011-06-01T10:00:00,P1,1,1.0", "c1,o4b,2011-06-02T10:00:00,P9,1,1.0");
        java.util.function.Function<List<String>, List<String>> reversed = l -> {
            List<String> r = new java.util.ArrayList<>(l);
            java.util.Collections.reverse(r);
            return r;
        };
        java.util.function.BiFunction<String, List<List<String>>, Transactions> load = (name, parts) -> {
            try {
                return load(IngestOptions.defaults(), write(name, GENERIC_HEADER + String.join("\n",
                        parts.stream().flatMap(List::stream).toList()) + "\n")).transactions();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Transactions oldest = load.apply("oldest.csv", List.of(may, june));
        Transactions newest = load.apply("newest.csv", List.of(reversed.apply(june), reversed.apply(may)));
        Transactions juneLast = load.apply("june-last.csv", List.of(reversed.apply(may), june));
        assertEquals("P9", newest.itemId(0), "the loader numbers in row order: June's last purchase first");

        java.util.function.Function<Transactions, List<String>> items = tx -> java.util.stream.IntStream
                .range(0, tx.itemCount()).mapToObj(tx::itemId).toList();
        java.util.function.Function<Transactions, List<String>> customers = tx -> java.util.stream.IntStream
                .range(0, tx.customerCount()).mapToObj(tx::customerId).toList();
        assertEquals(items.apply(oldest), items.apply(oldest.numberedByFirstPurchase()), "in time order: as loaded");
        assertEquals(customers.apply(oldest), customers.apply(oldest.numberedByFirstPurchase()));
        // newest first, o1's lines are P3 then P9; June's rows, first or last in the file, change no number of May's
        for (Transactions tx : List.of(newest.numberedByFirstPurchase(), juneLast.numberedByFirstPurchase())) {
            assertEquals(List.of("P3", "P9", "P5", "P1"), items.apply(tx));
            assertEquals(List.of("c2", "c1", "c3"), customers.apply(tx));
        }
        Transactions tx = newest.numberedByFirstPurchase();
        assertEquals(newest.orderCount(), tx.orderCount(), "orders and lines keep their numbers");
        for (int o = 0; o < tx.orderCount(); o++) {
            assertEquals(newest.orderId(o), tx.orderId(o));
            assertEquals(newest.timestampOf(o), tx.timestampOf(o));
            int c = newest.customerOf(o);
            assertEquals(c < 0 ? null : newest.customerId(c), tx.customerOf(o) < 0 ? null
                    : tx.customerId(tx.customerOf(o)));
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                assertEquals(newest.itemId(newest.itemOfLine(l)), tx.itemId(tx.itemOfLine(l)));
                assertEquals(newest.quantityOfLine(l), tx.quantityOfLine(l), 0.0);
            }
        }
        for (int c = 0; c < tx.customerCount(); c++) {
            assertEquals(tx.customerIndex(tx.customerId(c)), c);
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                assertEquals(c, tx.customerOf(tx.customerOrder(k)), "each customer's orders under the new number");
            }
        }
    }
}
