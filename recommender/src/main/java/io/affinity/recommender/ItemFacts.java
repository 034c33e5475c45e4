package io.affinity.recommender;


/**
 * What the catalogue knows about one item, as learned from the transaction history.
 *
 * @param itemId        the retailer's item id (stock code), normalised to upper case
 * @param description   the most frequent description seen for the item; empty when none was given
 * @param category      the category or product family; empty when the data has none
 * @param typicalPrice  the median unit price paid, in the data's currency
 * @param orderCount    number of distinct orders that contained the item
 * @param customerCount number of distinct identified customers who bought it
 * @param quantity      total units sold
 */
public record ItemFacts(String itemId, String description, String category, double typicalPrice,
                        long orderCount, long customerCount, double quantity) {
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
    }
}
