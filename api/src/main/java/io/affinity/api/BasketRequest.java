package io.affinity.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Ids;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/baskets/recommendations}, validated field by field so that every rejection
 * says which field is wrong and why.
 */
record BasketRequest(List<String> items, String customerId, int limit) {
    private static final Set<String> FIELDS = Set.of("items", "customerId", "limit");

    static BasketRequest parse(byte[] body, ObjectMapper json, ApiConfig config) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            // Jackson appends source-location boilerplate; the line and column above already say where.
            String why = e.getOriginalMessage().replaceAll("\\s*\\(for .*$", "").replaceAll("\\s*\\[Source:.*$", "");
            throw ApiProblem.badRequest("malformed JSON" + where + ": " + why);
        } catch (java.io.IOException e) {
            throw ApiProblem.badRequest("unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiProblem.badRequest("empty body: expected a JSON object with field 'items'");
        }
        if (!root.isObject()) {
            throw ApiProblem.badRequest("body must be a JSON object, was " + kind(root));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!FIELDS.contains(name)) {
                throw ApiProblem.badRequest("unknown field '" + Params.abbreviate(name)
                        + "'; expected items, customerId, limit");
            }
        }
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
            if (!item.isTextual() || item.asText().isBlank() || item.asText().length() > Ids.MAX_ID_LENGTH) {
                throw ApiProblem.badRequest("field 'items[" + i + "]' must be a non-blank string of at most "
                        + Ids.MAX_ID_LENGTH + " characters, was " + kind(item));
            }
            items.add(normaliseItemId(item.asText()));
        }
        String customerId = null;
        JsonNode customerNode = root.get("customerId");
        if (customerNode != null && !customerNode.isNull()) {
            if (!customerNode.isTextual() || customerNode.asText().isBlank()
                    || customerNode.asText().length() > Ids.MAX_ID_LENGTH) {
                // The value is personal data: say what is wrong without echoing it.
                throw ApiProblem.badRequest("field 'customerId' must be a non-blank string of at most "
                        + Ids.MAX_ID_LENGTH + " characters");
            }
            customerId = customerNode.asText().trim();
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

    /** Item ids are matched as training normalised them: trimmed and upper-cased. */
    static String normaliseItemId(String raw) {
        return raw.trim().toUpperCase(java.util.Locale.ROOT);
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
