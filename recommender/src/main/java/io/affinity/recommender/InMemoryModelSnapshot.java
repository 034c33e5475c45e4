package io.affinity.recommender;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A model held on the heap: for embedding Affinity in another JVM program with a small catalogue, and for
 * tests. Published models live in the model store; this class shares their semantics, not their format.
 */
public final class InMemoryModelSnapshot implements ModelSnapshot {
    private final String version;
    private final Map<String, ItemFacts> items;
    private final Map<String, List<AssociationRule>> rulesByItem;
    private final List<AssociationRule> rules;
    private final Map<String, CustomerHistory> customers;
    private final List<PopularItem> popular;
    private final Map<String, PrecomputedRecommendations> precomputed;
    private final Map<String, List<TradeUp>> tradeUps;
    private final java.time.ZoneId timeZone;

    private InMemoryModelSnapshot(Builder b) {
        this.version = b.version;
        this.timeZone = b.timeZone;
        this.items = Map.copyOf(b.items);
        this.rules = List.copyOf(b.rules);
        Map<String, List<AssociationRule>> byItem = new HashMap<>();
        for (AssociationRule rule : rules) {
            for (String item : rule.antecedent()) {
                byItem.computeIfAbsent(item, k -> new ArrayList<>()).add(rule);
            }
        }
        byItem.replaceAll((k, v) -> v.stream().sorted(AssociationRule.BEST_FIRST).toList());
        this.rulesByItem = Map.copyOf(byItem);
        this.customers = Map.copyOf(b.customers);
        this.popular = List.copyOf(b.popular);
        this.precomputed = Map.copyOf(b.precomputed);
        Map<String, List<TradeUp>> ups = new HashMap<>();
        b.tradeUps.forEach((k, v) -> ups.put(k, List.copyOf(v)));
        this.tradeUps = Map.copyOf(ups);
    }

    public static Builder builder(String version) {
        return new Builder(version);
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Optional<java.time.ZoneId> timeZone() {
        return Optional.ofNullable(timeZone);
    }

    @Override
    public Optional<ItemFacts> item(String itemId) {
        return Optional.ofNullable(items.get(itemId));
    }

    @Override
    public List<AssociationRule> rulesWithAntecedentItem(String itemId) {
        return rulesByItem.getOrDefault(itemId, List.of());
    }

    @Override
    public Optional<CustomerHistory> customer(String customerId) {
        return Optional.ofNullable(customers.get(customerId));
    }

    @Override
    public Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return Optional.ofNullable(precomputed.get(customerId));
    }

    @Override
    public List<TradeUp> tradeUps(String itemId) {
        return tradeUps.getOrDefault(itemId, List.of());
    }

    @Override
    public List<PopularItem> popularItems() {
        return popular;
    }

    @Override
    public void forEachRule(Consumer<AssociationRule> visitor) {
        rules.forEach(visitor);
    }

    @Override
    public long itemCount() {
        return items.size();
    }

    @Override
    public long ruleCount() {
        return rules.size();
    }

    @Override
    public long customerCount() {
        return customers.size();
    }

    /** Collects a model; {@link #build()} validates that every referenced item is in the catalogue. */
    public static final class Builder {
        private final String version;
        private final Map<String, ItemFacts> items = new HashMap<>();
        private final Set<AssociationRule> rules = new LinkedHashSet<>();
        private final Map<String, CustomerHistory> customers = new HashMap<>();
        private final List<PopularItem> popular = new ArrayList<>();
        private final Map<String, PrecomputedRecommendations> precomputed = new HashMap<>();
        private final Map<String, List<TradeUp>> tradeUps = new HashMap<>();
        private java.time.ZoneId timeZone;

        private Builder(String version) {
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException("version must not be blank");
            }
            this.version = version;
        }

        public Builder item(ItemFacts item) {
            if (items.putIfAbsent(item.itemId(), item) != null) {
                throw new IllegalArgumentException("duplicate item " + item.itemId());
            }
            return this;
        }

        public Builder rule(AssociationRule rule) {
            rules.add(rule);
            return this;
        }

        public Builder customer(String customerId, CustomerHistory history) {
            Ids.requireCustomerId(customerId);
            if (customers.putIfAbsent(customerId, history) != null) {
                throw new IllegalArgumentException("duplicate customer");
            }
            return this;
        }

        /** A customer's recommendations precomputed by the served model. */
        public Builder precomputed(String customerId, PrecomputedRecommendations recommendations) {
            Ids.requireCustomerId(customerId);
            if (precomputed.putIfAbsent(customerId, Objects.requireNonNull(recommendations)) != null) {
                throw new IllegalArgumentException("duplicate precomputed customer");
            }
            return this;
        }

        /** An observed trade-up from {@code fromItemId}; add them strongest first per segment. */
        public Builder tradeUp(String fromItemId, TradeUp tradeUp) {
            Ids.requireItemId(fromItemId);
            tradeUps.computeIfAbsent(fromItemId, k -> new ArrayList<>()).add(Objects.requireNonNull(tradeUp));
            return this;
        }

        /** The shop's time zone, whose days the purchase dates are ({@link ModelSnapshot#timeZone()}). */
        public Builder timeZone(java.time.ZoneId zone) {
            this.timeZone = zone;
            return this;
        }

        public Builder popular(PopularItem item) {
            popular.add(item);
            return this;
        }

        public InMemoryModelSnapshot build() {
            for (AssociationRule rule : rules) {
                rule.antecedent().forEach(this::requireKnown);
                requireKnown(rule.consequent());
            }
            customers.values().forEach(h -> h.items().forEach(p -> requireKnown(p.itemId())));
            popular.forEach(p -> requireKnown(p.itemId()));
            precomputed.values().forEach(r -> r.items().forEach(p -> requireKnown(p.itemId())));
            tradeUps.forEach((from, ups) -> {
                requireKnown(from);
                ups.forEach(t -> requireKnown(t.toItemId()));
            });
            return new InMemoryModelSnapshot(this);
        }

        private void requireKnown(String itemId) {
            if (!items.containsKey(itemId)) {
                throw new IllegalArgumentException("item " + itemId + " is referenced but not in the catalogue");
            }
        }
    }
}
