package io.affinity.recommender;


/**
 * What the catalogue knows about one item: learned from the transaction history, with description, category and
 * price overridden by the retailer's catalogue file where it gives them.
 *
 * @param itemId        the retailer's item id (stock code), normalised to upper case
 * @param description   the most frequent description seen for the item; empty when none was given
 * @param category      the category or product family; empty when the data has none
 * @param typicalPrice  the median unit price paid, in the data's currency
 * @param orderCount    number of distinct orders that contained the item
 * @param customerCount number of distinct identified customers who bought it
 * @param quantity      total units sold
 * @param unitCost      the catalogue's unit cost, or NaN when the catalogue gives none (then margins use a
 *                      default margin rate)
 */
public record ItemFacts(String itemId, String description, String category, double typicalPrice,
                        long orderCount, long customerCount, double quantity, double unitCost) {
    /** Facts without a catalogue cost. */
    public ItemFacts(String itemId, String description, String category, double typicalPrice,
                     long orderCount, long customerCount, double quantity) {
        this(itemId, description, category, typicalPrice, orderCount, customerCount, quantity, Double.NaN);
    }

    public ItemFacts {
        Ids.requireItemId(itemId);
        description = description == null ? "" : description;
        category = category == null ? "" : category;
        if (!(typicalPrice >= 0) || Double.isInfinite(typicalPrice)) {
            throw new IllegalArgumentException("typicalPrice must be finite and >= 0, was " + typicalPrice);
        }
        if (orderCount < 0 || customerCount < 0 || !(quantity >= 0)) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        if (!Double.isNaN(unitCost) && !(unitCost >= 0 && unitCost < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("unitCost must be finite and >= 0 (or NaN for none), was " + unitCost);
        }
    }

    /** Whether the catalogue gave a unit cost. */
    public boolean hasCost() {
        return !Double.isNaN(unitCost);
    }

    /**
     * Margin per unit: {@code price - cost} (never below 0: an item sold at a loss has no margin to gain) when the
     * catalogue gives a cost, else {@code price x defaultRate}.
     */
    public double margin(double defaultRate) {
        return hasCost() ? Math.max(0, typicalPrice - unitCost) : typicalPrice * defaultRate;
    }
}
