package io.affinity.api;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.TradeUp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One request's view of a snapshot in which items that fail the request's business rules are never candidates:
 * rules proposing them and popular entries for them are hidden, so the recommender ranks only allowed items and
 * fills the limit from the next best. Rules still fire from any item (a filtered-out item in the basket or
 * history still tells what goes with it).
 */
final class FilteredSnapshot extends ForwardingSnapshot {
    private final Predicate<String> allowed;

    FilteredSnapshot(ModelSnapshot model, Predicate<String> allowed) {
        super(model);
        this.allowed = allowed;
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        List<AssociationRule> all = delegate.rulesWithAntecedentItem(itemId);
        List<AssociationRule> kept = new ArrayList<>(all.size());
        for (int i = 0, n = all.size(); i < n; i++) {
            if (allowed.test(all.get(i).consequent())) {
                kept.add(all.get(i));
            }
        }
        return kept;
    }

    /** The model's list for the customer without the items the request's rules exclude. */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return delegate.precomputed(customerId).map(p -> new PrecomputedRecommendations(
                p.model(), p.items().stream().filter(i -> allowed.test(i.itemId())).toList()));
    }

    /**
     * The first {@code maxItems} allowed items: the store skips excluded items without building them and stops
     * reading once it has {@code maxItems}.
     */
    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return delegate.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(
            String customerId, int maxItems, Predicate<String> alsoAllowed) {
        return delegate.precomputed(customerId, maxItems, id -> allowed.test(id) && alsoAllowed.test(id));
    }

    /** Trade-ups to items the request's rules allow. */
    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return delegate.tradeUps(itemId).stream().filter(t -> allowed.test(t.toItemId())).toList();
    }

    @Override
    public List<PopularItem> popularItems() {
        List<PopularItem> all = delegate.popularItems();
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
        delegate.forEachRule(r -> {
            if (allowed.test(r.consequent())) {
                visitor.accept(r);
            }
        });
    }

}
