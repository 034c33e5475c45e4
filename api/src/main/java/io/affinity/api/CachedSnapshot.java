package io.affinity.api;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A snapshot with decoded item facts and per-item rule lists kept on the heap. Decoding a rule list from the
 * memory-mapped store costs microseconds and a personal recommendation reads dozens of them, so the hot items'
 * lists are kept decoded. Each cache is direct-mapped (a fixed array of slots indexed by the key's hash; a
 * colliding key replaces the occupant): bounded, lock-free, no eviction bookkeeping. Entries are immutable, so
 * a racy overwrite only costs a later decode. Customer histories and precomputed lists are not cached: they are
 * personal data and each is read about once per request; nor are trade-ups, read once per upsell request and
 * small. One cache belongs to one snapshot, so versions never mix.
 */
public final class CachedSnapshot extends ForwardingSnapshot {
    private final AtomicReferenceArray<Entry<Optional<ItemFacts>>> items;
    private final AtomicReferenceArray<Entry<List<AssociationRule>>> rules;
    private final int mask;

    /** @param slots cache slots per kind (rounded up to a power of two); bounds the entries held */
    public CachedSnapshot(ModelSnapshot store, int slots) {
        super(store);
        if (slots < 1 || slots > 1 << 24) {
            throw new IllegalArgumentException("slots must be in 1..2^24, was " + slots);
        }
        int size = slots == 1 ? 1 : Integer.highestOneBit(slots - 1) << 1;
        this.items = new AtomicReferenceArray<>(size);
        this.rules = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    private record Entry<V>(String key, V value) {
    }

    private int slot(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    @Override
    public Optional<ItemFacts> item(String itemId) {
        int s = slot(itemId);
        Entry<Optional<ItemFacts>> e = items.get(s);
        if (e != null && e.key.equals(itemId)) {
            return e.value;
        }
        Optional<ItemFacts> value = delegate.item(itemId);
        items.set(s, new Entry<>(itemId, value));
        return value;
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        int s = slot(itemId);
        Entry<List<AssociationRule>> e = rules.get(s);
        if (e != null && e.key.equals(itemId)) {
            return e.value;
        }
        List<AssociationRule> value = List.copyOf(delegate.rulesWithAntecedentItem(itemId));
        rules.set(s, new Entry<>(itemId, value));
        return value;
    }

}
