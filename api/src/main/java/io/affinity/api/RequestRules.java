package io.affinity.api;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.Explanation;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.MerchandisingRules;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommendation;
import io.affinity.recommender.RecommendationSource;
import io.affinity.recommender.Recommendations;
import io.affinity.recommender.Recommender;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.util.FixedBitSet;

/**
 * The business rules of one recommendation request: the {@code filter} expression (a cached bitset over the
 * catalogue), stock (the availability overlay), items the customer bought recently ({@code excludeBoughtWithinDays},
 * counted back from {@code asOf}, default today in the model's time zone, else UTC; repeat purchases stay allowed) and {@code maxPerCategory}.
 * Disallowed items are hidden from the recommender's candidates ({@link FilteredSnapshot}); the category cap is
 * applied to an over-fetched ranking, {@link #OVERFETCH} times the limit.
 *
 * <p>{@code pin} (same syntax) places up to {@code pinLimit} matching items first, labelled
 * {@link RecommendationSource#PINNED}: first the matching candidates of the request's own ranking, in its order
 * (the model's score), then, when fewer match, items of the catalogue that match the pin, most ordered first
 * (injection: a merchandiser's pin works even for items the model did not propose). Pinned items must be eligible
 * like any other (filter, stock, recently bought, category cap) and are never an item the request already names
 * (the basket's items, the bought-together item).
 *
 * <p>Offers (next-best offers, upsell, campaign exports) take the same parameters through {@link #parse}: the
 * filter and recently-bought rule hide items from their candidates ({@link #restrictsOffers}), and boost, pin and
 * the category cap are handed to the offer ranking as {@link MerchandisingRules}
 * ({@link #offerRules}), which applies them to the value-ranked list.
 */
final class RequestRules {
    static final int OVERFETCH = 5;
    /** Pinned items per answer when the request gives {@code pin} without {@code pinLimit}. */
    static final int DEFAULT_PIN_LIMIT = 3;
    static final int MAX_PIN_LIMIT = 50;
    static final LocalDate MIN_AS_OF = LocalDate.of(1, 1, 1);
    static final LocalDate MAX_AS_OF = LocalDate.of(9999, 12, 31);

    private final Parsed parsed;
    private final ServedModel model;
    private final FixedBitSet filter;
    private final ItemAvailability availability;
    private final boolean checkAvailability;
    private final Set<String> recentlyBought;
    private final int maxPerCategory;
    private final FixedBitSet boost;
    private final FixedBitSet pin;
    private final String pinExpression;
    private final int pinLimit;
    /** The customer the rules are for, or null; only read to explain an injected pin the customer bought. */
    private final String customerId;

    private RequestRules(Parsed parsed, Set<String> recentlyBought, String customerId) {
        this.parsed = parsed;
        this.customerId = customerId;
        this.boost = parsed.boost;
        this.pin = parsed.pin;
        this.pinExpression = parsed.pinExpression;
        this.pinLimit = parsed.pinLimit;
        this.model = parsed.model;
        this.filter = parsed.filter;
        this.availability = parsed.availability;
        this.checkAvailability = parsed.checkAvailability;
        this.recentlyBought = recentlyBought;
        this.maxPerCategory = parsed.maxPerCategory;
    }

    /** Reads the rule parameters of a request; {@code customerId} is null when the request names no customer. */
    static RequestRules of(Context ctx, ServedModel model, ItemAvailability availability, BusinessRuleConfig config,
                           SearchLimit searches, String customerId) {
        return parse(ctx, model, availability, config, searches).forCustomer(customerId);
    }

    /**
     * Reads and compiles the rule parameters of a request, before any customer is known: a campaign export parses
     * them once and binds them to each customer ({@link Parsed#forCustomer}). Every error is a 400 naming the
     * parameter (409 for a filter on a snapshot without a catalogue index).
     */
    static Parsed parse(Context ctx, ServedModel model, ItemAvailability availability, BusinessRuleConfig config,
                        SearchLimit searches) {
        FixedBitSet filter = null;
        String expression = ctx.queryParam("filter");
        if (expression != null && !expression.isBlank()) {
            filter = compile(model, expression, "filter", ctx, searches);
        }
        FixedBitSet boost = null;
        String boostExpression = ctx.queryParam("boost");
        if (boostExpression != null && !boostExpression.isBlank()) {
            boost = compile(model, boostExpression, "boost", ctx, searches);
        }
        String pinExpression = ctx.queryParam("pin");
        FixedBitSet pin = null;
        if (pinExpression != null && !pinExpression.isBlank()) {
            pin = compile(model, pinExpression, "pin", ctx, searches);
        }
        int pinLimit = (int) Params.optionalLong(ctx, "pinLimit", DEFAULT_PIN_LIMIT, 0, MAX_PIN_LIMIT);
        String rawPinLimit = ctx.queryParam("pinLimit");
        if (pin == null && rawPinLimit != null && !rawPinLimit.isBlank()) {
            // Without a pin it would change nothing: say so rather than answer as if it had been applied.
            throw ApiProblem.badRequest("query parameter 'pinLimit' needs query parameter 'pin': it limits how "
                    + "many of pin's matches go first");
        }
        String rawDays = ctx.queryParam("excludeBoughtWithinDays");
        int days = (int) Params.optionalLong(ctx, "excludeBoughtWithinDays", config.excludeBoughtWithinDays(), 0, 36_600);
        int maxPerCategory = (int) Params.optionalLong(ctx, "maxPerCategory", 0, 0, 10_000);
        // Checked even when unused (no customer, or no day window): a bad date must not pass silently.
        // "today" in the shop's time zone when training was given it: the purchase dates are its days
        java.time.ZoneId zone = model.snapshot().timeZone().orElse(ZoneOffset.UTC);
        LocalDate asOf = asOf(ctx, zone);
        boolean daysGiven = rawDays != null && !rawDays.isBlank() && days > 0;
        return new Parsed(model, availability, config, filter == null ? null : expression.trim(), filter,
                boost == null ? null : boostExpression.trim(), boost, pin == null ? null : pinExpression.trim(), pin,
                pinLimit, days, daysGiven,
                // "Today" once per request (an export's customers all count back from the same day), and only when
                // used: reading the clock is not free on the plain recommendation path.
                asOf == null && days > 0 ? LocalDate.now(zone) : asOf, maxPerCategory);
    }

    /**
     * A request's rule parameters, parsed and compiled, not yet bound to a customer. Immutable; the stock check
     * ({@code checkAvailability}) is decided when parsed, as for any request.
     */
    static final class Parsed {
        private final ServedModel model;
        private final ItemAvailability availability;
        private final BusinessRuleConfig config;
        private final String filterExpression;
        private final FixedBitSet filter;
        private final String boostExpression;
        private final FixedBitSet boost;
        private final String pinExpression;
        private final FixedBitSet pin;
        private final int pinLimit;
        private final int days;
        private final boolean daysGiven;
        private final LocalDate asOf;
        private final int maxPerCategory;
        private final boolean checkAvailability;

        private Parsed(ServedModel model, ItemAvailability availability, BusinessRuleConfig config,
                       String filterExpression, FixedBitSet filter, String boostExpression, FixedBitSet boost,
                       String pinExpression, FixedBitSet pin, int pinLimit, int days, boolean daysGiven,
                       LocalDate asOf, int maxPerCategory) {
            this.model = model;
            this.availability = availability;
            this.config = config;
            this.filterExpression = filterExpression;
            this.filter = filter;
            this.boostExpression = boostExpression;
            this.boost = boost;
            this.pinExpression = pinExpression;
            this.pin = pin;
            this.pinLimit = pinLimit;
            this.days = days;
            this.daysGiven = daysGiven;
            this.asOf = asOf;
            this.maxPerCategory = maxPerCategory;
            this.checkAvailability = availability.anyUnavailable()
                    || (model.catalog() != null && model.catalog().anyUnavailable());
        }

        /**
         * The rules for one customer (null: none named, so nothing counts as bought recently): items they bought
         * on or after {@code asOf} minus {@code excludeBoughtWithinDays} days, unless repeat purchases.
         */
        RequestRules forCustomer(String customerId) {
            Set<String> recent = Set.of();
            if (days > 0 && customerId != null) {
                LocalDate since = asOf.minusDays(days);
                CustomerHistory history = model.snapshot().customer(customerId).orElse(null);
                if (history != null) {
                    for (PurchasedItem p : history.items()) {
                        // "Within N days" includes a purchase exactly N days before asOf.
                        if (p.lastPurchased() != null && !p.lastPurchased().isBefore(since)
                                && p.orderCount() < config.repeatMinOrders()) {
                            if (recent.isEmpty()) {
                                recent = new HashSet<>();
                            }
                            recent.add(p.itemId());
                        }
                    }
                }
            }
            return new RequestRules(this, recent, customerId);
        }

        /**
         * These rules answered from {@code answering}, a view of the model they were parsed on (the same version and
         * catalogue, so the compiled filters stand): what a customer who objects to profiling is answered from, so
         * that nothing of theirs counts as bought recently.
         */
        Parsed answeredBy(ServedModel answering) {
            if (answering == model) {
                return this;
            }
            if (answering.catalog() != model.catalog()
                    || !answering.snapshot().version().equals(model.snapshot().version())) {
                throw new IllegalArgumentException("rules parsed on one model version answered by another");
            }
            return new Parsed(answering, availability, config, filterExpression, filter, boostExpression, boost,
                    pinExpression, pin, pinLimit, days, daysGiven, asOf, maxPerCategory);
        }

        /** Whether the rules differ by customer ({@code excludeBoughtWithinDays} in effect). */
        boolean perCustomer() {
            return days > 0;
        }

        /**
         * {@link #forCustomer} for a request that may name no customer ({@code customerId} null): there, an
         * {@code excludeBoughtWithinDays} the request itself gave above 0 (not the server's default) would exclude
         * nothing, so it is a 400 saying what it {@code needs} rather than silently ignored.
         */
        RequestRules forCustomerIfNamed(String customerId, String needs) {
            if (customerId == null && daysGiven) {
                throw ApiProblem.badRequest("query parameter 'excludeBoughtWithinDays' " + needs);
            }
            return forCustomer(customerId);
        }

        /**
         * The rules in effect, as a campaign export's summary records them: each given parameter (expressions as
         * given, trimmed), {@code pinLimit} with a pin, and with {@code excludeBoughtWithinDays} (given or the
         * server's default) the {@code asOf} date it counted back from. Empty without rules.
         */
        Map<String, Object> describe() {
            Map<String, Object> d = new LinkedHashMap<>();
            if (filterExpression != null) {
                d.put("filter", filterExpression);
            }
            if (boostExpression != null) {
                d.put("boost", boostExpression);
            }
            if (pinExpression != null) {
                d.put("pin", pinExpression);
                d.put("pinLimit", pinLimit);
            }
            if (maxPerCategory > 0) {
                d.put("maxPerCategory", maxPerCategory);
            }
            if (days > 0) {
                d.put("excludeBoughtWithinDays", days);
                d.put("asOf", asOf.toString());
            }
            return d;
        }
    }

    /**
     * Compiles (or takes from the cache) a filter; bad syntax is a 400 naming the parameter and the error. A filter
     * with patterns (fuzzy, wildcard, prefix, regular expression: their cost grows with the catalogue's terms) is
     * compiled under the search limit, as a search would be; a cached one or one of terms and ranges is not.
     */
    static FixedBitSet compile(ServedModel model, String expression, String parameter, Context ctx,
                               SearchLimit searches) {
        if (model.catalog() == null) {
            throw new ApiProblem(409, "no-catalog", "No catalogue index",
                    "the served model version has no catalogue index (trained before indexes existed); "
                            + "retrain to use '" + parameter + "'");
        }
        try {
            return model.catalog().filter(expression, compilation -> searches.run(ctx, compilation::compile));
        } catch (ParseException e) {
            throw invalidQuery(parameter, e);
        }
    }

    /** The 400 for a catalogue query ({@code q}, {@code filter}, {@code boost}, {@code pin}) that cannot be run. */
    static ApiProblem invalidQuery(String parameter, ParseException e) {
        return ApiProblem.badRequest("query parameter '" + parameter + "' "
                + (e instanceof CatalogQueryParser.TooComplex ? "is too costly to run: "
                        : "is not valid Lucene query syntax: ")
                + firstLine(e.getMessage()));
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static LocalDate asOf(Context ctx, java.time.ZoneId zone) {
        String raw = ctx.queryParam("asOf");
        if (raw == null) {
            return null;
        }
        if (raw.isBlank()) {
            return LocalDate.now(zone);
        }
        LocalDate date;
        try {
            date = LocalDate.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("query parameter 'asOf' must be a date like 2011-12-09, was '"
                    + Params.abbreviate(raw) + "'");
        }
        // LocalDate takes years up to +-999999999, where counting back excludeBoughtWithinDays overflows.
        if (date.isBefore(MIN_AS_OF) || date.isAfter(MAX_AS_OF)) {
            throw ApiProblem.badRequest("query parameter 'asOf' must be a date from " + MIN_AS_OF + " to "
                    + MAX_AS_OF + ", was '" + Params.abbreviate(raw) + "'");
        }
        return date;
    }

    boolean active() {
        return filter != null || checkAvailability || !recentlyBought.isEmpty() || maxPerCategory > 0 || boost != null
                || (pin != null && pinLimit > 0);
    }

    boolean allowed(String itemId) {
        return passesFilterAndHistory(itemId) && (!checkAvailability || inStock(itemId));
    }

    /**
     * Whether the rules hide items from offers beyond stock: a filter, or items the customer bought recently.
     * (Offers check stock on their own, for every candidate, as they always have.)
     */
    boolean restrictsOffers() {
        return filter != null || !recentlyBought.isEmpty();
    }

    /** The filter and the recently-bought rule, without stock (see {@link #restrictsOffers}). */
    boolean passesFilterAndHistory(String itemId) {
        return (filter == null || matches(model.catalog(), filter, itemId)) && !recentlyBought.contains(itemId);
    }

    /**
     * The rules that reorder or thin offers (boost, pin, category cap), for {@link io.affinity.recommender.NextBestOffers};
     * explanations quote the expressions shortened as recommendations' do. Same for every customer of a request.
     */
    MerchandisingRules offerRules() {
        return merchandising(Set.of());
    }

    /**
     * Boost, pin and the category cap as the shared engine takes them; a pin never places an item the request
     * names ({@code named}: a basket's items, the bought-together item). {@link MerchandisingRules#NONE} when the
     * request gives none of them.
     */
    private MerchandisingRules merchandising(Set<String> named) {
        boolean pins = pin != null && pinLimit > 0;
        if (boost == null && !pins && maxPerCategory == 0) {
            return MerchandisingRules.NONE;
        }
        Catalog catalog = model.catalog();
        FixedBitSet boosted = boost;
        FixedBitSet pinned = pin;
        return new MerchandisingRules(
                boosted == null ? null : item -> matches(catalog, boosted, item),
                boosted == null ? null : Params.abbreviate(parsed.boostExpression),
                pins ? item -> matches(catalog, pinned, item) && !named.contains(item) : null,
                pins ? Params.abbreviate(pinExpression) : null, pins ? pinLimit : 0,
                pins ? () -> new PinnedByPopularity(catalog, pinned) : null, maxPerCategory, this::category);
    }

    private static boolean matches(Catalog catalog, FixedBitSet bits, String itemId) {
        int ord = catalog.ordinal(itemId);
        return ord >= 0 && bits.get(ord);
    }

    /** The catalogue's items that match a pin, most ordered first, found as they are asked for. */
    private static final class PinnedByPopularity implements Iterator<String> {
        private final Catalog catalog;
        private final FixedBitSet pin;
        private int rank;
        private String next;

        PinnedByPopularity(Catalog catalog, FixedBitSet pin) {
            this.catalog = catalog;
            this.pin = pin;
        }

        @Override
        public boolean hasNext() {
            while (next == null && rank < catalog.size()) {
                int ord = catalog.byPopularity(rank++);
                if (pin.get(ord)) {
                    next = catalog.itemId(ord);
                }
            }
            return next != null;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String id = next;
            next = null;
            return id;
        }
    }

    /** The overlay's statement, else the catalogue's availability at training time. */
    private boolean inStock(String itemId) {
        return availability.isAvailable(itemId, model.catalog());
    }

    /** Runs {@code query} (a recommender and a limit in, recommendations out) under these rules. */
    Recommendations recommend(BiFunction<Recommender, Integer, Recommendations> query, int limit) {
        return recommend(query, limit, Set.of());
    }

    /**
     * Runs {@code query} under these rules; {@code named} are the items the request itself names (basket items,
     * the bought-together item), which a pin never injects.
     */
    Recommendations recommend(BiFunction<Recommender, Integer, Recommendations> query, int limit, Set<String> named) {
        return recommend(query, limit, named, null);
    }

    /**
     * Runs {@code query}, which answers a ranking best first, under these rules, and shows what they keep in
     * {@code display} order (null: as ranked): within each group of the answer (pinned, boosted, the rest), so
     * the rules pick from the ranking and the display order only arranges what they picked
     * ({@link Recommender#forCustomerRanked}).
     */
    Recommendations recommend(BiFunction<Recommender, Integer, Recommendations> query, int limit, Set<String> named,
                              UnaryOperator<List<Recommendation>> display) {
        if (!active()) {
            return displayed(query.apply(model.recommender(), limit), display);
        }
        Recommender filtered = new Recommender(new FilteredSnapshot(model.snapshot(), this::allowed),
                model.recommender().settings());
        Recommendations raw;
        if (maxPerCategory > 0 || boost != null || pin != null) {
            // Over-fetch: these rules reorder or thin the ranking after the query.
            raw = query.apply(filtered, limit * OVERFETCH);
        } else {
            // Only the filter, stock and recently-bought rules: candidates are filtered already, so the first
            // `limit` usually stand. Repeat purchases come from the history, not the candidates, and may be
            // dropped below; only then is the query repeated with over-fetching.
            raw = query.apply(filtered, limit);
            if (raw.items().size() == limit && !raw.items().stream().allMatch(r -> allowed(r.itemId()))) {
                raw = query.apply(filtered, limit * OVERFETCH);
            }
        }
        // Repeat purchases come from the history, not from the filtered candidates: ineligible ones are skipped.
        MerchandisingRules rules = merchandising(named);
        List<Recommendation> kept = new ArrayList<>(limit);
        if (!rules.reorders()) {
            for (Recommendation r : raw.items()) {
                if (kept.size() >= limit) {
                    break;
                }
                if (allowed(r.itemId())) {
                    kept.add(r);
                }
            }
            if (display != null) {
                kept = display.apply(kept);
            }
        } else {
            Catalog catalog = model.catalog(); // a pin needs the catalogue index (409 without)
            long top = pin == null || catalog.size() == 0 ? 1 : Math.max(1, catalog.orders(catalog.byPopularity(0)));
            List<MerchandisingRules.Kept<Recommendation>> selected = rules.select(raw.items(),
                    Recommendation::itemId, this::allowed, limit,
                    id -> allowed(id) && !named.contains(id) ? fromCatalogue(catalog, id, top) : null);
            // Groups are runs of one mark (pinned from the ranking, injected, boosted, the rest), in that order.
            for (int from = 0; from < selected.size(); ) {
                MerchandisingRules.Mark mark = selected.get(from).mark();
                int to = from;
                List<Recommendation> group = new ArrayList<>();
                while (to < selected.size() && selected.get(to).mark() == mark) {
                    group.add(selected.get(to++).entry());
                }
                for (Recommendation r : display == null ? group : display.apply(group)) {
                    kept.add(marked(new MerchandisingRules.Kept<>(r, mark), rules));
                }
                from = to;
            }
        }
        return new Recommendations(raw.modelVersion(), kept, raw.fallback(), raw.unknownItems());
    }

    private static Recommendations displayed(Recommendations r, UnaryOperator<List<Recommendation>> display) {
        return display == null ? r : new Recommendations(r.modelVersion(), display.apply(r.items()), r.fallback(),
                r.unknownItems());
    }

    /**
     * A catalogue item a pin injects, scored by its orders relative to the best seller's ({@code top}); items of
     * the catalogue file never ordered come last in popularity order with score 0: the pin is the only reason to
     * show them.
     */
    private Recommendation fromCatalogue(Catalog catalog, String id, long top) {
        int ord = catalog.ordinal(id);
        long orders = catalog.orders(ord);
        String description = model.snapshot().item(id).map(ItemFacts::description).orElse("");
        // One of the customer's own purchases that the over-fetched ranking did not reach (a rules model lists
        // repeats after its proposals) is still theirs: say so rather than call it a popular item.
        Optional<Explanation> bought = customerId == null ? Optional.empty()
                : model.recommender().purchaseExplanation(customerId, id);
        if (bought.isPresent()) {
            return new Recommendation(id, description, (double) orders / top, RecommendationSource.REPEAT,
                    bought.get());
        }
        return new Recommendation(id, description, (double) orders / top, RecommendationSource.POPULAR,
                Explanation.ofCatalogueItem(id, orders, catalog.customers(ord)));
    }

    /** A kept recommendation as the rules placed it: pinned and boosted ones say so first. */
    private static Recommendation marked(MerchandisingRules.Kept<Recommendation> k, MerchandisingRules rules) {
        Recommendation r = k.entry();
        if (k.mark() == MerchandisingRules.Mark.RANKED) {
            return r;
        }
        Explanation e = r.explanation();
        return new Recommendation(r.itemId(), r.description(), r.score(),
                k.mark() == MerchandisingRules.Mark.BOOSTED ? r.source() : RecommendationSource.PINNED,
                new Explanation(rules.note(k.mark(), rankedBy(r)) + e.summary(), e.rule(),
                        e.purchase(), e.popularity(), e.model()));
    }

    /**
     * What placed a candidate where the pin found it: the served model for an item of its list (a repeat too: the
     * model ranked it, not its order count), else its source's ranking (bought-together has no model).
     */
    private static String rankedBy(Recommendation r) {
        if (r.explanation().model() != null) {
            return "ranked by this request's model";
        }
        return switch (r.source()) {
            case RULES -> "ranked by this request's rules";
            case REPEAT -> "ranked among this customer's repeat purchases";
            case POPULAR -> "ranked by popularity";
            default -> "ranked by this request's model";
        };
    }

    /** An item's category for {@code maxPerCategory}: the catalogue index's, else the model's item facts. */
    String category(String itemId) {
        if (model.catalog() != null) {
            int ord = model.catalog().ordinal(itemId);
            if (ord >= 0) {
                return model.catalog().category(ord);
            }
        }
        return model.snapshot().item(itemId).map(ItemFacts::category).orElse("");
    }
}
