package io.affinity.api;

import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.Recommender;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The model answering requests: the snapshot, its scorer, the manifest summary shown by {@code GET /v1/model},
 * and the snapshot's catalogue index (null when the snapshot has none; filters and search then answer 409).
 */
public record ServedModel(ModelSnapshot snapshot, Recommender recommender, Map<String, Object> summary,
                          Catalog catalog) {
    public ServedModel {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(recommender, "recommender");
        summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
        if (recommender.model() != snapshot) {
            throw new IllegalArgumentException("recommender must score the same snapshot");
        }
    }

    /**
     * The ISO 4217 code of every amount the model's answers carry (prices, margins, spend), from the manifest
     * ({@link ModelSummary#currency}); null when the model does not know it.
     */
    public String currency() {
        return summary.get("currency") instanceof String c ? c : null;
    }

    /** A model without a catalogue index. */
    public ServedModel(ModelSnapshot snapshot, Recommender recommender, Map<String, Object> summary) {
        this(snapshot, recommender, summary, null);
    }
}
