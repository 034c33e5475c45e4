package io.affinity.api;

/**
 * Defaults of the business rules applied to recommendation requests.
 *
 * @param excludeBoughtWithinDays items the customer bought within this many days are not recommended, when a
 *                                request names a customer and gives no {@code excludeBoughtWithinDays}; 0 = off
 *                                (default 0)
 * @param repeatMinOrders         items the customer bought in at least this many orders are repeat purchases and
 *                                stay recommendable despite the window (default 2)
 * @param filterCacheSize         compiled filters kept per model version, least recently used evicted (default 256)
 */
public record BusinessRuleConfig(int excludeBoughtWithinDays, int repeatMinOrders, int filterCacheSize) {
    public BusinessRuleConfig {
        if (excludeBoughtWithinDays < 0 || repeatMinOrders < 1 || filterCacheSize < 1) {
            throw new IllegalArgumentException("need excludeBoughtWithinDays >= 0, repeatMinOrders >= 1, "
                    + "filterCacheSize >= 1");
        }
    }

    public static BusinessRuleConfig defaults() {
        return new BusinessRuleConfig(0, 2, 256);
    }
}
