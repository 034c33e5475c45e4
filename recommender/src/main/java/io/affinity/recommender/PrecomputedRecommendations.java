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
        // Built per request from the store (the first `limit` items): a short list is checked pairwise, which
        // costs less than hashing freshly decoded ids into a set.
        Set<String> seen = items.size() > SMALL ? new HashSet<>() : null;
        for (int i = 0; i < items.size(); i++) {
            String id = items.get(i).itemId();
            boolean duplicate = false;
            if (seen != null) {
                duplicate = !seen.add(id);
            } else {
                // Compared by the Strings' cached hashes first: equals on distinct ids of equal length compares bytes.
                int h = id.hashCode();
                for (int j = 0; j < i && !duplicate; j++) {
                    String other = items.get(j).itemId();
                    duplicate = other.hashCode() == h && other.equals(id);
                }
            }
            if (duplicate) {
                throw new IllegalArgumentException("duplicate item " + id);
            }
            if (i > 0 && items.get(i).score() > items.get(i - 1).score()) {
                throw new IllegalArgumentException("items are not best first at " + id);
            }
        }
    }

    /** Up to this many items, duplicates are looked for pairwise. */
    private static final int SMALL = 24;
}
