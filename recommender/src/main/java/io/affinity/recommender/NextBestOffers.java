package io.affinity.recommender;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Strategy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Next-best offers: the {@link Recommender}'s candidates (rules fired by the customer's history, repeat
 * purchases, popular items) re-ranked by expected value to the business,
 * {@code P(purchase) x margin x strategy weight x price fit}, each with the arithmetic spelled out.
 *
 * <ul>
 *   <li>P(purchase) is a proxy: the source's own probability (rule confidence; the customer's share of
 *       orders with the item for repeats; the share of all customers who bought a popular item; for an item of
 *       the served model's list, new or a repeat, the model's score relative to the list's best, which the
 *       explanation calls so) times the customer's chance of buying at all in the next 90 days,
 *       {@code 1 - exp(-E[transactions 90d])} (Poisson approximation to the BG/NBD expectation).</li>
 *   <li>Margin: {@code price - cost} when the catalogue gave the item a cost ({@link ItemFacts#margin}; never
 *       below 0), else the item's price times the default margin rate; the explanation says which.</li>
 *   <li>Strategy: enhance/protect favour cross-sell (rules x1.2), initiate favours bestsellers (popular
 *       x1.2), win back favours the customer's own favourites (repeat x1.3); end gets no offers.</li>
 *   <li>Price fit: a price-sensitive customer's offer is scaled by {@code min(1, usual/price)} where usual
 *       is the median typical price of what they buy; a price-insensitive one gets x1.25 for items above
 *       their usual price (the premium variant).</li>
 * </ul>
 * Thread-safe (stateless apart from its settings).
 */
public final class NextBestOffers {
    /** Decimals of amounts in explanations when the model's currency is unknown (most currencies have cents). */
    public static final int DEFAULT_MINOR_DIGITS = 2;
    /** Most decimals an amount is printed with: {@link #amount} first rounds to 9, far below any minor unit. */
    static final int MAX_MINOR_DIGITS = 8;
    /** Candidates drawn from the recommender per offer asked for. */
    private static final int CANDIDATES_PER_OFFER = 8;
    /** Most candidates drawn without rules (and with rules, unless RULES_OVERFETCH x limit is more). */
    private static final int MAX_CANDIDATES = 200;
    /** Candidates per offer at least when {@link MerchandisingRules} reorder or thin the ranking (as recommendations do). */
    static final int RULES_OVERFETCH = 5;

    private final Recommender recommender;
    private final double marginRate;
    private final Predicate<String> offerable;
    /** Decimals the explanations print amounts with: the model currency's minor unit (2 when unknown). */
    private final int minorDigits;

    /** Every item of the model may be offered. */
    public NextBestOffers(Recommender recommender, double marginRate) {
        this(recommender, marginRate, item -> true);
    }

    /**
     * @param marginRate share of the price that is margin, in (0, 1] (default in the API: 0.3)
     * @param offerable  which items may be offered at all (e.g. in stock); the others are skipped as candidates,
     *                   so a customer still gets {@code limit} offers when enough others qualify
     */
    public NextBestOffers(Recommender recommender, double marginRate, Predicate<String> offerable) {
        this(recommender, marginRate, offerable, DEFAULT_MINOR_DIGITS);
    }

    /**
     * @param minorDigits decimals of the model currency's minor unit, which the explanations print amounts with
     *                    (JPY 0, EUR 2, KWD 3; {@link #DEFAULT_MINOR_DIGITS} when the currency is unknown). A digit
     *                    count, not a currency code: which currency a model is in is the snapshot's business.
     */
    public NextBestOffers(Recommender recommender, double marginRate, Predicate<String> offerable,
                          int minorDigits) {
        if (minorDigits < 0 || minorDigits > MAX_MINOR_DIGITS) {
            throw new IllegalArgumentException("minorDigits must be in [0, " + MAX_MINOR_DIGITS + "], was "
                    + minorDigits);
        }
        this.minorDigits = minorDigits;
        this.recommender = Objects.requireNonNull(recommender, "recommender");
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new IllegalArgumentException("marginRate must be in (0, 1], was " + marginRate);
        }
        this.marginRate = marginRate;
        this.offerable = Objects.requireNonNull(offerable, "offerable");
    }

    /** One offer and why. */
    public record Offer(String itemId, String description, double expectedValue, double purchaseProbability,
                        double margin, String source, String strategy, String explanation) {
    }

    /** Offers for a customer; the profile may be missing (no value model): then no strategy or price shaping. */
    public List<Offer> forCustomer(String customerId, Optional<CustomerProfile> profile, int limit) {
        return forCustomer(customerId, profile, limit, MerchandisingRules.NONE);
    }

    /**
     * Offers for a customer under a request's merchandising rules ({@link MerchandisingRules}: boost, pin, category cap),
     * applied to the whole value-ranked candidate list before the limit. A pinned offer has source
     * {@value #PINNED_SOURCE} and an explanation starting {@code pinned: matches pin '...'}, a boosted one an
     * explanation starting {@code boosted: matches boost '...'}; both keep their arithmetic. An item injected by
     * the pin is valued as a popular candidate (its share of all customers as the probability).
     */
    public List<Offer> forCustomer(String customerId, Optional<CustomerProfile> profile, int limit, MerchandisingRules rules) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        Strategy strategy = profile.map(CustomerProfile::strategy).orElse(null);
        if (strategy == Strategy.END) {
            return List.of();
        }
        ModelSnapshot model = recommender.model();
        // Rules that reorder or thin the ranking draw at least RULES_OVERFETCH times the limit (as recommendations
        // do), also past the usual cap on candidates.
        int candidateCount = rules.reorders()
                ? Math.min(limit * CANDIDATES_PER_OFFER, Math.max(MAX_CANDIDATES, limit * RULES_OVERFETCH))
                : Math.min(limit * CANDIDATES_PER_OFFER, MAX_CANDIDATES);
        Recommendations candidates = recommender.forCustomer(customerId, candidateCount);
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
        // Rank by value first and write the explanations of the kept offers only: formatting them is most of the
        // cost of a campaign export, and most candidates are dropped.
        List<Scored> scored = new ArrayList<>(candidates.items().size());
        for (Recommendation r : candidates.items()) {
            if (!offerable.test(r.itemId())) {
                continue;
            }
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
            double price = facts.get().typicalPrice();
            double ev = base * activity * facts.get().margin(marginRate) * strategyWeight(strategy, r.source())
                    * priceFit(profile.orElse(null), usual, price);
            scored.add(new Scored(r, facts.get(), base, ev));
        }
        scored.sort(Comparator.comparingDouble(Scored::ev).reversed().thenComparing(x -> x.r().itemId()));
        if (rules.reorders()) {
            for (MerchandisingRules.Kept<Scored> k : rules.select(scored, x -> x.r().itemId(), limit,
                    item -> injected(model, item, strategy, activity, profile.orElse(null), usual))) {
                Scored x = k.entry();
                offers.add(marked(offer(x.r(), x.facts(), x.base(), activity, profile.orElse(null), usual), k.mark(),
                        rules, "ranked by expected value"));
            }
            return List.copyOf(offers);
        }
        for (int i = 0; i < Math.min(limit, scored.size()); i++) {
            Scored x = scored.get(i);
            offers.add(offer(x.r(), x.facts(), x.base(), activity, profile.orElse(null), usual));
        }
        return List.copyOf(offers);
    }

    private record Scored(Recommendation r, ItemFacts facts, double base, double ev) {
    }

    /**
     * A catalogue item a pin injects into a customer's offers, scored as a popular candidate; null when it cannot
     * be offered (not offerable, not in the model, no price).
     */
    private Scored injected(ModelSnapshot model, String itemId, Strategy strategy, double activity,
                            CustomerProfile profile, double usual) {
        if (!offerable.test(itemId)) {
            return null;
        }
        Optional<ItemFacts> facts = model.item(itemId);
        if (facts.isEmpty() || facts.get().typicalPrice() <= 0) {
            return null;
        }
        ItemFacts f = facts.get();
        double base = model.customerCount() == 0 ? 0 : Math.min(1, (double) f.customerCount() / model.customerCount());
        Recommendation r = new Recommendation(itemId, f.description(), 0, RecommendationSource.POPULAR,
                popularity(f));
        double ev = base * activity * f.margin(marginRate) * strategyWeight(strategy, r.source())
                * priceFit(profile, usual, f.typicalPrice());
        return new Scored(r, f, base, ev);
    }

    /** The popularity evidence of an item; none for an item never ordered (only a pin puts such an item in). */
    private static Explanation popularity(ItemFacts f) {
        return Explanation.ofCatalogueItem(f.itemId(), f.orderCount(), f.customerCount());
    }

    /** {@link Offer#source()} of an offer a request's pin placed first. */
    public static final String PINNED_SOURCE = "pinned";

    /** The offer as the rules placed it: pinned and boosted offers say so first. */
    private static Offer marked(Offer o, MerchandisingRules.Mark mark, MerchandisingRules rules, String ranking) {
        return mark == MerchandisingRules.Mark.RANKED ? o : new Offer(o.itemId(), o.description(), o.expectedValue(),
                o.purchaseProbability(), o.margin(), mark == MerchandisingRules.Mark.BOOSTED ? o.source()
                : PINNED_SOURCE, o.strategy(), rules.note(mark, ranking) + o.explanation());
    }

    /** The price shaping of {@link #offer}: below 1 above a price-sensitive customer's usual price, 1.25 premium. */
    private static double priceFit(CustomerProfile profile, double usual, double price) {
        if (profile != null && usual > 0 && price > usual) {
            if (profile.priceSensitivity() == PriceSensitivity.HIGH) {
                return usual / price;
            }
            if (profile.priceSensitivity() == PriceSensitivity.LOW) {
                return 1.25;
            }
        }
        return 1;
    }

    /** {@link Offer#source()} of an upsell offer that customers were observed to move up to. */
    public static final String TRADE_UP_SOURCE = "trade_up";
    /** Start of the explanation of an upsell offer from the heuristic fallback. */
    public static final String HEURISTIC_NOTE = "heuristic fallback (no observed trade-up)";

    /**
     * Upsell for an item. First what customers were observed to move up to ({@link ModelSnapshot#tradeUps}):
     * for each target the most specific evidence is used, the requesting customer's tier, then their
     * price-sensitivity band, then all customers (the explanation says "similar customers" for either of the
     * first two, never which: see {@link #segmentLabel}); ranked by {@code rate x activity x margin}. Then, to fill the
     * limit, the heuristic fallback: pricier items of the same product family found among what is bought with the
     * item and among popular items, ranked by co-purchase confidence or popularity share x margin. An unknown
     * item throws {@link UnknownItemException}.
     */
    public List<Offer> upsell(String itemId, Optional<CustomerProfile> profile, int limit) {
        return upsell(itemId, profile, limit, List.of());
    }

    /**
     * Upsell as above, the fallback also considering {@code sameKind}: pricier items of the same kind found
     * elsewhere (the API passes the catalogue's items of the same category), since colour variants of one family
     * often share a price. Such candidates are ranked by how many customers buy them (their popularity share) x
     * margin.
     */
    public List<Offer> upsell(String itemId, Optional<CustomerProfile> profile, int limit,
                              Collection<String> sameKind) {
        return upsell(itemId, profile, limit, sameKind, MerchandisingRules.NONE);
    }

    /**
     * Upsell as above under a request's merchandising rules ({@link MerchandisingRules}), applied to the whole upsell
     * ranking (the observed trade-ups, then the heuristic fallback over-fetched) before the limit. A pin injects
     * only catalogue items pricier than the item (an upsell moves up), valued as the fallback values popular
     * items; pinned and boosted offers say so as in {@link #forCustomer(String, Optional, int, MerchandisingRules)}.
     */
    public List<Offer> upsell(String itemId, Optional<CustomerProfile> profile, int limit,
                              Collection<String> sameKind, MerchandisingRules rules) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        ModelSnapshot model = recommender.model();
        ItemFacts item = model.item(itemId).orElseThrow(() -> new UnknownItemException(itemId));
        double activity = profile.map(p -> -Math.expm1(-p.expectedTransactions90())).orElse(1.0);
        List<Offer> observed = observedTradeUps(model, item, profile, activity);
        if (rules.reorders()) {
            List<Offer> ranking = new ArrayList<>(observed);
            Set<String> offered = new HashSet<>();
            observed.forEach(o -> offered.add(o.itemId()));
            for (Offer o : heuristicUpsell(model, item, activity, limit * RULES_OVERFETCH + offered.size(),
                    sameKind)) {
                if (!offered.contains(o.itemId())) {
                    ranking.add(o);
                }
            }
            List<Offer> out = new ArrayList<>(limit);
            for (MerchandisingRules.Kept<Offer> k : rules.select(ranking, Offer::itemId, limit,
                    target -> injectedUpsell(model, item, target, activity))) {
                out.add(marked(k.entry(), k.mark(), rules, "ranked among this item's upsell offers"));
            }
            return List.copyOf(out);
        }
        List<Offer> out = new ArrayList<>(observed.subList(0, Math.min(limit, observed.size())));
        if (out.size() < limit) {
            Set<String> offered = new HashSet<>();
            observed.forEach(o -> offered.add(o.itemId()));
            for (Offer o : heuristicUpsell(model, item, activity, limit + offered.size(), sameKind)) {
                if (out.size() < limit && !offered.contains(o.itemId())) {
                    out.add(o);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * A catalogue item a pin injects into an item's upsell: only a pricier, offerable item of the model, valued as
     * the heuristic fallback values a popular item (its share of all customers x activity x margin); else null.
     */
    private Offer injectedUpsell(ModelSnapshot model, ItemFacts item, String targetId, double activity) {
        Optional<ItemFacts> found = model.item(targetId);
        if (found.isEmpty() || found.get().typicalPrice() <= item.typicalPrice() || !offerable.test(targetId)) {
            return null;
        }
        ItemFacts f = found.get();
        double base = model.customerCount() == 0 ? 0 : Math.min(1, (double) f.customerCount() / model.customerCount());
        double margin = f.margin(marginRate);
        double p = base * activity;
        return new Offer(targetId, f.description(), p * margin, p, margin, RecommendationSource.POPULAR.wireName(),
                "upsell", String.format(Locale.ROOT, "%s -> %s; P(purchase) %.3f (popular %.3f x activity %.3f) x "
                                + "margin %s (%s)", amount(item.typicalPrice()), amount(f.typicalPrice()), p, base,
                        activity, amount(margin), marginNote(f)));
    }

    /** The observed trade-ups from {@code item}, one offer per target, best first. */
    private List<Offer> observedTradeUps(ModelSnapshot model, ItemFacts item, Optional<CustomerProfile> profile,
                                         double activity) {
        List<String> preference = new ArrayList<>(3);
        profile.ifPresent(p -> {
            preference.add(TradeUp.tierSegment(p.tier()));
            preference.add(TradeUp.priceSegment(p.priceSensitivity()));
        });
        preference.add(TradeUp.ALL);
        Map<String, TradeUp> best = new LinkedHashMap<>();
        for (TradeUp t : model.tradeUps(item.itemId())) {
            int rank = preference.indexOf(t.segment());
            if (rank < 0) {
                continue;
            }
            TradeUp current = best.get(t.toItemId());
            if (current == null || rank < preference.indexOf(current.segment())) {
                best.put(t.toItemId(), t);
            }
        }
        List<Offer> offers = new ArrayList<>(best.size());
        for (TradeUp t : best.values()) {
            Optional<ItemFacts> f = model.item(t.toItemId());
            if (f.isEmpty() || f.get().typicalPrice() <= item.typicalPrice() || !offerable.test(t.toItemId())) {
                continue; // not in this model's catalogue (any more), not pricier, or not offerable (out of stock)
            }
            double margin = f.get().margin(marginRate);
            double p = t.rate() * activity;
            // The target's share of all customers says how much of the move is just the item being popular.
            String base = model.customerCount() == 0 ? "" : String.format(Locale.ROOT,
                    " (%.1f%% of all customers bought it)",
                    100.0 * Math.min(1, (double) f.get().customerCount() / model.customerCount()));
            offers.add(new Offer(t.toItemId(), f.get().description(), p * margin, p, margin, TRADE_UP_SOURCE, "upsell",
                    String.format(Locale.ROOT, "%d of %d customers who bought %s later moved up to %s (%s); %s, "
                                    + "%s -> %s; P(purchase) %.3f (rate %.3f%s x activity %.3f) x margin %s (%s)",
                            t.movers(), t.buyers(), label(item), label(f.get()), segmentLabel(t.segment()),
                            t.sameFamily() ? "same family" : "same category", amount(item.typicalPrice()),
                            amount(f.get().typicalPrice()), p, t.rate(), base, activity, amount(margin),
                            marginNote(f.get()))));
        }
        offers.sort(Comparator.comparingDouble(Offer::expectedValue).reversed().thenComparing(Offer::itemId));
        return offers;
    }

    private static String label(ItemFacts f) {
        return f.description().isBlank() ? f.itemId() : f.description() + " (" + f.itemId() + ")";
    }

    /**
     * Whose moves an upsell offer counted: "all customers", or "similar customers" for the requesting customer's own
     * segment, whichever it is. Upsell answers shop pages and its explanation may be shown to the shopper: naming the
     * segment ("gold tier", "high price sensitivity") told them, and anyone with the page's key and their id, the
     * retailer's internal classification of them, which only the profile (another scope) gives.
     */
    static String segmentLabel(String segment) {
        return segment.equals(TradeUp.ALL) ? "all customers" : "similar customers";
    }

    /** The fallback when too few trade-ups were observed (see {@link #upsell(String, Optional, int, java.util.Collection)}). */
    private List<Offer> heuristicUpsell(ModelSnapshot model, ItemFacts item, double activity, int limit,
                                        Collection<String> sameKind) {
        String itemId = item.itemId();
        String family = ProductFamilies.familyOf(item.itemId(), item.description());
        List<Recommendation> candidates = new ArrayList<>(
                recommender.boughtTogether(itemId, Math.min(limit * CANDIDATES_PER_OFFER, 200)).items());
        for (PopularItem p : model.popularItems()) {
            if (!p.itemId().equals(itemId)) {
                candidates.add(new Recommendation(p.itemId(), "", 0, RecommendationSource.POPULAR,
                        Explanation.ofPopularity(p)));
            }
        }
        Set<String> kind = new HashSet<>(sameKind);
        for (String other : sameKind) {
            Optional<ItemFacts> f = model.item(other);
            if (!other.equals(itemId) && f.isPresent() && f.get().orderCount() > 0) {
                candidates.add(new Recommendation(other, "", 0, RecommendationSource.POPULAR, Explanation.ofPopularity(
                        new PopularItem(other, f.get().orderCount(), f.get().customerCount()))));
            }
        }
        List<Offer> offers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Recommendation r : candidates) {
            Optional<ItemFacts> f = model.item(r.itemId());
            if (f.isEmpty() || f.get().typicalPrice() <= item.typicalPrice() || !offerable.test(r.itemId())) {
                continue;
            }
            boolean sameFamily = ProductFamilies.familyOf(f.get().itemId(), f.get().description()).equals(family);
            if ((!sameFamily && !kind.contains(r.itemId())) || !seen.add(r.itemId())) {
                continue;
            }
            double base = r.source() == RecommendationSource.RULES ? r.score()
                    : model.customerCount() == 0 ? 0 : Math.min(1, (double) f.get().customerCount() / model.customerCount());
            double margin = f.get().margin(marginRate);
            double ev = base * activity * margin;
            offers.add(new Offer(r.itemId(), f.get().description(), ev, base * activity, margin, r.source().wireName(),
                    "upsell", String.format(Locale.ROOT, "%s: %s, %s -> %s; P(purchase) %.3f x margin %s (%s)",
                            HEURISTIC_NOTE, sameFamily ? "same family '" + family + "'" : "same category",
                            amount(item.typicalPrice()), amount(f.get().typicalPrice()), base * activity,
                            amount(margin), marginNote(f.get()))));
        }
        offers.sort(Comparator.comparingDouble(Offer::expectedValue).reversed().thenComparing(Offer::itemId));
        return offers.size() > limit ? offers.subList(0, limit) : offers;
    }

    private Offer offer(Recommendation r, ItemFacts facts, double base, double activity, CustomerProfile profile,
                        double usual) {
        double price = facts.typicalPrice();
        double margin = facts.margin(marginRate);
        double p = base * activity;
        Strategy strategy = profile == null ? null : profile.strategy();
        double strategyWeight = strategyWeight(strategy, r.source());
        double priceFit = priceFit(profile, usual, price);
        String priceNote = "";
        if (priceFit != 1) {
            priceNote = profile.priceSensitivity() == PriceSensitivity.HIGH
                    ? String.format(Locale.ROOT, "; price-sensitive: usual %s vs %s x%.2f", amount(usual),
                            amount(price), priceFit)
                    : String.format(Locale.ROOT, "; premium for a value customer (%s above usual %s) x1.25",
                            amount(price), amount(usual));
        }
        // Same arithmetic, same order as the ranking in forCustomer, so the values agree to the last bit.
        double ev = base * activity * margin * strategyWeight * priceFit;
        String why = String.format(Locale.ROOT, "%s; P(purchase) %.3f (%s %.3f x activity %.3f) x margin %s (%s)",
                sourceNote(r), p, baseLabel(r), base, activity, amount(margin), marginNote(facts))
                + (strategy == null ? "" : String.format(Locale.ROOT, "; strategy %s x%.2f",
                        strategy.name().toLowerCase(Locale.ROOT), strategyWeight))
                + priceNote
                + (profile == null ? NO_PROFILE_NOTE : "");
        return new Offer(r.itemId(), facts.description(), ev, p, margin, r.source().wireName(),
                strategy == null ? null : strategy.name().toLowerCase(Locale.ROOT), why);
    }

    /**
     * Ends the arithmetic of an offer to a customer without a profile (unknown, returned all they bought, or a model
     * without value models): its activity 1 is no estimate, and "x activity 1.000" alone reads as one.
     */
    static final String NO_PROFILE_NOTE = "; no customer profile: activity 1 (not estimated), no strategy or price "
            + "shaping";

    /** Where the margin came from: the catalogue's cost, or the default rate. */
    private String marginNote(ItemFacts f) {
        if (f.hasCost()) {
            return String.format(Locale.ROOT, "catalogue cost: price %s - cost %s%s", amount(f.typicalPrice()),
                    amount(f.unitCost()), f.unitCost() > f.typicalPrice() ? ", sold below cost: margin 0" : "");
        }
        return String.format(Locale.ROOT, "default margin rate: %.0f%% of %s", 100 * marginRate,
                amount(f.typicalPrice()));
    }

    /** A money amount in the model currency's minor unit ({@link #amount(double, int)}). */
    private String amount(double value) {
        return amount(value, minorDigits);
    }

    /**
     * A money amount with {@code digits} decimals (the currency's minor unit: 1250 yen, 12.50 euros, 1.250 dinars),
     * a half rounded up as a person checking the arithmetic would (30% of 1.65 is 0.495 -> 0.50). The double
     * carries binary noise (0.3 * 1.65 = 0.49499999999999994), on which {@code %.2f} gives 0.49, so it is first
     * rounded to 9 decimals, far below a minor unit and far above the noise.
     */
    static String amount(double value, int digits) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).setScale(9, RoundingMode.HALF_EVEN).setScale(digits, RoundingMode.HALF_UP)
                .toPlainString();
    }

    /**
     * What the base of an offer's P(purchase) is. An item of the served model's list (new or a repeat, also when
     * pinned) has the model's score scaled by the list's best (see {@link #forCustomer}): not the customer's repeat
     * rate nor a probability the model gave, so it is not named after the source ("repeat 1.000" read as a certain
     * repeat purchase).
     */
    private static String baseLabel(Recommendation r) {
        return fromModel(r) ? "model score relative to the customer's best" : r.source().wireName();
    }

    private static String sourceNote(Recommendation r) {
        Explanation e = r.explanation();
        if (e != null && e.rule() != null) {
            return "rule " + e.rule().antecedent() + " => " + e.rule().consequent();
        }
        if (e != null && e.model() != null) {
            Explanation.ModelEvidence m = e.model();
            String model = m.source().equals(m.model()) ? "model " + m.model()
                    : "model " + m.model() + " (from " + m.source() + ")";
            return "repeat".equals(m.kind()) ? "bought before" + returnsNote(e) + ", proposed again by " + model
                    : model;
        }
        if (r.source() == RecommendationSource.REPEAT) {
            return "bought before" + returnsNote(e);
        }
        return e != null && e.popularity() == null && r.source() == RecommendationSource.PINNED
                ? "in the catalogue, never ordered" : "popular";
    }

    private static String returnsNote(Explanation e) {
        return e == null || e.purchase() == null ? "" : e.purchase().returnsNote();
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

    /** Median typical price of the items in the customer's history; 0 when unknown. */
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
