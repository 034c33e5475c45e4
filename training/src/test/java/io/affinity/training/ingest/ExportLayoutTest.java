package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retailer's own export layout: own column names ({@link ColumnMapping#ofColumns}), other delimiters and decimal
 * commas ({@link CsvDialect}), and the header problems they bring (wrong delimiter, duplicate columns).
 */
@UnitTest
class ExportLayoutTest {
    private static final String GERMAN = "customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,"
            + "quantity=Menge,price=Preis,description=Bezeichnung";

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static IngestResult load(IngestOptions options, Path file) throws Exception {
        return TransactionLoader.load(List.of(file), options);
    }

    private static String error(IngestOptions options, Path file) {
        return assertThrows(IngestException.class, () -> load(options, file)).getMessage();
    }

    @Test
    void ownColumnNamesSemicolonsAndDecimalCommasLoad() throws Exception {
        Path f = write("de.csv", "Kunde;Bestellnummer;Datum;Artikel;Menge;Preis;Bezeichnung\n"
                + "k1;B1;2024-01-05T10:00:00;A1;2;4,33;Tasse\n"
                + "k1;B1;2024-01-05T10:00:00;A2;1;12;Teller\n"
                + "k2;B2;2024-01-06;A1;1,5;1.234,50;Tasse\n");    // line 4: thousands dot, refused not guessed
        IngestOptions o = IngestOptions.defaults().withErrorBudget(1)
                .withMapping(ColumnMapping.ofColumns(GERMAN)).withDialect(new CsvDialect(';', true));
        IngestResult r = load(o, f);
        Transactions tx = r.transactions();
        assertEquals(2, r.report().rowsAccepted());
        assertEquals(4.33, tx.unitPriceOfLine(0));
        assertEquals(2.0, tx.quantityOfLine(0));
        assertEquals("Tasse", tx.itemDescription(tx.itemOfLine(0)));
        assertEquals(List.of(f + ":4 (Preis '1.234,50')"),
                r.report().rejected().get(RejectReason.MALFORMED_PRICE.code()).samples());
        assertEquals(ColumnMapping.COLUMNS, r.report().files().get(0).mapping());
    }

    @Test
    void tabsAndPipesAreDelimitersToo() throws Exception {
        for (char d : new char[] {'\t', '|'}) {
            Path f = write("d" + (int) d + ".csv", String.join(String.valueOf(d), "customer_id", "order_id",
                    "timestamp", "item_id", "quantity", "unit_price") + "\n"
                    + String.join(String.valueOf(d), "c1", "o1", "2024-01-01", "I1", "1", "2.5") + "\n");
            IngestResult r = load(IngestOptions.defaults().withDialect(new CsvDialect(d, false)), f);
            assertEquals(1, r.report().rowsAccepted(), "delimiter " + (int) d);
            assertEquals(2.5, r.transactions().unitPriceOfLine(0));
        }
        assertEquals('\t', CsvDialect.parseDelimiter("\\t"));
        assertEquals('\t', CsvDialect.parseDelimiter("tab"));
        assertEquals('\t', CsvDialect.parseDelimiter("\t"));
        assertEquals(';', CsvDialect.parseDelimiter(";"));
        assertThrows(IllegalArgumentException.class, () -> CsvDialect.parseDelimiter("x"));
        assertThrows(IllegalArgumentException.class, () -> CsvDialect.parseDelimiter(";;"));
    }

    @Test
    void aSemicolonOrTabHeaderReadWithCommasSaysSoAndSuggestsTheDelimiter() throws Exception {
        Path semi = write("semi.csv", "customer_id;order_id;timestamp;item_id;quantity;unit_price\nc;o;2024-01-01;I;1;2\n");
        String auto = error(IngestOptions.defaults(), semi);
        assertTrue(auto.startsWith(semi + ": the header has no ',' but contains ';': the file looks ';'-separated, "
                + "pass --delimiter ';'"), auto);
        String generic = error(IngestOptions.defaults().withFormat("generic"), semi);
        assertTrue(generic.startsWith(semi + ":1: the header has no ',' but contains ';'"), generic);
        Path tab = write("tab.tsv", "customer_id\torder_id\ttimestamp\titem_id\tquantity\tunit_price\n");
        assertTrue(error(IngestOptions.defaults(), tab).contains("the file looks tab-separated, pass --delimiter tab"));
        // a comma-separated header without a known layout gets no delimiter hint
        Path odd = write("odd.csv", "when,what\n");
        assertFalse(error(IngestOptions.defaults(), odd).contains("--delimiter"));
        assertTrue(error(IngestOptions.defaults(), odd).contains("--columns"), "the way to map own names is named");
    }

    @Test
    void aMappedHeaderThatIsNotThereNamesRoleHeaderAndHeadersFound() throws Exception {
        Path f = write("de.csv", "Kunde,Bestellnummer,Datum,Artikel,Anzahl,Preis\n");
        String m = error(IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(GERMAN)), f);
        assertEquals(f + ":1: column 'Menge' (role quantity, required by mapping 'columns') is missing from the "
                + "header; headers found: [Kunde, Bestellnummer, Datum, Artikel, Anzahl, Preis]", m);
    }

    @Test
    void anOptionalRoleNamedInColumnsMustBeThereAPresetsOptionalColumnsNeedNot() throws Exception {
        // a typo in description= used to train silently without descriptions, categories and trade-ups
        Path f = write("de.csv", "Kunde,Bestellnummer,Datum,Artikel,Menge,Preis,Bezeichnung,Kategorie\n"
                + "k1,B1,2024-01-05,A1,2,4.33,Tasse,Geschirr\n");
        // the named optional roles, each with one misspelt header, and what the message must say
        for (List<String> c : List.of(List.of("description=Bezeichnug,category=Kategorie", "'Bezeichnug' (role "
                + "description"), List.of("description=Bezeichnung,category=Kat", "'Kat' (role category"),
                List.of("country=Land", "'Land' (role country"))) {
            String m = error(IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(
                    "customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis,"
                            + c.get(0))), f);
            assertTrue(m.startsWith(f + ":1: column " + c.get(1) + ", named by mapping 'columns') is missing from "
                    + "the header; headers found: [Kunde,"), m);
        }
        IngestResult ok = load(IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(
                "customer=Kunde,order=Bestellnummer,timestamp=Datum,item=Artikel,quantity=Menge,price=Preis,"
                        + "description=Bezeichnung,category=Kategorie")), f);
        assertEquals("Geschirr", ok.transactions().itemCategory(0));
        // the generic preset's description, category and country stay optional
        Path generic = write("generic.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                + "c,o,2024-01-01,I,1,2\n");
        assertEquals(1, load(IngestOptions.defaults().withFormat("generic"), generic).report().rowsAccepted());
        assertEquals(1, load(IngestOptions.defaults(), generic).report().rowsAccepted());
    }

    @Test
    void aDuplicateOfAMappedColumnFailsAtLineOneAnUnusedDuplicateIsAllowed() throws Exception {
        Path price = write("price.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price,Unit_Price\n"
                + "c,o,2024-01-01,I,1,2,3\n");
        assertEquals(price + ":1: column 'unit_price' (role price) appears twice in the header (columns 6 and 7); "
                + "rename or remove one of them so that it is clear which one is meant",
                error(IngestOptions.defaults(), price));
        Path desc = write("desc.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price,description,"
                + "description\nc,o,2024-01-01,I,1,2,a,b\n");
        assertTrue(error(IngestOptions.defaults(), desc).contains("'description' (role description) appears twice"));
        Path unused = write("unused.csv", "customer_id,order_id,timestamp,item_id,quantity,unit_price,store,store\n"
                + "c,o,2024-01-01,I,1,2,a,b\n");
        assertEquals(1, load(IngestOptions.defaults(), unused).report().rowsAccepted());
    }

    @Test
    void aSequenceRoleMakesASequenceMapping() throws Exception {
        ColumnMapping m = ColumnMapping.ofColumns("customer=K, order=B, sequence=Lauf, item=A, quantity=M, price=P");
        assertTrue(m.sequenceOrdered());
        assertEquals("customer=K,order=B,sequence=Lauf,item=A,quantity=M,price=P", m.describe());
        Path f = write("seq.csv", "K,B,Lauf,A,M,P\nk1,b1,1,x,1,2\nk1,b2,2,y,1,2\n");
        assertTrue(load(IngestOptions.defaults().withMapping(m), f).transactions().sequenceOnly());
    }

    @Test
    void badColumnSpecsNameWhatIsWrong() {
        assertMessage("unknown role 'kunde'", "kunde=Kunde,order=B,timestamp=D,item=A,quantity=M,price=P");
        assertMessage("misses the required role(s) timestamp (or sequence), quantity", "customer=K,order=B,item=A,price=P");
        assertMessage("gives both timestamp and sequence", "customer=K,order=B,timestamp=D,sequence=S,item=A,quantity=M,price=P");
        assertMessage("role 'item' is given twice", "customer=K,order=B,timestamp=D,item=A,item=X,quantity=M,price=P");
        assertMessage("roles 'item' and 'description' both name the column 'a'",
                "customer=K,order=B,timestamp=D,item=A,quantity=M,price=P,description=a");
        assertMessage("'Kunde' is not role=Header", "Kunde,order=B,timestamp=D,item=A,quantity=M,price=P");
        assertMessage("'price=' is not role=Header", "customer=K,order=B,timestamp=D,item=A,quantity=M,price=");
    }

    private static void assertMessage(String expected, String spec) {
        String m = assertThrows(IllegalArgumentException.class, () -> ColumnMapping.ofColumns(spec)).getMessage();
        assertTrue(m.contains(expected), m);
    }

    @Test
    void theCatalogueSaysWhenItLooksSemicolonSeparatedAndReadsItWithTheDialect() throws Exception {
        Path f = write("cat.csv", "item_id;price;cost\nA1;2,95;1,10\n");
        String m = assertThrows(CatalogFile.CatalogException.class, () -> CatalogFile.read(f, 0)).getMessage();
        assertEquals(f + ":1: the header has no ',' but contains ';': the catalogue looks ';'-separated, and it is "
                + "read with the exports' --delimiter ',' (one option serves both files): save it ','-separated like "
                + "the exports, or pass --delimiter ';' if the exports are ';'-separated too", m);
        // exports read with ';' and a comma catalogue: "pass --delimiter ','" alone would break the exports
        Path commas = write("cat-commas.csv", "item_id,price\nA1,2.95\n");
        String semi = assertThrows(CatalogFile.CatalogException.class,
                () -> CatalogFile.read(commas, 0, new CsvDialect(';', true))).getMessage();
        assertTrue(semi.contains("the catalogue looks ','-separated, and it is read with the exports' --delimiter ';'"
                + " (one option serves both files): save it ';'-separated like the exports"), semi);
        CatalogFile c = CatalogFile.read(f, 0, new CsvDialect(';', true));
        assertEquals(2.95, c.entries().get("A1").price());
        assertEquals(1.10, c.entries().get("A1").cost());
    }

    @Test
    void catalogueAttributesAreNumbersInTheFilesDialectAsPricesAre() throws Exception {
        Path f = write("cat.csv", "item_id;price;gewicht;punkte;masse\nA1;2,95;0,5;3;0.5\nA2;1;1,25;12;2\n");
        CatalogFile comma = CatalogFile.read(f, 0, new CsvDialect(';', true));
        // 0,5 is a number under a decimal comma (as the price 2,95 is); 0.5 is not, so masse is text
        assertEquals(Set.of("gewicht", "punkte"), comma.numericAttributes());
        assertEquals(0.5, comma.attributeNumber("0,5"));
        assertEquals(12.0, comma.attributeNumber("12"));
        assertEquals("0,5", comma.entries().get("A1").attributes().get("gewicht"), "shown as written");
        assertThrows(NumberFormatException.class, () -> comma.attributeNumber("0.5"));
        // with a decimal dot, 0,5 is text and 0.5 a number
        CatalogFile dot = CatalogFile.read(write("cat-dot.csv", "item_id;gewicht;masse\nA1;0,5;0.5\nA2;1,25;2\n"),
                0, new CsvDialect(';', false));
        assertEquals(Set.of("masse"), dot.numericAttributes());
    }

    @Test
    void rowsOfOnlyDelimitersAsASpreadsheetSavesThemAreEmptyLinesNotMalformedRows() throws Exception {
        // Excel saves formatted but empty rows below the data as ";;;;;;": 40 of them stopped a 1,674-row export at
        // the error budget as "Bestellnummer is blank"
        Path f = write("excel.csv", "Kunde;Bestellnummer;Datum;Artikel;Menge;Preis;Bezeichnung\r\n"
                + "k1;B1;2024-01-05T10:00:00;A1;2;4,33;Tasse\r\n"
                + ";;;;;;\r\n"
                + "k1;B1;2024-01-05T10:00:00;A2;1;12;Teller\r\n"
                + "k2;B2;2024-01-06;A1;1;4,33;Tasse\r\n"
                + ";;;;;;\r\n ; ;;\t;;;\r\n;;;;;;\r\n\r\n");
        IngestOptions o = IngestOptions.defaults().withMapping(ColumnMapping.ofColumns(GERMAN))
                .withDialect(new CsvDialect(';', true));
        IngestReport r = load(o, f).report();
        assertEquals(3, r.rowsRead(), "rows of blank cells are no rows, as blank lines are not");
        assertEquals(3, r.rowsAccepted());
        assertEquals(0, r.malformed());
        assertEquals(List.of(new IngestReport.FileStats(f.toString(), ColumnMapping.COLUMNS, 3, 3)), r.files());
        // one blank cell among others is still a row with a blank field, and a row of blanks keeps its line count
        Path g = write("excel2.csv", "Kunde;Bestellnummer;Datum;Artikel;Menge;Preis;Bezeichnung\n;;;;;;\n"
                + "k1;;2024-01-05;A1;1;2;Tasse\n");
        IngestReport r2 = load(o.withErrorBudget(1), g).report();
        assertEquals(1, r2.rowsRead());
        assertEquals(List.of(g + ":3 (Bestellnummer is blank)"),
                r2.rejected().get(RejectReason.MALFORMED_BLANK_FIELD.code()).samples());

        Path cat = write("cat.csv", "item_id;price;marke\r\nA1;2,95;acme\r\n;;\r\nA2;1,10;\r\n;;\r\n;;\r\n");
        CatalogFile c = CatalogFile.read(cat, 0, new CsvDialect(';', true));
        assertEquals(2, c.report().rowsRead());
        assertEquals(Set.of("A1", "A2"), c.entries().keySet());
    }

    @Test
    void theExportsOwnTimestampFormatIsReadStrictlyAsGivenSoNoDayAndMonthAreSwapped() throws Exception {
        // a German export's dates: without --timestamp-format every row was malformed and there was no way to say so
        Path f = write("de.csv", "Kunde;Bestellnummer;Datum;Artikel;Menge;Preis;Bezeichnung\n"
                + "k1;B1;14.06.2024 10:05;A1;2;4,33;Tasse\n"
                + "k1;B2;03.04.2011 09:00;A1;1;4,33;Tasse\n"       // 3 April, not 4 March
                + "k2;B3;2024-06-14 10:05;A1;1;4,33;Tasse\n"       // 4: not the format given
                + "k2;B4;31.02.2024 10:05;A1;1;4,33;Tasse\n");     // 5: no such day
        IngestOptions o = IngestOptions.fromOptions("auto", GERMAN, "dd.MM.yyyy HH:mm", ";", true, 1.0);
        IngestResult r = load(o, f);
        Transactions tx = r.transactions();
        assertEquals(2, r.report().rowsAccepted());
        assertEquals(java.time.LocalDateTime.of(2024, 6, 14, 10, 5), tx.timestampOf(0));
        assertEquals(java.time.LocalDateTime.of(2011, 4, 3, 9, 0), tx.timestampOf(1));
        assertEquals(List.of(f + ":4 (Datum '2024-06-14 10:05')", f + ":5 (Datum '31.02.2024 10:05')"),
                r.report().samples(RejectReason.MALFORMED_TIMESTAMP));
        assertEquals("dd.MM.yyyy HH:mm", o.mapping().timestampFormat());

        // US month/day/year with the time optional; a date alone is midnight
        Path us = write("us.csv", "K,B,D,A,M,P\nk1,b1,04/03/2011,x,1,2\nk1,b2,04/03/2011 17:45,y,1,2\n");
        IngestOptions mdy = IngestOptions.fromOptions("auto", "customer=K,order=B,timestamp=D,item=A,quantity=M,"
                + "price=P", "MM/dd/yyyy[ HH:mm]", ",", false, null);
        Transactions t = load(mdy, us).transactions();
        assertEquals(java.time.LocalDateTime.of(2011, 4, 3, 0, 0), t.timestampOf(0));
        assertEquals(java.time.LocalDateTime.of(2011, 4, 3, 17, 45), t.timestampOf(1));
    }

    @Test
    void aTimestampFormatThatCannotBeOneIsRefusedNamingTheOption() {
        String columns = "customer=K,order=B,timestamp=D,item=A,quantity=M,price=P";
        assertEquals("--timestamp-format 'HH:mm' does not give a date (year, month and day of month), e.g. "
                + "'dd.MM.yyyy HH:mm' or 'MM/dd/yyyy'", assertThrows(IllegalArgumentException.class,
                () -> IngestOptions.fromOptions("auto", columns, "HH:mm", ",", false, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> IngestOptions.fromOptions("auto", columns, "dd.MM.yyyy {", ",", false, null)).getMessage()
                .startsWith("--timestamp-format 'dd.MM.yyyy {' is not a date pattern ("));
        assertEquals("--timestamp-format needs --columns: the presets' timestamps have their own format",
                assertThrows(IllegalArgumentException.class,
                        () -> IngestOptions.fromOptions("generic", null, "dd.MM.yyyy", ",", false, null)).getMessage());
        assertEquals("--timestamp-format is for a timestamp column; --columns maps an order sequence",
                assertThrows(IllegalArgumentException.class, () -> IngestOptions.fromOptions("auto",
                        "customer=K,order=B,sequence=S,item=A,quantity=M,price=P", "dd.MM.yyyy", ",", false, null))
                        .getMessage());
    }
}
