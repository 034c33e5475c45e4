package io.affinity.training;

import io.affinity.recommender.ItemFacts;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.ingest.CatalogFile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Item facts from the transactions combined with the retailer's catalogue: the catalogue's description, category,
 * price and cost override the derived ones where it gives them; items bought but missing from the catalogue keep
 * their derived facts; catalogue items never bought become items with zero counts (searchable and pinnable, never
 * proposed by a model, which has no evidence for them).
 *
 * @param bought        facts of every bought item (the transactions' items), catalogue values applied
 * @param neverBought   catalogue items with no accepted transaction line, in catalogue order
 * @param matched       bought items with a catalogue row
 * @param boughtWithout bought items without a catalogue row
 * @param withCost      items (bought or not) whose margin comes from a catalogue cost
 *
 * <p>Public for training on Spark, which merges its own derived facts with the same code.
 */
public record CatalogMerge(List<ItemFacts> bought, List<ItemFacts> neverBought, long matched, long boughtWithout,
                    long withCost) {

    /** Without a catalogue: the derived facts, unchanged. */
    public static CatalogMerge none(List<ItemFacts> derived) {
        return new CatalogMerge(List.copyOf(derived), List.of(), 0, derived.size(), 0);
    }

    public static CatalogMerge of(List<ItemFacts> derived, CatalogFile catalog) {
        List<ItemFacts> bought = new ArrayList<>(derived.size());
        Set<String> seen = new HashSet<>();
        long matched = 0;
        long withCost = 0;
        for (ItemFacts d : derived) {
            seen.add(d.itemId());
            CatalogFile.Entry e = catalog.entries().get(d.itemId());
            if (e == null) {
                bought.add(d);
                continue;
            }
            matched++;
            withCost += e.hasCost() ? 1 : 0;
            bought.add(new ItemFacts(d.itemId(), or(e.description(), d.description()), or(e.category(), d.category()),
                    e.hasPrice() ? e.price() : d.typicalPrice(), d.orderCount(), d.customerCount(), d.quantity(),
                    e.cost()));
        }
        List<ItemFacts> neverBought = new ArrayList<>();
        for (CatalogFile.Entry e : catalog.entries().values()) {
            if (!seen.contains(e.itemId())) {
                withCost += e.hasCost() ? 1 : 0;
                neverBought.add(new ItemFacts(e.itemId(), or(e.description(), ""), or(e.category(), ""),
                        e.hasPrice() ? e.price() : 0, 0, 0, 0, e.cost()));
            }
        }
        return new CatalogMerge(List.copyOf(bought), List.copyOf(neverBought), matched, derived.size() - matched,
                withCost);
    }

    /** Every item: the bought ones, then the catalogue's never-bought ones. */
    public List<ItemFacts> all() {
        List<ItemFacts> all = new ArrayList<>(bought.size() + neverBought.size());
        all.addAll(bought);
        all.addAll(neverBought);
        return all;
    }

    /**
     * Puts every item (bought, then never bought) and the catalogue search index written with the catalogue's
     * family, availability and extra attributes; with a catalogue, also the manifest's {@code catalog} section,
     * and its {@link #report} to {@code progress}.
     *
     * @param catalog the catalogue this merge was made with, or null for {@link #none}
     */
    public void put(SnapshotBuilder builder, CatalogFile catalog, Consumer<String> progress) throws IOException {
        List<ItemFacts> all = all();
        all.forEach(builder::putItem);
        builder.addDirectory(CatalogIndexWriter.DIRECTORY, dir -> CatalogIndexWriter.write(dir, all, catalog));
        if (catalog != null) {
            long bytes = Files.size(catalog.path());
            String sha256 = TrainingPipeline.sha256(catalog.path());
            builder.section("catalog", section(catalog, bytes, sha256));
            report(catalog, bytes, sha256).forEach(progress);
        }
    }

    /** The manifest's {@code catalog} section: provenance of the file and how it matched the transactions. */
    Map<String, Object> section(CatalogFile catalog, long bytes, String sha256) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", catalog.path().toAbsolutePath().toString());
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        CatalogFile.Report r = catalog.report();
        m.put("rowsRead", r.rowsRead());
        m.put("rowsUsed", r.rowsUsed());
        m.put("rowsRejected", r.rowsRejected());
        m.put("rejected", r.rejected());
        m.put("rejectedSamples", r.rejectedSamples());
        m.put("costAbovePrice", r.costAbovePrice());
        m.put("warningSamples", r.warningSamples());
        m.put("attributes", catalog.attributeNames());
        m.put("numericAttributes", List.copyOf(catalog.numericAttributes()));
        m.put("mostlyNumericTextAttributes", catalog.mostlyNumericTextAttributes());
        m.put("matchedBoughtItems", matched);
        m.put("boughtItemsWithoutRow", boughtWithout);
        m.put("catalogItemsNeverBought", neverBought.size());
        m.put("itemsWithCost", withCost);
        return m;
    }

    /**
     * The catalogue's report for the training progress and the CLI: the file's path, size and SHA-256, the
     * counts ({@link #summary}), then the first rejected rows and warnings, each with its {@code file:line}.
     */
    List<String> report(CatalogFile catalog, long bytes, String sha256) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "catalog: file %s, %,d bytes, SHA-256 %s",
                catalog.path().toAbsolutePath(), bytes, sha256));
        lines.add(summary(catalog));
        if (!catalog.attributeNames().isEmpty()) {
            lines.add("catalog: attributes " + String.join(", ", catalog.attributeNames()) + "; numeric: "
                    + (catalog.numericAttributes().isEmpty() ? "none" : String.join(", ", catalog.numericAttributes())));
        }
        catalog.mostlyNumericTextAttributes().forEach((name, why) -> lines.add("catalog: WARNING: attribute " + name
                + " is indexed as text (" + why + "): ranges on it compare text; correct those values to filter it "
                + "by number"));
        CatalogFile.Report r = catalog.report();
        for (String sample : r.rejectedSamples()) {
            lines.add("catalog: rejected " + sample);
        }
        if (r.rowsRejected() > r.rejectedSamples().size()) {
            lines.add(String.format(Locale.ROOT, "catalog: ... and %,d more rejected rows (first %d shown)",
                    r.rowsRejected() - r.rejectedSamples().size(), r.rejectedSamples().size()));
        }
        for (String sample : r.warningSamples()) {
            lines.add("catalog: warning " + sample);
        }
        return lines;
    }

    /** One line of counts for the training progress and the CLI. */
    String summary(CatalogFile catalog) {
        CatalogFile.Report r = catalog.report();
        return String.format(Locale.ROOT, "catalog: %,d rows read, %,d used, %,d rejected%s; %,d bought "
                        + "items matched, %,d bought items without a row (derived facts kept), %,d catalogue items "
                        + "never bought (indexed, not recommended by models), %,d items with a cost%s",
                r.rowsRead(), r.rowsUsed(), r.rowsRejected(), r.rejected().isEmpty() ? "" : " " + r.rejected(),
                matched, boughtWithout, neverBought.size(), withCost,
                r.costAbovePrice() == 0 ? "" : String.format(Locale.ROOT,
                        "; %,d with cost above price (margin 0)", r.costAbovePrice()));
    }

    private static String or(String given, String derived) {
        return given == null ? derived : given;
    }
}
