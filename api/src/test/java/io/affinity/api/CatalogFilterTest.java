package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.ItemFacts;
import io.affinity.store.CatalogAnalysis;
import io.affinity.testing.UnitTest;
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

/**
 * The filter compiler: Lucene syntax over the catalogue fields into bitsets over item ordinals. On an index as
 * training writes it; {@link CatalogFilterBeforeFoldingTest} runs the same on an index written as before accent
 * folding (this catalogue has no accents: every answer is the same).
 */
@UnitTest
class CatalogFilterTest {
    @TempDir
    Path tmp;
    Catalog catalog;

    /** The analysis the index is written with. */
    CatalogAnalysis analysis() {
        return CatalogAnalysis.CURRENT;
    }

    @BeforeEach
    void index() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("catalog"));
        CatalogIndexWriter.write(dir, List.of(
                new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "", 2.95, 300, 120, 900),
                new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "", 2.95, 250, 100, 700),
                new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.55, 2000, 800, 35000),
                new ItemFacts("85099B", "JUMBO BAG RED RETROSPOT", "", 1.95, 1600, 600, 40000),
                new ItemFacts("K1", "CAST IRON SKILLET", "Kitchen", 19.50, 20, 15, 20),
                new ItemFacts("K2", "COPPER PAN", "Kitchen", 45.00, 8, 8, 8)), null, analysis());
        catalog = Catalog.open(dir, 2);
        assertSame(analysis(), catalog.analysis(), "read back from the index");
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
    void patternsOnIdMatchCaseInsensitivelyLikeExactIds() throws Exception {
        for (String pattern : List.of("id:85123A*", "id:85123a*", "id:8512?A", "id:8512?a", "id:85123*",
                "id:85123b~1", "id:/8512[0-9]a/", "id:/8512\\dA/")) {
            assertEquals(Set.of("85123A"), ids(pattern), pattern);
        }
        assertEquals(Set.of("K1", "K2"), ids("id:k*"));
        assertEquals(Set.of("85099B"), ids("id:85099c~1"));
        assertThrows(ParseException.class, () -> catalog.filter("id:*a"), "leading wildcards stay refused");
    }

    @Test
    void rangesOnIdMatchCaseInsensitivelyLikeExactIds() throws Exception {
        assertEquals(Set.of("85123A"), ids("id:[85123A TO 85123B]"));
        assertEquals(Set.of("85123A"), ids("id:[85123a TO 85123b]"));
        assertEquals(Set.of("K1", "K2"), ids("id:[k TO z]"));
        assertEquals(Set.of("K2"), ids("id:{K1 TO *]"));
        assertEquals(Set.of("22697", "22698"), ids("id:[22697 TO 22698]"));
    }

    @Test
    void patternsOnNumericFieldsAreRefusedNamingTheField() {
        for (String pattern : List.of("price:2*", "price:2.?5", "orders:3~", "customers:/1.*/")) {
            ParseException e = assertThrows(ParseException.class, () -> catalog.filter(pattern), pattern);
            String field = pattern.substring(0, pattern.indexOf(':'));
            assertTrue(e.getMessage().contains("field '" + field + "' is numeric")
                    && e.getMessage().contains("use a range"), e.getMessage());
        }
    }

    @Test
    void queriesTooCostlyToRunAreParseErrorsWithoutTheQueryText() throws Exception {
        // Fails while parsing: the regular expression cannot be compiled within Lucene's work limit.
        String regexp = "/[ac]*a[ac]{50,200}/";
        ParseException tooComplex = assertThrows(ParseException.class, () -> catalog.filter(regexp));
        assertTrue(tooComplex instanceof CatalogQueryParser.TooComplex, tooComplex.toString());
        assertTrue(tooComplex.getMessage().contains("too complex") && !tooComplex.getMessage().contains("[ac]"),
                tooComplex.getMessage());
        // Fails only when searched: three groups, each under the clause limit, over it together.
        StringBuilder nested = new StringBuilder();
        for (char group : new char[] {'a', 'b', 'c'}) {
            nested.append('(');
            for (int i = 0; i < 360; i++) {
                nested.append(group).append(i).append(' ');
            }
            nested.append(") ");
        }
        String big = nested.toString();
        // Fails while parsing: one flat group over the limit (the parser reports it as a syntax error itself).
        StringBuilder flatTerms = new StringBuilder();
        for (int i = 0; i < 1100; i++) {
            flatTerms.append('t').append(i).append(' ');
        }
        String flatQuery = flatTerms.toString();
        for (ParseException e : List.of(assertThrows(ParseException.class, () -> catalog.filter(big)),
                assertThrows(ParseException.class, () -> catalog.search(big, 10)),
                assertThrows(ParseException.class, () -> catalog.filter(flatQuery)))) {
            assertTrue(e instanceof CatalogQueryParser.TooComplex, e.toString());
            assertTrue(e.getMessage().contains("more than 1024"), e.getMessage());
        }
        assertEquals(0, catalog.cachedFilters(), "a failed filter is not cached");
    }

    @Test
    void parseErrorsQuoteTheQueryAbbreviated() {
        String longQuery = "teacup ".repeat(50) + "AND";
        ParseException e = assertThrows(ParseException.class, () -> catalog.filter(longQuery));
        String first = RequestRules.firstLine(e.getMessage());
        assertTrue(first.startsWith("Cannot parse '" + Params.abbreviate(longQuery) + "': "), first);
        assertTrue(first.contains("line 1, column"), first);
        assertTrue(first.length() < 150, first);
    }

    /**
     * Descriptions such as "SET/20 RED RETROSPOT PAPER NAPKINS" have slashes, and a merchandiser typing
     * {@code set/20} got only Lucene's "Lexical error ... after prefix "/20" (in lexical state 2)": the slash opens a
     * regular expression. The message now says so and how to search for the text.
     */
    @Test
    void anUnclosedSlashIsExplainedAsTheRegularExpressionItOpens() throws Exception {
        for (String q : new String[] {"set/20", "napkins red/white", "description:set/20 OR teacup"}) {
            ParseException e = assertThrows(ParseException.class, () -> catalog.filter(q), q);
            String first = RequestRules.firstLine(e.getMessage());
            assertTrue(first.contains("a '/' starts a regular expression (/.../) and this one is not closed: to "
                    + "find text with a slash, quote it (\"set/20\") or escape the slash (set\\/20)"), first);
        }
        ParseException other = assertThrows(ParseException.class, () -> catalog.filter("teacup AND"));
        assertFalse(other.getMessage().contains("regular expression"), other.getMessage());
        ParseException quoted = assertThrows(ParseException.class, () -> catalog.filter("\"set/20\" AND"));
        assertFalse(quoted.getMessage().contains("regular expression"), quoted.getMessage());
        catalog.filter("\"set/20\" OR set\\/20 OR description:/tea.*/");
    }

    /**
     * Lucene's syntax errors counted columns from 0 ("AND teacup" at column 0, the ")" of "teacup)" at column 6) and
     * its lexical errors from 1 ("tea\\" ends at column 5): one API, two origins. All count from 1 now.
     */
    @Test
    void errorColumnsCountFromOne() {
        assertColumn("teacup)", 7);
        assertColumn("AND teacup", 1);
        assertColumn("teacup AND", 11); // the end of the query: after its 10 characters, as a lexical error says
        assertColumn("tea\\", 5);
        assertColumn("a:b:c", 4);
    }

    private void assertColumn(String query, int column) {
        ParseException e = assertThrows(ParseException.class, () -> catalog.filter(query), query);
        String first = RequestRules.firstLine(e.getMessage());
        assertTrue(first.contains("at line 1, column " + column + "."), first);
    }

    @Test
    void searchHitsAndItemsShowTheIndexedFamily() throws Exception {
        Catalog.Hit hit = catalog.search("retrospot", 1).get(0);
        assertEquals("85099B", hit.itemId());
        assertEquals(Set.of("85099B"), ids("family:\"" + hit.family() + "\""), hit.family());
        assertEquals(hit.family(), catalog.item(catalog.ordinal("85099B")).family());
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
        // A number beyond double's range read as infinity and matched nothing (price:1e400), while NaN was refused;
        // an open bound is written *.
        for (String q : new String[] {"price:1e400", "price:[5 TO 1e400]", "price:[-Infinity TO 1]"}) {
            ParseException big = assertThrows(ParseException.class, () -> catalog.filter(q), q);
            assertTrue(big.getMessage().contains("is out of range (write * for an open bound)"), big.getMessage());
        }
    }

    /**
     * Equal scores (a range, a category) list the items bought in more orders first, not in the catalogue's order
     * (the analyst audit's leftover: a merchandiser listing a category saw the file's order); pages follow it.
     */
    @Test
    void equalScoresListBestSellersFirstAndPagesFollow() throws Exception {
        Catalog.Page all = catalog.search("price:[1 TO 3]", 0, 10);
        assertEquals(List.of("85123A", "85099B", "22697", "22698"), all.hits().stream().map(Catalog.Hit::itemId)
                .toList(), "by orders: 2000, 1600, 300, 250");
        assertEquals(4, all.matched());
        assertEquals(1, all.hits().stream().map(Catalog.Hit::score).distinct().count(), "one score for all");
        Catalog.Page second = catalog.search("price:[1 TO 3]", 1, 2);
        assertEquals(List.of("85099B", "22697"), second.hits().stream().map(Catalog.Hit::itemId).toList());
        assertEquals(4, second.matched());
        assertEquals(List.of(), catalog.search("price:[1 TO 3]", 4, 2).hits());
    }

    @Test
    void searchRanksByRelevance() throws Exception {
        List<Catalog.Hit> hits = catalog.search("pink teacup", 10);
        assertEquals("22698", hits.get(0).itemId());
        assertEquals(2, hits.size());
        assertEquals("saucer", hits.get(0).category());
    }
}
