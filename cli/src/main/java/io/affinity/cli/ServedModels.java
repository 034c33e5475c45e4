package io.affinity.cli;

import io.affinity.api.CachedSnapshot;
import io.affinity.api.Catalog;
import io.affinity.api.ModelSummary;
import io.affinity.api.ServedModel;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.store.Manifest;
import io.affinity.store.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Turns an opened snapshot into the model the API serves, with the summary {@code GET /v1/model} shows. */
final class ServedModels {
    /** Cache slots per kind: above the catalogue size of a typical retailer, a few MB of decoded rules. */
    static final int CACHE_SLOTS = 1 << 15;
    /** Compiled filters kept per version (each a bitset of one bit per catalogue item). */
    static final int FILTER_CACHE_SIZE = 256;

    private ServedModels() {
    }

    static ServedModel of(Snapshot snapshot) {
        Manifest m = snapshot.manifest();
        Map<String, Object> summary = ModelSummary.of(m);
        // Decoded item facts and rule lists stay on the heap for this version (bounded; see CachedSnapshot).
        CachedSnapshot cached = new CachedSnapshot(snapshot, CACHE_SLOTS);
        Catalog catalog;
        try {
            catalog = Catalog.open(snapshot, FILTER_CACHE_SIZE).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the catalogue index of " + m.version(), e);
        }
        return new ServedModel(cached, new Recommender(cached, RecommenderSettings.DEFAULTS), summary, catalog);
    }
}
