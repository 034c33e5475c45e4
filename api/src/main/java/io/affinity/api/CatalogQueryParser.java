package io.affinity.api;

import io.affinity.recommender.Ids;
import io.affinity.store.CatalogAnalysis;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RegexpQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Lucene's classic query syntax over the catalogue fields, analysed as the index was ({@link CatalogAnalysis}:
 * accent folding and lower case for indexes written since snapshot format 5, lower case only before). Exact fields
 * ({@code id}, {@code category}, {@code family}, {@code available}, and any unknown field such as {@code brand})
 * match whole values, case-folded (and accent-folded, except {@code id}) as they were indexed; numeric fields
 * take ranges and single values ({@code price:[5 TO 20]},
 * {@code orders:{100 TO *]}, {@code price:2.95}) and so do the catalogue file's numeric attributes (those the
 * index holds as numbers, e.g. {@code weight_kg:[1 TO 5]}); {@code description} is full text and the default field.
 * A query made only of exclusions ({@code -brand:acme}) means "everything except", not "nothing".
 * Patterns (wildcard, prefix, fuzzy, regular expression) and ranges are normalised like exact terms by the analysis
 * (Lucene's {@code Analyzer.normalize}, applied by the base class), and on {@code id} matched case-insensitively
 * like its exact terms; patterns on a numeric field are refused (points hold no terms to match a pattern against).
 * Not thread-safe (QueryParser keeps state): make one per parse.
 */
final class CatalogQueryParser extends QueryParser {
    static final Set<String> DOUBLE_FIELDS = Set.of("price");
    static final Set<String> LONG_FIELDS = Set.of("orders", "customers");
    static final String TEXT_FIELD = "description";

    /** {@link #DOUBLE_FIELDS} and the index's numeric attributes. */
    private final Set<String> doubleFields;
    /** How the index made its terms: queries must make theirs the same way. */
    private final CatalogAnalysis analysis;

    CatalogQueryParser(Set<String> numericAttributes, CatalogAnalysis analysis) {
        super(TEXT_FIELD, analysis.analyzer());
        this.analysis = analysis;
        setAllowLeadingWildcard(false);
        Set<String> fields = new HashSet<>(DOUBLE_FIELDS);
        fields.addAll(numericAttributes);
        fields.removeAll(LONG_FIELDS);
        this.doubleFields = Set.copyOf(fields);
    }

    /**
     * A query that is valid syntax but too costly to run: a regular expression or wildcard too complex to compile,
     * or more clauses than Lucene allows (counted over all groups, after fuzzy terms expand). Its message never
     * quotes the query.
     */
    static final class TooComplex extends ParseException {
        private static final long serialVersionUID = 1L;

        TooComplex(String message) {
            super(message);
        }
    }

    static TooComplex tooComplexPattern() {
        return new TooComplex("a regular expression or wildcard term is too complex to compile (over Lucene's work "
                + "limit of " + Operations.DEFAULT_DETERMINIZE_WORK_LIMIT
                + "); simplify it, e.g. fewer or smaller repetitions");
    }

    static TooComplex tooManyClauses() {
        return new TooComplex("too many clauses: the query has, or its fuzzy terms expand to, more than "
                + IndexSearcher.getMaxClauseCount() + " terms in all (every group counts)");
    }

    /**
     * The {@link TooComplex} for one of Lucene's "too costly" failures, wherever it was thrown (parsing, rewriting
     * for the index, searching); null for any other throwable.
     */
    static TooComplex tooCostly(Throwable e) {
        if (e instanceof IndexSearcher.TooManyClauses) {
            return tooManyClauses();
        }
        if (e instanceof TooComplexToDeterminizeException) {
            return tooComplexPattern(); // its own message quotes the expression: anything the caller typed
        }
        return null;
    }

    /**
     * Parses {@code expression} for an index analysed with {@code analysis}, where the fields
     * {@code numericAttributes} are numbers too (double points); a syntax or value error is a
     * {@link ParseException} saying where and why.
     */
    static Query compile(String expression, Set<String> numericAttributes, CatalogAnalysis analysis)
            throws ParseException {
        if (nesting(expression) > MAX_NESTING) {
            throw tooDeeplyNested();
        }
        try {
            return allowPureExclusion(new CatalogQueryParser(numericAttributes, analysis).parse(expression));
        } catch (StackOverflowError e) {
            // A backstop for recursion the count above does not foresee; the parse holds no state beyond this call.
            throw tooDeeplyNested();
        } catch (ParseException e) {
            // The parser wraps a flat query's clause excess as if it were a syntax error.
            TooComplex costly = tooCostly(e.getCause());
            if (costly != null) {
                throw costly;
            }
            String message = columnFromOne(e, abbreviateQuery(e.getMessage(), expression));
            throw new ParseException(unclosedSlash(expression) ? withHint(message, UNCLOSED_SLASH) : message);
        } catch (TooComplexToDeterminizeException | IndexSearcher.TooManyClauses e) {
            throw tooCostly(e);
        } catch (IllegalArgumentException e) {
            throw new ParseException(e.getMessage());
        }
    }

    /**
     * The deepest nesting {@link #compile} parses. The query parser and Lucene's regular-expression parser recurse
     * once per group ({@code (}) and per complement ({@code ~} inside {@code /.../}): a few thousand levels, which
     * fit in a URL, overflowed the stack of the request's thread. Real filters nest a handful of levels.
     */
    static final int MAX_NESTING = 100;

    static TooComplex tooDeeplyNested() {
        return new TooComplex("groups or regular-expression operators nested more than " + MAX_NESTING
                + " levels deep");
    }

    /**
     * An upper bound of the expression's nesting: the depth of its parentheses (escaped ones skipped, those inside
     * quotes and regular expressions counted too, which only errs towards refusing) or its longest run of
     * {@code ~}, whichever is larger. One pass over the characters, no allocation.
     */
    static int nesting(String expression) {
        int depth = 0;
        int deepest = 0;
        int tildes = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c == '\\') {
                i++;
                tildes = 0;
                continue;
            }
            if (c == '(') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            }
            tildes = c == '~' ? tildes + 1 : 0;
            deepest = Math.max(deepest, tildes);
        }
        return deepest;
    }

    /**
     * Lucene's own words for an unclosed regular expression ("Lexical error ... after prefix "/20" (in lexical state
     * 2)") do not tell a merchandiser who typed a description with a slash ("SET/20 ...") what went wrong.
     */
    static final String UNCLOSED_SLASH = "a '/' starts a regular expression (/.../) and this one is not closed: to "
            + "find text with a slash, quote it (\"set/20\") or escape the slash (set\\/20)";

    /** Whether the expression has an odd number of slashes outside quoted phrases (escaped ones skipped). */
    static boolean unclosedSlash(String expression) {
        boolean inPhrase = false;
        boolean open = false;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"' && !open) {
                inPhrase = !inPhrase;
            } else if (c == '/' && !inPhrase) {
                open = !open;
            }
        }
        return open;
    }

    /**
     * The message with the column of a syntax error counted from 1, as lexical errors count theirs: the parser
     * reports the offending token's offset from 0 ("AND teacup" at column 0), so one answer said column 10 for the
     * end of "teacup AND" and another column 5 for the end of "tea\\".
     */
    static String columnFromOne(ParseException wrapper, String message) {
        if (message == null || !(wrapper.getCause() instanceof ParseException syntax) || syntax.currentToken == null
                || syntax.currentToken.next == null) {
            return message;
        }
        Token at = syntax.currentToken.next;
        String fromZero = "at line " + at.beginLine + ", column " + at.beginColumn + ".";
        int i = message.indexOf(fromZero);
        return i < 0 ? message : message.substring(0, i) + "at line " + at.beginLine + ", column "
                + (at.beginColumn + 1) + "." + message.substring(i + fromZero.length());
    }

    /** The message with {@code hint} at the end of its first line (the one the 400 quotes). */
    static String withHint(String message, String hint) {
        if (message == null) {
            return hint;
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message + "; " + hint : message.substring(0, nl) + "; " + hint + message.substring(nl);
    }

    /** The parser's message quotes the whole expression ("Cannot parse '...': "): shortened as other echoes are. */
    static String abbreviateQuery(String message, String expression) {
        if (message == null) {
            return null;
        }
        String quoted = "'" + expression + "'";
        int at = message.indexOf(quoted);
        return at < 0 ? message : message.substring(0, at) + "'" + Params.abbreviate(expression) + "'"
                + message.substring(at + quoted.length());
    }

    /** A pattern on a numeric field would silently match nothing: say so, as for a value that is not a number. */
    private void refuseNumericPattern(String field, String pattern) throws ParseException {
        if (doubleFields.contains(field) || LONG_FIELDS.contains(field)) {
            throw new ParseException("field '" + field + "' is numeric, '" + Params.abbreviate(pattern) + "' is a "
                    + "pattern: wildcards, fuzzy terms and regular expressions do not apply to numbers; use a range "
                    + "such as " + field + ":[2 TO 3]");
        }
    }

    // Ids are indexed upper case and unfolded (normaliseExact) while the base class lower-cases (and, since format 5,
    // folds) patterns through the analyzer, so on `id` a pattern is upper-cased instead (or, for a regular
    // expression, whose classes such as \d must keep their case, matched ASCII case-insensitively).

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
        refuseNumericPattern(field, termStr);
        if ("id".equals(field) && !termStr.startsWith("*") && !termStr.startsWith("?")) {
            return newWildcardQuery(new Term(field, termStr.toUpperCase(Locale.ROOT)));
        }
        return super.getWildcardQuery(field, termStr); // also the "leading wildcard" error
    }

    @Override
    protected Query getPrefixQuery(String field, String termStr) throws ParseException {
        refuseNumericPattern(field, termStr + "*");
        if ("id".equals(field) && !termStr.startsWith("*")) {
            return newPrefixQuery(new Term(field, termStr.toUpperCase(Locale.ROOT)));
        }
        return super.getPrefixQuery(field, termStr);
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
        refuseNumericPattern(field, termStr + "~");
        if ("id".equals(field)) {
            return newFuzzyQuery(new Term(field, termStr.toUpperCase(Locale.ROOT)), minSimilarity,
                    getFuzzyPrefixLength());
        }
        return super.getFuzzyQuery(field, termStr, minSimilarity);
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
        refuseNumericPattern(field, "/" + termStr + "/");
        if ("id".equals(field)) {
            return new RegexpQuery(new Term(field, termStr), RegExp.ALL, RegExp.ASCII_CASE_INSENSITIVE,
                    RegexpQuery.DEFAULT_PROVIDER, getDeterminizeWorkLimit(), getMultiTermRewriteMethod());
        }
        return super.getRegexpQuery(field, termStr);
    }

    @Override
    protected Query getFieldQuery(String field, String queryText, boolean quoted) throws ParseException {
        if (doubleFields.contains(field) || LONG_FIELDS.contains(field)) {
            return getRangeQuery(field, queryText, queryText, true, true);
        }
        if (!TEXT_FIELD.equals(field)) {
            return new TermQuery(new Term(field, normaliseExact(field, queryText)));
        }
        return super.getFieldQuery(field, queryText, quoted);
    }

    @Override
    protected Query getRangeQuery(String field, String part1, String part2, boolean startInclusive,
                                  boolean endInclusive) throws ParseException {
        if (doubleFields.contains(field)) {
            double low = part1 == null ? Double.NEGATIVE_INFINITY : parseDouble(field, part1);
            double high = part2 == null ? Double.POSITIVE_INFINITY : parseDouble(field, part2);
            if (!startInclusive) {
                low = Math.nextUp(low);
            }
            if (!endInclusive) {
                high = Math.nextDown(high);
            }
            return DoublePoint.newRangeQuery(field, low, high);
        }
        if (LONG_FIELDS.contains(field)) {
            long low = part1 == null ? Long.MIN_VALUE : parseLong(field, part1);
            long high = part2 == null ? Long.MAX_VALUE : parseLong(field, part2);
            if (!startInclusive) {
                low = low == Long.MAX_VALUE ? low : low + 1;
            }
            if (!endInclusive) {
                high = high == Long.MIN_VALUE ? high : high - 1;
            }
            return LongPoint.newRangeQuery(field, low, high);
        }
        if ("id".equals(field)) {
            // The parser's own range would pass the bounds through the analyzer's normalisation (lower case), and
            // ids are indexed upper case: [85123A TO 85123B] would silently match nothing.
            return new TermRangeQuery(field, part1 == null ? null : new BytesRef(normaliseExact(field, part1)),
                    part2 == null ? null : new BytesRef(normaliseExact(field, part2)), startInclusive, endInclusive,
                    getMultiTermRewriteMethod());
        }
        return super.getRangeQuery(field, part1 == null ? null : normaliseExact(field, part1),
                part2 == null ? null : normaliseExact(field, part2), startInclusive, endInclusive);
    }

    /**
     * Item ids are indexed upper case (and not accent-folded: codes), every other exact field as the analysis made
     * its terms (lower case; folded since format 5).
     */
    private String normaliseExact(String field, String text) {
        return "id".equals(field) ? Ids.normaliseItemId(text) : analysis.exact(text.trim());
    }

    private static double parseDouble(String field, String text) throws ParseException {
        try {
            double v = Double.parseDouble(text);
            if (Double.isNaN(v)) {
                throw new NumberFormatException();
            }
            if (Double.isInfinite(v)) {
                // 1e400 parses as infinity and would match nothing, silently; an open bound has its own syntax
                throw new ParseException("field '" + field + "' is numeric, '" + Params.abbreviate(text)
                        + "' is out of range (write * for an open bound)");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ParseException("field '" + field + "' is numeric, '" + Params.abbreviate(text) + "' is not a number");
        }
    }

    private static long parseLong(String field, String text) throws ParseException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ParseException("field '" + field + "' is an integer, '" + Params.abbreviate(text) + "' is not");
        }
    }

    /** Gives every boolean query made only of MUST_NOT clauses an implicit "match all" to subtract from. */
    static Query allowPureExclusion(Query q) {
        if (!(q instanceof BooleanQuery bq)) {
            return q;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(bq.getMinimumNumberShouldMatch());
        boolean onlyExclusions = !bq.clauses().isEmpty();
        for (BooleanClause c : bq.clauses()) {
            b.add(allowPureExclusion(c.getQuery()), c.getOccur());
            onlyExclusions &= c.getOccur() == BooleanClause.Occur.MUST_NOT;
        }
        if (onlyExclusions) {
            b.add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }
}
