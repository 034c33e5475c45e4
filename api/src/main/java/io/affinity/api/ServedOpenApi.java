package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The OpenAPI document as this server serves it: the build's document, whose limits are the defaults
 * ({@link ApiConfig#defaults()}), with this server's own {@code serve --max-limit} (and the default limit it implies)
 * and {@code --max-basket-items}. A client generated from {@code GET /openapi.json} then validates requests with
 * the bounds the server it talks to enforces, not the defaults.
 */
final class ServedOpenApi {
    private static final ApiConfig DEFAULTS = ApiConfig.defaults();
    private static final String BASKET_BODY =
            "/paths/~1v1~1baskets~1recommendations/post/requestBody/content/application~1json/schema/properties";

    private ServedOpenApi() {
    }

    /** {@code document} as is when {@code config} has the default limits, else with this server's. */
    static byte[] of(byte[] document, ApiConfig config, ObjectMapper json) {
        if (config.maxLimit() == DEFAULTS.maxLimit() && config.defaultLimit() == DEFAULTS.defaultLimit()
                && config.maxBasketItems() == DEFAULTS.maxBasketItems()) {
            return document;
        }
        try {
            JsonNode root = json.readTree(document);
            for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
                JsonNode path = paths.next().getValue();
                adjust(path.path("parameters"), config);
                for (JsonNode operation : path) {
                    adjust(operation.path("parameters"), config);
                }
            }
            JsonNode basket = root.at(BASKET_BODY);
            limit((ObjectNode) basket.path("limit"), config);
            ((ObjectNode) basket.path("items")).put("maxItems", config.maxBasketItems());
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI resource is not JSON", e);
        }
    }

    /** The {@code limit} query parameters read as {@link Params#limit} reads them: those with the default bounds. */
    private static void adjust(JsonNode parameters, ApiConfig config) {
        for (JsonNode parameter : parameters) {
            JsonNode schema = parameter.path("schema");
            if (parameter.path("name").asText().equals("limit") && parameter.path("in").asText().equals("query")
                    && schema.path("maximum").asInt() == DEFAULTS.maxLimit()
                    && schema.path("default").asInt() == DEFAULTS.defaultLimit()) {
                limit((ObjectNode) schema, config);
                String description = parameter.path("description").asText();
                ((ObjectNode) parameter).set("description", new TextNode(description.replace(
                        "1.." + DEFAULTS.maxLimit() + ",", "1.." + config.maxLimit() + ",").replace(
                        "default " + DEFAULTS.defaultLimit() + ")", "default " + config.defaultLimit() + ")")));
            }
        }
    }

    private static void limit(ObjectNode schema, ApiConfig config) {
        schema.put("maximum", config.maxLimit());
        schema.put("default", config.defaultLimit());
    }
}
