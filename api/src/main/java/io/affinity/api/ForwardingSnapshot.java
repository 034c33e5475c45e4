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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A snapshot that answers every question by asking another one: the base of the API's wrappers (caching, a
 * request's business rules, a customer hidden from personal answers), which override only what they change.
 * ModelSnapshot grows by default methods that return "nothing", so a wrapper that forgot one would silently serve
 * less (no profiles, no precomputed lists); here every method is forwarded, once (SnapshotWrappersTest checks it).
 */
abstract class ForwardingSnapshot implements ModelSnapshot {
    /** The snapshot asked. */
    protected final ModelSnapshot delegate;

    ForwardingSnapshot(ModelSnapshot delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String version() {
        return delegate.version();
    }

    @Override
    public boolean orderSequenceOnly() {
        return delegate.orderSequenceOnly();
    }

    @Override
    public Optional<java.time.ZoneId> timeZone() {
        return delegate.timeZone();
    }

    @Override
    public Optional<ItemFacts> item(String itemId) {
        return delegate.item(itemId);
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        return delegate.rulesWithAntecedentItem(itemId);
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return delegate.customer(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return delegate.precomputed(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return delegate.precomputed(customerId, maxItems);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems,
                                                             Predicate<String> allowed) {
        return delegate.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        return delegate.profile(customerId);
    }

    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        delegate.forEachProfile(visitor);
    }

    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        delegate.forEachProfile(position, visitor);
    }

    @Override
    public Optional<Consent.State> consent(String customerId, Consent.Channel channel) {
        return delegate.consent(customerId, channel);
    }

    @Override
    public boolean mayListConsent(Consent.Channel channel) {
        return delegate.mayListConsent(channel);
    }

    @Override
    public Optional<Consent.ListEntry> listedConsent(String customerId, Consent.Channel channel) {
        return delegate.listedConsent(customerId, channel);
    }

    @Override
    public Optional<java.time.Instant> consentAsOf() {
        return delegate.consentAsOf();
    }

    @Override
    public Optional<java.time.LocalDate> profilesAsOf() {
        return delegate.profilesAsOf();
    }

    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return delegate.tradeUps(itemId);
    }

    @Override
    public List<PopularItem> popularItems() {
        return delegate.popularItems();
    }

    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        delegate.forEachRule(visitor);
    }

    @Override
    public long itemCount() {
        return delegate.itemCount();
    }

    @Override
    public long ruleCount() {
        return delegate.ruleCount();
    }

    @Override
    public long customerCount() {
        return delegate.customerCount();
    }
}
