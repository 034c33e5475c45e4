package io.affinity.recommender;

import java.util.List;

/**
 * What the online path needs of one identified customer's purchases, and nothing more: no total spend or first and
 * last purchase dates, which nothing read (the profile holds what the customer kept; each item its last purchase).
 *
 * @param orderCount     distinct orders (a bought item's repeat rate divides by them)
 * @param items          every item bought, most often bought first (ties: most recent first); a snapshot
 *                       trained before histories were complete holds only the 200 most bought (then
 *                       {@code distinctItemCount} exceeds the size, see {@link #complete()})
 * @param distinctItemCount number of distinct items ever bought
 */
public record CustomerHistory(int orderCount, List<PurchasedItem> items, int distinctItemCount) {
    public CustomerHistory {
        if (orderCount <= 0) {
            throw new IllegalArgumentException("orderCount must be > 0, was " + orderCount);
        }
        items = List.copyOf(items);
        if (distinctItemCount < items.size()) {
            throw new IllegalArgumentException("distinctItemCount " + distinctItemCount + " < items " + items.size());
        }
    }

    /** Whether {@link #items()} holds every item bought (false only in snapshots of older training runs). */
    public boolean complete() {
        return items.size() == distinctItemCount;
    }
}
