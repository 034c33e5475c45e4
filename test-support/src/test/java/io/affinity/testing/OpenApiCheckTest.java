package io.affinity.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI checks the contract tests rely on must be able to fail: each kind of disagreement they claim to find
 * is planted in a small document or answer and found, and a conforming one passes.
 */
@UnitTest
class OpenApiCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small valid document: one GET with a path parameter, a JSON answer with a tag header, a problem answer. */
    private static final String DOC = """
            {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
             "paths": {"/things/{id}": {
               "get": {"operationId": "getThing",
                 "parameters": [{"name": "id", "in": "path", "required": true, "description": "the id",
                                 "schema": {"type": "string", "maxLength": 8}},
                                {"name": "limit", "in": "query", "description": "how many",
                                 "schema": {"type": "integer", "minimum": 1, "maximum": 5, "default": 2}}],
                 "responses": {
                   "200": {"description": "the thing",
                     "headers": {"ETag": {"required": true, "description": "tag", "schema": {"type": "string"}}},
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"},
                        "example": {"id": "a", "size": 1, "kind": "big", "made": "2026-11-26", "note": null}},
                       "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                   "404": {"description": "not found",
                     "content": {"application/problem+json": {"schema": {"type": "object",
                        "properties": {"status": {"type": "integer"}}, "additionalProperties": true}}}}}},
               "head": {"operationId": "headThing",
                 "parameters": [{"name": "id", "in": "path", "required": true, "description": "the id",
                                 "schema": {"type": "string"}}],
                 "responses": {"200": {"description": "headers only"}}}}},
             "components": {"schemas": {"Thing": {"type": "object", "required": ["id", "size"],
               "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"},
                 "size": {"type": "integer", "minimum": 0, "maximum": 10},
                 "kind": {"type": "string", "enum": ["big", "small"]},
                 "made": {"type": "string", "format": "date"},
                 "at": {"type": "string", "format": "date-time"},
                 "note": {"type": "string", "nullable": true},
                 "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                 "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                 "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                 "parent": {"allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": true}}}}}}
            """;

    private static JsonNode doc() throws Exception {
        return JSON.readTree(DOC);
    }

    private static List<String> thing(String json) throws Exception {
        JsonNode d = doc();
        return new OpenApiSchemaCheck(d).problems(JSON.readTree(json), d.at("/components/schemas/Thing"));
    }

    @Test
    void aConformingValueHasNoProblems() throws Exception {
        assertEquals(List.of(), thing("""
                {"id": "abc", "size": 3, "kind": "small", "made": "2026-11-26", "at": "2026-11-26T00:10:00.123Z",
                 "note": null, "tags": ["x"], "counts": {"a": 1}, "either": 4, "parent": null}"""));
        assertEquals(List.of(), thing("{\"id\": \"a\", \"size\": 1, \"parent\": {\"id\": \"b\", \"size\": 2}}"));
        assertEquals(List.of(), new OpenApiDocument(doc()).problems());
    }

    @Test
    void everyKindOfValueDisagreementIsFound() throws Exception {
        Map<String, String> planted = Map.ofEntries(
                Map.entry("{\"size\": 1}", "required 'id' missing"),
                Map.entry("{\"id\": \"a\", \"size\": \"1\"}", "where the document says 'integer'"),
                Map.entry("{\"id\": \"a\", \"size\": 1.5}", "where the document says 'integer'"),
                Map.entry("{\"id\": \"a\", \"size\": 11}", "above the maximum"),
                Map.entry("{\"id\": \"a\", \"size\": -1}", "below the minimum"),
                Map.entry("{\"id\": \"A\", \"size\": 1}", "does not match pattern"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"kind\": \"huge\"}", "is not one of"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"made\": \"26.11.2026\"}", "is not a date"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"at\": \"2026-11-26T00:10\"}", "is not a date-time"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"kind\": null}", "(not nullable)"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"extra\": 1}", "'extra' is not documented"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"tags\": [\"x\", \"y\", \"z\"]}", "more than maxItems"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"tags\": [1]}", "/tags/0: number"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"counts\": {\"a\": \"1\"}}", "/counts/a: string"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"either\": true}", "matches 0 of the oneOf"),
                Map.entry("{\"id\": \"a\", \"size\": 1, \"parent\": {\"size\": 2}}", "/parent: required 'id' missing"));
        for (Map.Entry<String, String> p : planted.entrySet()) {
            List<String> problems = thing(p.getKey());
            assertTrue(problems.stream().anyMatch(s -> s.contains(p.getValue())), p.getKey() + ": " + problems);
        }
        JsonNode d = doc();
        JsonNode closed = JSON.readTree("{\"type\": \"object\", \"additionalProperties\": false}");
        assertTrue(new OpenApiSchemaCheck(d).problems(JSON.readTree("{\"a\": 1}"), closed).get(0)
                .contains("forbidden"));
        JsonNode untyped = JSON.readTree("{\"description\": \"anything\"}");
        assertTrue(new OpenApiSchemaCheck(d).problems(JSON.readTree("1"), untyped).get(0).contains("no type"));
        JsonNode dangling = JSON.readTree("{\"$ref\": \"#/components/schemas/Nope\"}");
        assertTrue(new OpenApiSchemaCheck(d).problems(JSON.readTree("1"), dangling).get(0)
                .contains("resolves to nothing"));
    }

    @Test
    void everyKindOfDocumentDefectIsFound() throws Exception {
        Map<String, String> planted = Map.ofEntries(
                Map.entry("/paths/~1things~1{id}/get/operationId=", "no operationId"),
                Map.entry("/paths/~1things~1{id}/head/operationId=getThing", "is also"),
                Map.entry("/paths/~1things~1{id}/get/responses/404/description=", "no description"),
                Map.entry("/paths/~1things~1{id}/get/parameters/0/name=other", "do not match the path's"),
                Map.entry("/paths/~1things~1{id}/get/parameters/1/description=", "no description"),
                Map.entry("/paths/~1things~1{id}/get/parameters/1/schema/default=9", "above the maximum"),
                Map.entry("/components/schemas/Thing/properties/size/type=", "names no type"),
                Map.entry("/components/schemas/Thing/required/1=weight", "is not among its properties"),
                Map.entry("/paths/~1things~1{id}/get/responses/200/content/application~1json/schema/$ref="
                        + "#/components/schemas/Gone", "resolves to nothing"),
                Map.entry("/paths/~1things~1{id}/get/responses/200/content/application~1json/example/kind=huge",
                        "is not one of"),
                Map.entry("/components/schemas/Thing/properties/kind/enum/1=7", "where the document says 'string'"));
        for (Map.Entry<String, String> p : planted.entrySet()) {
            JsonNode d = doc();
            String pointer = p.getKey().substring(0, p.getKey().indexOf('='));
            String value = p.getKey().substring(p.getKey().indexOf('=') + 1);
            JsonNode parent = d.at(pointer.substring(0, pointer.lastIndexOf('/')));
            String field = pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "/");
            JsonNode replacement = value.matches("-?[0-9]+") ? JSON.getNodeFactory().numberNode(Integer.parseInt(value))
                    : JSON.getNodeFactory().textNode(value);
            if (parent.isArray()) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(field), replacement);
            } else if (value.isEmpty()) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ObjectNode) parent).set(field, replacement);
            }
            List<String> problems = OpenApiDocumentCheck.problems(d);
            assertTrue(problems.stream().anyMatch(s -> s.contains(p.getValue())), p.getKey() + ": " + problems);
        }
        JsonNode d = doc();
        ((ObjectNode) d.at("/paths/~1things~1{id}/head/responses/200")).set("content",
                d.at("/paths/~1things~1{id}/get/responses/200/content").deepCopy());
        assertTrue(OpenApiDocumentCheck.problems(d).stream().anyMatch(s -> s.contains("a HEAD answer has no body")));
    }

    @Test
    void everyKindOfAnswerDisagreementIsFound() throws Exception {
        OpenApiDocument d = new OpenApiDocument(doc());
        Map<String, List<String>> json = Map.of("content-type", List.of("application/json;charset=utf-8"),
                "ETag", List.of("W/\"1\""));
        String good = "{\"id\": \"a\", \"size\": 1}";
        assertEquals(List.of(), d.answerProblems("GET", "/things/{id}", 200, json, good, List.of("ETag")));
        assertEquals(List.of(), d.answerProblems("GET", "/things/{id}", 200,
                Map.of("Content-Type", List.of("application/x-ndjson"), "ETag", List.of("t")),
                good + "\n" + good + "\n", List.of()));
        assertEquals(List.of(), d.answerProblems("HEAD", "/things/{id}", 200, json, "", List.of()));

        assertFound(d.answerProblems("GET", "/things/{id}", 500, json, good, List.of()), "status not documented");
        assertFound(d.answerProblems("GET", "/things/{id}", 200, Map.of("Content-Type", List.of("text/html"),
                "ETag", List.of("t")), good, List.of()), "Content-Type text/html is not documented");
        assertFound(d.answerProblems("GET", "/things/{id}", 200, Map.of("Content-Type",
                List.of("application/json")), good, List.of()), "required header ETag missing");
        assertFound(d.answerProblems("GET", "/things/{id}", 404, Map.of("Content-Type",
                List.of("application/problem+json"), "Retry-After", List.of("1")), "{\"status\": 404}",
                List.of("Retry-After")), "does not declare");
        assertFound(d.answerProblems("GET", "/things/{id}", 200, json, "{\"id\": \"a\", \"size\": NaN}",
                List.of()), "not JSON");
        assertFound(d.answerProblems("GET", "/things/{id}", 200, json, good + " {}", List.of()), "not JSON");
        assertFound(d.answerProblems("GET", "/things/{id}", 200, Map.of("Content-Type",
                List.of("application/x-ndjson"), "ETag", List.of("t")), good + "\n{\"size\": 1}\n", List.of()),
                "line 2 /: required 'id' missing");
        assertFound(d.answerProblems("HEAD", "/things/{id}", 200, json, good, List.of()), "a HEAD answer with a body");
        assertFound(d.answerProblems("HEAD", "/things/{id}", 200, Map.of("Content-Type", List.of("text/csv")), "",
                List.of()), "none of GET's");
        assertFound(d.answerProblems("POST", "/things/{id}", 200, json, good, List.of()), "not an operation");
    }

    private static void assertFound(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), expected + " not in " + problems);
    }
}
