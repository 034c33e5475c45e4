package io.affinity.api;

import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.NextBestOffers;
import io.affinity.recommender.Recommender;
import java.util.Collections;
import java.util.Currency;
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

    /**
     * Decimals of the model currency's minor unit, which offer explanations print amounts with (JPY 0, EUR 2, KWD
     * 3); {@link NextBestOffers#DEFAULT_MINOR_DIGITS} when the currency is unknown, or has no minor unit (gold).
     */
    public int minorDigits() {
        String code = currency();
        if (code != null) {
            try {
                int digits = Currency.getInstance(code).getDefaultFractionDigits();
                if (digits >= 0) {
                    return digits;
                }
            } catch (IllegalArgumentException notIso) {
                // a manifest the trainer validated names an ISO 4217 code; anything else prints as if unknown
            }
        }
        return NextBestOffers.DEFAULT_MINOR_DIGITS;
    }

    /** A model without a catalogue index. */
    public ServedModel(ModelSnapshot snapshot, Recommender recommender, Map<String, Object> summary) {
        this(snapshot, recommender, summary, null);
    }
}
