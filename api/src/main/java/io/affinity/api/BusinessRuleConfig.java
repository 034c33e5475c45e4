package io.affinity.api;

import java.util.Objects;

/**
 * Business rules applied to recommendation and offer requests (next-best offers, upsell, campaign exports).
 *
 * @param excludeBoughtWithinDays items the customer bought within this many days are not recommended or offered,
 *                                when a request names a customer (an export: each customer) and gives no
 *                                {@code excludeBoughtWithinDays}; 0 = off (default 0)
 * @param repeatMinOrders         items the customer bought in at least this many orders are repeat purchases and
 *                                stay recommendable despite the window (default 2)
 * @param availability            the stock overlay (default: in memory, not persisted)
 */
public record BusinessRuleConfig(int excludeBoughtWithinDays, int repeatMinOrders, ItemAvailability availability) {
    public BusinessRuleConfig {
        if (excludeBoughtWithinDays < 0 || repeatMinOrders < 1) {
            throw new IllegalArgumentException("need excludeBoughtWithinDays >= 0 and repeatMinOrders >= 1");
        }
        Objects.requireNonNull(availability, "availability");
    }

    public static BusinessRuleConfig defaults() {
        return new BusinessRuleConfig(0, 2, ItemAvailability.inMemory());
    }
}
