package io.affinity.store;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * How the catalogue index of a snapshot turns text into terms: training indexes with it, the API parses
 * {@code q}, {@code filter}, {@code boost} and {@code pin} with the same one, so a query term and the indexed term
 * it should meet are made by the same code. It lives with the snapshot format because it is part of what a
 * published index means: an index is queried with the analysis it was written with, which its Lucene commit
 * records under {@link #COMMIT_KEY} (an index without the key was written before format 5, with
 * {@link #LOWER_CASE}).
 *
 * <p>Analysis is for matching only: stored values (descriptions, categories, attributes, families) keep the text
 * as given. Item ids ({@code id}) are not analysed by either: they are codes, matched case-insensitively but
 * accent-exactly everywhere in the API (baskets, {@code GET /v1/items/{id}}, availability), and two ids that
 * differ in one accented letter are two items.
 */
public enum CatalogAnalysis {
    /**
     * Snapshot formats 1 to 4: lower case only. {@code description} with Lucene's {@link StandardAnalyzer} (standard
     * tokenizer, lower case, no stop words); exact fields lower-cased ({@link String#toLowerCase} in the root
     * locale). Accented and unaccented letters are different letters.
     */
    LOWER_CASE("lowercase", new StandardAnalyzer(), null),
    /**
     * Snapshot format 5 on: Unicode NFC, then Lucene's {@link ASCIIFoldingFilter} (accents and ligatures to their
     * ASCII letters: {@code é è ê} to {@code e}, {@code ü} to {@code u}, {@code ø} to {@code o}, {@code ñ} to
     * {@code n}, {@code ç} to {@code c}, {@code ß} to {@code ss}, {@code œ} to {@code oe}, {@code æ} to {@code ae}),
     * then lower case; the same standard tokenizer for {@code description}. So {@code cafe}, {@code café} and
     * {@code CAFÉ} are one term, and a query typed with or without accents matches either.
     */
    ASCII_FOLDING("nfc-asciifolding-lowercase", new FoldingAnalyzer(false), new FoldingAnalyzer(true));

    /** Key of the Lucene commit user data naming the analysis ({@link #id()}) an index was written with. */
    public static final String COMMIT_KEY = "affinity.catalogAnalysis";
    /** What training writes. */
    public static final CatalogAnalysis CURRENT = ASCII_FOLDING;

    private final String id;
    /** Analyzers are thread-safe (per-thread token stream reuse): one per analysis serves every caller. */
    private final Analyzer analyzer;
    /**
     * The same filters over the whole value as one token, for {@link #exact}: a reused token stream costs a
     * fraction of {@link Analyzer#normalize}, which builds its filter chain anew at each call (about 1 µs, several
     * times per item when training writes the index). Null for {@link #LOWER_CASE}, which lower-cases only.
     */
    private final Analyzer keyword;

    CatalogAnalysis(String id, Analyzer analyzer, Analyzer keyword) {
        this.id = id;
        this.analyzer = analyzer;
        this.keyword = keyword;
    }

    /** The name recorded in an index's commit data. */
    public String id() {
        return id;
    }

    /**
     * The analyzer of full-text fields ({@code description}); its {@link Analyzer#normalize} is what the query
     * parser applies to the pieces of wildcard, prefix, fuzzy, regular-expression and range terms.
     */
    public Analyzer analyzer() {
        return analyzer;
    }

    /**
     * The term an exact field ({@code category}, {@code family}, {@code available}, a text attribute) holds for
     * {@code value}, and the term a query value of that field is turned into; not for {@code id}. Lower case in
     * the root locale first in both analyses, so that what matched before folding (context-dependent lower
     * casing such as a final sigma included) still matches. Equal to {@code analyzer().normalize(field, lower)}, the
     * normalisation the query parser gives patterns.
     */
    public String exact(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        // ASCII is its own NFC and folding, and already lower case: most values of most catalogues skip the analyzer.
        if (keyword == null || isAscii(lower)) {
            return lower;
        }
        try (TokenStream ts = keyword.tokenStream("", lower)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            String folded = ts.incrementToken() ? term.toString() : "";
            ts.end();
            return folded;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reads a string
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The commit user data an index written with this analysis carries. */
    public Map<String, String> commitData() {
        return Map.of(COMMIT_KEY, id);
    }

    /**
     * The analysis the commit user data of the index at {@code index} records: {@link #LOWER_CASE} when it records
     * none (written before format 5).
     *
     * @throws SnapshotFormatException when it names an analysis this software does not know (written by newer
     *                                 software): querying with another analysis would silently miss matches
     */
    public static CatalogAnalysis ofCommit(Map<String, String> commitData, Path index) {
        String recorded = commitData.get(COMMIT_KEY);
        if (recorded == null) {
            return LOWER_CASE;
        }
        for (CatalogAnalysis a : values()) {
            if (a.id.equals(recorded)) {
                return a;
            }
        }
        throw new SnapshotFormatException(index, "format too new: the catalogue index was written with analysis '"
                + recorded + "'; this software knows " + Arrays.stream(values()).map(CatalogAnalysis::id).toList());
    }

    /**
     * Standard tokenizer, ASCII folding, lower case, on NFC text. Folding comes before lower casing because the
     * folding filter maps some lower-case letters to upper-case ASCII (small capitals: {@code ʀ} to {@code R}).
     * NFC first because the folding filter maps precomposed letters only: a decomposed {@code e} + U+0301 (as
     * some systems export text, or a keyboard sends it) would otherwise stay {@code e\u0301}, not {@code e}.
     */
    private static final class FoldingAnalyzer extends Analyzer {
        /** The whole text as one token (exact values) instead of words. */
        private final boolean wholeValue;

        FoldingAnalyzer(boolean wholeValue) {
            this.wholeValue = wholeValue;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = wholeValue ? new KeywordTokenizer() : new StandardTokenizer();
            return new TokenStreamComponents(source, fold(source));
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return fold(in);
        }

        private static TokenStream fold(TokenStream in) {
            return new LowerCaseFilter(new ASCIIFoldingFilter(in));
        }

        @Override
        protected Reader initReader(String fieldName, Reader reader) {
            return nfc(reader);
        }

        @Override
        protected Reader initReaderForNormalization(String fieldName, Reader reader) {
            return nfc(reader);
        }

        /**
         * The reader's text in NFC. Reads it whole: catalogue values and query terms are short, and NFC needs to
         * see a base letter with the marks that follow it. (Offsets of a re-composed text shift by the marks
         * composed away; the index keeps no offsets and nothing highlights.)
         */
        private static Reader nfc(Reader reader) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[256];
            try {
                for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                    text.append(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the analyzer reads strings only
            }
            String s = text.toString();
            return new StringReader(Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s
                    : Normalizer.normalize(s, Normalizer.Form.NFC));
        }
    }
}
