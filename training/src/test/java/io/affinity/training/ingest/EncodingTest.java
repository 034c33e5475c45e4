package io.affinity.training.ingest;

import io.affinity.testing.UnitTest;
import io.affinity.training.customers.ConsentFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reader of retailer files decodes strictly: bytes that are not valid in the encoding stop the read naming
 * {@code file:line}, and the right {@code encoding} reads them. A Windows-1252 file read as UTF-8 used to turn
 * {@code jürgen} and {@code jörgen} into one customer.
 */
@UnitTest
class EncodingTest {
    private static final Charset CP1252 = Charset.forName("windows-1252");

    @TempDir
    Path dir;

    /** Line 4 (after a quoted field spanning lines 2-3, CRLF line ends) holds the first non-ASCII byte. */
    private static final String ORDERS = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description\r\n"
            + "anna@example.de,o1,2024-01-01,A-1,1,1.0,\"two\r\nlines\"\r\n"
            + "jürgen@example.de,o2,2024-01-02,ÄÖ-1,1,1.0,Grüner Tee\r\n"
            + "jörgen@example.de,o3,2024-01-03,ÖÄ-1,1,1.0,Grüner Tee\r\n";

    private Path write(String name, String text, Charset charset) throws Exception {
        return Files.write(dir.resolve(name), text.getBytes(charset));
    }

    @Test
    void aWindows1252ExportReadAsUtf8StopsAtTheLineInsteadOfMergingIds() throws Exception {
        Path f = write("latin1.csv", ORDERS, CP1252);
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults()));
        assertEquals(f + ":4: not valid UTF-8 (byte 0xFC); if the export is Windows-1252/Latin-1 pass --encoding "
                + "windows-1252; nothing loaded", e.getMessage());
        assertFalse(e.getMessage().contains("rgen@"), "no customer id in the message");

        Transactions tx = TransactionLoader.load(List.of(f), IngestOptions.defaults(), CP1252).transactions();
        assertEquals(3, tx.customerCount(), "jürgen and jörgen stay two customers");
        assertEquals(3, tx.itemCount());
        assertTrue(tx.itemIndex("ÄÖ-1") >= 0 && tx.itemIndex("ÖÄ-1") >= 0);
        assertEquals("Grüner Tee", tx.itemDescription(tx.itemIndex("ÄÖ-1")));
    }

    @Test
    void utf8StillLoadsAndABadByteInsideAGzipOrAtTheEndIsNamedToo() throws Exception {
        Path ok = write("utf8.csv", ORDERS, StandardCharsets.UTF_8);
        assertEquals(3, TransactionLoader.load(List.of(ok), IngestOptions.defaults()).transactions().customerCount());

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(ORDERS.getBytes(CP1252));
        }
        Path gzip = Files.write(dir.resolve("latin1.csv.gz"), gz.toByteArray());
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(gzip), IngestOptions.defaults()));
        assertTrue(e.getMessage().startsWith(gzip + ":4: not valid UTF-8"), e.getMessage());

        // a multi-byte sequence cut off by the end of the file
        byte[] good = ORDERS.getBytes(StandardCharsets.UTF_8);
        byte[] cut = java.util.Arrays.copyOf(good, good.length + 1);
        cut[good.length] = (byte) 0xC3;
        Path truncated = Files.write(dir.resolve("cut.csv"), cut);
        e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(truncated), IngestOptions.defaults()));
        assertTrue(e.getMessage().startsWith(truncated + ":6: not valid UTF-8 (byte 0xC3)"), e.getMessage());
    }

    @Test
    void catalogueAndConsentFilesAreDecodedStrictlyToo() throws Exception {
        Path catalog = write("catalog.csv", "item_id,description\nA-1,Tee\nÄÖ-1,Grüner Tee\n", CP1252);
        CatalogFile.CatalogException c = assertThrows(CatalogFile.CatalogException.class,
                () -> CatalogFile.read(catalog, 0.01));
        assertTrue(c.getMessage().startsWith(catalog + ":3: not valid UTF-8 (byte 0xC4)"), c.getMessage());
        assertTrue(CatalogFile.read(catalog, 0.01, CP1252).entries().containsKey("ÄÖ-1"));

        Path consent = write("consent.csv", "customer_id,channel,state\nanna@example.de,email,opted_in\n"
                + "jürgen@example.de,email,opted_out\n", CP1252);
        ConsentFile.ConsentFileException x = assertThrows(ConsentFile.ConsentFileException.class,
                () -> ConsentFile.read(consent));
        assertTrue(x.getMessage().startsWith(consent + ":3: not valid UTF-8 (byte 0xFC)"), x.getMessage());
        // the consent file's encoding is its own option, not the exports' --encoding
        assertTrue(x.getMessage().endsWith("pass --consent-encoding windows-1252"), x.getMessage());
        assertFalse(x.getMessage().contains("rgen@"), "no customer id in the message");
        assertTrue(ConsentFile.read(consent, CP1252).containsKey("jürgen@example.de"));
    }

    /** Excel's "Unicode Text" export: UTF-16 little-endian with its byte order mark, tab-separated, CR LF. */
    private static byte[] utf16WithBom(String text, boolean littleEndian) {
        byte[] bom = littleEndian ? new byte[] {(byte) 0xFF, (byte) 0xFE} : new byte[] {(byte) 0xFE, (byte) 0xFF};
        byte[] body = text.getBytes(littleEndian ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
        byte[] all = java.util.Arrays.copyOf(bom, bom.length + body.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        return all;
    }

    @Test
    void aUtf16ExportIsNamedAsSuchNotSentToWindows1252WhereItDecodesIntoNulCharacters() throws Exception {
        IngestOptions tabs = IngestOptions.defaults().withDialect(new CsvDialect('\t', false));
        String tsv = ORDERS.replace(',', '\t');
        for (boolean le : new boolean[] {true, false}) {
            Path f = Files.write(dir.resolve("unicode-" + le + ".txt"), utf16WithBom(tsv, le));
            for (Charset wrong : List.of(StandardCharsets.UTF_8, CP1252, StandardCharsets.ISO_8859_1)) {
                IngestException e = assertThrows(IngestException.class,
                        () -> TransactionLoader.load(List.of(f), tabs, wrong), wrong.name());
                assertEquals(f + ":1: starts with a UTF-16 byte order mark (0x" + (le ? "FF 0xFE" : "FE 0xFF")
                        + ": Excel's \"Unicode Text\" and other UTF-16 exports), not " + wrong.name()
                        + "; pass --encoding UTF-16; nothing loaded", e.getMessage());
            }
            Transactions tx = TransactionLoader.load(List.of(f), tabs, StandardCharsets.UTF_16).transactions();
            assertEquals(3, tx.customerCount(), "read as UTF-16 it loads");
            assertEquals("Grüner Tee", tx.itemDescription(tx.itemIndex("ÄÖ-1")));
        }
    }

    @Test
    void aUtf8FileWithItsByteOrderMarkIsNotReadAsWindows1252IntoOtherIds() throws Exception {
        // the first column is not one the layout uses, so its mangled name "\u00ef\u00bb\u00bfstore" went unnoticed
        // and every \u00fc was read as "\u00c3\u00bc": other customers than the consent list's and the API's
        String withStore = ORDERS.replace("\r\n", "\r\nB1,").replace("customer_id,", "store,customer_id,")
                .replaceAll("B1,$", "");
        byte[] body = withStore.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[body.length + 3];
        all[0] = (byte) 0xEF;
        all[1] = (byte) 0xBB;
        all[2] = (byte) 0xBF;
        System.arraycopy(body, 0, all, 3, body.length);
        Path f = Files.write(dir.resolve("utf8-bom.csv"), all);
        assertEquals(3, TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions().customerCount());
        IngestException e = assertThrows(IngestException.class,
                () -> TransactionLoader.load(List.of(f), IngestOptions.defaults(), CP1252));
        assertEquals(f + ":1: starts with a UTF-8 byte order mark (0xEF 0xBB 0xBF), not windows-1252; pass "
                + "--encoding UTF-8; nothing loaded", e.getMessage());

        Path consent = Files.write(dir.resolve("consent.csv"), utf16WithBom("customer_id,channel,state\r\n"
                + "jürgen@example.de,email,opted_out\r\n", true));
        ConsentFile.ConsentFileException x = assertThrows(ConsentFile.ConsentFileException.class,
                () -> ConsentFile.read(consent));
        assertEquals(consent + ":1: starts with a UTF-16 byte order mark (0xFF 0xFE: Excel's \"Unicode Text\" and "
                + "other UTF-16 exports), not UTF-8; pass --consent-encoding UTF-16", x.getMessage());
        assertTrue(ConsentFile.read(consent, StandardCharsets.UTF_16).containsKey("jürgen@example.de"));
    }

    @Test
    void theReaderHandsOverEveryCharacterAndCountsEveryKindOfLineEnd() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            sb.append("zeile ").append(i).append(" äöü €").append(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
        }
        String text = sb.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringWriter back = new StringWriter();
        try (Reader r = new StrictTextReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
            r.transferTo(back);
        }
        assertEquals(text, back.toString());

        byte[] bad = (text + "x\u00e9").getBytes(CP1252);
        StrictTextReader.UndecodableInputException e = assertThrows(StrictTextReader.UndecodableInputException.class,
                () -> {
                    try (Reader r = new StrictTextReader(new java.io.ByteArrayInputStream(bad),
                            StandardCharsets.UTF_8)) {
                        r.transferTo(new StringWriter());
                    }
                });
        // the first bad byte is the first line's 0xE4 (ä in Windows-1252)
        assertEquals(1, e.line());

        byte[] badLast = (text.replace("äöü €", "aou E") + "x\u00e9").getBytes(CP1252);
        e = assertThrows(StrictTextReader.UndecodableInputException.class, () -> {
            try (Reader r = new StrictTextReader(new java.io.ByteArrayInputStream(badLast), StandardCharsets.UTF_8)) {
                r.transferTo(new StringWriter());
            }
        });
        assertEquals(50_001, e.line(), "after 50,000 line ends of three kinds");
    }
}
