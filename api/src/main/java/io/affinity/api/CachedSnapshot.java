package io.affinity.api;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.TradeUp;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A snapshot with decoded item facts and per-item rule lists kept on the heap. Decoding a rule list from the
 * memory-mapped store costs microseconds and a personal recommendation reads dozens of them, so the hot items'
 * lists are kept decoded. Each cache is direct-mapped (a fixed array of slots indexed by the key's hash; a
 * colliding key replaces the occupant): bounded, lock-free, no eviction bookkeeping. Entries are immutable, so
 * a racy overwrite only costs a later decode. Customer histories are not cached: they are personal data and
 * each is read about once per request. One cache belongs to one snapshot, so versions never mix.
 */
public final class CachedSnapshot implements ModelSnapshot {
    private final ModelSnapshot store;
    private final AtomicReferenceArray<Entry<Optional<ItemFacts>>> items;
    private final AtomicReferenceArray<Entry<List<AssociationRule>>> rules;
    private final int mask;

    /** @param slots cache slots per kind (rounded up to a power of two); bounds the entries held */
    public CachedSnapshot(ModelSnapshot store, int slots) {
        this.store = Objects.requireNonNull(store, "store");
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
        Optional<ItemFacts> value = store.item(itemId);
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
        List<AssociationRule> value = List.copyOf(store.rulesWithAntecedentItem(itemId));
        rules.set(s, new Entry<>(itemId, value));
        return value;
    }

    @Override
    public String version() {
        return store.version();
    }

    @Override
    public boolean orderSequenceOnly() {
        return store.orderSequenceOnly();
    }

    @Override
    public Optional<java.time.ZoneId> timeZone() {
        return store.timeZone();
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return store.customer(customerId);
    }

    /** Not cached, like histories: personal data, read about once per request. */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return store.precomputed(customerId);
    }

    /** Not cached: read once per upsell request, small. */
    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return store.tradeUps(itemId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return store.precomputed(customerId, maxItems);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(
            String customerId, int maxItems, Predicate<String> allowed) {
        return store.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        return store.profile(customerId);
    }

    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        store.forEachProfile(visitor);
    }

    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        store.forEachProfile(position, visitor);
    }

    @Override
    public Optional<Consent.State> consent(String customerId, Consent.Channel channel) {
        return store.consent(customerId, channel);
    }

    @Override
    public boolean mayListConsent(Consent.Channel channel) {
        return store.mayListConsent(channel);
    }

    @Override
    public Optional<Consent.ListEntry> listedConsent(String customerId, Consent.Channel channel) {
        return store.listedConsent(customerId, channel);
    }

    @Override
    public Optional<java.time.Instant> consentAsOf() {
        return store.consentAsOf();
    }

    @Override
    public Optional<java.time.LocalDate> profilesAsOf() {
        return store.profilesAsOf();
    }

    @Override
    public List<PopularItem> popularItems() {
        return store.popularItems();
    }

    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        store.forEachRule(visitor);
    }

    @Override
    public long itemCount() {
        return store.itemCount();
    }

    @Override
    public long ruleCount() {
        return store.ruleCount();
    }

    @Override
    public long customerCount() {
        return store.customerCount();
    }
}
