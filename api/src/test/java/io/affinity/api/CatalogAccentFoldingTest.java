package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.affinity.recommender.ItemFacts;
import io.affinity.store.CatalogAnalysis;
import io.affinity.testing.UnitTest;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.ingest.CatalogFile;
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
 * Accent folding with known answers, on a small catalogue full of accents, indexed as training writes it and as
 * snapshots before format 5 hold it (which must answer as they did: accent-exact).
 */
@UnitTest
class CatalogAccentFoldingTest {
    /** The catalogue file: family and brand; descriptions and categories come with the items. */
    static final String CATALOGUE = """
            item_id,family,brand
            C1,Cafetières Françaises,Crème Brûlée
            C2,,Jalapeño & Co
            C3,,Garçon
            C4,,Blåbær
            C5,,Müller
            C6,,Æble
            C7,,plain
            """;

    static List<ItemFacts> items() {
        return List.of(
                new ItemFacts("C1", "Cafétière à Piston", "Café", 24.0, 50, 40, 60),
                new ItemFacts("C2", "CAFÉ MOULU", "Café", 6.5, 80, 60, 200),
                new ItemFacts("C3", "Crème Brûlée Set", "Crème", 12.0, 30, 25, 35),
                new ItemFacts("C4", "Smørrebrød Board", "Køkken", 18.0, 10, 10, 10),
                new ItemFacts("C5", "Straße Schild", "Deko", 9.0, 5, 5, 5),
                new ItemFacts("C6", "Bœuf Bourguignon Pot", "Œuvres", 30.0, 4, 4, 4),
                new ItemFacts("C7", "Cafe Creme Mug", "Creme", 5.0, 90, 70, 120),
                new ItemFacts("CAFE1", "Plain mug", "mug", 3.0, 2, 2, 2),
                new ItemFacts("CAFÉ1", "Accented-code mug", "mug", 3.0, 1, 1, 1));
    }

    @TempDir
    Path tmp;
    Catalog folded;
    Catalog before;

    static Catalog index(Path dir, CatalogAnalysis analysis) throws Exception {
        Path csv = Files.writeString(dir.resolve("catalogue-" + analysis.id() + ".csv"), CATALOGUE);
        Path index = Files.createDirectory(dir.resolve("index-" + analysis.id()));
        CatalogIndexWriter.write(index, items(), CatalogFile.read(csv, 0), analysis);
        return Catalog.open(index, 8);
    }

    @BeforeEach
    void open() throws Exception {
        folded = index(tmp, CatalogAnalysis.CURRENT);
        before = index(tmp, CatalogAnalysis.LOWER_CASE);
    }

    @AfterEach
    void close() throws Exception {
        folded.close();
        before.close();
    }

    static Set<String> filter(Catalog catalog, String expression) throws ParseException {
        FixedBitSet bits = catalog.filter(expression);
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < catalog.size(); i++) {
            if (bits.get(i)) {
                out.add(catalog.itemId(i));
            }
        }
        return out;
    }

    static Set<String> search(Catalog catalog, String expression) throws ParseException {
        Set<String> out = new TreeSet<>();
        catalog.search(expression, 50).forEach(h -> out.add(h.itemId()));
        return out;
    }

    /** Each expression finds {@code expected}, as a filter and as a search. */
    private void assertFinds(Catalog catalog, Set<String> expected, String... expressions) throws ParseException {
        for (String expression : expressions) {
            assertEquals(expected, filter(catalog, expression), "filter " + expression);
            assertEquals(expected, search(catalog, expression), "search " + expression);
        }
    }

    @Test
    void theAnalysisIsReadFromTheIndex() {
        assertSame(CatalogAnalysis.ASCII_FOLDING, folded.analysis());
        assertSame(CatalogAnalysis.LOWER_CASE, before.analysis());
    }

    @Test
    void fullTextMatchesWithOrWithoutAccentsInAnyCase() throws Exception {
        assertFinds(folded, Set.of("C2", "C7"), "cafe", "café", "CAFÉ", "Cafe", "description:CAFE");
        assertFinds(folded, Set.of("C5"), "strasse", "straße", "STRASSE", "STRAẞE");
        assertFinds(folded, Set.of("C4"), "smorrebrod", "smørrebrød", "SMØRREBRØD");
        assertFinds(folded, Set.of("C6"), "boeuf", "bœuf", "BŒUF");
        assertFinds(folded, Set.of("C1"), "cafetiere", "cafétière", "a", "à");
    }

    @Test
    void phrasesMatchWithOrWithoutAccents() throws Exception {
        assertFinds(folded, Set.of("C3"), "\"creme brulee\"", "\"crème brûlée\"", "\"CRÈME BRÛLÉE\"",
                "\"Crème Brulee\"");
        assertFinds(folded, Set.of("C7"), "\"cafe creme\"", "\"café crème\"");
        assertFinds(folded, Set.of(), "\"brulee creme\"");
    }

    @Test
    void patternsOnFullTextAreFoldedLikeTerms() throws Exception {
        assertFinds(folded, Set.of("C1", "C2", "C7"), "cafe*", "café*", "CAFÉ*");
        assertFinds(folded, Set.of("C1"), "caf?tiere", "cafétiè*", "cafetire~1", "/caf[eé]ti[eè]re/");
    }

    @Test
    void exactFieldsMatchWithOrWithoutAccents() throws Exception {
        assertFinds(folded, Set.of("C1", "C2"), "category:cafe", "category:café", "category:CAFÉ");
        assertFinds(folded, Set.of("C3", "C7"), "category:creme", "category:crème", "category:CRÈME");
        assertFinds(folded, Set.of("C4"), "category:kokken", "category:køkken");
        assertFinds(folded, Set.of("C6"), "category:oeuvres", "category:Œuvres");
        assertFinds(folded, Set.of("C1"), "brand:\"creme brulee\"", "brand:\"Crème Brûlée\"",
                "family:\"cafetieres francaises\"", "family:\"Cafetières Françaises\"");
        assertFinds(folded, Set.of("C3"), "brand:garcon", "brand:GARÇON");
        assertFinds(folded, Set.of("C4"), "brand:blabaer", "brand:blåbær");
        assertFinds(folded, Set.of("C6"), "brand:aeble", "brand:æble");
        assertFinds(folded, Set.of("C5"), "brand:muller", "brand:müller");
        // Folding is not transliteration: ü is u, so the German spelling without umlaut does not match.
        assertFinds(folded, Set.of(), "brand:mueller");
        // Exclusions fold too: crème excludes C3 and C7 (Creme), garcon C3 (Garçon).
        assertFinds(folded, Set.of("C1", "C2", "C4", "C5", "C6", "CAFE1", "CAFÉ1"), "-category:crème AND "
                + "-brand:garcon", "*:* -category:creme -brand:GARÇON");
    }

    @Test
    void patternsAndRangesOnExactFieldsAreFoldedLikeTheirTerms() throws Exception {
        assertFinds(folded, Set.of("C3", "C7"), "category:crè*", "category:cre*", "category:cr?me",
                "category:cr?mE", "category:cremme~1", "category:/cr[eè]me/");
        assertFinds(folded, Set.of("C2"), "brand:jalapeño*", "brand:jalapeno*");
        // Folded bounds: [cafe TO creme] over cafe, creme, deko, kokken, mug, oeuvres.
        assertFinds(folded, Set.of("C1", "C2", "C3", "C7"), "category:[cafe TO creme]", "category:[café TO crème]",
                "category:[CAFÉ TO CRÈME]");
    }

    @Test
    void itemIdsAreCodesMatchedCaseInsensitivelyButNotFolded() throws Exception {
        assertFinds(folded, Set.of("CAFE1"), "id:cafe1", "id:CAFE1", "id:cafe*");
        assertFinds(folded, Set.of("CAFÉ1"), "id:café1", "id:CAFÉ1", "id:café*");
        assertFinds(before, Set.of("CAFE1"), "id:cafe1", "id:cafe*");
        assertFinds(before, Set.of("CAFÉ1"), "id:café1");
    }

    @Test
    void decomposedAccentsInAQueryMatchToo() throws Exception {
        assertFinds(folded, Set.of("C2", "C7"), "cafe\u0301", "CAFE\u0301");
        assertFinds(folded, Set.of("C3", "C7"), "category:cre\u0300me", "category:cre\u0300*");
    }

    @Test
    void hitsAndItemsShowTheTextWithItsAccents() throws Exception {
        Catalog.Hit moulu = folded.search("moulu", 1).get(0);
        assertEquals("C2", moulu.itemId());
        assertEquals("CAFÉ MOULU", moulu.description());
        assertEquals("café", moulu.category());
        assertEquals("Jalapeño & Co", moulu.attributes().get("brand"));
        Catalog.Hit cafetiere = folded.item(folded.ordinal("C1"));
        assertEquals("Cafétière à Piston", cafetiere.description());
        assertEquals("cafetières françaises", cafetiere.family(), "lower case with its accents");
        assertEquals("Crème Brûlée", cafetiere.attributes().get("brand"));
        assertEquals("café", folded.category(folded.ordinal("C1")), "per-category caps group by this");
        // What the hit shows is a value `family:` finds.
        assertFinds(folded, Set.of("C1"), "family:\"" + cafetiere.family() + "\"");
        // The index before folding showed the same: its family term was the text.
        assertEquals(cafetiere, before.item(before.ordinal("C1")));
    }

    @Test
    void anIndexWrittenBeforeFoldingIsQueriedAsItWasIndexedAccentExact() throws Exception {
        assertFinds(before, Set.of("C7"), "cafe", "CAFE", "cafe*");
        assertFinds(before, Set.of("C2"), "café", "CAFÉ");
        assertFinds(before, Set.of("C1"), "cafétière", "cafétiè*");
        assertFinds(before, Set.of("C7"), "category:creme");
        assertFinds(before, Set.of("C3"), "category:crème", "category:CRÈME", "category:crè*");
        assertFinds(before, Set.of(), "brand:\"creme brulee\"", "strasse", "smorrebrod");
        assertFinds(before, Set.of("C1"), "brand:\"Crème Brûlée\"", "family:\"cafetières françaises\"");
        assertFinds(before, Set.of("C5"), "straße");
        assertEquals("cafetières françaises", before.search("piston", 1).get(0).family());
    }
}
