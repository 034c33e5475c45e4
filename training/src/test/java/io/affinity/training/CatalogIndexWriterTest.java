package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.affinity.recommender.ItemFacts;
import io.affinity.store.CatalogAnalysis;
import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.ingest.CsvDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The derived product category of catalogues without one, and the catalogue's attributes in the index. */
@UnitTest
class CatalogIndexWriterTest {
    @TempDir
    Path dir;

    @Test
    void decimalCommaAttributesAreIndexedAsNumbersSoRangesFindThem() throws Exception {
        Path file = Files.writeString(dir.resolve("katalog.csv"), "item_id;gewicht\nA1;0,5\nA2;1,25\nA3;10\n");
        CatalogFile catalog = CatalogFile.read(file, 0, new CsvDialect(';', true));
        List<ItemFacts> items = List.of(new ItemFacts("A1", "", "", 1, 1, 1, 1), new ItemFacts("A2", "", "", 1, 1, 1, 1),
                new ItemFacts("A3", "", "", 1, 1, 1, 1));
        Path index = dir.resolve("index");
        Files.createDirectory(index);
        CatalogIndexWriter.write(index, items, catalog);
        try (FSDirectory d = FSDirectory.open(index); DirectoryReader reader = DirectoryReader.open(d)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            assertEquals(1, searcher.count(DoublePoint.newRangeQuery("gewicht", 0.4, 0.6)), "0,5 is 0.5");
            // as numbers 1,25 alone (as text, "10" would sort between "1" and "2")
            assertEquals(1, searcher.count(DoublePoint.newRangeQuery("gewicht", 1, 2)));
        }
    }

    /** Documents whose {@code field} holds the term {@code term}. */
    private static long count(DirectoryReader reader, String field, String term) throws Exception {
        return new IndexSearcher(reader).count(new TermQuery(new Term(field, term)));
    }

    @Test
    void accentsAreFoldedInTheTermsAndKeptInTheStoredValues() throws Exception {
        Path file = Files.writeString(dir.resolve("catalogue.csv"), """
                item_id,description,category,family,brand
                C1,Crème Brûlée Cafétière,Crème,Cafetières Dorées,Crème Brûlée
                C2,Smørrebrød Straße Jalapeño,Épicerie,,Bœuf Æble
                """);
        CatalogFile catalog = CatalogFile.read(file, 0);
        List<ItemFacts> items = List.of(
                new ItemFacts("C1", "Crème Brûlée Cafétière", "Crème", 9.5, 3, 2, 4),
                new ItemFacts("C2", "Smørrebrød Straße Jalapeño", "Épicerie", 4.0, 1, 1, 1));
        Path folded = Files.createDirectory(dir.resolve("folded"));
        CatalogIndexWriter.write(folded, items, catalog);
        try (FSDirectory d = FSDirectory.open(folded); DirectoryReader reader = DirectoryReader.open(d)) {
            assertEquals(CatalogAnalysis.ASCII_FOLDING.id(),
                    reader.getIndexCommit().getUserData().get(CatalogAnalysis.COMMIT_KEY));
            assertEquals(1, count(reader, "description", "cafetiere"));
            assertEquals(1, count(reader, "description", "strasse"));
            assertEquals(1, count(reader, "description", "smorrebrod"));
            assertEquals(0, count(reader, "description", "café"), "no accented term is indexed");
            assertEquals(1, count(reader, "category", "creme"));
            assertEquals(1, count(reader, "category", "epicerie"));
            assertEquals(1, count(reader, "family", "cafetieres dorees"));
            assertEquals(1, count(reader, "brand", "creme brulee"));
            assertEquals(1, count(reader, "brand", "boeuf aeble"));
            Document c1 = reader.storedFields().document(0);
            assertEquals("Crème Brûlée Cafétière", c1.get("description"));
            assertEquals("crème", c1.get("category"), "lower case, accents kept");
            assertEquals("cafetières dorées", c1.get("family"), "stored to be shown with its accents");
            assertEquals("Crème Brûlée", c1.get("brand"), "as given");
            assertEquals("C1", c1.get("id"));
        }
        // The way format 4 and before wrote it: nothing folded, no analysis recorded, family only as a term.
        Path before = Files.createDirectory(dir.resolve("before"));
        CatalogIndexWriter.write(before, items, catalog, CatalogAnalysis.LOWER_CASE);
        try (FSDirectory d = FSDirectory.open(before); DirectoryReader reader = DirectoryReader.open(d)) {
            assertEquals(Map.of(), reader.getIndexCommit().getUserData());
            assertEquals(1, count(reader, "description", "cafétière"));
            assertEquals(0, count(reader, "description", "cafetiere"));
            assertEquals(1, count(reader, "category", "crème"));
            assertEquals(1, count(reader, "family", "cafetières dorées"));
            assertEquals(1, count(reader, "brand", "crème brûlée"));
            Document c1 = reader.storedFields().document(0);
            assertEquals("crème", c1.get("category"));
            assertNull(c1.get("family"));
            assertEquals("Crème Brûlée", c1.get("brand"));
        }
    }

    @Test
    void theHeadNounOfTheDescriptionSkippingColourPatternAndSizeWords() {
        assertEquals("holder", CatalogIndexWriter.categoryOf("WHITE HANGING HEART T-LIGHT HOLDER"));
        assertEquals("bag", CatalogIndexWriter.categoryOf("JUMBO BAG RED RETROSPOT"));
        assertEquals("saucer", CatalogIndexWriter.categoryOf("GREEN REGENCY TEACUP AND SAUCER"));
        assertEquals("tin", CatalogIndexWriter.categoryOf("SET OF 3 CAKE TINS PANTRY DESIGN"));
        assertEquals("glass", CatalogIndexWriter.categoryOf("DRINKING GLASS"));
        assertEquals("t-light", CatalogIndexWriter.categoryOf("PINK T-LIGHTS"));
        assertEquals("other", CatalogIndexWriter.categoryOf(""));
        assertEquals("other", CatalogIndexWriter.categoryOf("RED 12"));
    }

    /**
     * Words were cut at every letter outside A-Z: "VINTAGE CAFÉ" made the category "caf", "DONKEY PIÑATA" "ata" and
     * "SET OF 2 PAPIER-MÂCHÉ" "papier-m", fragments no merchandiser would type in {@code category:} or recognise in a
     * per-category cap.
     */
    @Test
    void accentedLettersArePartOfTheWord() {
        assertEquals("café", CatalogIndexWriter.categoryOf("VINTAGE CAFÉ"));
        assertEquals("piñata", CatalogIndexWriter.categoryOf("DONKEY PIÑATAS"));
        assertEquals("papier-mâché", CatalogIndexWriter.categoryOf("SET OF 2 PAPIER-MÂCHÉ"));
        assertEquals("mug", CatalogIndexWriter.categoryOf("CAFÉ MUGS"));
    }

    /**
     * LIGHT is a shade before a colour ("LIGHT PINK"), but a product as the last word: "RED TOADSTOOL LED NIGHT
     * LIGHT" was a "night", "STAR PORTABLE TABLE LIGHT" a "table" and "TOADSTOOL BEDSIDE LIGHT" a "bedside", while
     * "LED TEA LIGHTS" was a "light".
     */
    @Test
    void lightAsTheLastWordIsTheProduct() {
        assertEquals("light", CatalogIndexWriter.categoryOf("RED TOADSTOOL LED NIGHT LIGHT"));
        assertEquals("light", CatalogIndexWriter.categoryOf("STAR PORTABLE TABLE LIGHT"));
        assertEquals("light", CatalogIndexWriter.categoryOf("LED TEA LIGHTS"));
        assertEquals("candleholder", CatalogIndexWriter.categoryOf("LIGHT PINK FLOCK GLASS CANDLEHOLDER"));
        assertEquals("bowl", CatalogIndexWriter.categoryOf("BISCUITS SMALL BOWL LIGHT BLUE"));
    }
}
