package io.affinity.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client generator (openapi-generator and the like) needs of an OpenAPI 3.0 document before it can make a
 * client that works: every {@code $ref} resolves, every operation has a unique {@code operationId} and responses with
 * descriptions, path parameters match the path's template, parameters and bodies have schemas, security
 * requirements name declared schemes, every schema names its type, a required property is a listed one, and every
 * {@code default}, {@code example} and {@code examples} value fits its schema. Also that a {@code HEAD} response
 * declares no body (a HEAD answer has none). Not a full validator of the specification: the parts this project's
 * document uses.
 */
public final class OpenApiDocumentCheck {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final Set<String> PATH_ITEM_FIELDS = Set.of("summary", "description", "servers", "parameters",
            "$ref");
    private static final Set<String> PARAMETER_PLACES = Set.of("query", "header", "path", "cookie");
    private static final Pattern STATUS = Pattern.compile("[1-5](XX|[0-9]{2})|default");
    private static final Pattern OPERATION_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");
    private static final Set<String> SCHEMA_TYPES = Set.of("object", "array", "string", "integer", "number",
            "boolean");

    private final JsonNode document;
    private final OpenApiSchemaCheck schemas;
    private final List<String> problems = new ArrayList<>();

    private OpenApiDocumentCheck(JsonNode document) {
        this.document = document;
        this.schemas = new OpenApiSchemaCheck(document);
    }

    /** Every problem found in {@code document}, each naming where it is; empty for a usable document. */
    public static List<String> problems(JsonNode document) {
        OpenApiDocumentCheck check = new OpenApiDocumentCheck(document);
        check.run();
        return check.problems;
    }

    private void run() {
        if (!document.path("openapi").asText("").startsWith("3.0.")) {
            problems.add("/openapi: not an OpenAPI 3.0.x document: " + document.path("openapi"));
        }
        if (document.path("info").path("title").asText("").isBlank()
                || document.path("info").path("version").asText("").isBlank()) {
            problems.add("/info: title and version are required");
        }
        checkReferences(document, "");
        checkPaths();
        checkSchemasIn(document.path("components").path("schemas"), "/components/schemas");
    }

    /** Every {@code $ref} anywhere is local and names a node. */
    private void checkReferences(JsonNode node, String where) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String child = where + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
                if (f.getKey().equals("$ref")) {
                    if (!f.getValue().isTextual() || schemas.resolve(f.getValue().asText()).isMissingNode()) {
                        problems.add(child + ": " + f.getValue() + " resolves to nothing");
                    }
                } else {
                    checkReferences(f.getValue(), child);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkReferences(node.get(i), where + "/" + i);
            }
        }
    }

    private void checkPaths() {
        JsonNode paths = document.path("paths");
        if (!paths.isObject() || paths.isEmpty()) {
            problems.add("/paths: no paths");
            return;
        }
        Map<String, String> operationIds = new HashMap<>();
        Set<String> schemes = new HashSet<>();
        document.path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String path = p.getKey();
            String where = "/paths/" + path.replace("/", "~1");
            if (!path.startsWith("/")) {
                problems.add(where + ": a path starts with '/'");
            }
            Set<String> variables = new LinkedHashSet<>();
            Matcher m = TEMPLATE_VARIABLE.matcher(path);
            while (m.find()) {
                variables.add(m.group(1));
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> o = ops.next();
                if (PATH_ITEM_FIELDS.contains(o.getKey()) || o.getKey().startsWith("x-")) {
                    continue;
                }
                if (!METHODS.contains(o.getKey())) {
                    problems.add(where + ": '" + o.getKey() + "' is not an HTTP method of OpenAPI");
                    continue;
                }
                checkOperation(o.getKey(), o.getValue(), p.getValue().path("parameters"), variables,
                        where + "/" + o.getKey(), operationIds, schemes);
            }
        }
    }

    private void checkOperation(String method, JsonNode op, JsonNode shared, Set<String> variables, String where,
                                Map<String, String> operationIds, Set<String> schemes) {
        String id = op.path("operationId").asText("");
        if (id.isEmpty()) {
            problems.add(where + ": no operationId (a generated client names its method after it)");
        } else if (!OPERATION_ID.matcher(id).matches()) {
            problems.add(where + ": operationId '" + id + "' is not a plain identifier");
        } else {
            String before = operationIds.putIfAbsent(id, where);
            if (before != null) {
                problems.add(where + ": operationId '" + id + "' is also " + before + "'s");
            }
        }
        Map<String, JsonNode> parameters = new HashMap<>();
        for (JsonNode list : List.of(shared, op.path("parameters"))) {
            Set<String> inThisList = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode parameter = list.get(i);
                if (parameter.has("$ref")) {
                    parameter = schemas.resolve(parameter.get("$ref").asText());
                }
                String name = parameter.path("name").asText("");
                String in = parameter.path("in").asText("");
                String at = where + "/parameters/" + i + " (" + name + ")";
                if (name.isEmpty() || !PARAMETER_PLACES.contains(in)) {
                    problems.add(at + ": a parameter needs a name and 'in' (query, header, path or cookie)");
                    continue;
                }
                if (!inThisList.add(in + " " + name)) {
                    problems.add(at + ": listed twice");
                }
                if (in.equals("path") && !parameter.path("required").asBoolean(false)) {
                    problems.add(at + ": a path parameter must say required: true");
                }
                if (parameter.path("description").asText("").isBlank()) {
                    problems.add(at + ": no description");
                }
                if (!parameter.has("schema") && !parameter.has("content")) {
                    problems.add(at + ": no schema");
                } else if (parameter.has("schema")) {
                    checkSchema(parameter.get("schema"), at + "/schema");
                    checkExample(parameter.path("example"), parameter.get("schema"), at + "/example");
                }
                parameters.put(in + " " + name, parameter);
            }
        }
        Set<String> declared = new HashSet<>();
        parameters.keySet().stream().filter(k -> k.startsWith("path ")).forEach(k -> declared.add(k.substring(5)));
        if (!declared.equals(variables)) {
            problems.add(where + ": path parameters " + declared + " do not match the path's " + variables);
        }
        if (op.has("requestBody")) {
            JsonNode content = op.get("requestBody").path("content");
            if (!content.isObject() || content.isEmpty()) {
                problems.add(where + "/requestBody: no content");
            }
            checkContent(content, where + "/requestBody/content");
        }
        JsonNode responses = op.path("responses");
        if (!responses.isObject() || responses.isEmpty()) {
            problems.add(where + ": no responses");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            String at = where + "/responses/" + r.getKey();
            JsonNode response = r.getValue().has("$ref") ? schemas.resolve(r.getValue().get("$ref").asText())
                    : r.getValue();
            if (!STATUS.matcher(r.getKey()).matches()) {
                problems.add(at + ": not a status code");
            }
            if (response.path("description").asText("").isBlank()) {
                problems.add(at + ": no description (required by OpenAPI)");
            }
            if (method.equals("head") && response.has("content")) {
                problems.add(at + ": a HEAD answer has no body, so it declares no content");
            }
            if ((r.getKey().equals("204") || r.getKey().equals("304")) && response.has("content")) {
                problems.add(at + ": a " + r.getKey() + " has no body, so it declares no content");
            }
            checkContent(response.path("content"), at + "/content");
            for (Iterator<Map.Entry<String, JsonNode>> h = response.path("headers").fields(); h.hasNext(); ) {
                Map.Entry<String, JsonNode> header = h.next();
                if (!header.getValue().has("schema")) {
                    problems.add(at + "/headers/" + header.getKey() + ": no schema");
                } else {
                    checkSchema(header.getValue().get("schema"), at + "/headers/" + header.getKey() + "/schema");
                }
            }
        }
        for (JsonNode requirement : op.path("security")) {
            requirement.fieldNames().forEachRemaining(name -> {
                if (!schemes.contains(name)) {
                    problems.add(where + "/security: '" + name + "' is not a declared security scheme");
                }
            });
        }
    }

    private void checkContent(JsonNode content, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> media = it.next();
            String at = where + "/" + media.getKey().replace("/", "~1");
            if (!media.getKey().matches("[a-z*]+/[a-z0-9.+*-]+")) {
                problems.add(at + ": not a media type");
            }
            JsonNode schema = media.getValue().path("schema");
            if (schema.isMissingNode()) {
                problems.add(at + ": no schema");
                continue;
            }
            checkSchema(schema, at + "/schema");
            checkExample(media.getValue().path("example"), schema, at + "/example");
            for (Iterator<Map.Entry<String, JsonNode>> e = media.getValue().path("examples").fields(); e.hasNext(); ) {
                Map.Entry<String, JsonNode> example = e.next();
                checkExample(example.getValue().path("value"), schema, at + "/examples/" + example.getKey());
            }
        }
    }

    private void checkExample(JsonNode example, JsonNode schema, String where) {
        if (!example.isMissingNode()) {
            for (String p : schemas.problems(example, schema)) {
                problems.add(where + ": " + p);
            }
        }
    }

    private void checkSchemasIn(JsonNode named, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = named.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            checkSchema(s.getValue(), where + "/" + s.getKey());
        }
    }

    /** One schema and the schemas inside it: a type (or a reference or composition), its own parts consistent. */
    private void checkSchema(JsonNode schema, String where) {
        if (!schema.isObject()) {
            problems.add(where + ": not a schema object");
            return;
        }
        if (schema.has("$ref")) {
            return;
        }
        for (String composition : List.of("oneOf", "anyOf", "allOf")) {
            if (schema.has(composition)) {
                for (int i = 0; i < schema.get(composition).size(); i++) {
                    checkSchema(schema.get(composition).get(i), where + "/" + composition + "/" + i);
                }
                return;
            }
        }
        String type = schema.path("type").asText("");
        if (!SCHEMA_TYPES.contains(type)) {
            problems.add(where + ": the schema names no type (a generated client gets an untyped value)");
            return;
        }
        if (type.equals("object")) {
            JsonNode additional = schema.path("additionalProperties");
            for (JsonNode r : schema.path("required")) {
                if (!schema.path("properties").has(r.asText()) && !additional.isObject()
                        && !additional.asBoolean(false)) {
                    problems.add(where + ": required '" + r.asText() + "' is not among its properties");
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                checkSchema(p.getValue(), where + "/properties/" + p.getKey());
            }
            if (additional.isObject()) {
                checkSchema(additional, where + "/additionalProperties");
            }
        }
        if (type.equals("array")) {
            if (!schema.has("items")) {
                problems.add(where + ": an array schema needs items");
            } else {
                checkSchema(schema.get("items"), where + "/items");
            }
        }
        for (JsonNode e : schema.path("enum")) {
            for (String p : schemas.problems(e, withoutEnum(schema))) {
                problems.add(where + "/enum: " + e + ": " + p);
            }
        }
        checkExample(schema.path("default"), schema, where + "/default");
        checkExample(schema.path("example"), schema, where + "/example");
    }

    private static JsonNode withoutEnum(JsonNode schema) {
        return ((com.fasterxml.jackson.databind.node.ObjectNode) schema.deepCopy()).without("enum");
    }
}
