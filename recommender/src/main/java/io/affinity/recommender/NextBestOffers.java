package io.affinity.recommender;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Next-best offers: the {@link Recommender}'s candidates (rules fired by the customer's history, repeat
 * purchases, popular items) re-ranked by expected value to the business,
 * {@code P(purchase) x margin x strategy weight x price fit}, each with the arithmetic spelled out.
 *
 * <ul>
 *   <li>P(purchase) is a proxy: the source's own probability (rule confidence; the customer's share of
 *       orders with the item for repeats; the share of all customers who bought a popular item) times the
 *       customer's chance of buying at all in the next 90 days, {@code 1 - exp(-E[transactions 90d])}
 *       (Poisson approximation to the BG/NBD expectation).</li>
 *   <li>Margin: the item's typical price times the margin rate (the catalogue has no costs).</li>
 *   <li>Strategy: enhance/protect favour cross-sell (rules x1.2), initiate favours bestsellers (popular
 *       x1.2), win back favours the customer's own favourites (repeat x1.3); end gets no offers.</li>
 *   <li>Price fit: a price-sensitive customer's offer is scaled by {@code min(1, usual/price)} where usual
 *       is the median typical price of what they buy; a price-insensitive one gets x1.25 for items above
 *       their usual price (the premium variant).</li>
 * </ul>
 * Thread-safe (stateless apart from its settings).
 */
public final class NextBestOffers {
    /** Candidates drawn from the recommender per offer asked for. */
    private static final int CANDIDATES_PER_OFFER = 8;

    private final Recommender recommender;
    private final double marginRate;

    /** @param marginRate share of the price that is margin, in (0, 1] (default in the API: 0.3) */
    public NextBestOffers(Recommender recommender, double marginRate) {
        this.recommender = Objects.requireNonNull(recommender, "recommender");
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new IllegalArgumentException("marginRate must be in (0, 1], was " + marginRate);
        }
        this.marginRate = marginRate;
    }

    /** One offer and why. */
    public record Offer(String itemId, String description, double expectedValue, double purchaseProbability,
                        double margin, String source, String strategy, String explanation) {
    }

    /** Offers for a customer; the profile may be missing (no value model): then no strategy or price shaping. */
    public List<Offer> forCustomer(String customerId, Optional<CustomerProfile> profile, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        Strategy strategy = profile.map(CustomerProfile::strategy).orElse(null);
        if (strategy == Strategy.END) {
            return List.of();
        }
        ModelSnapshot model = recommender.model();
        Recommendations candidates = recommender.forCustomer(customerId, Math.min(limit * CANDIDATES_PER_OFFER, 200));
        double activity = profile.map(p -> -Math.expm1(-p.expectedTransactions90())).orElse(1.0);
        double usual = usualPrice(model, customerId);
        List<Offer> offers = new ArrayList<>();
        // Model scores (a blend of normalised model scores) are not probabilities: scale them by the list's best,
        // so the model's top pick weighs like a certain rule and the rest in proportion.
        double bestModelScore = 0;
        for (Recommendation r : candidates.items()) {
            if (fromModel(r)) {
                bestModelScore = Math.max(bestModelScore, r.score());
            }
        }
        for (Recommendation r : candidates.items()) {
            Optional<ItemFacts> facts = model.item(r.itemId());
            if (facts.isEmpty() || facts.get().typicalPrice() <= 0) {
                continue;
            }
            double base = switch (r.source()) {
                case RULES, REPEAT, MODEL, PINNED -> !fromModel(r) ? r.score()
                        : bestModelScore > 0 ? Math.max(0, r.score()) / bestModelScore : 0;
                case POPULAR -> model.customerCount() == 0 ? 0
                        : Math.min(1, (double) facts.get().customerCount() / model.customerCount());
            };
            offers.add(offer(r, facts.get(), base, activity, profile.orElse(null), usual));
        }
        offers.sort(Comparator.comparingDouble(Offer::expectedValue).reversed().thenComparing(Offer::itemId));
        return offers.size() > limit ? List.copyOf(offers.subList(0, limit)) : List.copyOf(offers);
    }

    /**
     * Upsell for an item: items of the same product family (see {@link ProductFamilies}) with a higher typical
     * price, found among what is bought with the item and among popular items, ranked by expected value
     * (co-purchase confidence, or popularity share, x margin). An unknown item throws
     * {@link UnknownItemException}.
     */
    public List<Offer> upsell(String itemId, Optional<CustomerProfile> profile, int limit) {
        return upsell(itemId, profile, limit, List.of());
    }

    /**
     * Upsell as above, also considering {@code sameKind}: pricier items of the same kind found elsewhere (the API
     * passes the catalogue's items of the same category), since colour variants of one family often share a
     * price. Such candidates are ranked by how many customers buy them (their popularity share) x margin.
     */
    public List<Offer> upsell(String itemId, Optional<CustomerProfile> profile, int limit,
                              java.util.Collection<String> sameKind) {
        ModelSnapshot model = recommender.model();
        ItemFacts item = model.item(itemId).orElseThrow(() -> new UnknownItemException(itemId));
        String family = ProductFamilies.familyOf(item.itemId(), item.description());
        List<Recommendation> candidates = new ArrayList<>(
                recommender.boughtTogether(itemId, Math.min(limit * CANDIDATES_PER_OFFER, 200)).items());
        for (PopularItem p : model.popularItems()) {
            if (!p.itemId().equals(itemId)) {
                candidates.add(new Recommendation(p.itemId(), "", 0, RecommendationSource.POPULAR,
                        Explanation.ofPopularity(p)));
            }
        }
        java.util.Set<String> kind = new java.util.HashSet<>(sameKind);
        for (String other : sameKind) {
            Optional<ItemFacts> f = model.item(other);
            if (!other.equals(itemId) && f.isPresent() && f.get().orderCount() > 0) {
                candidates.add(new Recommendation(other, "", 0, RecommendationSource.POPULAR, Explanation.ofPopularity(
                        new PopularItem(other, f.get().orderCount(), f.get().customerCount()))));
            }
        }
        double activity = profile.map(p -> -Math.expm1(-p.expectedTransactions90())).orElse(1.0);
        List<Offer> offers = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Recommendation r : candidates) {
            Optional<ItemFacts> f = model.item(r.itemId());
            if (f.isEmpty() || f.get().typicalPrice() <= item.typicalPrice()) {
                continue;
            }
            boolean sameFamily = ProductFamilies.familyOf(f.get().itemId(), f.get().description()).equals(family);
            if ((!sameFamily && !kind.contains(r.itemId())) || !seen.add(r.itemId())) {
                continue;
            }
            double base = r.source() == RecommendationSource.RULES ? r.score()
                    : model.customerCount() == 0 ? 0 : Math.min(1, (double) f.get().customerCount() / model.customerCount());
            double margin = f.get().typicalPrice() * marginRate;
            double ev = base * activity * margin;
            offers.add(new Offer(r.itemId(), f.get().description(), ev, base * activity, margin, r.source().wireName(),
                    "upsell", String.format(Locale.ROOT, "%s, %.2f -> %.2f; P(purchase) %.3f x margin %.2f",
                            sameFamily ? "same family '" + family + "'" : "same category",
                            item.typicalPrice(), f.get().typicalPrice(), base * activity, margin)));
        }
        offers.sort(Comparator.comparingDouble(Offer::expectedValue).reversed().thenComparing(Offer::itemId));
        return offers.size() > limit ? List.copyOf(offers.subList(0, limit)) : List.copyOf(offers);
    }

    private Offer offer(Recommendation r, ItemFacts facts, double base, double activity, CustomerProfile profile,
                        double usual) {
        double price = facts.typicalPrice();
        double margin = price * marginRate;
        double p = base * activity;
        Strategy strategy = profile == null ? null : profile.strategy();
        double strategyWeight = strategyWeight(strategy, r.source());
        double priceFit = 1;
        String priceNote = "";
        if (profile != null && usual > 0) {
            if (profile.priceSensitivity() == PriceSensitivity.HIGH && price > usual) {
                priceFit = usual / price;
                priceNote = String.format(Locale.ROOT, "; price-sensitive: usual %.2f vs %.2f x%.2f", usual, price, priceFit);
            } else if (profile.priceSensitivity() == PriceSensitivity.LOW && price > usual) {
                priceFit = 1.25;
                priceNote = String.format(Locale.ROOT, "; premium for a value customer (%.2f above usual %.2f) x1.25",
                        price, usual);
            }
        }
        double ev = p * margin * strategyWeight * priceFit;
        String why = String.format(Locale.ROOT, "%s; P(purchase) %.3f (%s %.3f x activity %.3f) x margin %.2f (%.0f%% of %.2f)",
                sourceNote(r), p, r.source().wireName(), base, activity, margin, 100 * marginRate, price)
                + (strategy == null ? "" : String.format(Locale.ROOT, "; strategy %s x%.2f",
                        strategy.name().toLowerCase(Locale.ROOT), strategyWeight))
                + priceNote;
        return new Offer(r.itemId(), facts.description(), ev, p, margin, r.source().wireName(),
                strategy == null ? null : strategy.name().toLowerCase(Locale.ROOT), why);
    }

    private static String sourceNote(Recommendation r) {
        Explanation e = r.explanation();
        if (e != null && e.rule() != null) {
            return "rule " + e.rule().antecedent() + " => " + e.rule().consequent();
        }
        return r.source() == RecommendationSource.REPEAT ? "bought before" : "popular";
    }

    static double strategyWeight(Strategy s, RecommendationSource source) {
        if (s == null) {
            return 1;
        }
        return switch (s) {
            case ENHANCE, PROTECT -> source == RecommendationSource.RULES ? 1.2 : 1;
            case INITIATE -> source == RecommendationSource.POPULAR ? 1.2 : 1;
            case WIN_BACK -> source == RecommendationSource.REPEAT ? 1.3 : 1;
            case RE_ENGINEER, HARVEST, END -> 1;
        };
    }

    /** Median typical price of the items in the customer's (possibly capped) history; 0 when unknown. */
    private static double usualPrice(ModelSnapshot model, String customerId) {
        double[] prices = model.customer(customerId).map(h -> h.items().stream()
                .map(i -> model.item(i.itemId())).filter(Optional::isPresent)
                .mapToDouble(f -> f.get().typicalPrice()).filter(x -> x > 0).toArray()).orElse(new double[0]);
        if (prices.length == 0) {
            return 0;
        }
        Arrays.sort(prices);
        int n = prices.length;
        return n % 2 == 1 ? prices[n / 2] : (prices[n / 2 - 1] + prices[n / 2]) / 2;
    }

    /** Items scored by a precomputed model list (new or repeat), whose scores are relative, not probabilities. */
    private static boolean fromModel(Recommendation r) {
        return r.explanation().model() != null;
    }
}
