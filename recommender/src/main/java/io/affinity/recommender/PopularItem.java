package io.affinity.recommender;

/**
 * An item with its popularity, the fallback for customers and baskets the rules know nothing about.
 *
 * @param itemId        the item
 * @param orderCount    distinct orders containing it
 * @param customerCount distinct identified customers who bought it
 */
public record PopularItem(String itemId, long orderCount, long customerCount) {
    public PopularItem {
        Ids.requireItemId(itemId);
        if (orderCount <= 0 || customerCount < 0) {
            throw new IllegalArgumentException("orderCount must be > 0 and customerCount >= 0");
        }
    }
}
