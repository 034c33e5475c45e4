package io.affinity.recommender;

import java.util.Objects;

/**
 * One candidate of a customer's precomputed recommendation list, as scored at training time.
 *
 * @param itemId   the item
 * @param score    the served model's score (a blend: weighted sum of normalised model scores); higher is better,
 *                 comparable within one customer's list only
 * @param repeat   true when the customer bought the item before ("repeat"), false when it is new to them
 * @param source   the model that contributed most to the score, e.g. {@code "ease"}
 * @param purchase for repeat items, the customer's purchase history of it (training always stores it; null only
 *                 in snapshots trained while histories were capped at 200 items); null for new items
 */
public record PrecomputedItem(String itemId, double score, boolean repeat, String source, PurchasedItem purchase) {
    public PrecomputedItem {
        Ids.requireItemId(itemId);
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, was " + score);
        }
        Objects.requireNonNull(source, "source");
        if (source.isBlank()) {
            throw new IllegalArgumentException("source model name must not be blank");
        }
        if (purchase != null && (!repeat || !purchase.itemId().equals(itemId))) {
            throw new IllegalArgumentException("purchase history only for a repeat item, of the same item");
        }
    }
}
