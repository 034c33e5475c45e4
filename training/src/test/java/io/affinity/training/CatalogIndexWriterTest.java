package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.recommender.ItemFacts;
import io.affinity.training.ingest.CatalogFile;
import io.affinity.training.ingest.CsvDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The derived product category of catalogues without one, and the catalogue's attributes in the index. */
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
}
