package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.queryparser.classic.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalogue search ({@code GET /v1/items}), stock changes ({@code PUT} and {@code DELETE
 * /admin/items/{id}/availability}), the OpenAPI document.
 */
final class CatalogRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogRoutes.class);
    static final String OPENAPI_RESOURCE = "/openapi.json";

    private static final Params.Accepted NONE = Params.Accepted.of();
    private static final Params.Accepted SEARCH = Params.Accepted.of("q", "limit", "offset");
    /** The most hits a search may skip: pages beyond it are not browsing any more (narrow the query). */
    static final int MAX_SEARCH_OFFSET = 10_000;
    private static final Set<String> AVAILABILITY_FIELDS = Set.of("available");

    private final ApiConfig config;
    private final ModelSource models;
    private final ObjectMapper json;
    private final ItemAvailability availability;
    private final byte[] openApi;
    private final SearchLimit searches;

    CatalogRoutes(ApiConfig config, ModelSource models, ObjectMapper json, ItemAvailability availability,
                  SearchLimit searches) {
        this.searches = searches;
        this.config = config;
        this.models = models;
        this.json = json;
        this.availability = availability;
        try (InputStream in = CatalogRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + OPENAPI_RESOURCE + " missing from the build");
            }
            openApi = ServedOpenApi.of(in.readAllBytes(), config, json);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + OPENAPI_RESOURCE, e);
        }
    }

    void register(RoutesConfig routes, V1Routes v1) {
        ReadRoutes.get(routes, "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        v1.get("/v1/items", ApiScope.RECOMMENDATIONS, ModelHandler.leased(models, this::search));
        v1.get("/v1/items/{itemId}", ApiScope.RECOMMENDATIONS, ModelHandler.leased(models, this::item));
        routes.put("/admin/items/{itemId}/availability", ModelHandler.leased(models, this::setAvailability));
        routes.delete("/admin/items/{itemId}/availability", ModelHandler.leased(models, this::clearAvailability));
    }

    /** {@code available}: the latest stock change for the item, else the catalogue's; attributes: the catalogue file's. */
    record SearchHit(String itemId, String description, String category, String family, double price,
                     boolean available, Map<String, String> attributes, float score) {
    }

    /**
     * {@code matched}: the items the query matches in all; {@code offset}: the hits skipped before these;
     * {@code currency}: of every item's price (null when the model does not know it).
     */
    record SearchBody(String modelVersion, String currency, long matched, int offset, List<SearchHit> items) {
    }

    /** One catalogue item: what search shows, plus the order and customer counts and its price's currency. */
    record ItemBody(String modelVersion, String itemId, String description, String category, String family,
                    double price, String currency, boolean available, long orders, long customers,
                    Map<String, String> attributes) {
    }

    record AvailabilityBody(String itemId, boolean available) {
    }

    /** After a clear: the served catalogue's availability, and whether a statement was withdrawn. */
    record ClearedBody(String itemId, boolean available, boolean cleared) {
    }

    private void search(Context ctx, ServedModel model) throws Exception {
        Params.checkQuery(ctx, SEARCH);
        String q = ctx.queryParam("q");
        if (q == null || q.isBlank()) {
            throw ApiProblem.badRequest("query parameter 'q' is required (Lucene query syntax, e.g. q=teacup)");
        }
        int limit = Params.limit(ctx, config);
        Params.nonBlank(ctx, "offset", "a number"); // optionalLong alone would read a blank as absent
        int offset = (int) Params.optionalLong(ctx, "offset", 0, 0, MAX_SEARCH_OFFSET);
        if (model.catalog() == null) {
            RequestRules.compile(model, q, "q", ctx, searches); // the 409 for a model without a catalogue index
        }
        Catalog.Page page = searches.run(ctx, () -> {
            try {
                return model.catalog().search(q, offset, limit);
            } catch (ParseException e) {
                throw RequestRules.invalidQuery("q", e);
            }
        });
        availability.refreshIfDue();
        ctx.json(new SearchBody(model.snapshot().version(), model.currency(), page.matched(), offset, page.hits()
                .stream()
                .map(h -> new SearchHit(h.itemId(), h.description(), h.category(), h.family(), h.price(),
                        availability.isAvailable(h.itemId(), h.available()), h.attributes(), h.score()))
                .toList()));
    }

    private void item(Context ctx, ServedModel model) {
        Params.checkQuery(ctx, NONE);
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        if (model.catalog() == null) {
            throw new ApiProblem(409, "no-catalog", "No catalogue index", "the served model version has no catalogue "
                    + "index (trained before indexes existed); retrain to look items up");
        }
        int ord = model.catalog().ordinal(itemId);
        if (ord < 0) {
            throw ApiProblem.notFound("item '" + Params.abbreviate(itemId) + "' is not in the model's catalogue");
        }
        Catalog.Hit h = model.catalog().item(ord);
        availability.refreshIfDue();
        ctx.json(new ItemBody(model.snapshot().version(), h.itemId(), h.description(), h.category(), h.family(),
                h.price(), model.currency(), availability.isAvailable(h.itemId(), h.available()),
                model.catalog().orders(ord),
                model.catalog().customers(ord), h.attributes()));
    }

    private void setAvailability(Context ctx, ServedModel model) throws IOException {
        Params.checkQuery(ctx, NONE);
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        RequestBodies.requireJson(ctx);
        JsonNode body = JsonBodies.object(RequestBodies.read(ctx, config), json, AVAILABILITY_FIELDS,
                "a JSON object with field 'available'");
        JsonNode available = body.get("available");
        if (available == null || available.isNull()) {
            throw ApiProblem.badRequest("field 'available' is required: true or false");
        }
        if (!available.isBoolean()) {
            throw ApiProblem.badRequest("field 'available' must be a boolean (true or false), was "
                    + JsonBodies.kind(available));
        }
        if (model.snapshot().item(itemId).isEmpty()) {
            throw ApiProblem.notFound("item '" + Params.abbreviate(itemId) + "' is not in the model's catalogue");
        }
        try {
            availability.set(itemId, available.booleanValue());
        } catch (ItemAvailability.NotRecordedException e) {
            throw stockNotRecorded(ctx, e);
        }
        ctx.json(new AvailabilityBody(itemId, available.booleanValue()));
    }

    /**
     * Withdraws the item's stock statement, so it follows the catalogue of each served model again (a {@code true}
     * written to undo a temporary stock-out would otherwise outlive a later catalogue that discontinues the item).
     */
    private void clearAvailability(Context ctx, ServedModel model) throws IOException {
        Params.checkQuery(ctx, NONE);
        // Not ignored: a client sending {"available": ...} here meant a PUT, and would think it was applied.
        RequestBodies.requireNone(ctx, config, "DELETE of an item's availability",
                "PUT {\"available\": true|false} sets a statement");
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        if (model.snapshot().item(itemId).isEmpty()) {
            throw ApiProblem.notFound("item '" + Params.abbreviate(itemId) + "' is not in the model's catalogue");
        }
        boolean cleared;
        try {
            cleared = availability.clear(itemId);
        } catch (ItemAvailability.NotRecordedException e) {
            throw stockNotRecorded(ctx, e);
        }
        ctx.json(new ClearedBody(itemId, availability.isAvailable(itemId, model.catalog()), cleared));
    }

    /**
     * The disk (full, failing), not a bug: nothing changed, so the caller must retry. One line for the operator,
     * naming the journal and the reason, instead of a stack trace per request; no server path in the answer.
     */
    private static ApiProblem stockNotRecorded(Context ctx, ItemAvailability.NotRecordedException e) {
        LoggedFailure failure = LoggedFailure.of(ctx);
        LOG.error("stock change refused (503) {}: {}", failure.logTag(), e.getMessage());
        return new ApiProblem(503, "stock-unavailable", "Stock journal unavailable", "the availability journal "
                + "cannot be written at the moment, so the change was not recorded; retry later").loggedAs(failure);
    }
}
