package io.affinity.recommender;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A customer's recommendations computed at training time by the served model, best first.
 *
 * @param model the served model's name, e.g. {@code "blend"}
 * @param items candidates, best first by score, each item at most once
 */
public record PrecomputedRecommendations(String model, List<PrecomputedItem> items) {
    public PrecomputedRecommendations {
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        items = List.copyOf(items);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (!seen.add(items.get(i).itemId())) {
                throw new IllegalArgumentException("duplicate item " + items.get(i).itemId());
            }
            if (i > 0 && items.get(i).score() > items.get(i - 1).score()) {
                throw new IllegalArgumentException("items are not best first at " + items.get(i).itemId());
            }
        }
    }
}
