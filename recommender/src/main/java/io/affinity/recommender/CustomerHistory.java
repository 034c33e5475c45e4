package io.affinity.recommender;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * Summary of one identified customer's purchases, as the online path needs it.
 *
 * @param orderCount     distinct orders
 * @param totalSpend     sum of quantity x unit price over accepted lines
 * @param firstPurchase  date of the first order
 * @param lastPurchase   date of the latest order
 * @param items          every item bought, most often bought first (ties: most recent first); a snapshot
 *                       trained before histories were complete holds only the 200 most bought (then
 *                       {@code distinctItemCount} exceeds the size, see {@link #complete()})
 * @param distinctItemCount number of distinct items ever bought
 */
public record CustomerHistory(int orderCount, double totalSpend, LocalDate firstPurchase, LocalDate lastPurchase,
                              List<PurchasedItem> items, int distinctItemCount) {
    public CustomerHistory {
        if (orderCount <= 0) {
            throw new IllegalArgumentException("orderCount must be > 0, was " + orderCount);
        }
        if (Double.isNaN(totalSpend) || Double.isInfinite(totalSpend)) {
            throw new IllegalArgumentException("totalSpend must be finite");
        }
        Objects.requireNonNull(firstPurchase, "firstPurchase");
        Objects.requireNonNull(lastPurchase, "lastPurchase");
        if (lastPurchase.isBefore(firstPurchase)) {
            throw new IllegalArgumentException("lastPurchase before firstPurchase");
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
