package io.affinity.api;

import io.affinity.store.CatalogAnalysis;
import io.affinity.store.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import java.util.function.Supplier;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.LongValues;
import org.apache.lucene.search.LongValuesSource;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * The catalogue index of one snapshot (written at training time by the training module's
 * {@code CatalogIndexWriter}), opened read-only from the memory-mapped snapshot directory. Items are numbered
 * by ordinal (their Lucene doc id); a filter expression is compiled once into a bitset over ordinals and kept
 * in a bounded LRU cache, so applying it to a request is a bit test per candidate. Queries are parsed with the
 * analysis the index records it was written with ({@link CatalogAnalysis}: accent folding since snapshot format 5,
 * lower case only before), so an older snapshot answers exactly as it did. Thread-safe; close it with its
 * snapshot.
 */
public final class Catalog implements AutoCloseable {
    /** The snapshot sub-directory holding the index. */
    public static final String DIRECTORY = "catalog";

    private final MMapDirectory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final Map<String, Integer> ordinals;
    private final String[] ids;
    private final String[] categories;
    /**
     * The family of each ordinal, lower case with its accents: stored since folding; in an older index, which did
     * not store it, its term (the same text: that index did not fold).
     */
    private final String[] families;
    private final long[] orders;
    private final long[] customers;
    /** Ordinals the catalogue file marked unavailable at training time; null when there is none. */
    private final FixedBitSet unavailable;
    /** Ordinals by popularity: most orders first, then item id; what pins injected from the catalogue follow. */
    private final int[] byPopularity;
    private final Map<String, FixedBitSet> compiled;
    /** Fields indexed as numbers beyond the built-in ones: the catalogue file's numeric attributes. */
    private final Set<String> numericAttributes;
    /** How the index made its terms, and so how queries must make theirs. */
    private final CatalogAnalysis analysis;

    /** Stored fields every document has; any other stored field is an attribute from the catalogue file. */
    static final Set<String> BUILT_IN_FIELDS = Set.of("id", "description", "category", "family",
            "price", "orders", "customers", "available");

    private Catalog(MMapDirectory directory, DirectoryReader reader, int cacheSize, Path indexDirectory)
            throws IOException {
        this.directory = directory;
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
        this.analysis = CatalogAnalysis.ofCommit(reader.getIndexCommit().getUserData(), indexDirectory);
        int n = reader.maxDoc();
        ids = new String[n];
        categories = new String[n];
        families = new String[n];
        orders = new long[n];
        customers = new long[n];
        ordinals = new HashMap<>(n * 2);
        FixedBitSet notAvailable = new FixedBitSet(Math.max(1, n));
        for (LeafReaderContext leaf : reader.leaves()) {
            StoredFields stored = leaf.reader().storedFields();
            for (int d = 0; d < leaf.reader().maxDoc(); d++) {
                Document doc = stored.document(d);
                int ord = leaf.docBase + d;
                ids[ord] = doc.get("id");
                categories[ord] = doc.get("category");
                families[ord] = doc.get("family");
                orders[ord] = storedLong(doc, "orders");
                customers[ord] = storedLong(doc, "customers");
                ordinals.put(ids[ord], ord);
                if ("false".equals(doc.get("available"))) {
                    notAvailable.set(ord);
                }
            }
        }
        unavailable = notAvailable.cardinality() == 0 ? null : notAvailable;
        // Shown so that a merchandiser can discover the values `family:` takes. An index written before folding did
        // not store it: one pass over its terms, which are the text (lower case) since that index did not fold.
        if (analysis == CatalogAnalysis.LOWER_CASE) {
            readFamilyTerms(reader, families);
        }
        Set<String> numeric = new TreeSet<>();
        for (FieldInfo fi : FieldInfos.getMergedFieldInfos(reader)) {
            if (fi.getPointDimensionCount() > 0 && !BUILT_IN_FIELDS.contains(fi.name)) {
                numeric.add(fi.name);
            }
        }
        numericAttributes = Collections.unmodifiableSet(numeric);
        byPopularity = IntStream.range(0, n).boxed()
                .sorted(Comparator.<Integer>comparingLong(o -> -orders[o]).thenComparing(o -> ids[o]))
                .mapToInt(Integer::intValue).toArray();
        compiled = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, FixedBitSet> eldest) {
                return size() > cacheSize;
            }
        });
    }

    /** Each document's {@code family} term (an index written before folding: the family, lower case, unstored). */
    private static void readFamilyTerms(DirectoryReader reader, String[] families) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms("family");
            if (terms == null) {
                continue;
            }
            TermsEnum te = terms.iterator();
            PostingsEnum postings = null;
            for (BytesRef t = te.next(); t != null; t = te.next()) {
                String family = t.utf8ToString();
                postings = te.postings(postings, PostingsEnum.NONE);
                for (int d = postings.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = postings.nextDoc()) {
                    families[leaf.docBase + d] = family;
                }
            }
        }
    }

    private static long storedLong(Document doc, String field) {
        IndexableField f = doc.getField(field);
        return f == null || f.numericValue() == null ? 0 : f.numericValue().longValue();
    }

    /** Opens the snapshot's catalogue index, or empty when the snapshot has none (trained before indexes). */
    public static Optional<Catalog> open(Snapshot snapshot, int filterCacheSize) throws IOException {
        Optional<Path> dir = snapshot.subdirectory(DIRECTORY);
        return dir.isEmpty() ? Optional.empty() : Optional.of(open(dir.get(), filterCacheSize));
    }

    /** Opens a catalogue index directory read-only. */
    public static Catalog open(Path indexDirectory, int filterCacheSize) throws IOException {
        if (filterCacheSize < 1) {
            throw new IllegalArgumentException("filterCacheSize must be >= 1, was " + filterCacheSize);
        }
        MMapDirectory dir = new MMapDirectory(indexDirectory);
        DirectoryReader reader = null;
        try {
            reader = DirectoryReader.open(dir);
            return new Catalog(dir, reader, filterCacheSize, indexDirectory);
        } catch (IOException | RuntimeException e) {
            if (reader != null) {
                reader.close();
            }
            dir.close();
            throw e;
        }
    }

    public int size() {
        return ids.length;
    }

    /** The analysis the index was written with, which queries are parsed with. */
    public CatalogAnalysis analysis() {
        return analysis;
    }

    /** Whether the catalogue file marked any item unavailable (then each candidate needs a check). */
    public boolean anyUnavailable() {
        return unavailable != null;
    }

    /** The catalogue's availability of the item at training time: false only when the catalogue file said so. */
    public boolean available(String itemId) {
        if (unavailable == null) {
            return true;
        }
        Integer ord = ordinals.get(itemId);
        return ord == null || !unavailable.get(ord);
    }

    /** The item's ordinal, or -1 when the catalogue does not hold it. */
    public int ordinal(String itemId) {
        Integer ord = ordinals.get(itemId);
        return ord == null ? -1 : ord;
    }

    public String itemId(int ordinal) {
        return ids[ordinal];
    }

    public String category(int ordinal) {
        return categories[ordinal];
    }

    /** Distinct orders that contained the item (0 when the index does not store it). */
    public long orders(int ordinal) {
        return orders[ordinal];
    }

    /** Distinct identified customers who bought the item (0 when the index does not store it). */
    public long customers(int ordinal) {
        return customers[ordinal];
    }

    /** The ordinal ranked {@code rank} by popularity (0 = most orders; ties by item id). */
    public int byPopularity(int rank) {
        return byPopularity[rank];
    }

    /**
     * The items matching {@code expression}, as a bitset over ordinals; compiled at first use, then cached.
     * The returned bitset is shared: never modify it.
     *
     * @throws ParseException when the expression is not valid query syntax or a value does not fit its field
     */
    public FixedBitSet filter(String expression) throws ParseException {
        return filter(expression, Compilation::compile);
    }

    /**
     * {@link #filter(String)}, the matching of an uncached expression with patterns (fuzzy, wildcard, prefix,
     * regular expression, text range: whatever enumerates the index's terms, so costs more the larger the
     * catalogue) handed to {@code costly} to run, e.g. under a limit on concurrent searches.
     */
    public FixedBitSet filter(String expression, CostlyCompilation costly) throws ParseException {
        FixedBitSet bits = compiled.get(expression);
        if (bits == null) {
            Query query = CatalogQueryParser.compile(expression, numericAttributes, analysis);
            bits = enumeratesTerms(query) ? costly.run(() -> matching(query)) : matching(query);
            compiled.put(expression, bits);
        }
        return bits;
    }

    /** The matching of one expression against the index. */
    public interface Compilation {
        FixedBitSet compile() throws ParseException;
    }

    /** Runs a {@link Compilation} whose cost grows with the catalogue's terms. */
    public interface CostlyCompilation {
        FixedBitSet run(Compilation compilation) throws ParseException;
    }

    /** Whether matching the query enumerates terms of the index (a pattern or a text range), rather than seeking. */
    static boolean enumeratesTerms(Query query) {
        boolean[] found = {false};
        query.visit(new QueryVisitor() {
            @Override
            public void consumeTermsMatching(Query q, String field, Supplier<ByteRunAutomaton> automaton) {
                found[0] = true;
            }

            @Override
            public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return this;
            }
        });
        return found[0];
    }

    /** Compiled filters currently cached. */
    public int cachedFilters() {
        return compiled.size();
    }

    private FixedBitSet matching(Query query) throws ParseException {
        try {
            FixedBitSet bits = new FixedBitSet(Math.max(1, ids.length));
            Weight weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
            for (LeafReaderContext leaf : reader.leaves()) {
                Scorer scorer = weight.scorer(leaf);
                if (scorer == null) {
                    continue;
                }
                DocIdSetIterator it = scorer.iterator();
                for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
                    bits.set(leaf.docBase + d);
                }
            }
            return bits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw tooComplex(e);
        }
    }

    /**
     * Lucene finds some queries too costly only when it rewrites them for the index (a clause total over the
     * limit across nested groups, fuzzy terms expanded): a 400 for the caller like a syntax error, not a failure.
     */
    private static ParseException tooComplex(RuntimeException e) {
        ParseException costly = CatalogQueryParser.tooCostly(e);
        if (costly == null) {
            throw e;
        }
        return costly;
    }

    /** The catalogue file's attributes indexed as numbers (range filters work on them), sorted. */
    public Set<String> numericAttributes() {
        return numericAttributes;
    }

    /**
     * One search result.
     *
     * @param family     the product family, lower case with its accents: the value {@code family:} matches (with or
     *                   without the accents when the index folds them)
     * @param available  the catalogue's availability at training time (stock changes since are the API's overlay)
     * @param attributes the catalogue file's extra attributes of the item, as given, by column name
     */
    public record Hit(String itemId, String description, String category, String family, double price,
                      boolean available, Map<String, String> attributes, float score) {
    }

    /** Full-text search, best match first. */
    public List<Hit> search(String expression, int limit) throws ParseException {
        return search(expression, 0, limit).hits();
    }

    /**
     * Search order: best match first and, among equal scores (a query on a category, a range, a keyword), the item
     * bought in more orders first; then catalogue order. A merchandiser listing {@code category:mug} sees the
     * best-sellers first, not the file's order.
     */
    private final Sort bestThenPopular = new Sort(SortField.FIELD_SCORE, new OrdersSource().getSortField(true));

    /**
     * The items' order counts as sort values, from the array read at open (the index stores them, without doc
     * values, which older snapshots would not have anyway).
     */
    private final class OrdersSource extends LongValuesSource {
        @Override
        public LongValues getValues(LeafReaderContext leaf, DoubleValues scores) {
            return new LongValues() {
                private int doc;

                @Override
                public long longValue() {
                    return orders[leaf.docBase + doc];
                }

                @Override
                public boolean advanceExact(int target) {
                    doc = target;
                    return true;
                }
            };
        }

        @Override
        public boolean needsScores() {
            return false;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        @Override
        public boolean equals(Object other) {
            return other == this;
        }

        @Override
        public String toString() {
            return "orders";
        }

        @Override
        public LongValuesSource rewrite(IndexSearcher searcher) {
            return this;
        }

        @Override
        public boolean isCacheable(LeafReaderContext leaf) {
            return false;
        }
    }

    /** One page of hits, and how many items match in all. */
    public record Page(List<Hit> hits, long matched) {
    }

    /**
     * The hits from {@code offset} on, best first (equal scores by orders, then in catalogue order: a total order, so
     * pages do not overlap or skip),
     * and the exact number of items the query matches (a catalogue is small enough to count every match).
     */
    public Page search(String expression, int offset, int limit) throws ParseException {
        Query query = CatalogQueryParser.compile(expression, numericAttributes, analysis);
        try {
            TopDocs top = searcher.search(query, new TopFieldCollectorManager(bestThenPopular, offset + limit, null,
                    Integer.MAX_VALUE));
            StoredFields stored = searcher.storedFields();
            List<Hit> hits = new ArrayList<>(Math.max(0, top.scoreDocs.length - offset));
            for (int i = offset; i < top.scoreDocs.length; i++) {
                ScoreDoc sd = top.scoreDocs[i];
                float score = (Float) ((FieldDoc) sd).fields[0];
                Document doc = stored.document(sd.doc);
                hits.add(new Hit(doc.get("id"), doc.get("description"), doc.get("category"), families[sd.doc],
                        doc.getField("price").numericValue().doubleValue(), !"false".equals(doc.get("available")),
                        attributes(doc), score));
            }
            return new Page(hits, top.totalHits.value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw tooComplex(e);
        }
    }

    /** The item at {@code ordinal} as a {@link Hit} with score 0 (for the item endpoint). */
    public Hit item(int ordinal) {
        try {
            Document doc = searcher.storedFields().document(ordinal);
            return new Hit(doc.get("id"), doc.get("description"), doc.get("category"), families[ordinal],
                    doc.getField("price").numericValue().doubleValue(), !"false".equals(doc.get("available")),
                    attributes(doc), 0f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stored attributes of the document, in index order; empty without a catalogue file. */
    private static Map<String, String> attributes(Document doc) {
        Map<String, String> out = null;
        for (IndexableField f : doc.getFields()) {
            if (!BUILT_IN_FIELDS.contains(f.name()) && f.stringValue() != null) {
                if (out == null) {
                    out = new TreeMap<>();
                }
                out.putIfAbsent(f.name(), f.stringValue());
            }
        }
        return out == null ? Map.of() : Collections.unmodifiableMap(out);
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            directory.close();
        }
    }
}
