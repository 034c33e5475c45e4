package io.affinity.api;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PrecomputedRecommendations;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A snapshot in which one customer is unknown: no history, profile or precomputed list. What a customer who objects
 * to profiling is answered from ({@link ProfilingObjection}): the popular fallback any unknown id gets, so the
 * answer says nothing about the customer, not even that they object. Everything else is the snapshot's, their
 * consent included: it is the customer's word, not something learnt about them.
 */
final class CustomerHiddenSnapshot extends ForwardingSnapshot {
    private final String hidden;

    CustomerHiddenSnapshot(ModelSnapshot model, String hiddenCustomerId) {
        super(model);
        this.hidden = hiddenCustomerId;
    }

    private boolean hides(String customerId) {
        return hidden.equals(customerId);
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return hides(customerId) ? Optional.empty() : delegate.customer(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return hides(customerId) ? Optional.empty() : delegate.precomputed(customerId);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return hides(customerId) ? Optional.empty() : delegate.precomputed(customerId, maxItems);
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems,
                                                             Predicate<String> allowed) {
        return hides(customerId) ? Optional.empty() : delegate.precomputed(customerId, maxItems, allowed);
    }

    @Override
    public Optional<CustomerProfile> profile(String customerId) {
        return hides(customerId) ? Optional.empty() : delegate.profile(customerId);
    }

    @Override
    public void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
        delegate.forEachProfile(withoutHidden(visitor));
    }

    @Override
    public void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        delegate.forEachProfile(position, withoutHidden(visitor));
    }

    private BiConsumer<String, CustomerProfile> withoutHidden(BiConsumer<String, CustomerProfile> visitor) {
        return (id, p) -> {
            if (!hides(id)) {
                visitor.accept(id, p);
            }
        };
    }
}
