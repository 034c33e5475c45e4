package io.affinity.recommender;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One item in a customer's purchase history.
 *
 * @param itemId        the item
 * @param orderCount    in how many of the customer's orders it appeared
 * @param quantity      units bought in total
 * @param lastPurchased date of the latest order that contained it
 */
public record PurchasedItem(String itemId, int orderCount, double quantity, LocalDate lastPurchased) {
    public PurchasedItem {
        Ids.requireItemId(itemId);
        if (orderCount <= 0) {
            throw new IllegalArgumentException("orderCount must be > 0, was " + orderCount);
        }
        if (!(quantity > 0) || Double.isInfinite(quantity)) {
            throw new IllegalArgumentException("quantity must be finite and > 0, was " + quantity);
        }
        Objects.requireNonNull(lastPurchased, "lastPurchased");
    }
}
