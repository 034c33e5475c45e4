package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.jupiter.api.Test;

/** What each analysis makes of accented text: the terms the index holds and queries must meet. */
@UnitTest
class CatalogAnalysisTest {
    private static List<String> tokens(CatalogAnalysis analysis, String text) throws Exception {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analysis.analyzer().tokenStream("description", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        }
        return out;
    }

    @Test
    void asciiFoldingMapsEachAccentedLetterToItsAsciiLettersInLowerCase() {
        // Lucene's ASCIIFoldingFilter table, pinned: what a merchandiser types without accents.
        Map<String, String> expected = Map.ofEntries(
                Map.entry("é", "e"), Map.entry("è", "e"), Map.entry("ê", "e"), Map.entry("ü", "u"),
                Map.entry("ö", "o"), Map.entry("ä", "a"), Map.entry("ø", "o"), Map.entry("å", "a"),
                Map.entry("ß", "ss"), Map.entry("ñ", "n"), Map.entry("ç", "c"), Map.entry("œ", "oe"),
                Map.entry("æ", "ae"), Map.entry("É", "e"), Map.entry("Ü", "u"), Map.entry("Ø", "o"),
                Map.entry("Œ", "oe"), Map.entry("Æ", "ae"), Map.entry("ẞ", "ss"), Map.entry("ʀ", "r"));
        expected.forEach((in, out) -> assertEquals(out, CatalogAnalysis.ASCII_FOLDING.exact(in), in));
        // Not a transliteration: German ü is u, not ue, so "muesli" does not meet "Müsli".
        assertEquals("musli", CatalogAnalysis.ASCII_FOLDING.exact("Müsli"));
        assertEquals("creme brulee", CatalogAnalysis.ASCII_FOLDING.exact("Crème Brûlée"));
    }

    @Test
    void exactValuesAreWhatTheParserGivesPatternsForEveryLatinLetter() {
        // exact() (index terms and exact query terms) and Analyzer.normalize (the pieces of wildcard, fuzzy, regexp
        // and range terms) are two paths through the same filters: they must agree, or `cr?me` and `crème` differ.
        StringBuilder all = new StringBuilder();
        for (char c = 0x80; c < 0x250; c++) {
            all.append(c);
        }
        for (char c = 0x1E00; c < 0x1F00; c++) {
            all.append(c);
        }
        List<String> values = new ArrayList<>(List.of("Crème Brûlée", "STRAẞE", "Cafe\u0301", "Σοφία ΚΑΦΕΣ", "",
                all.toString()));
        for (int i = 0; i < all.length(); i++) {
            values.add("x" + all.charAt(i) + "Y");
        }
        for (String v : values) {
            assertEquals(CatalogAnalysis.ASCII_FOLDING.analyzer().normalize("category", v.toLowerCase(Locale.ROOT))
                    .utf8ToString(), CatalogAnalysis.ASCII_FOLDING.exact(v), v);
        }
    }

    @Test
    void lowerCaseOnlyKeepsTheAccentsAsIndexesBeforeFormatFiveDid() throws Exception {
        assertEquals("crème brûlée", CatalogAnalysis.LOWER_CASE.exact("Crème Brûlée"));
        assertEquals("straße", CatalogAnalysis.LOWER_CASE.exact("STRAßE"));
        assertEquals(List.of("crème", "brûlée", "au", "café"),
                tokens(CatalogAnalysis.LOWER_CASE, "Crème Brûlée au CAFÉ"));
    }

    @Test
    void fullTextIsTokenisedLikeTheStandardAnalyzerThenFolded() throws Exception {
        assertEquals(List.of("creme", "brulee", "au", "cafe"),
                tokens(CatalogAnalysis.ASCII_FOLDING, "Crème Brûlée au CAFÉ"));
        assertEquals(List.of("smorrebrod", "strasse", "jalapeno", "garcon", "boeuf", "blabaer", "cafetiere"),
                tokens(CatalogAnalysis.ASCII_FOLDING, "Smørrebrød, Straße; JALAPEÑO garçon bœuf blåbær Cafétière"));
        // Same words as the standard analyzer makes (no stop words: "the" and "of" stay), folded.
        assertEquals(tokens(CatalogAnalysis.LOWER_CASE, "SET OF 3 CAKE TINS-PANTRY DESIGN 12.5cm the"),
                tokens(CatalogAnalysis.ASCII_FOLDING, "SET OF 3 CAKE TINS-PANTRY DESIGN 12.5cm the"));
    }

    @Test
    void decomposedAccentsAreComposedBeforeFolding() throws Exception {
        String decomposed = "Cafe\u0301 Cre\u0300me"; // e + combining acute, e + combining grave
        assertEquals(List.of("cafe", "creme"), tokens(CatalogAnalysis.ASCII_FOLDING, decomposed));
        assertEquals("cafe creme", CatalogAnalysis.ASCII_FOLDING.exact(decomposed));
        assertEquals("cafe", CatalogAnalysis.ASCII_FOLDING.analyzer().normalize("category", "CAFE\u0301")
                .utf8ToString());
    }

    @Test
    void theCommitDataNamesTheAnalysisAndNoneMeansLowerCase() {
        Path index = Path.of("snapshot", "catalog");
        assertSame(CatalogAnalysis.ASCII_FOLDING,
                CatalogAnalysis.ofCommit(CatalogAnalysis.ASCII_FOLDING.commitData(), index));
        assertSame(CatalogAnalysis.LOWER_CASE, CatalogAnalysis.ofCommit(Map.of(), index));
        assertSame(CatalogAnalysis.ASCII_FOLDING, CatalogAnalysis.CURRENT);
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
                () -> CatalogAnalysis.ofCommit(Map.of(CatalogAnalysis.COMMIT_KEY, "icu-folding-2"), index));
        assertEquals(index, e.file());
        assertTrue(e.getMessage().contains("format too new") && e.getMessage().contains("icu-folding-2"),
                e.getMessage());
    }
}
