package io.affinity.recommender;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One item in a customer's purchase history: what they bought, returns included (histories keep counting what was
 * bought; README "Returns and the recommenders"), and how much of it they sent back.
 *
 * @param itemId           the item
 * @param orderCount       in how many of the customer's orders it appeared
 * @param quantity         units bought in total
 * @param lastPurchased    date of the latest order that contained it
 * @param returnedQuantity of those units, how many the customer returned (netted as customer value nets returns);
 *                         0 when none, or when the snapshot predates recording returns (format 6 and older)
 */
public record PurchasedItem(String itemId, int orderCount, double quantity, LocalDate lastPurchased,
                            double returnedQuantity) {
    public PurchasedItem {
        Ids.requireItemId(itemId);
        if (orderCount <= 0) {
            throw new IllegalArgumentException("orderCount must be > 0, was " + orderCount);
        }
        if (!(quantity > 0) || Double.isInfinite(quantity)) {
            throw new IllegalArgumentException("quantity must be finite and > 0, was " + quantity);
        }
        Objects.requireNonNull(lastPurchased, "lastPurchased");
        if (!(returnedQuantity >= 0 && returnedQuantity <= quantity)) {
            throw new IllegalArgumentException("returnedQuantity must be in [0, quantity " + quantity + "], was "
                    + returnedQuantity);
        }
    }

    /** A purchase none of which is known to have been returned. */
    public PurchasedItem(String itemId, int orderCount, double quantity, LocalDate lastPurchased) {
        this(itemId, orderCount, quantity, lastPurchased, 0);
    }

    /** Whether the customer sent back every unit they bought. */
    public boolean returnedAll() {
        return returnedQuantity > 0 && returnedQuantity >= quantity;
    }

    /**
     * How an explanation says what was returned: empty when nothing was, else {@code , all 12 units returned},
     * {@code , the 1 unit returned} or {@code , 8 of 32 units returned}.
     */
    public String returnsNote() {
        if (returnedQuantity <= 0) {
            return "";
        }
        if (returnedAll()) {
            return quantity == 1 ? ", the 1 unit returned" : ", all " + units(quantity) + " units returned";
        }
        return ", " + units(returnedQuantity) + " of " + units(quantity) + " units returned";
    }

    /** A quantity as a person writes it: 12, 2.5 (units may be fractional, e.g. kilograms). */
    private static String units(double q) {
        return BigDecimal.valueOf(q).stripTrailingZeros().toPlainString();
    }
}
