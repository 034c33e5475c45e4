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
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A snapshot in which one customer is unknown: no history, profile or precomputed list. What a customer who objects
 * to profiling is answered from ({@link ProfilingObjection}): the popular fallback any unknown id gets, so the
 * answer says nothing about the customer, not even that they object. Everything else is the snapshot's.
 */
final class CustomerHiddenSnapshot implements ModelSnapshot {
    private final ModelSnapshot model;
    private final String hidden;

    CustomerHiddenSnapshot(ModelSnapshot model, String hiddenCustomerId) {
        this.model = model;
        this.hidden = hiddenCustomerId;
    }

    private boolean hides(String customerId) {
        return hidden.equals(customerId);
    }

    @Override
    public String version() {
        return model.version();
    }

    @Override
    public boolean orderSequenceOnly() {
        return model.orderSequenceOnly();
    }

    @Override
    public Optional<java.time.ZoneId> timeZone() {
        return model.timeZone();
    }

    @Override
    public Optional<ItemFacts> item(String itemId) {
        return model.item(itemId);
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        return model.rulesWithAntecedentItem(itemId);
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return hides(customerId) ? Optional.empty() : model.customer(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return hides(customerId) ? Optional.empty() : model.precomputed(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return hides(customerId) ? Optional.empty() : model.precomputed(customerId, maxItems);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems,
                                                             Predicate<String> allowed) {
        return hides(customerId) ? Optional.empty() : model.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        return hides(customerId) ? Optional.empty() : model.profile(customerId);
    }

    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        model.forEachProfile((id, p) -> {
            if (!hides(id)) {
                visitor.accept(id, p);
            }
        });
    }

    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        model.forEachProfile(position, (id, p) -> {
            if (!hides(id)) {
                visitor.accept(id, p);
            }
        });
    }

    /** Consent stays: it is the customer's word, not something learnt about them. */
    @Override
    public Optional<Consent.State> consent(String customerId, Consent.Channel channel) {
        return model.consent(customerId, channel);
    }

    @Override
    public boolean mayListConsent(Consent.Channel channel) {
        return model.mayListConsent(channel);
    }

    @Override
    public Optional<Consent.ListEntry> listedConsent(String customerId, Consent.Channel channel) {
        return model.listedConsent(customerId, channel);
    }

    @Override
    public Optional<java.time.Instant> consentAsOf() {
        return model.consentAsOf();
    }

    @Override
    public Optional<java.time.LocalDate> profilesAsOf() {
        return model.profilesAsOf();
    }

    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return model.tradeUps(itemId);
    }

    @Override
    public List<PopularItem> popularItems() {
        return model.popularItems();
    }

    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        model.forEachRule(visitor);
    }

    @Override
    public long itemCount() {
        return model.itemCount();
    }

    @Override
    public long ruleCount() {
        return model.ruleCount();
    }

    @Override
    public long customerCount() {
        return model.customerCount();
    }
}
