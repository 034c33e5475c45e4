package io.affinity.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import static io.affinity.api.ApiScope.RECOMMENDATIONS;

import io.affinity.api.Bodies.RuleBody;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommendations;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RuleQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The endpoint handlers. Each leases the active model once and answers from it alone. */
final class Routes {
    /** The business-rule parameters every recommendation endpoint takes (see {@link RequestRules}). */
    static final String[] RULE_PARAMETERS = {"filter", "boost", "pin", "pinLimit", "maxPerCategory",
            "excludeBoughtWithinDays", "asOf"};
    private static final Params.Accepted NONE = Params.Accepted.of();
    private static final Params.Accepted BASKET = Params.Accepted.of(RULE_PARAMETERS)
            .withBodyFields(BasketRequest.FIELDS.toArray(String[]::new));
    private static final Params.Accepted RANKED = Params.Accepted.of(withLimit(RULE_PARAMETERS));
    private static final Params.Accepted RULES = Params.Accepted.of("item", "consequent", "minLift",
            "minConfidence", "minSupport", "sort", "offset", "limit");

    private final ApiConfig config;
    private final ModelSource models;
    private final ObjectMapper json;
    private final ItemAvailability availability;
    private final BusinessRuleConfig ruleConfig;
    private final SearchLimit searches;
    private final RecommendationsJson answers;
    private final ConsentJournal consent;

    Routes(ApiConfig config, ModelSource models, ObjectMapper json, ItemAvailability availability,
           BusinessRuleConfig ruleConfig, SearchLimit searches, ConsentJournal consent) {
        this.consent = consent;
        this.searches = searches;
        this.config = config;
        this.models = models;
        this.json = json;
        this.availability = availability;
        this.ruleConfig = ruleConfig;
        this.answers = new RecommendationsJson(json.getFactory());
    }

    /** The business rules (filter, boost, pin, stock, recently bought, category cap) of a recommendation request. */
    private RequestRules rules(Context ctx, ServedModel model, String customerId) {
        return RequestRules.of(ctx, model, availability, ruleConfig, searches, customerId);
    }

    /** {@link #rules} for a request that may name no customer (see {@link RequestRules.Parsed#forCustomerIfNamed}). */
    private RequestRules rulesNamingNoCustomer(Context ctx, ServedModel model, String customerId, String needs) {
        return RequestRules.parse(ctx, model, availability, ruleConfig, searches).forCustomerIfNamed(customerId, needs);
    }

    void register(RoutesConfig routes, V1Routes v1) {
        ReadRoutes.get(routes, "/health", this::health);
        v1.get("/v1/model", RECOMMENDATIONS, leased(this::model));
        v1.post("/v1/baskets/recommendations", RECOMMENDATIONS, this::basket);
        v1.get("/v1/items/{itemId}/bought-together", RECOMMENDATIONS, leased(this::boughtTogether));
        v1.get("/v1/customers/{customerId}/recommendations", RECOMMENDATIONS,
                ModelHandler.leasedForCustomer(models, RANKED, this::customer));
        v1.get("/v1/rules", RECOMMENDATIONS, leased(this::rules));
    }

    private static String[] withLimit(String[] names) {
        String[] all = new String[names.length + 1];
        all[0] = "limit";
        System.arraycopy(names, 0, all, 1, names.length);
        return all;
    }

    Handler leased(ModelHandler handler) {
        return ModelHandler.leased(models, handler);
    }

    private void health(Context ctx) {
        ctx.json(new Bodies.HealthBody("ok", models.current().map(m -> m.snapshot().version()).orElse(null)));
    }

    private void model(Context ctx, ServedModel model) {
        Params.checkQuery(ctx, NONE);
        ctx.json(model.summary());
    }

    /**
     * The body is read and validated before the model is leased: with a {@code customerId} it decides which
     * version answers (a canary's for the customers it takes).
     */
    private void basket(Context ctx) throws IOException {
        Params.checkQuery(ctx, BASKET);
        RequestBodies.requireJson(ctx);
        BasketRequest request = BasketRequest.parse(RequestBodies.read(ctx, config), json, config);
        try (ModelLease lease = ModelHandler.lease(models, request.customerId())) {
            basket(ctx, ProfilingObjection.answering(consent, models, lease.model(), request.customerId()), request);
        }
    }

    private void basket(Context ctx, ServedModel model, BasketRequest request) throws IOException {
        Recommendations answer = rulesNamingNoCustomer(ctx, model, request.customerId(), "needs field "
                + "'customerId' in the body: it excludes what that customer bought recently")
                .recommend((r, n) -> r.forBasket(request.items(), n), request.limit(), new HashSet<>(request.items()));
        Set<String> previouslyBought = null;
        if (request.customerId() != null) {
            previouslyBought = new HashSet<>();
            for (PurchasedItem p : model.snapshot().customer(request.customerId())
                    .map(CustomerHistory::items).orElse(List.of())) {
                previouslyBought.add(p.itemId());
            }
        }
        answer(ctx, answer, previouslyBought);
    }

    private void boughtTogether(Context ctx, ServedModel model) throws IOException {
        Params.checkQuery(ctx, RANKED);
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        int limit = Params.limit(ctx, config);
        RequestRules rules = rulesNamingNoCustomer(ctx, model, null, "excludes what a customer bought recently, "
                + "and bought-together names no customer (ask the customer's recommendations or a basket with "
                + "'customerId')");
        // The tag is read before the answer is made, so the answer is at least as new as its tag. An unknown item
        // goes on to its 404 whatever the client holds.
        String tag = SharedAnswerTag.of(model.snapshot().version(), availability.digest());
        if (model.snapshot().item(itemId).isPresent() && SharedAnswerTag.notModified(ctx, tag)) {
            return;
        }
        Recommendations answer = rules.recommend((r, n) -> r.boughtTogether(itemId, n), limit, Set.of(itemId));
        SharedAnswerTag.tag(ctx, tag);
        answer(ctx, answer, null);
    }

    /**
     * Query and id checked by {@link ModelHandler#leasedForCustomer}, which leased the customer's version. A known
     * customer's answer is personal (no-store, as every answer starts). The fallback an id without history gets
     * (a logged-out visitor's placeholder) is the same for every such id, so it is tagged like bought-together and
     * a matching If-None-Match is a 304; the answer is still made first, since whether the customer is known is
     * only learnt then (a known customer's request costs two volatile reads and a boolean test more, no header
     * lookup).
     */
    private void customer(Context ctx, ServedModel leased, String customerId) throws IOException {
        ServedModel model = ProfilingObjection.answering(consent, models, leased, customerId);
        int limit = Params.limit(ctx, config);
        long stock = availability.digestAsRead();
        Recommendations answer = rules(ctx, model, customerId).recommend(
                (r, n) -> r.forCustomerRanked(customerId, n), limit, Set.of(), Recommender::displayOrder);
        if (answer.fallback()) {
            String tag = SharedAnswerTag.of(model.snapshot().version(), stock);
            if (SharedAnswerTag.notModified(ctx, tag)) {
                return;
            }
            SharedAnswerTag.tag(ctx, tag);
        }
        answer(ctx, answer, null);
    }

    /**
     * The shape of {@link Bodies.RecommendationsBody}, written by the streaming generator straight into Javalin's
     * response stream (which still gzips for clients that accept it): no body array, no copy through a result
     * stream. The answer is complete before the first byte is written, so a failure cannot leave half a body.
     */
    private void answer(Context ctx, Recommendations answer, Set<String> previouslyBought) throws IOException {
        ctx.contentType("application/json");
        answers.write(answer, previouslyBought, ctx.outputStream());
    }

    private void rules(Context ctx, ServedModel model) {
        Params.checkQuery(ctx, RULES);
        String sortName = ctx.queryParam("sort") == null ? "lift" : ctx.queryParam("sort");
        RuleQuery.Measure sort = RuleQuery.Measure.parse(sortName);
        if (sort == null) {
            throw ApiProblem.badRequest("query parameter 'sort' must be one of lift, confidence, support, "
                    + "leverage, conviction; was '" + Params.abbreviate(sortName) + "'");
        }
        String item = itemParam(ctx, "item");
        String consequent = itemParam(ctx, "consequent");
        double minLift = Params.optionalDouble(ctx, "minLift", 0);
        double minConfidence = Params.optionalDouble(ctx, "minConfidence", 0);
        double minSupport = Params.optionalDouble(ctx, "minSupport", 0);
        String impossible = RuleQuery.impossibleMinimum(minLift, minConfidence, minSupport);
        if (impossible != null) {
            throw ApiProblem.badRequest("query parameter " + impossible);
        }
        Params.nonBlank(ctx, "offset", "a number"); // optionalLong alone would read a blank as absent
        int offset = (int) Params.optionalLong(ctx, "offset", 0, 0, RuleQuery.MAX_OFFSET);
        RuleQuery query = new RuleQuery(item, consequent, minLift, minConfidence, minSupport, sort, offset,
                Params.limit(ctx, config));
        RuleQuery.Page page = query.run(model.snapshot());
        ctx.json(new Bodies.RulesBody(model.snapshot().version(), sort.wireName(), page.matched(), offset,
                page.rules().stream().map(RuleBody::of).toList()));
    }

    /** An item id parameter of {@code /v1/rules}; absent: null. Given but blank is a 400, as an empty sort is. */
    private static String itemParam(Context ctx, String name) {
        String raw = Params.nonBlank(ctx, name, "an item id");
        return raw == null ? null : BasketRequest.normaliseItemId(raw);
    }
}
