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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One request's view of a snapshot in which items that fail the request's business rules are never candidates:
 * rules proposing them and popular entries for them are hidden, so the recommender ranks only allowed items and
 * fills the limit from the next best. Rules still fire from any item (a filtered-out item in the basket or
 * history still tells what goes with it).
 */
final class FilteredSnapshot implements ModelSnapshot {
    private final ModelSnapshot model;
    private final Predicate<String> allowed;

    FilteredSnapshot(ModelSnapshot model, Predicate<String> allowed) {
        this.model = model;
        this.allowed = allowed;
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
        List<AssociationRule> all = model.rulesWithAntecedentItem(itemId);
        List<AssociationRule> kept = new ArrayList<>(all.size());
        for (int i = 0, n = all.size(); i < n; i++) {
            if (allowed.test(all.get(i).consequent())) {
                kept.add(all.get(i));
            }
        }
        return kept;
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return model.customer(customerId);
    }

    /** The model's list for the customer without the items the request's rules exclude. */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return model.precomputed(customerId).map(p -> new PrecomputedRecommendations(
                p.model(), p.items().stream().filter(i -> allowed.test(i.itemId())).toList()));
    }

    /**
     * The first {@code maxItems} allowed items: the store skips excluded items without building them and stops
     * reading once it has {@code maxItems}.
     */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return model.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(
            String customerId, int maxItems, Predicate<String> alsoAllowed) {
        return model.precomputed(customerId, maxItems, id -> allowed.test(id) && alsoAllowed.test(id));
    }

    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        return model.profile(customerId);
    }

    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        model.forEachProfile(visitor);
    }

    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        model.forEachProfile(position, visitor);
    }

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

    /** Trade-ups to items the request's rules allow. */
    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return model.tradeUps(itemId).stream().filter(t -> allowed.test(t.toItemId())).toList();
    }

    @Override
    public List<PopularItem> popularItems() {
        List<PopularItem> all = model.popularItems();
        List<PopularItem> kept = new ArrayList<>(all.size());
        for (PopularItem p : all) {
            if (allowed.test(p.itemId())) {
                kept.add(p);
            }
        }
        return kept;
    }

    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        model.forEachRule(r -> {
            if (allowed.test(r.consequent())) {
                visitor.accept(r);
            }
        });
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
