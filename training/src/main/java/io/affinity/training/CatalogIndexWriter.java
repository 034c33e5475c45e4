package io.affinity.training;

import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ProductFamilies;
import io.affinity.store.CatalogAnalysis;
import io.affinity.training.ingest.CatalogFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Writes the catalogue search index (Lucene) of a snapshot: one document per item. The field names are the
 * filter and search vocabulary of the API (its {@code Catalog} reads the same names). Terms are made by the
 * index's {@link CatalogAnalysis} (accent folding since format 5), recorded in the index's commit data so that the
 * API parses queries the same way; stored values are the text as given, accents included:
 * <ul>
 *   <li>{@code id} the item id, exact (upper case, not folded: ids are codes), stored</li>
 *   <li>{@code description} full text (standard tokenizer, folded, lower case), stored; the default search
 *       field</li>
 *   <li>{@code category} the catalogue's category, or when the data has none a derived product category (see
 *       {@link #categoryOf}); exact, folded and lower case; stored lower case with its accents</li>
 *   <li>{@code family} the catalogue's product family, else the derived one (description without colour
 *       words); exact, folded and lower case; stored lower case with its accents (an index written before
 *       folding did not store it: its term is the family, lower case)</li>
 *   <li>{@code price} the catalogue's price, else the typical (median) unit price paid; a double point, stored</li>
 *   <li>{@code orders}, {@code customers} order and customer counts, long points, stored (0 for a catalogue item
 *       never bought)</li>
 *   <li>{@code available} {@code true} or {@code false}, exact, stored: the catalogue's value, else
 *       {@code true}; stock changes after training arrive through the API, not the index</li>
 *   <li>every extra attribute of the catalogue file under its column name, stored as given: exact, folded and
 *       lower case like {@code category}, or a double point when every value of the column is a number (so ranges
 *       work)</li>
 * </ul>
 * The catalogue's cost is not indexed: it is not for search, and stays in the item facts.
 */
public final class CatalogIndexWriter {
    /** The snapshot sub-directory holding the index. */
    public static final String DIRECTORY = "catalog";

    /**
     * Words that are not the kind of product at the end of a description: colours, patterns, sizes and fillers
     * (in the UCI Online Retail data "JUMBO BAG RED RETROSPOT" is a bag, "CAKE TINS PANTRY DESIGN" are tins).
     */
    static final Set<String> NOT_A_PRODUCT_KIND = Set.of("RETROSPOT", "DESIGN", "DESIGNS", "SPOTTY", "POLKADOT",
            "PAISLEY", "SKULLS", "SKULL", "VINTAGE", "DOILY", "REGENCY", "SMALL", "LARGE", "JUMBO", "MINI", "MEDIUM",
            "SET", "OF", "AND", "WITH", "IN", "ASSORTED", "COLOUR", "COLOURS", "COLOR", "FLOWER", "FLOWERS",
            "HEART", "HEARTS", "STAR", "STARS", "DOTS", "SPOTS", "STRIPE", "STRIPES", "PANTRY", "BIRD", "BIRDS",
            "APPLES", "LOVE", "WOODLAND", "CHRISTMAS", "XMAS", "GLITTER", "ANTIQUE", "PARTY");

    private CatalogIndexWriter() {
    }

    /** Writes one document per item into {@code emptyDirectory}, merged into one segment and committed. */
    public static void write(Path emptyDirectory, Collection<ItemFacts> items) throws IOException {
        write(emptyDirectory, items, null);
    }

    /**
     * As {@link #write(Path, Collection, CatalogFile)}, with the current analysis
     * ({@link CatalogAnalysis#CURRENT}).
     */
    public static void write(Path emptyDirectory, Collection<ItemFacts> items, CatalogFile catalog)
            throws IOException {
        write(emptyDirectory, items, catalog, CatalogAnalysis.CURRENT);
    }

    /**
     * As {@link #write(Path, Collection)}, with the catalogue file's family, availability and extra attributes for
     * the items it has a row for ({@code catalog} may be null), analysed with {@code analysis}. Training always
     * writes {@link CatalogAnalysis#CURRENT}; {@link CatalogAnalysis#LOWER_CASE} writes an index as snapshots of
     * format 4 and before hold it (no analysis recorded, nothing folded, {@code family} not stored), for tests of
     * their compatibility.
     */
    public static void write(Path emptyDirectory, Collection<ItemFacts> items, CatalogFile catalog,
                             CatalogAnalysis analysis) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(analysis.analyzer())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                .setCommitOnClose(true);
        try (Directory dir = FSDirectory.open(emptyDirectory); IndexWriter writer = new IndexWriter(dir, config)) {
            if (analysis != CatalogAnalysis.LOWER_CASE) {
                // The API reads it back to parse queries as this index was analysed.
                writer.setLiveCommitData(analysis.commitData().entrySet());
            }
            for (ItemFacts item : items) {
                writer.addDocument(catalog == null ? document(item, null, null, analysis)
                        : document(item, catalog.entries().get(item.itemId()), catalog, analysis));
            }
            // One segment: the index is read-only from here on, and readers map item ordinals over it.
            writer.forceMerge(1);
        }
    }

    /** @param catalog the catalogue {@code entry} comes from (which attributes are numbers, in what dialect) */
    static Document document(ItemFacts item, CatalogFile.Entry entry, CatalogFile catalog,
                             CatalogAnalysis analysis) {
        Document d = new Document();
        d.add(new StringField("id", item.itemId(), Field.Store.YES));
        d.add(new TextField("description", item.description(), Field.Store.YES));
        exact(d, "category", category(item), true, analysis);
        String family = (entry != null && entry.family() != null ? entry.family()
                : ProductFamilies.familyOf(item.itemId(), item.description())).toLowerCase(Locale.ROOT);
        // Stored since folding, to show it with its accents (before, the API showed the term, then the same text).
        exact(d, "family", family, analysis != CatalogAnalysis.LOWER_CASE, analysis);
        d.add(new DoublePoint("price", item.typicalPrice()));
        d.add(new StoredField("price", item.typicalPrice()));
        d.add(new LongPoint("orders", item.orderCount()));
        d.add(new StoredField("orders", item.orderCount()));
        d.add(new LongPoint("customers", item.customerCount()));
        d.add(new StoredField("customers", item.customerCount()));
        boolean available = entry == null || entry.available() == null || entry.available();
        d.add(new StringField("available", Boolean.toString(available), Field.Store.YES));
        if (entry != null) {
            for (Map.Entry<String, String> a : entry.attributes().entrySet()) {
                if (catalog.numericAttributes().contains(a.getKey())) {
                    d.add(new DoublePoint(a.getKey(), catalog.attributeNumber(a.getValue())));
                } else {
                    d.add(new StringField(a.getKey(), analysis.exact(a.getValue()), Field.Store.NO));
                }
                d.add(new StoredField(a.getKey(), a.getValue()));
            }
        }
        return d;
    }

    /**
     * An exact field: its term as {@code analysis} makes it from {@code shown}, and when {@code store}, {@code shown}
     * as the stored value (one field when both are the same text, as every value was before folding).
     */
    private static void exact(Document d, String field, String shown, boolean store, CatalogAnalysis analysis) {
        String term = analysis.exact(shown);
        if (store && term.equals(shown)) {
            d.add(new StringField(field, term, Field.Store.YES));
            return;
        }
        d.add(new StringField(field, term, Field.Store.NO));
        if (store) {
            d.add(new StoredField(field, shown));
        }
    }

    /** The item's category as stored: the catalogue's (trimmed, lower case), else {@link #categoryOf}. */
    static String category(ItemFacts item) {
        return item.category().isBlank() ? categoryOf(item.description())
                : item.category().trim().toLowerCase(Locale.ROOT);
    }

    /**
     * A pragmatic product category for catalogues that have none: the last word of the description that names a
     * kind of product (English descriptions put the head noun last: "WHITE HANGING HEART T-LIGHT HOLDER" is a
     * holder), skipping colour, pattern and size words, in the singular (a trailing S dropped unless SS), lower
     * case; {@code "other"} when no word qualifies. It is a heuristic: it groups holders with holders and bags
     * with bags, which is what a per-category cap and simple filters need, not a merchandising taxonomy.
     */
    public static String categoryOf(String description) {
        // Any letter, not only A-Z: a word with an accent ("CAFÉ") is one word, not two fragments.
        String[] words = description.toUpperCase(Locale.ROOT).split("[^\\p{L}-]+");
        for (int i = words.length - 1; i >= 0; i--) {
            String w = words[i].replaceAll("^-+|-+$", "");
            if (w.length() < 3 || ProductFamilies.isColour(w, i == words.length - 1)
                    || NOT_A_PRODUCT_KIND.contains(w)) {
                continue;
            }
            if (w.endsWith("S") && !w.endsWith("SS") && w.length() > 3) {
                w = w.substring(0, w.length() - 1);
            }
            return w.toLowerCase(Locale.ROOT);
        }
        return "other";
    }
}
