package io.affinity.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock changes made through {@code PUT /admin/items/{id}/availability}: an in-memory overlay over every
 * snapshot's catalogue, so a change takes effect at once and survives model swaps. It is NOT persisted: a
 * restarted server starts from the snapshot (every item sold in the training data is available). Thread-safe.
 */
public final class ItemAvailability {
    private final Map<String, Boolean> overrides = new ConcurrentHashMap<>();

    /** Records the item's availability; returns the previous override, or null. */
    public Boolean set(String itemId, boolean available) {
        return overrides.put(itemId, available);
    }

    /** False only for items marked unavailable. */
    public boolean isAvailable(String itemId) {
        return !Boolean.FALSE.equals(overrides.get(itemId));
    }

    /** Whether any item is marked unavailable (then recommendations must check each candidate). */
    public boolean anyUnavailable() {
        return overrides.containsValue(Boolean.FALSE);
    }
}
