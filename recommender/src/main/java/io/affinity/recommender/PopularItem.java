package io.affinity.recommender;

import java.util.Comparator;

/**
 * An item with its popularity, the fallback for customers and baskets the rules know nothing about.
 *
 * @param itemId        the item
 * @param orderCount    distinct orders containing it
 * @param customerCount distinct identified customers who bought it
 */
public record PopularItem(String itemId, long orderCount, long customerCount) {
    /**
     * The order of a snapshot's popular items: most distinct customers first, then most orders, then item id. By
     * customers rather than orders because that ranks better for a customer with no history: on the UCI data,
     * NDCG@10 of the customers who had bought nothing before the cutoff, 0.1011 vs 0.0932 by orders on the
     * validation window and 0.0998 vs 0.0788 on the test window (benchmarks/RESULTS.md, "Cold start"); large
     * anonymous orders (wholesale, market stalls) lift items that few customers buy.
     */
    public static final Comparator<PopularItem> BEST_FIRST = Comparator.comparingLong(PopularItem::customerCount)
            .reversed()
            .thenComparing(Comparator.comparingLong(PopularItem::orderCount).reversed())
            .thenComparing(PopularItem::itemId);

    public PopularItem {
        Ids.requireItemId(itemId);
        if (orderCount <= 0 || customerCount < 0) {
            throw new IllegalArgumentException("orderCount must be > 0 and customerCount >= 0");
        }
    }
}
