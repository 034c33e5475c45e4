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
 * @param items          the items bought, most often bought first (ties: most recent first); may be capped
 *                       at training time, see {@code distinctItemCount}
 * @param distinctItemCount number of distinct items ever bought, which can exceed {@code items.size()}
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
}
