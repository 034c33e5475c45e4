package io.affinity.api;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Small published snapshots whose every item description ends with {@code @<tag>}, so that an answer mixing two
 * versions is detectable: each description must carry the tag of the answer's modelVersion.
 */
final class TestStores {
    static final int ITEMS = 20;
    static final int CUSTOMERS = 10;

    private TestStores() {
    }

    static String itemId(int i) {
        return String.format("I%02d", i);
    }

    static String customerId(int c) {
        return "C" + (100 + c);
    }

    /** Publishes one version tagged {@code tag} without activating it; returns its version id. */
    static String publish(ModelStore store, String tag) throws IOException {
        return publish(store, tag, java.util.Map.of());
    }

    /** As {@link #publish(ModelStore, String)}, with these training parameters in the manifest. */
    static String publish(ModelStore store, String tag, java.util.Map<String, Object> parameters) throws IOException {
        return publish(store, tag, parameters, io.affinity.store.CatalogAnalysis.CURRENT);
    }

    /** As {@link #publish(ModelStore, String, Map)}, its catalogue index written with {@code analysis}. */
    static String publish(ModelStore store, String tag, java.util.Map<String, Object> parameters,
                          io.affinity.store.CatalogAnalysis analysis) throws IOException {
        return publish(store, tag, parameters, analysis, b -> { });
    }

    /**
     * As {@link #publish(ModelStore, String)}, with a consent list written at {@code listWritten} (as training
     * records its file's time) that opts the first customer in to e-mail.
     */
    static String publishWithConsentList(ModelStore store, String tag, java.time.Instant listWritten)
            throws IOException {
        return publish(store, tag, java.util.Map.of(), io.affinity.store.CatalogAnalysis.CURRENT, b -> b
                .putConsent(customerId(0), java.util.Map.of(io.affinity.recommender.Consent.Channel.EMAIL,
                        io.affinity.recommender.Consent.State.OPTED_IN))
                .section("consent", java.util.Map.of(io.affinity.store.Snapshot.CONSENT_FILE_MODIFIED,
                        listWritten.toString())));
    }

    /**
     * As {@link #publish(ModelStore, String)}, with a list precomputed by a served "blend" for the first customer:
     * their repeat purchase {@code I00} (bought in 3 orders, as every snapshot here says), then {@code I07}, new to
     * them.
     */
    static String publishWithModelList(ModelStore store, String tag) throws IOException {
        LocalDate day = LocalDate.of(2011, 5, 1);
        return publish(store, tag, java.util.Map.of(), io.affinity.store.CatalogAnalysis.CURRENT, b -> b
                .putCustomerRecommendations(customerId(0), new io.affinity.recommender.PrecomputedRecommendations(
                        "blend", List.of(new io.affinity.recommender.PrecomputedItem(itemId(0), 0.9, true,
                                        "repeat-frequency", new PurchasedItem(itemId(0), 3, 10, day)),
                                new io.affinity.recommender.PrecomputedItem(itemId(7), 0.8, false, "ease", null)))));
    }

    /** As {@link #publish(ModelStore, String)}, with {@code more} (profiles, consent, trade-ups, ...) added first. */
    static String publish(ModelStore store, String tag, java.util.function.Consumer<SnapshotBuilder> more)
            throws IOException {
        return publish(store, tag, java.util.Map.of(), io.affinity.store.CatalogAnalysis.CURRENT, more);
    }

    private static String publish(ModelStore store, String tag, java.util.Map<String, Object> parameters,
                                  io.affinity.store.CatalogAnalysis analysis,
                                  java.util.function.Consumer<SnapshotBuilder> more) throws IOException {
        SnapshotBuilder b = store.newSnapshot().parameters(parameters);
        more.accept(b);
        for (int i = 0; i < ITEMS; i++) {
            b.putItem(new ItemFacts(itemId(i), "ITEM " + i + " @" + tag, "cat" + (i % 3), 1.5 + i, 100 - i, 50, 300));
        }
        for (int i = 0; i < ITEMS; i++) {
            List<AssociationRule> rules = new ArrayList<>();
            rules.add(new AssociationRule(List.of(itemId(i)), itemId((i + 1) % ITEMS), 40, 0.04, 0.6, 3.0, 0.01, 2.0));
            rules.add(new AssociationRule(List.of(itemId(i)), itemId((i + 2) % ITEMS), 30, 0.03, 0.4, 2.5, 0.01, 1.5));
            b.putRules(itemId(i), rules);
        }
        LocalDate day = LocalDate.of(2011, 5, 1);
        for (int c = 0; c < CUSTOMERS; c++) {
            List<PurchasedItem> bought = List.of(new PurchasedItem(itemId(c), 3, 10, day),
                    new PurchasedItem(itemId(c + 5), 1, 2, day.minusDays(10)));
            b.putCustomer(customerId(c), new CustomerHistory(4, bought, 2));
        }
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            popular.add(new PopularItem(itemId(i), 1000 - i, 500 - i));
        }
        b.popularItems(popular);
        List<ItemFacts> facts = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            facts.add(new ItemFacts(itemId(i), "ITEM " + i + " @" + tag, "cat" + (i % 3), 1.5 + i, 100 - i, 50, 300));
        }
        b.addDirectory(Catalog.DIRECTORY, dir -> io.affinity.training.CatalogIndexWriter.write(dir, facts, null,
                analysis));
        return b.publish(false);
    }

    /** What the CLI does with a verified snapshot, with a smaller cache. */
    static ServedModel serve(Snapshot snapshot) {
        CachedSnapshot cached = new CachedSnapshot(snapshot, 8); // small: collisions exercised under swaps too
        Catalog catalog;
        try {
            catalog = Catalog.open(snapshot, 4).orElse(null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ServedModel(cached, new Recommender(cached, RecommenderSettings.DEFAULTS),
                ModelSummary.of(snapshot.manifest()), catalog);
    }

    /**
     * A snapshot published with tag {@code a} into a store under {@code dir}, opened, and answered by one server
     * (started); {@link #close} stops the server, then closes the catalogue and the snapshot.
     */
    record Served(Snapshot snapshot, ServedModel model, AffinityServer server) implements AutoCloseable {
        static Served start(Path dir, ApiConfig config, ServerOptions options) throws IOException {
            ModelStore store = ModelStore.open(dir.resolve("store"));
            Snapshot snapshot = store.open(publish(store, "a"));
            ServedModel model = serve(snapshot);
            return new Served(snapshot, model, AffinityServer.create(config, ModelSource.fixed(model), options).start());
        }

        @Override
        public void close() throws IOException {
            server.close();
            model.catalog().close();
            snapshot.close();
        }
    }

    /** Flips one byte in the middle of a data file: the checksum no longer matches. */
    static void corrupt(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }
}
