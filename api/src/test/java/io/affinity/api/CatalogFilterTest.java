package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.ItemFacts;
import io.affinity.training.CatalogIndexWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.util.FixedBitSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter compiler: Lucene syntax over the catalogue fields into bitsets over item ordinals. */
class CatalogFilterTest {
    @TempDir
    Path tmp;
    Catalog catalog;

    @BeforeEach
    void index() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("catalog"));
        CatalogIndexWriter.write(dir, List.of(
                new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "", 2.95, 300, 120, 900),
                new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "", 2.95, 250, 100, 700),
                new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.55, 2000, 800, 35000),
                new ItemFacts("85099B", "JUMBO BAG RED RETROSPOT", "", 1.95, 1600, 600, 40000),
                new ItemFacts("K1", "CAST IRON SKILLET", "Kitchen", 19.50, 20, 15, 20),
                new ItemFacts("K2", "COPPER PAN", "Kitchen", 45.00, 8, 8, 8)));
        catalog = Catalog.open(dir, 2);
    }

    @AfterEach
    void close() throws Exception {
        catalog.close();
    }

    private Set<String> ids(String filter) throws ParseException {
        FixedBitSet bits = catalog.filter(filter);
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < catalog.size(); i++) {
            if (bits.get(i)) {
                out.add(catalog.itemId(i));
            }
        }
        return out;
    }

    @Test
    void categoryIsExactCaseFoldedAndDerivedFromTheDescriptionWhenMissing() throws Exception {
        assertEquals(Set.of("K1", "K2"), ids("category:kitchen"));
        assertEquals(Set.of("K1", "K2"), ids("category:KITCHEN"));
        assertEquals(Set.of("22697", "22698"), ids("category:saucer"));
        assertEquals(Set.of("85123A"), ids("category:holder"));
        assertEquals(Set.of("85099B"), ids("category:bag"));
    }

    @Test
    void priceRangesAreNumericWithInclusiveAndExclusiveBounds() throws Exception {
        assertEquals(Set.of("K1"), ids("category:kitchen AND price:[5 TO 20]"));
        assertEquals(Set.of("22697", "22698", "85123A"), ids("price:[2.5 TO 3]"));
        assertEquals(Set.of("85123A"), ids("price:[2.5 TO 2.95}"));
        assertEquals(Set.of("K2"), ids("price:{19.5 TO *]"));
        assertEquals(Set.of("22697", "22698"), ids("price:2.95"));
        assertEquals(Set.of("85123A", "85099B"), ids("orders:[1000 TO *]"));
    }

    @Test
    void pureExclusionsMeanEverythingElse() throws Exception {
        assertEquals(6, ids("-brand:acme").size(), "no item has the brand: nothing excluded");
        assertEquals(Set.of("22697", "22698", "85123A", "85099B"), ids("-category:kitchen"));
        assertEquals(Set.of("K1"), ids("category:kitchen AND price:[5 TO 20] AND -brand:acme"));
    }

    @Test
    void idsAndFullText() throws Exception {
        assertEquals(Set.of("85123A"), ids("id:85123a"));
        assertEquals(Set.of("22697", "22698"), ids("teacup"));
        assertEquals(Set.of("22698"), ids("description:teacup AND description:pink"));
    }

    @Test
    void compiledFiltersAreCachedAndTheCacheIsBounded() throws Exception {
        FixedBitSet first = catalog.filter("category:kitchen");
        assertSame(first, catalog.filter("category:kitchen"));
        catalog.filter("price:[1 TO 2]");
        catalog.filter("teacup");
        assertEquals(2, catalog.cachedFilters());
    }

    @Test
    void badSyntaxAndBadNumbersAreParseErrors() {
        assertThrows(ParseException.class, () -> catalog.filter("category:kitchen AND (price:[5 TO 20]"));
        ParseException e = assertThrows(ParseException.class, () -> catalog.filter("price:[cheap TO 20]"));
        assertTrue(e.getMessage().contains("price"), e.getMessage());
        assertThrows(ParseException.class, () -> catalog.filter("orders:[1.5 TO 2]"));
    }

    @Test
    void searchRanksByRelevance() throws Exception {
        List<Catalog.Hit> hits = catalog.search("pink teacup", 10);
        assertEquals("22698", hits.get(0).itemId());
        assertEquals(2, hits.size());
        assertEquals("saucer", hits.get(0).category());
    }
}
