package io.affinity.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Strict reading of the small JSON request bodies: exactly one JSON object, no content after it, no field twice,
 * no field the endpoint does not know. Every rejection is a 400 that says where (line and column, or the field).
 */
final class JsonBodies {
    private JsonBodies() {
    }

    /**
     * The body as a JSON object holding only {@code fields} (listed as {@code expected} in messages).
     *
     * @param expected what the endpoint wants, for the empty-body message, e.g. "a JSON object with field 'state'"
     */
    static JsonNode object(byte[] body, ObjectMapper json, Set<String> fields, String expected) {
        JsonNode root;
        try (JsonParser parser = json.getFactory().createParser(body)) {
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = json.readTree(parser);
            if (root != null && !root.isMissingNode()) {
                JsonLocation after = parser.currentLocation();
                JsonToken next;
                try {
                    next = parser.nextToken();
                } catch (JsonProcessingException e) {
                    next = JsonToken.NOT_AVAILABLE; // junk after the value: the same answer as a second value
                }
                if (next != null) {
                    throw ApiProblem.badRequest("unexpected content after the JSON value" + atNonBlank(body, after)
                            + ": the body must be exactly one JSON object");
                }
            }
        } catch (JsonProcessingException e) {
            // Jackson appends source-location boilerplate; the line and column already say where.
            String why = e.getOriginalMessage().replaceAll("\\s*\\(for .*$", "").replaceAll("\\s*\\[Source:.*$", "");
            // Jackson quotes an unrecognised token whole ({"customerId": cust4711} gives "token 'cust4711'"): the
            // token can be a customer id, which error bodies never echo; line and column say where it is.
            why = why.replaceFirst("^Unrecognized token '.*': was", "Unrecognized token (not repeated here): was");
            throw ApiProblem.badRequest("malformed JSON" + at(e.getLocation()) + ": " + why);
        } catch (IOException e) {
            throw ApiProblem.badRequest("unreadable body: " + e.getClass().getSimpleName());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiProblem.badRequest("empty body: expected " + expected);
        }
        if (!root.isObject()) {
            throw ApiProblem.badRequest("body must be a JSON object, was " + kind(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.contains(name)) {
                throw ApiProblem.badRequest("unknown field '" + Params.abbreviate(name) + "'; expected "
                        + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return root;
    }

    /** Where the first non-whitespace byte after {@code from} is (what follows the value). */
    private static String atNonBlank(byte[] body, JsonLocation from) {
        long offset = from.getByteOffset();
        if (offset < 0 || from.getLineNr() < 1) {
            return at(from);
        }
        int line = from.getLineNr();
        int column = from.getColumnNr();
        for (int i = (int) offset; i < body.length; i++) {
            byte b = body[i];
            if (b == '\n') {
                line++;
                column = 1;
            } else if (b == ' ' || b == '\t' || b == '\r') {
                column++;
            } else {
                break;
            }
        }
        return " at line " + line + ", column " + column;
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** The JSON type of a value, for messages ("number", "string", "array"...). */
    static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
