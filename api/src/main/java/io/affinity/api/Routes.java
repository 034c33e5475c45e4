package io.affinity.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.api.Bodies.RecommendationsBody;
import io.affinity.api.Bodies.RuleBody;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommendations;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** The endpoint handlers. Each takes the active model once and answers from it alone. */
final class Routes {
    private static final Map<String, ToDoubleFunction<AssociationRule>> SORTS = Map.of(
            "lift", AssociationRule::lift,
            "confidence", AssociationRule::confidence,
            "support", AssociationRule::support,
            "leverage", AssociationRule::leverage,
            "conviction", AssociationRule::conviction);

    private final ApiConfig config;
    private final ModelSource models;
    private final ObjectMapper json;

    Routes(ApiConfig config, ModelSource models, ObjectMapper json) {
        this.config = config;
        this.models = models;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/health", this::health);
        routes.get("/v1/model", this::model);
        routes.post("/v1/baskets/recommendations", this::basket);
        routes.get("/v1/items/{itemId}/bought-together", this::boughtTogether);
        routes.get("/v1/customers/{customerId}/recommendations", this::customer);
        routes.get("/v1/rules", this::rules);
    }

    private ServedModel model() {
        return models.current().orElseThrow(() -> ApiProblem.unavailable("no verified model snapshot is loaded"));
    }

    private void health(Context ctx) {
        ctx.json(new Bodies.HealthBody("ok", models.current().map(m -> m.snapshot().version()).orElse(null)));
    }

    private void model(Context ctx) {
        ctx.json(model().summary());
    }

    private void basket(Context ctx) throws IOException {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw ApiProblem.unsupportedMediaType("Content-Type must be application/json, was "
                    + (type == null ? "missing" : "'" + Params.abbreviate(type) + "'"));
        }
        BasketRequest request = BasketRequest.parse(readBody(ctx), json, config);
        ServedModel model = model();
        Recommendations answer = model.recommender().forBasket(request.items(), request.limit());
        Set<String> previouslyBought = null;
        if (request.customerId() != null) {
            previouslyBought = new HashSet<>();
            for (PurchasedItem p : model.snapshot().customer(request.customerId())
                    .map(CustomerHistory::items).orElse(List.of())) {
                previouslyBought.add(p.itemId());
            }
        }
        ctx.json(RecommendationsBody.of(answer, previouslyBought));
    }

    /** Reads at most maxBodyBytes, whatever Content-Length claims (chunked bodies have none). */
    private byte[] readBody(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > config.maxBodyBytes()) {
            throw ApiProblem.tooLarge("request body of " + declared + " bytes exceeds the limit of "
                    + config.maxBodyBytes());
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(config.maxBodyBytes() + 1);
            if (body.length > config.maxBodyBytes()) {
                throw ApiProblem.tooLarge("request body exceeds the limit of " + config.maxBodyBytes() + " bytes");
            }
            return body;
        }
    }

    private void boughtTogether(Context ctx) {
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        int limit = Params.limit(ctx, config);
        ctx.json(RecommendationsBody.of(model().recommender().boughtTogether(itemId, limit), null));
    }

    private void customer(Context ctx) {
        String customerId = ctx.pathParam("customerId").trim();
        if (customerId.isEmpty() || customerId.length() > io.affinity.recommender.Ids.MAX_ID_LENGTH) {
            throw ApiProblem.badRequest("path parameter 'customerId' must be 1 to "
                    + io.affinity.recommender.Ids.MAX_ID_LENGTH + " characters");
        }
        int limit = Params.limit(ctx, config);
        ctx.json(RecommendationsBody.of(model().recommender().forCustomer(customerId, limit), null));
    }

    private void rules(Context ctx) {
        String sort = ctx.queryParam("sort") == null ? "lift" : ctx.queryParam("sort").toLowerCase(Locale.ROOT);
        ToDoubleFunction<AssociationRule> measure = SORTS.get(sort);
        if (measure == null) {
            throw ApiProblem.badRequest("query parameter 'sort' must be one of " + new java.util.TreeSet<>(SORTS.keySet())
                    + ", was '" + Params.abbreviate(sort) + "'");
        }
        double minLift = Params.optionalDouble(ctx, "minLift", 0);
        double minConfidence = Params.optionalDouble(ctx, "minConfidence", 0);
        double minSupport = Params.optionalDouble(ctx, "minSupport", 0);
        int limit = Params.limit(ctx, config);
        String item = ctx.queryParam("item");
        String consequent = ctx.queryParam("consequent");
        ServedModel model = model();

        Comparator<AssociationRule> order = Comparator.comparingDouble(measure)
                .thenComparingDouble(AssociationRule::confidence)
                .thenComparing(AssociationRule::consequent, Comparator.reverseOrder());
        PriorityQueue<AssociationRule> top = new PriorityQueue<>(limit + 1, order);
        long[] matched = {0};
        java.util.function.Consumer<AssociationRule> offer = r -> {
            if (r.lift() < minLift || r.confidence() < minConfidence || r.support() < minSupport
                    || (consequent != null && !r.consequent().equals(BasketRequest.normaliseItemId(consequent)))) {
                return;
            }
            matched[0]++;
            top.add(r);
            if (top.size() > limit) {
                top.poll();
            }
        };
        if (item != null && !item.isBlank()) {
            String itemId = BasketRequest.normaliseItemId(item);
            if (model.snapshot().item(itemId).isEmpty()) {
                throw ApiProblem.notFound("item '" + Params.abbreviate(itemId) + "' is not in the model's catalogue");
            }
            model.snapshot().rulesWithAntecedentItem(itemId).forEach(offer);
        } else {
            model.snapshot().forEachRule(offer);
        }
        List<RuleBody> best = new ArrayList<>(top.size());
        while (!top.isEmpty()) {
            best.add(RuleBody.of(top.poll()));
        }
        java.util.Collections.reverse(best);
        ctx.json(new Bodies.RulesBody(model.snapshot().version(), sort, matched[0], best));
    }
}
