package io.affinity.recommender;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Scores cross-sell and personal recommendations against one model snapshot. Stateless and thread-safe;
 * every answer comes entirely from the snapshot it was built with, so a model swap never mixes versions.
 */
public final class Recommender {
    /** Confidence, then lift, descending; then consequent id. Hand-written: it runs for every fired rule. */
    private static final Comparator<Candidate> BEST_FIRST = Recommender::compareBestFirst;

    private final ModelSnapshot model;
    private final RecommenderSettings settings;

    public Recommender(ModelSnapshot model, RecommenderSettings settings) {
        this.model = Objects.requireNonNull(model, "model");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public ModelSnapshot model() {
        return model;
    }

    public RecommenderSettings settings() {
        return settings;
    }

    /**
     * Cross-sell for a basket: consequents of the rules whose whole antecedent is in the basket, excluding
     * what the basket already holds, each explained by its strongest rule; when the rules propose fewer than
     * {@code limit} (most items of a small catalogue have none), popular items not in the basket fill the list,
     * labelled {@link RecommendationSource#POPULAR} (the answer is not a fallback: the basket was understood).
     * Items the model has never seen are reported, not fatal; a basket of only unknown items gets popular items
     * as a fallback.
     */
    public Recommendations forBasket(Collection<String> basketItems, int limit) {
        requireLimit(limit);
        Set<String> basket = new LinkedHashSet<>(basketItems);
        List<String> known = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String item : basket) {
            (model.item(item).isPresent() ? known : unknown).add(item);
        }
        boolean fallback = known.isEmpty();
        if (fallback) {
            return new Recommendations(model.version(), popular(basket, limit), true, unknown);
        }
        List<Recommendation> items = rank(fireRules(known, basket), limit);
        if (items.size() < limit) {
            Set<String> exclude = new HashSet<>(basket);
            items.forEach(r -> exclude.add(r.itemId()));
            items = new ArrayList<>(items);
            items.addAll(popular(exclude, limit - items.size()));
        }
        return new Recommendations(model.version(), items, false, unknown);
    }

    /**
     * Items bought together with one item: its pair rules, strongest first. Never filled with popular items: a
     * best seller unrelated to the item is not "bought together" with it, so the list may be shorter than
     * {@code limit}, or empty.
     */
    public Recommendations boughtTogether(String itemId, int limit) {
        requireLimit(limit);
        if (model.item(itemId).isEmpty()) {
            throw new UnknownItemException(itemId);
        }
        Map<String, Candidate> best = new HashMap<>();
        for (AssociationRule rule : model.rulesWithAntecedentItem(itemId)) {
            if (rule.isPairRule() && rule.lift() > settings.minLift()) {
                best.merge(rule.consequent(), new Candidate(rule), Recommender::stronger);
            }
        }
        return new Recommendations(model.version(), rank(best, limit), false, List.of());
    }

    /**
     * Personal recommendations. When the snapshot holds a list precomputed by the served model for the customer,
     * it answers from that list alone: the model's {@code limit} best items, those new to the customer first
     * (labelled {@link RecommendationSource#MODEL}), then their repeat purchases ({@link RecommendationSource#REPEAT}),
     * each in the model's order; popular items fill a list shorter than {@code limit}. Otherwise: items the customer has not bought yet, proposed by rules fired by their
     * history, come first; then their own repeat purchases (labelled {@link RecommendationSource#REPEAT});
     * popular items fill any remaining places. An unknown customer gets popular items, marked as fallback.
     */
    public Recommendations forCustomer(String customerId, int limit) {
        Recommendations ranked = forCustomerRanked(customerId, limit);
        List<Recommendation> shown = displayOrder(ranked.items());
        return shown == ranked.items() ? ranked
                : new Recommendations(ranked.modelVersion(), shown, ranked.fallback(), ranked.unknownItems());
    }

    /**
     * The customer's ranking as {@link #forCustomer} chooses it, best first, without putting a precomputed list's
     * new items ahead of its repeats: what business rules that reorder or thin a ranking (a category cap, a boost,
     * a pin) must work on, over-fetched past the limit. Display the items they keep with {@link #displayOrder}.
     * Had they the display order, the new items of a list over-fetched five times the limit would all come
     * before its repeats, and the rules would keep new items from far below the limit instead of the repeats the
     * model ranked best.
     */
    public Recommendations forCustomerRanked(String customerId, int limit) {
        requireLimit(limit);
        // Only the first `limit` are shown; a shorter list is whole, which the popular fill-in relies on.
        Optional<PrecomputedRecommendations> precomputed = model.precomputed(customerId, limit);
        if (precomputed.isPresent() && !precomputed.get().items().isEmpty()) {
            return fromPrecomputed(customerId, precomputed.get(), limit);
        }
        Optional<CustomerHistory> found = model.customer(customerId);
        if (found.isEmpty()) {
            return new Recommendations(model.version(), popular(Set.of(), limit), true, List.of());
        }
        CustomerHistory history = found.get();
        Set<String> bought = new HashSet<>();
        List<String> firing = new ArrayList<>();
        for (PurchasedItem p : history.items()) {
            bought.add(p.itemId());
            if (firing.size() < settings.historyItemsConsidered()) {
                firing.add(p.itemId());
            }
        }
        List<Recommendation> items = new ArrayList<>(rank(fireRules(firing, bought), limit));
        for (PurchasedItem p : history.items()) {
            if (items.size() >= limit) {
                break;
            }
            double rate = (double) p.orderCount() / history.orderCount();
            items.add(new Recommendation(p.itemId(), description(p.itemId()), rate, RecommendationSource.REPEAT,
                    repeatExplanation(p)));
        }
        if (items.size() < limit) {
            Set<String> exclude = new HashSet<>(bought);
            items.forEach(r -> exclude.add(r.itemId()));
            items.addAll(popular(exclude, limit - items.size()));
        }
        return new Recommendations(model.version(), items, false, List.of());
    }

    /**
     * How the customer's own purchases explain {@code itemId}, as {@link #forCustomer} explains a repeat purchase;
     * empty when the customer is unknown or never bought it. For items placed by other means than the ranking (a
     * pin injecting one), which are still the customer's own.
     */
    public Optional<Explanation> purchaseExplanation(String customerId, String itemId) {
        Optional<CustomerHistory> history = model.customer(customerId);
        if (history.isPresent()) {
            for (PurchasedItem p : history.get().items()) {
                if (p.itemId().equals(itemId)) {
                    return Optional.of(repeatExplanation(p));
                }
            }
        }
        return Optional.empty();
    }

    private Explanation repeatExplanation(PurchasedItem p) {
        return model.orderSequenceOnly() ? Explanation.ofRepeatInSequence(p) : Explanation.ofRepeat(p);
    }

    /**
     * Items of a customer answer in the order {@link #forCustomer} shows them: new to the customer first (the
     * model's or the rules' proposals), then repeat purchases, then popular fill-ins, each kind in the order
     * given. {@code forCustomer(c, n)} shows {@code displayOrder(forCustomerRanked(c, n).items())}.
     */
    public static List<Recommendation> displayOrder(List<Recommendation> items) {
        int last = 0;
        boolean sorted = true;
        for (Recommendation r : items) {
            int kind = displayKind(r);
            if (kind < last) {
                sorted = false;
                break;
            }
            last = kind;
        }
        if (sorted) {
            return items;
        }
        List<Recommendation> out = new ArrayList<>(items.size());
        for (int kind = 0; kind <= 2; kind++) {
            for (Recommendation r : items) {
                if (displayKind(r) == kind) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private static int displayKind(Recommendation r) {
        return r.source() == RecommendationSource.REPEAT ? 1 : r.source() == RecommendationSource.POPULAR ? 2 : 0;
    }

    /**
     * The model's top {@code limit}, chosen and listed by its score (so the chosen set is the one the offline
     * evaluation measured); {@link #displayOrder} puts new items before repeats for showing.
     */
    private Recommendations fromPrecomputed(String customerId, PrecomputedRecommendations pre, int limit) {
        List<PrecomputedItem> top = pre.items().subList(0, Math.min(limit, pre.items().size()));
        List<Recommendation> items = new ArrayList<>(limit);
        boolean orderSequence = model.orderSequenceOnly();
        for (int i = 0, n = top.size(); i < n; i++) {
            PrecomputedItem p = top.get(i);
            items.add(new Recommendation(p.itemId(), description(p.itemId()), p.score(),
                    p.repeat() ? RecommendationSource.REPEAT : RecommendationSource.MODEL,
                    Explanation.ofModel(pre.model(), p, orderSequence)));
        }
        if (items.size() < limit) {
            // Only short lists pay for the history lookup: popular fill-ins must be new to the customer too.
            Set<String> exclude = new HashSet<>();
            pre.items().forEach(p -> exclude.add(p.itemId()));
            model.customer(customerId).ifPresent(h -> h.items().forEach(p -> exclude.add(p.itemId())));
            items.addAll(popular(exclude, limit - items.size()));
        }
        return new Recommendations(model.version(), items, false, List.of());
    }

    /** Best rule per consequent among rules whose antecedent lies within {@code context}. */
    private Map<String, Candidate> fireRules(List<String> firingItems, Set<String> context) {
        Map<String, Candidate> best = new HashMap<>();
        for (String item : firingItems) {
            List<AssociationRule> rules = model.rulesWithAntecedentItem(item);
            for (int i = 0, n = rules.size(); i < n; i++) {
                AssociationRule rule = rules.get(i);
                // A multi-item rule is stored under each of its antecedent items; judge it once, from its first.
                // Cheapest tests first: this loop runs over every rule of up to historyItemsConsidered items.
                if (rule.lift() <= settings.minLift() || !rule.antecedent().get(0).equals(item)
                        || context.contains(rule.consequent())
                        || (rule.antecedent().size() > 1 && !context.containsAll(rule.antecedent()))) {
                    continue;
                }
                Candidate current = best.get(rule.consequent());
                if (current == null || AssociationRule.compareBestFirst(rule, current.rule) < 0) {
                    best.put(rule.consequent(), new Candidate(rule));
                }
            }
        }
        return best;
    }

    private List<Recommendation> rank(Map<String, Candidate> candidates, int limit) {
        List<Recommendation> out = new ArrayList<>(Math.min(limit, candidates.size()));
        List<Candidate> sorted = new ArrayList<>(candidates.values());
        sorted.sort(BEST_FIRST);
        for (int i = 0, n = Math.min(limit, sorted.size()); i < n; i++) {
            AssociationRule rule = sorted.get(i).rule;
            out.add(new Recommendation(rule.consequent(), description(rule.consequent()), rule.confidence(),
                    RecommendationSource.RULES, Explanation.ofRule(rule, this::description)));
        }
        return out;
    }

    private List<Recommendation> popular(Set<String> exclude, int limit) {
        List<Recommendation> out = new ArrayList<>();
        List<PopularItem> popular = model.popularItems();
        // The score follows the list's order (PopularItem.BEST_FIRST): the share of the top item's customers, or of
        // its orders where no customer is identified.
        long topCustomers = popular.isEmpty() ? 0 : popular.get(0).customerCount();
        long topOrders = popular.isEmpty() ? 1 : popular.get(0).orderCount();
        for (PopularItem p : popular) {
            if (out.size() >= limit) {
                break;
            }
            if (!exclude.contains(p.itemId())) {
                double score = topCustomers > 0 ? (double) p.customerCount() / topCustomers
                        : (double) p.orderCount() / topOrders;
                out.add(new Recommendation(p.itemId(), description(p.itemId()), score,
                        RecommendationSource.POPULAR, Explanation.ofPopularity(p)));
            }
        }
        return out;
    }

    private String description(String itemId) {
        return model.item(itemId).map(ItemFacts::description).orElse("");
    }

    private static Candidate stronger(Candidate a, Candidate b) {
        return compareBestFirst(a, b) <= 0 ? a : b;
    }

    private static int compareBestFirst(Candidate a, Candidate b) {
        return AssociationRule.compareBestFirst(a.rule, b.rule);
    }

    private static void requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    private record Candidate(AssociationRule rule) {
    }
}
