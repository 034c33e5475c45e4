package io.affinity.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An OpenAPI 3.0 document and what a client generated from it expects of an answer: a documented status, a
 * documented content type, a body that fits the schema documented for that status and type ({@link
 * OpenApiSchemaCheck}), the headers the document marks required, and no watched header the document does not
 * declare. JSON is parsed strictly, as a client's parser would: no {@code NaN}, nothing after the value.
 */
public final class OpenApiDocument {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonNode root;
    private final OpenApiSchemaCheck schemas;

    public OpenApiDocument(JsonNode root) {
        this.root = root;
        this.schemas = new OpenApiSchemaCheck(root);
    }

    public static OpenApiDocument parse(String json) throws JsonProcessingException {
        return new OpenApiDocument(STRICT.readTree(json));
    }

    public JsonNode root() {
        return root;
    }

    /** The document's own problems ({@link OpenApiDocumentCheck}). */
    public List<String> problems() {
        return OpenApiDocumentCheck.problems(root);
    }

    /** The problems of {@code value} against {@code schema} ({@link OpenApiSchemaCheck}). */
    public List<String> problems(JsonNode value, JsonNode schema) {
        return schemas.problems(value, schema);
    }

    /** The operation object, or a missing node. */
    public JsonNode operation(String method, String template) {
        return root.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
    }

    /** Every operation as "METHOD /template", in document order. */
    public List<String> operations() {
        List<String> all = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = root.path("paths").fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (!m.equals("parameters") && !m.equals("summary") && !m.equals("description")
                        && !m.startsWith("x-")) {
                    all.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        return all;
    }

    /** The response the operation documents for {@code status}: the code itself, else its class ("4XX"), else default. */
    public Optional<JsonNode> response(String method, String template, int status) {
        JsonNode responses = operation(method, template).path("responses");
        for (String key : List.of(Integer.toString(status), (status / 100) + "XX", "default")) {
            if (responses.has(key)) {
                JsonNode r = responses.get(key);
                return Optional.of(r.has("$ref") ? schemas.resolve(r.get("$ref").asText()) : r);
            }
        }
        return Optional.empty();
    }

    /**
     * What in one answer a client generated from this document would not expect.
     *
     * @param headers       the answer's headers, names in any case
     * @param watchedHeaders headers that must be declared on the response when the answer carries them (ETag,
     *                      Retry-After, ...): a client cannot use a header the document does not name
     * @return the problems, each starting with the operation and status
     */
    public List<String> answerProblems(String method, String template, int status, Map<String, List<String>> headers,
                                       String body, Collection<String> watchedHeaders) {
        String where = method + " " + template + " " + status;
        List<String> problems = new ArrayList<>();
        if (operation(method, template).isMissingNode()) {
            problems.add(method + " " + template + ": not an operation of the document");
            return problems;
        }
        Optional<JsonNode> documented = response(method, template, status);
        if (documented.isEmpty()) {
            problems.add(where + ": status not documented (documented: "
                    + iterable(operation(method, template).path("responses").fieldNames()) + "); body "
                    + abbreviate(body));
            return problems;
        }
        JsonNode response = documented.get();
        String contentType = header(headers, "Content-Type").map(t -> t.split(";")[0].trim()
                .toLowerCase(Locale.ROOT)).orElse(null);
        boolean head = method.equalsIgnoreCase("HEAD");
        if (head) {
            if (!body.isEmpty()) {
                problems.add(where + ": a HEAD answer with a body");
            }
            // HEAD declares no content; its Content-Type is the one GET's answer would have.
            JsonNode get = response("GET", template, status).map(r -> r.path("content")).orElse(null);
            if (get != null && !get.isMissingNode() && contentType != null && !get.has(contentType)) {
                problems.add(where + ": Content-Type " + contentType + " is none of GET's " + iterable(get.fieldNames()));
            }
        } else if (!response.has("content")) {
            if (!body.isEmpty()) {
                problems.add(where + ": a body where the document declares none: " + abbreviate(body));
            }
        } else if (contentType == null || !response.get("content").has(contentType)) {
            problems.add(where + ": Content-Type " + contentType + " is not documented (documented: "
                    + iterable(response.get("content").fieldNames()) + ")");
        } else {
            problems.addAll(bodyProblems(where, contentType, response.get("content").get(contentType).path("schema"),
                    body));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            if (h.getValue().path("required").asBoolean(false) && header(headers, h.getKey()).isEmpty()) {
                problems.add(where + ": required header " + h.getKey() + " missing");
            }
        }
        for (String watched : watchedHeaders) {
            if (header(headers, watched).isPresent() && !declaresHeader(response, watched)) {
                problems.add(where + ": sends " + watched + ": " + header(headers, watched).get()
                        + ", which the document does not declare on this response");
            }
        }
        return problems;
    }

    private List<String> bodyProblems(String where, String contentType, JsonNode schema, String body) {
        List<String> problems = new ArrayList<>();
        if (contentType.equals("application/json") || contentType.endsWith("+json")) {
            addValueProblems(where, schema, body, problems);
        } else if (contentType.equals("application/x-ndjson")) {
            String[] lines = body.split("\n", -1);
            if (!body.isEmpty() && !lines[lines.length - 1].isEmpty()) {
                problems.add(where + ": the last NDJSON line has no line end");
            }
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isEmpty()) {
                    addValueProblems(where + " line " + (i + 1), schema, lines[i], problems);
                }
            }
        } else if (!"string".equals(resolved(schema).path("type").asText())) {
            problems.add(where + ": a " + contentType + " body, documented as other than a string");
        }
        return problems;
    }

    private void addValueProblems(String where, JsonNode schema, String text, List<String> problems) {
        JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            problems.add(where + ": not JSON (" + e.getOriginalMessage() + "): " + abbreviate(text));
            return;
        }
        for (String p : schemas.problems(value, schema)) {
            problems.add(where + " " + p);
        }
    }

    private JsonNode resolved(JsonNode schema) {
        return schema.has("$ref") ? schemas.resolve(schema.get("$ref").asText()) : schema;
    }

    private static boolean declaresHeader(JsonNode response, String name) {
        for (Iterator<String> it = response.path("headers").fieldNames(); it.hasNext(); ) {
            if (it.next().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The first value of a header, its name matched without case. */
    public static Optional<String> header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                return Optional.of(h.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> all = new ArrayList<>();
        names.forEachRemaining(all::add);
        return all;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
