package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The list of customers a run must not use, and what loading does with their rows. */
@UnitTest
class ExcludedCustomersTest {
    @TempDir
    Path dir;

    @Test
    void readsTheCustomerIdColumnOfACrmExportNormalisedAsTheExportsAre() throws Exception {
        Path f = Files.writeString(dir.resolve("erased.csv"), "\uFEFFRequested_At,Customer_ID,ticket\n"
                + "2026-11-01,17850.0,T-1\n\n2026-11-02,  c9 ,T-2\n2026-11-03,17850,T-3\n");
        ExcludedCustomers list = ExcludedCustomers.read(f);
        assertEquals(Set.of("17850", "c9"), list.ids());
        assertEquals(Files.size(f), list.bytes());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(f))), list.sha256());
        assertFalse(list.toString().contains("17850"), list.toString());
        assertEquals(Set.of(), ExcludedCustomers.read(Files.writeString(dir.resolve("none.csv"), "customer_id\n")).ids());
    }

    @Test
    void aListThatCannotBeReadFailsNamingFileAndLineWithoutShowingAnId() throws Exception {
        String tooLong = "9".repeat(129);
        for (String[] bad : new String[][] {
                {"id\n17850\n", "erased.csv:1: the header needs a column 'customer_id' (one customer per row)"},
                {"", "erased.csv:1: empty file, expected a header with a column 'customer_id'"},
                {"customer_id,note\n17850,a\n17851\n", "erased.csv:3: expected 2 fields, found 1"},
                {"customer_id,note\n ,blank\n", "erased.csv:2: invalid customer_id (customerId must not be blank)"},
                {"customer_id\n" + tooLong + "\n", "erased.csv:2: invalid customer_id (customerId longer than 128"}}) {
            Path f = Files.writeString(dir.resolve("erased.csv"), bad[0]);
            ExcludedCustomers.InvalidListException e = assertThrows(ExcludedCustomers.InvalidListException.class,
                    () -> ExcludedCustomers.read(f), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertFalse(e.getMessage().contains("17851") || e.getMessage().contains(tooLong), e.getMessage());
        }
        Path latin1 = Files.write(dir.resolve("latin1.csv"), "customer_id\nM\u00fcller\n".getBytes(
                StandardCharsets.ISO_8859_1));
        ExcludedCustomers.InvalidListException e = assertThrows(ExcludedCustomers.InvalidListException.class,
                () -> ExcludedCustomers.read(latin1));
        assertTrue(e.getMessage().startsWith(latin1 + ":2:"), e.getMessage());
        // the list is UTF-8 only: the hint says so instead of naming --encoding, which sets the exports' encoding
        assertTrue(e.getMessage().endsWith("the file is read as UTF-8 only: save it as UTF-8 (in Excel: \"CSV "
                + "UTF-8\")"), e.getMessage());
        assertFalse(e.getMessage().contains("--encoding"), e.getMessage());
        byte[] body = "customer_id\n17850\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] marked = new byte[body.length + 2]; // Excel's "Unicode Text": UTF-16LE after its byte order mark
        marked[0] = (byte) 0xFF;
        marked[1] = (byte) 0xFE;
        System.arraycopy(body, 0, marked, 2, body.length);
        Path utf16 = Files.write(dir.resolve("utf16.csv"), marked);
        String wide = assertThrows(ExcludedCustomers.InvalidListException.class, () -> ExcludedCustomers.read(utf16))
                .getMessage();
        assertTrue(wide.startsWith(utf16 + ":1: starts with a UTF-16 byte order mark") && wide.endsWith("save it as "
                + "UTF-8 (in Excel: \"CSV UTF-8\")"), wide);
    }

    /** Every row of an excluded customer is counted as excluded, whatever else it is; other rows are untouched. */
    @Test
    void loadingCountsEveryRowOfAnExcludedCustomerAndUsesNoneOfThem() throws Exception {
        Path orders = Files.writeString(dir.resolve("orders.csv"), "customer_id,order_id,timestamp,item_id,quantity,"
                + "unit_price\n"
                + "1,o1,2011-05-01 10:00,I1,1,1.0\n1,o1,2011-05-01 10:00,I2,1,2.0\n"
                + "20777.0,o2,2011-05-02 10:00,I1,1,1.0\n20777,o2,2011-05-02 10:00,I2,2,2.0\n"
                + "20777,C3,2011-05-03 10:00,I1,-1,1.0\n20777,o4,2011-05-04 10:00,POST,1,5.0\n"
                + "3,o5,2011-05-05 10:00,I2,1,2.0\n");
        IngestOptions options = IngestOptions.defaults().withFormat("generic").withExcludedCustomers(Set.of("20777.0"));
        IngestResult r = TransactionLoader.load(List.of(orders), options);
        IngestReport report = r.report();
        assertEquals(4, report.rejected().get(RejectReason.EXCLUDED_CUSTOMER.code()).count(),
                "the cancellation and the postage row of customer 20777 count as excluded too");
        assertEquals(0, report.rejected().get(RejectReason.CANCELLATION.code()).count());
        assertEquals(0, report.rejected().get(RejectReason.NON_PRODUCT_CODE.code()).count());
        assertEquals(3, report.rowsAccepted());
        assertEquals(2, report.customers());
        assertTrue(report.toText().contains("excluded_customer"), report.toText());
        assertFalse(options.toString().contains("20777"), "no id in: " + options);
        assertThrows(IllegalArgumentException.class, () -> options.withExcludedCustomers(Set.of(" ")));
    }
}
