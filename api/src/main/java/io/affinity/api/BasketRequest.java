package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/baskets/recommendations}, validated field by field so that every rejection
 * says which field is wrong and why.
 */
record BasketRequest(List<String> items, String customerId, int limit) {
    static final Set<String> FIELDS = Set.of("items", "customerId", "limit");

    static BasketRequest parse(byte[] body, ObjectMapper json, ApiConfig config) {
        JsonNode root = JsonBodies.object(body, json, FIELDS, "a JSON object with field 'items'");
        JsonNode itemsNode = root.get("items");
        if (itemsNode == null || itemsNode.isNull()) {
            throw ApiProblem.badRequest("field 'items' is required: an array of item ids");
        }
        if (!itemsNode.isArray()) {
            throw ApiProblem.badRequest("field 'items' must be an array of item ids, was " + kind(itemsNode));
        }
        if (itemsNode.isEmpty()) {
            throw ApiProblem.badRequest("field 'items' must not be empty");
        }
        if (itemsNode.size() > config.maxBasketItems()) {
            throw ApiProblem.tooLarge("field 'items' holds " + itemsNode.size() + " items; at most "
                    + config.maxBasketItems() + " are accepted");
        }
        List<String> items = new ArrayList<>(itemsNode.size());
        for (int i = 0; i < itemsNode.size(); i++) {
            JsonNode item = itemsNode.get(i);
            String itemId = item.isTextual() ? normaliseItemId(item.asText()) : "";
            if (!item.isTextual() || itemId.isEmpty() || itemId.length() > Ids.MAX_ID_LENGTH) {
                throw ApiProblem.badRequest("field 'items[" + i + "]' must be a non-blank string of at most "
                        + Ids.MAX_ID_LENGTH + " characters, was " + (!item.isTextual() ? kind(item)
                        : itemId.isEmpty() ? "blank" : itemId.length() + " characters"));
            }
            items.add(itemId);
        }
        String customerId = null;
        JsonNode customerNode = root.get("customerId");
        if (customerNode != null && !customerNode.isNull()) {
            if (!customerNode.isTextual()) {
                // The value is personal data: say what is wrong without echoing it.
                throw ApiProblem.badRequest("field 'customerId' must be a string, was " + kind(customerNode));
            }
            customerId = Params.customerId(customerNode.asText(), "field 'customerId'");
        }
        int limit = config.defaultLimit();
        JsonNode limitNode = root.get("limit");
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.canConvertToLong() || !limitNode.isIntegralNumber()) {
                throw ApiProblem.badRequest("field 'limit' must be an integer, was " + kind(limitNode));
            }
            limit = Params.checkLimit(limitNode.asLong(), "field 'limit'", config);
        }
        return new BasketRequest(List.copyOf(items), customerId, limit);
    }

    /** Item ids are matched as training normalised them: blanks stripped, upper case ({@link Ids#normaliseItemId}). */
    static String normaliseItemId(String raw) {
        return Ids.normaliseItemId(raw);
    }

    private static String kind(JsonNode node) {
        return JsonBodies.kind(node);
    }
}
