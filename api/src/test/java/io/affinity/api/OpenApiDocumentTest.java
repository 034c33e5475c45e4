package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.OpenApiDocument;
import io.affinity.testing.UnitTest;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document of the build, without a server: valid OpenAPI 3.0 as a client generator needs it
 * ({@link io.affinity.testing.OpenApiDocumentCheck}), and consistent in what every operation of a kind must say.
 * What the server answers is {@link OpenApiContractHttpTest}'s.
 */
@UnitTest
class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OpenApiDocument document() throws Exception {
        try (InputStream in = CatalogRoutes.class.getResourceAsStream(CatalogRoutes.OPENAPI_RESOURCE)) {
            return new OpenApiDocument(JSON.readTree(in));
        }
    }

    @Test
    void theDocumentIsValidOpenApiForAClientGenerator() throws Exception {
        assertEquals(List.of(), document().problems());
    }

    /**
     * HEAD is GET without a body: the same parameters, statuses, security and scope, and response headers. Every
     * error answer is a problem body; every 429 and 503 says when to retry (Retry-After), every 401 the
     * challenge (WWW-Authenticate); every /v1 operation takes the API key (optional: the server may run without
     * keys) and names its scope; every operation carries a declared tag.
     */
    @Test
    void operationsOfOneKindSayTheSame() throws Exception {
        OpenApiDocument doc = document();
        JsonNode root = doc.root();
        Set<String> tags = new HashSet<>();
        root.path("tags").forEach(t -> tags.add(t.path("name").asText()));
        List<String> problems = new ArrayList<>();
        for (String operation : doc.operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            JsonNode op = doc.operation(method, template);
            if (op.path("tags").size() != 1 || !tags.contains(op.path("tags").get(0).asText())) {
                problems.add(operation + ": not one declared tag: " + op.path("tags"));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = op.path("responses").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> r = it.next();
                int status = Integer.parseInt(r.getKey());
                JsonNode headers = r.getValue().path("headers");
                if (status >= 400 && !method.equals("HEAD") && !r.getValue()
                        .at("/content/application~1problem+json/schema/$ref").asText()
                        .equals("#/components/schemas/Problem")) {
                    problems.add(operation + " " + status + ": not a Problem body");
                }
                if ((status == 429 || status == 503) && !headers.has("Retry-After")) {
                    problems.add(operation + " " + status + ": no Retry-After");
                }
                if (status == 429 && !headers.path("Retry-After").path("required").asBoolean(false)) {
                    problems.add(operation + " 429: Retry-After not required");
                }
                if (status == 401 && !headers.has("WWW-Authenticate")) {
                    problems.add(operation + " 401: no WWW-Authenticate");
                }
            }
            if (template.startsWith("/v1/")) {
                if (!op.path("security").toString().equals("[{\"apiKey\":[]},{}]")) {
                    problems.add(operation + ": security " + op.path("security"));
                }
                if (ApiScope.byLabel(op.path("x-api-key-scope").asText()) == null) {
                    problems.add(operation + ": no known x-api-key-scope");
                }
                for (String status : List.of("401", "403", "429")) {
                    if (!op.path("responses").has(status)) {
                        problems.add(operation + ": no " + status);
                    }
                }
            }
            if (template.startsWith("/admin/") && !op.path("security").toString().equals("[{\"adminToken\":[]}]")) {
                problems.add(operation + ": security " + op.path("security"));
            }
            if (method.equals("GET")) {
                JsonNode head = doc.operation("HEAD", template);
                if (head.isMissingNode()) {
                    problems.add(operation + ": no HEAD");
                    continue;
                }
                for (String same : List.of("parameters", "security", "x-api-key-scope", "tags")) {
                    if (!op.path(same).equals(head.path(same))) {
                        problems.add(operation + ": HEAD's " + same + " differ");
                    }
                }
                Set<String> get = new TreeSet<>();
                op.path("responses").fieldNames().forEachRemaining(get::add);
                Set<String> headStatuses = new TreeSet<>();
                head.path("responses").fieldNames().forEachRemaining(headStatuses::add);
                if (!get.equals(headStatuses)) {
                    problems.add(operation + ": HEAD answers " + headStatuses + ", GET " + get);
                }
                for (String status : get) {
                    if (!op.at("/responses/" + status + "/headers").equals(head.at("/responses/" + status + "/headers"))) {
                        problems.add(operation + " " + status + ": HEAD's headers differ");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(doc.operations().size() >= 40, doc.operations().toString());
    }
}
