package io.affinity.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock changes made through {@code PUT /admin/items/{id}/availability}: an in-memory overlay over every
 * snapshot's catalogue, so a change takes effect at once and survives model swaps. It is NOT persisted: a
 * restarted server starts from the snapshot (every item sold in the training data is available). Thread-safe.
 */
public final class ItemAvailability {
    /** Only items marked unavailable are kept: the map's size is the number of items out of stock. */
    private final Map<String, Boolean> unavailable = new ConcurrentHashMap<>();

    /** Records the item's availability; returns whether it was available before. */
    public boolean set(String itemId, boolean available) {
        return available ? unavailable.remove(itemId) == null : unavailable.put(itemId, Boolean.TRUE) == null;
    }

    /** False only for items marked unavailable. */
    public boolean isAvailable(String itemId) {
        return !unavailable.containsKey(itemId);
    }

    /** Whether any item is marked unavailable (then recommendations must check each candidate). */
    public boolean anyUnavailable() {
        return !unavailable.isEmpty();
    }
}
