package io.affinity.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against an OpenAPI 3.0 schema object of one document, as a client generated from the document
 * reads it: {@code $ref}, {@code oneOf}, {@code anyOf}, a one-schema {@code allOf} (a nullable reference), {@code type}, {@code nullable}, {@code enum}, {@code format}
 * ({@code date}, {@code date-time}, {@code int32}, {@code int64}, {@code uri}), numeric and length bounds,
 * {@code pattern}, {@code required}, {@code properties}, {@code additionalProperties}, {@code items} and their counts.
 *
 * <p>Stricter than OpenAPI on one point, on purpose: an object property that the schema does not list is a problem
 * unless the schema says {@code additionalProperties} (true or a schema). A field the server sends that the document
 * does not describe is one no typed client can read, so the audit wants every field documented; the document itself
 * leaves {@code additionalProperties} out of response schemas so that a field added later breaks no client.
 * A schema that names no type (and no {@code $ref} or composition) is a problem too: it describes nothing.
 */
public final class OpenApiSchemaCheck {
    private final JsonNode document;

    public OpenApiSchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** The problems of {@code value} against {@code schema}, each prefixed by its JSON pointer; empty when it fits. */
    public List<String> problems(JsonNode value, JsonNode schema) {
        List<String> problems = new ArrayList<>();
        check(value, schema, "", problems);
        return problems;
    }

    /** The node a local reference ({@code #/components/schemas/X}) names; a missing node when it names nothing. */
    public JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        return document.at(ref.substring(1));
    }

    private void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        String at = path.isEmpty() ? "/" : path;
        if (schema == null || schema.isMissingNode() || !schema.isObject()) {
            problems.add(at + ": no schema");
            return;
        }
        if (schema.has("$ref")) {
            JsonNode target = resolve(schema.get("$ref").asText());
            if (target.isMissingNode()) {
                problems.add(at + ": $ref " + schema.get("$ref").asText() + " resolves to nothing");
                return;
            }
            check(value, target, path, problems);
            return;
        }
        if (schema.has("allOf")) {
            // Only OpenAPI 3.0's idiom for a nullable reference: {"allOf": [{"$ref": ...}], "nullable": true}
            // ($ref ignores its siblings there). Merging several schemas' properties is not supported.
            if (schema.get("allOf").size() != 1) {
                problems.add(at + ": allOf of more than one schema is not supported by this check");
            } else if (!(value.isNull() && schema.path("nullable").asBoolean(false))) {
                check(value, schema.get("allOf").get(0), path, problems);
            }
            return;
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            boolean one = schema.has("oneOf");
            int matching = 0;
            List<String> all = new ArrayList<>();
            for (JsonNode alternative : schema.get(one ? "oneOf" : "anyOf")) {
                List<String> own = new ArrayList<>();
                check(value, alternative, path, own);
                matching += own.isEmpty() ? 1 : 0;
                all.addAll(own);
            }
            if (one ? matching != 1 : matching == 0) {
                problems.add(at + ": matches " + matching + " of the " + (one ? "oneOf" : "anyOf") + " schemas "
                        + all);
            }
            return;
        }
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(at + ": null where the document says '" + schema.path("type").asText()
                        + "' (not nullable)");
            }
            return;
        }
        String type = schema.path("type").asText("");
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
        if (type.isEmpty()) {
            problems.add(at + ": the schema names no type");
            return;
        }
        if (!typeOk) {
            problems.add(at + ": " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + abbreviate(value.toString()) + " where the document says '" + type + "'");
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode e : schema.get("enum")) {
                listed |= e.equals(value) || e.isNumber() && value.isNumber()
                        && e.decimalValue().compareTo(value.decimalValue()) == 0;
            }
            if (!listed) {
                problems.add(at + ": " + abbreviate(value.toString()) + " is not one of " + schema.get("enum"));
            }
        }
        switch (type) {
            case "string" -> checkString(value.asText(), schema, at, problems);
            case "integer", "number" -> checkNumber(value, schema, at, problems);
            case "array" -> checkArray(value, schema, path, problems);
            case "object" -> checkObject(value, schema, path, problems);
            default -> { }
        }
    }

    private static void checkString(String text, JsonNode schema, String at, List<String> problems) {
        if (schema.has("minLength") && text.codePointCount(0, text.length()) < schema.get("minLength").asInt()) {
            problems.add(at + ": shorter than minLength " + schema.get("minLength").asInt());
        }
        if (schema.has("maxLength") && text.codePointCount(0, text.length()) > schema.get("maxLength").asInt()) {
            problems.add(at + ": longer than maxLength " + schema.get("maxLength").asInt());
        }
        if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
            problems.add(at + ": '" + abbreviate(text) + "' does not match pattern " + schema.get("pattern").asText());
        }
        String format = schema.path("format").asText("");
        try {
            switch (format) {
                case "date" -> LocalDate.parse(text);
                case "date-time" -> OffsetDateTime.parse(text);
                case "uri" -> {
                    if (!new URI(text).isAbsolute()) {
                        problems.add(at + ": '" + abbreviate(text) + "' is not an absolute URI (format uri)");
                    }
                }
                default -> { }
            }
        } catch (DateTimeParseException | URISyntaxException e) {
            problems.add(at + ": '" + abbreviate(text) + "' is not a " + format);
        }
    }

    private static void checkNumber(JsonNode value, JsonNode schema, String at, List<String> problems) {
        BigDecimal v = value.decimalValue();
        if (schema.has("minimum")) {
            int c = v.compareTo(schema.get("minimum").decimalValue());
            if (c < 0 || c == 0 && schema.path("exclusiveMinimum").asBoolean(false)) {
                problems.add(at + ": " + value + " is below the minimum " + schema.get("minimum"));
            }
        }
        if (schema.has("maximum")) {
            int c = v.compareTo(schema.get("maximum").decimalValue());
            if (c > 0 || c == 0 && schema.path("exclusiveMaximum").asBoolean(false)) {
                problems.add(at + ": " + value + " is above the maximum " + schema.get("maximum"));
            }
        }
        String format = schema.path("format").asText("");
        if (format.equals("int32") && (v.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0
                || v.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0)) {
            problems.add(at + ": " + value + " does not fit int32");
        }
        if (format.equals("int64") && (v.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0
                || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0)) {
            problems.add(at + ": " + value + " does not fit int64");
        }
    }

    private void checkArray(JsonNode value, JsonNode schema, String path, List<String> problems) {
        String at = path.isEmpty() ? "/" : path;
        if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
            problems.add(at + ": " + value.size() + " items, fewer than minItems " + schema.get("minItems").asInt());
        }
        if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
            problems.add(at + ": " + value.size() + " items, more than maxItems " + schema.get("maxItems").asInt());
        }
        for (int i = 0; i < value.size(); i++) {
            check(value.get(i), schema.path("items"), path + "/" + i, problems);
        }
    }

    private void checkObject(JsonNode value, JsonNode schema, String path, List<String> problems) {
        String at = path.isEmpty() ? "/" : path;
        for (JsonNode r : schema.path("required")) {
            if (!value.has(r.asText())) {
                problems.add(at + ": required '" + r.asText() + "' missing");
            }
        }
        JsonNode additional = schema.path("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String child = path + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
            JsonNode property = schema.path("properties").path(f.getKey());
            if (!property.isMissingNode()) {
                check(f.getValue(), property, child, problems);
            } else if (additional.isObject()) {
                check(f.getValue(), additional, child, problems);
            } else if (additional.isBoolean() && additional.asBoolean()) {
                continue;
            } else if (additional.isBoolean()) {
                problems.add(at + ": '" + f.getKey() + "' is forbidden (additionalProperties: false)");
            } else {
                problems.add(at + ": '" + f.getKey() + "' is not documented");
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
