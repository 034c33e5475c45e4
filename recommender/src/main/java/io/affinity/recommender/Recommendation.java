package io.affinity.recommender;

import java.util.Objects;

/**
 * One recommended item.
 *
 * @param itemId      the item
 * @param description its catalogue description (empty when unknown)
 * @param score       the source's score, higher is better; comparable within one source only
 * @param source      which candidate source proposed it
 * @param explanation why
 */
public record Recommendation(String itemId, String description, double score, RecommendationSource source,
                             Explanation explanation) {
    public Recommendation {
        Ids.requireItemId(itemId);
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(explanation, "explanation");
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score is NaN");
        }
    }
}
