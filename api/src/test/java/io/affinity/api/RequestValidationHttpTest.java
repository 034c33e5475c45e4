package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.customers.Rfm;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error contract over real HTTP: wrong methods, unknown or malformed query parameters, strict JSON bodies and
 * requests Jetty refuses itself all answer with a problem body that says where and why, never with HTML, a silent
 * default, or a customer id. Model: {@link TestStores} (items I00..I19, customers C100..C109), served through the
 * admin so that the admin endpoints exist.
 */
@IntegrationTest
class RequestValidationHttpTest {
    private static final String TOKEN = "test-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String SECRET = "SECRET-CUST-77";

    @TempDir
    static Path dir;
    private static SwappableModelSource source;
    private static ModelAdmin admin;
    private static ConsentJournal journal;
    private static AffinityServer server;

    @BeforeAll
    static void start() throws Exception {
        ModelStore store = ModelStore.open(dir.resolve("models"));
        store.activate(TestStores.publish(store, "v"));
        source = new SwappableModelSource();
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        journal = ConsentJournal.open(dir.resolve("consent.journal"));
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5), journal, 0.3,
                        BusinessRuleConfig.defaults())).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        admin.close();
        source.close(Duration.ofSeconds(5));
        journal.close();
    }

    // ---- wrong method: 405 with Allow ----

    @Test
    void aWrongMethodOnAKnownPathIs405WithAllowAndAProblemBody() throws Exception {
        assertMethodNotAllowed(send("GET", "/v1/baskets/recommendations", null, null), "POST");
        assertMethodNotAllowed(send("POST", "/v1/items/I01/bought-together", "application/json", "{}"), "GET, HEAD");
        assertMethodNotAllowed(send("POST", "/v1/customers/" + SECRET + "/consent/email", "application/json",
                "{\"state\":\"opted_in\"}"), "PUT");
        assertMethodNotAllowed(send("DELETE", "/v1/customers/" + SECRET + "/recommendations", null, null), "GET, HEAD");
        assertMethodNotAllowed(send("GET", "/admin/models/reload", null, null), "POST");
        HttpResponse<String> unknown = send("GET", "/v1/nothing-here", null, null);
        assertProblem(unknown, 404, "no such endpoint");
    }

    private static void assertMethodNotAllowed(HttpResponse<String> r, String allowed) throws Exception {
        assertProblem(r, 405, "it takes " + allowed);
        assertEquals(allowed, r.headers().firstValue("Allow").orElse(null), r.body());
    }

    // ---- next-best offers: an unknown customer is not revealed ----

    @Test
    void nextBestOffersForAnUnknownCustomerAreTheFallbackNotA404() throws Exception {
        HttpResponse<String> unknown = send("GET", "/v1/customers/" + SECRET + "/next-best-offers?limit=3", null, null);
        assertEquals(200, unknown.statusCode(), unknown.body());
        JsonNode body = JSON.readTree(unknown.body());
        assertTrue(body.get("fallback").asBoolean(), unknown.body());
        assertEquals(3, body.get("offers").size(), unknown.body());
        assertFalse(unknown.body().contains(SECRET));
        JsonNode known = JSON.readTree(send("GET", "/v1/customers/C100/next-best-offers?limit=3", null, null).body());
        assertFalse(known.get("fallback").asBoolean(), known.toString());
    }

    // ---- strict JSON bodies ----

    @Test
    void consentBodiesAreStrictAndNothingRejectedIsJournaled() throws Exception {
        String path = "/v1/customers/C101/consent/sms";
        long before = journal.sequence();
        assertProblem(put(path, "{\"state\":\"opted_in\"} junk"), 400,
                "unexpected content after the JSON value at line 1, column 22");
        assertProblem(put(path, "{\"state\":\"opted_in\"} {\"state\":\"opted_out\"}"), 400,
                "unexpected content after the JSON value at line 1, column 22");
        assertProblem(put(path, "{\"state\":\"opted_in\",\"extra\":1}"), 400, "unknown field 'extra'; expected state");
        assertProblem(put(path, "{\"state\":\"opted_in\",\"state\":\"opted_out\"}"), 400, "Duplicate field 'state'");
        assertProblem(put(path, "{\"state\":\n  opted_in}"), 400, "malformed JSON at line 2, column");
        assertProblem(put(path, "{\"state\":5}"), 422, "field 'state' must be a string, one of opted_in");
        assertProblem(put(path, "{\"state\":5}"), 422, "was number");
        // A mis-mapped client field holding an e-mail address is not echoed back, nor is it in a query parameter.
        HttpResponse<String> address = put(path, "{\"state\":\"jane.doe@example.com\"}");
        assertProblem(address, 422, "(20 characters with an '@', not shown)");
        assertFalse(address.body().contains("jane.doe"), address.body());
        HttpResponse<String> inQuery = send("GET", "/v1/customers/C100/next-best-offers?channel=jane.doe@example.com",
                null, null);
        assertProblem(inQuery, 400, "query parameter 'channel'");
        assertFalse(inQuery.body().contains("jane.doe"), inQuery.body());
        assertProblem(put(path, ""), 400, "empty body");
        assertProblem(put(path, "[]"), 400, "must be a JSON object, was array");
        assertProblem(put(path, "{}"), 422, "field 'state' is required");
        assertEquals(before, journal.sequence(), "a rejected body changed the consent journal");
        HttpResponse<String> ok = put(path, "{\"state\":\"opted_in\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(before + 1, journal.sequence());
    }

    @Test
    void availabilityBodiesAreStrict() throws Exception {
        String path = "/admin/items/I03/availability";
        assertProblem(put(path, "{\"available\":false}\n junk"), 400, "at line 2, column 2");
        assertProblem(put(path, "{\"available\":false,\"extra\":1}"), 400, "unknown field 'extra'; expected available");
        assertProblem(put(path, "{\"available\":\"no\"}"), 400, "field 'available' must be a boolean");
        assertProblem(put(path, "{\"available\" false}"), 400, "malformed JSON at line 1, column");
        assertProblem(put(path, ""), 400, "empty body");
        assertProblem(put(path, "{}"), 400, "field 'available' is required");
        JsonNode item = JSON.readTree(send("GET", "/v1/items/I03", null, null).body());
        assertTrue(item.get("available").asBoolean(), "a rejected body changed the item's availability");
    }

    /**
     * A compressed body (Content-Encoding gzip, br, ...) is a 415 naming the coding, with Accept-Encoding: identity
     * (RFC 9110 15.5.16): the server does not decode request bodies, so a gzip body used to be parsed as JSON ("CTRL-
     * CHAR, code 31" at column 2), and a body labelled br but sent plain was answered as if the label were not there.
     */
    @Test
    void aCompressedRequestBodyIs415NamingTheContentEncoding() throws Exception {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(zipped)) {
            gz.write("{\"items\":[\"I01\"]}".getBytes(StandardCharsets.UTF_8));
        }
        List<HttpRequest.Builder> requests = List.of(
                encoded("POST", "/v1/baskets/recommendations", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())),
                encoded("POST", "/v1/baskets/recommendations", "br")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I01\"]}")),
                encoded("PUT", "/v1/customers/C104/consent/email", "deflate")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"state\":\"opted_in\"}")),
                encoded("PUT", "/admin/items/I04/availability", "gzip")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"available\":false}")),
                encoded("POST", "/admin/models/no-such-version/canary", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"percent\":10}")));
        long before = journal.sequence();
        for (HttpRequest.Builder request : requests) {
            HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 415, "Content-Encoding");
            assertEquals("identity", r.headers().firstValue("Accept-Encoding").orElse(null), r.body());
        }
        assertEquals(before, journal.sequence(), "a refused body changed the consent journal");
        assertTrue(JSON.readTree(send("GET", "/v1/items/I04", null, null).body()).get("available").asBoolean());
        // identity is no coding at all: accepted as a plain body.
        HttpResponse<String> identity = CLIENT.send(encoded("POST", "/v1/baskets/recommendations", "identity")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[\"I01\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, identity.statusCode(), identity.body());
    }

    private static HttpRequest.Builder encoded(String method, String path, String coding) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header("Content-Encoding", coding);
    }

    @Test
    void basketBodiesRejectTrailingContentAndSayWhatIsWrongWithAnItem() throws Exception {
        assertProblem(basket("", "{\"items\":[\"I01\"]} trailing"), 400, "at line 1, column 19");
        assertProblem(basket("", "{\"items\":[\"I01\"],\"items\":[\"I02\"]}"), 400, "Duplicate field 'items'");
        String longId = "X".repeat(200);
        HttpResponse<String> tooLong = basket("", "{\"items\":[\"" + longId + "\"]}");
        assertProblem(tooLong, 400, "field 'items[0]' must be a non-blank string of at most 128 characters, "
                + "was 200 characters");
        assertProblem(basket("", "{\"items\":[\"  \"]}"), 400, "was blank");
        assertProblem(basket("", "{\"items\":[7]}"), 400, "was number");
        assertProblem(basket("", "{\"items\":[\"I01\"],\"customerId\":17850}"), 400,
                "field 'customerId' must be a string, was number");
    }

    // ---- query parameters: unknown or malformed ones are 400s ----

    @Test
    void unknownQueryParametersAreRejectedNamingThemAndTheAcceptedOnes() throws Exception {
        HttpResponse<String> typo = send("GET", "/v1/items/I01/bought-together?lmit=2", null, null);
        assertProblem(typo, 400, "unknown query parameter 'lmit'; this endpoint accepts limit, filter, boost");
        assertProblem(send("GET", "/v1/customers/" + SECRET + "/recommendations?limit=2&colour=red", null, null), 400,
                "unknown query parameter 'colour'");
        assertProblem(send("GET", "/v1/customers/C100/profile?x=1", null, null), 400,
                "unknown query parameter 'x'; this endpoint accepts none");
        assertProblem(send("GET", "/v1/items?q=item&sort=lift", null, null), 400, "accepts q, limit");
        assertProblem(send("GET", "/v1/rules?item=I01&lmit=2", null, null), 400, "unknown query parameter 'lmit'");
        HttpResponse<String> basketLimit = basket("?limit=3", "{\"items\":[\"I01\"]}");
        assertProblem(basketLimit, 400, "query parameter 'limit' is not accepted here: it goes in the JSON body");
        assertProblem(send("GET", "/v1/items/I01/bought-together?limit=2&limit=3", null, null), 400,
                "query parameter 'limit' is given more than once");
        // The accepted ones still work.
        JsonNode two = JSON.readTree(send("GET", "/v1/items/I01/bought-together?limit=2", null, null).body());
        assertEquals(2, two.get("items").size(), two.toString());
        HttpResponse<String> ruled = basket("?maxPerCategory=1", "{\"items\":[\"I01\"],\"limit\":3}");
        assertEquals(200, ruled.statusCode(), ruled.body());
    }

    @Test
    void malformedQueryValuesAreRejectedNamingTheParameter() throws Exception {
        JsonNode badEscape = rawProblem(raw("GET /v1/items/I01/bought-together?limit=%ZZ HTTP/1.1"), 400, "%ZZ");
        assertTrue(badEscape.get("detail").asText().contains("query parameter 'limit' is not valid percent-encoding"),
                badEscape.toString());
        assertProblem(send("GET", "/v1/items?q=caf%E9", null, null), 400,
                "query parameter 'q' is not valid UTF-8 once percent-decoded");
        assertEquals(200, send("GET", "/v1/items?q=caf%C3%A9", null, null).statusCode(), "UTF-8 'é' is fine");
        assertProblem(send("GET", "/v1/customers/C100/recommendations?asOf=yesterday", null, null), 400,
                "query parameter 'asOf' must be a date");
        assertProblem(send("GET", "/v1/items/I01/bought-together?asOf=yesterday", null, null), 400,
                "query parameter 'asOf' must be a date");
        assertProblem(send("GET", "/v1/campaigns/offers?segment=rfm:nonsense&channel=email", null, null), 400,
                "query parameter 'segment'");
        HttpResponse<String> champions = send("GET", "/v1/campaigns/offers?segment=rfm:champions&channel=email",
                null, null);
        assertEquals(200, champions.statusCode(), champions.body());
    }

    /**
     * Every /v1 and /admin operation accepts exactly the query parameters the OpenAPI document lists for it: the
     * 400 for an unknown one lists them, and the list must be the document's.
     */
    @Test
    void eachOperationAcceptsExactlyTheQueryParametersTheOpenApiDocumentLists() throws Exception {
        JsonNode doc = JSON.readTree(send("GET", "/openapi.json", null, null).body());
        int checked = 0;
        for (var path = doc.get("paths").fields(); path.hasNext(); ) {
            var p = path.next();
            if (!p.getKey().startsWith("/v1/") && !p.getKey().startsWith("/admin/")) {
                continue;
            }
            String concrete = p.getKey().replace("{itemId}", "I01").replace("{customerId}", "C100")
                    .replace("{channel}", "email").replace("{version}", "no-such-version");
            for (var op = p.getValue().fields(); op.hasNext(); ) {
                var o = op.next();
                if (o.getKey().equals("parameters") || o.getKey().equals("head")) {
                    continue; // parameters shared by the path's operations; HEAD: compared with GET below
                }
                Set<String> documented = new java.util.TreeSet<>();
                for (JsonNode parameter : concat(p.getValue().path("parameters"), o.getValue().path("parameters"))) {
                    if (parameter.get("in").asText().equals("query")) {
                        documented.add(parameter.get("name").asText());
                    }
                }
                String method = o.getKey().toUpperCase(java.util.Locale.ROOT);
                HttpResponse<String> r = send(method, concrete + "?zzunknown=1", "application/json",
                        method.equals("GET") ? null : "{}");
                String where = method + " " + p.getKey();
                assertEquals(400, r.statusCode(), where + ": " + r.body());
                String detail = JSON.readTree(r.body()).get("detail").asText();
                String prefix = "unknown query parameter 'zzunknown'; this endpoint accepts ";
                assertTrue(detail.startsWith(prefix), where + ": " + detail);
                String list = detail.substring(prefix.length());
                Set<String> accepted = new java.util.TreeSet<>(list.equals("none") ? List.of()
                        : List.of(list.split(", ")));
                assertEquals(documented, accepted, where);
                // The 400 it just answered must be among the operation's documented responses (and HEAD's, which
                // answers the same): a client generated from the document would otherwise not expect it.
                assertTrue(o.getValue().path("responses").has("400"), where + " answers 400 but does not document it");
                if (method.equals("GET")) {
                    assertTrue(p.getValue().path("head").path("responses").has("400"),
                            "HEAD " + p.getKey() + " answers 400 but does not document it");
                }
                checked++;
            }
        }
        assertTrue(checked >= 15, "operations checked: " + checked);
    }

    /**
     * HEAD is GET without the body (RFC 9110): for every GET operation of the OpenAPI document, a valid request,
     * one with an unknown parameter and one for an unknown item answer HEAD with GET's status and content type
     * and no body. Javalin alone answers HEAD of a GET route 200 without running it.
     */
    @Test
    void headAnswersWithGetsStatusAndTypeOnEveryReadEndpoint() throws Exception {
        JsonNode doc = JSON.readTree(send("GET", "/openapi.json", null, null).body());
        int checked = 0;
        Set<Integer> statuses = new HashSet<>();
        for (var path = doc.get("paths").fields(); path.hasNext(); ) {
            var p = path.next();
            if (!p.getValue().has("get")) {
                continue;
            }
            String known = p.getKey().replace("{itemId}", "I01").replace("{customerId}", "C100");
            String channel = p.getKey().equals("/v1/campaigns/offers") ? "?channel=email" : "";
            List<String> requests = new java.util.ArrayList<>(List.of(known + channel,
                    known + (channel.isEmpty() ? "?" : channel + "&") + "zzunknown=1"));
            if (p.getKey().contains("{itemId}")) {
                requests.add(p.getKey().replace("{itemId}", "NO-SUCH-ITEM").replace("{customerId}", "C100"));
            }
            for (String request : requests) {
                HttpResponse<String> get = send("GET", request, null, null);
                HttpResponse<String> head = send("HEAD", request, null, null);
                assertEquals(get.statusCode(), head.statusCode(), "HEAD " + request);
                assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"),
                        "HEAD " + request);
                assertEquals("", head.body(), "HEAD " + request);
                assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"),
                        "HEAD " + request + " frames the (absent) body as GET does");
                statuses.add(get.statusCode());
                checked++;
            }
        }
        assertTrue(checked >= 25, "requests checked: " + checked);
        assertTrue(statuses.containsAll(Set.of(200, 400, 404)), "statuses seen: " + statuses);
    }

    /**
     * A body over the limit gets its 413 even while the client is still sending it: the server reads and drops
     * the rest (up to a bound) before answering, instead of closing under the client, whose kernel would then
     * reset the connection and lose the answer ("no response" instead of the 413).
     */
    @Test
    void anOversizedBodyGetsItsProblemAnswerNotAResetConnection() throws Exception {
        String big = "{\"items\": [\"" + "A".repeat(600_000) + "\"]}";
        for (int i = 0; i < 3; i++) {
            assertProblem(basket("", big), 413, "limit");
            assertProblem(put("/v1/customers/C100/consent/email", big), 413, "limit");
            assertProblem(put("/admin/items/I01/availability", big), 413, "limit");
        }
    }

    /** The api's list of RFM segment names is the one training assigns (every cell of its grid). */
    @Test
    void rfmSegmentNamesAreTrainingsNames() {
        Set<String> names = new HashSet<>();
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                names.add(Rfm.segment(r, f));
            }
        }
        assertEquals(names, CustomerRoutes.RFM_SEGMENTS);
    }

    // ---- requests Jetty refuses itself ----

    @Test
    void requestsJettyRefusesAreProblemBodiesWithoutThePath() throws Exception {
        assertRawProblem(raw("GET /v1/customers/secret%00cust/recommendations HTTP/1.1"), 400, "secret");
        assertRawProblem(raw("GET /v1/items/%ZZ HTTP/1.1"), 400, "%ZZ");
        String longId = "secretcust" + "7".repeat(20_000);
        assertRawProblem(raw("GET /v1/customers/" + longId + "/recommendations HTTP/1.1"), 414, "secretcust");
        // Jetty answers 431 when it counts the header past its limit; in one of four full api suites run beside
        // two CPU burners it answered 400 (a bad message) instead, which 3,400 tries of this request alone never
        // did. Either refuses the request; what this test owns is a problem body that does not echo the header.
        String big = raw("GET /v1/model HTTP/1.1\r\nX-Big: secretcust" + "7".repeat(20_000));
        assertRawProblem(big, big.startsWith("HTTP/1.1 400") ? 400 : 431, "secretcust");
    }

    /**
     * Found by {@link HttpFuzzTest}: Jetty wrote its error body only for GET, POST and HEAD, so a PUT to a path with a
     * bad UTF-8 percent-encoding got a bare 400 (no body, no Content-Type) that did not say why; and a HEAD whose path
     * has a bad percent-encoding ({@code %ZZ}) got the body, which breaks the framing of a kept-alive connection.
     */
    @Test
    void aPathJettyRefusesGetsItsProblemBodyWhateverTheMethod() throws Exception {
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "GET", "POST")) {
            assertRawProblem(raw(method + " /v1/customers/" + SECRET + "%C3%28/consent/email HTTP/1.1"), 400, SECRET);
        }
        String head = raw("HEAD /v1/items/I01%C3%28 HTTP/1.1");
        assertTrue(head.startsWith("HTTP/1.1 400"), head);
        assertTrue(head.endsWith("\r\n\r\n"), "HEAD gets the headers only: " + head);
        // %ZZ is refused before Jetty knows the method, so the body comes even for HEAD: the connection must end
        // with it, or a client keeping it alive reads the body as its next answer.
        String unparsed = raw("HEAD /v1/items/%ZZ HTTP/1.1");
        assertTrue(unparsed.startsWith("HTTP/1.1 400"), unparsed);
        assertTrue(unparsed.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), unparsed);
    }

    /**
     * Found by {@link HttpFuzzTest}: a malformed basket body with an unquoted customer id ({@code "customerId":
     * secretcust77}) got a 400 whose detail quoted Jackson's "Unrecognized token 'secretcust77'".
     */
    @Test
    void malformedJsonIsLocatedWithoutRepeatingTheUnrecognisedToken() throws Exception {
        HttpResponse<String> r = basket("", "{\"items\": [\"I01\"], \"customerId\": secretcust77}");
        assertProblem(r, 400, "Unrecognized token (not repeated here)");
        assertTrue(r.body().contains("malformed JSON at line 1, column "), r.body());
        assertFalse(r.body().contains("secretcust77"), r.body());
    }

    /**
     * Found by {@link HttpFuzzTest}: when an answer (here a 401, before any handler reads the body) was ready before
     * the body had arrived, Jetty closed the connection, and the client, still sending, lost the answer to the reset
     * ("received no bytes"). The server now reads and drops the unread body, and the connection stays usable.
     */
    @Test
    void aBodyNobodyReadsIsDroppedAndTheConnectionStaysUsable() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("DELETE /admin/items/I01/availability HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 70000"
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(300); // the body comes late, as from a client that sends headers first
            try {
                out.write("x".repeat(70_000).getBytes(StandardCharsets.ISO_8859_1));
                out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // the old behaviour: the server had closed the connection; the answers read below say so
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (java.io.IOException e) {
                // reset: whatever arrived before it is checked below
            }
            String answers = all.toString(StandardCharsets.UTF_8);
            assertTrue(answers.startsWith("HTTP/1.1 401"), answers);
            assertTrue(answers.contains("HTTP/1.1 200"), "the next request on the connection is answered: " + answers);
        }
    }

    /**
     * Found by the seventeenth session's audit: a request that declares a body over the limit, and sends none (or
     * sends it slowly), had its 413 held back until the drain of its unread body gave up at the idle timeout (30 s),
     * so the client waited half a minute to learn it was refused. The answer is now sent before the drain; a body
     * declared beyond the drain limit is not waited for at all and its connection is closed.
     */
    @Test
    void anOversizedDeclaredBodyIsRefusedAtOnceEvenIfItNeverArrives() throws Exception {
        for (long declared : List.of(70_000L, 50_000_000L)) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000); // far below the idle timeout the old code waited for
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/baskets/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        + "application/json\r\nContent-Length: " + declared + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String head = readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 413"), declared + ": " + head);
                if (declared > RequestBodies.DRAIN_LIMIT) {
                    // nothing of it is waited for: the connection ends after the answer (a timeout fails here)
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                }
            }
        }
    }

    /**
     * A request body the client breaks (a chunk size that is not hex, a body ending before its Content-Length) is the
     * client's mistake: a 400, and no ERROR with a stack trace in the log. It was a 500 with about 60 log lines
     * each, so a flood of such requests filled the log; every path that reads a body is affected.
     */
    @Test
    void aBrokenRequestBodyIsA400WithoutAStackTraceInTheLog() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            for (String path : List.of("/v1/baskets/recommendations", "/v1/customers/" + SECRET + "/consent/email")) {
                String head;
                String method = path.contains("consent") ? "PUT" : "POST";
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    head = readHead(socket.getInputStream());
                }
                assertTrue(head.startsWith("HTTP/1.1 400"), path + ": " + head);
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"items\"")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    socket.shutdownOutput(); // the client stops sending: the body ends 92 bytes early
                    head = readHead(socket.getInputStream());
                }
                assertTrue(head.isEmpty() || head.startsWith("HTTP/1.1 400"), path + ": " + head);
            }
            Thread.sleep(200); // the request log runs after the answer
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertFalse(logged.contains("ERROR"), logged);
        assertFalse(logged.contains("\tat "), "no stack trace: " + logged);
        assertFalse(logged.contains(SECRET), logged);
    }

    /** Reads a response's status line and headers, without waiting for the connection to end. */
    private static String readHead(java.io.InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    private static void assertRawProblem(String response, int status, String mustNotContain) throws Exception {
        rawProblem(response, status, mustNotContain);
    }

    private static JsonNode rawProblem(String response, int status, String mustNotContain) throws Exception {
        int split = response.indexOf("\r\n\r\n");
        assertTrue(split > 0, response);
        String head = response.substring(0, split);
        String body = response.substring(split + 4);
        assertTrue(head.startsWith("HTTP/1.1 " + status), head);
        assertTrue(head.toLowerCase().contains("content-type: application/problem+json"), head);
        JsonNode problem = JSON.readTree(body);
        assertEquals(status, problem.get("status").asInt(), body);
        assertFalse(problem.get("detail").asText().isBlank(), body);
        assertFalse(body.contains(mustNotContain), body);
        return problem;
    }

    /** Sends one raw request line (clients refuse to send some of these URIs) and reads the whole answer. */
    private static String raw(String requestLine) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    // ---- helpers ----

    private static List<JsonNode> concat(JsonNode a, JsonNode b) {
        List<JsonNode> all = new java.util.ArrayList<>();
        a.forEach(all::add);
        b.forEach(all::add);
        return all;
    }

    static void assertProblem(HttpResponse<String> r, int status, String detailPart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE),
                r.headers().toString());
        JsonNode problem = JSON.readTree(r.body());
        assertEquals(status, problem.get("status").asInt());
        assertTrue(problem.get("detail").asText().contains(detailPart), r.body());
        assertFalse(r.body().contains(SECRET), r.body());
    }

    private static HttpResponse<String> basket(String query, String body) throws Exception {
        return send("POST", "/v1/baskets/recommendations" + query, "application/json", body);
    }

    private static HttpResponse<String> put(String path, String body) throws Exception {
        return send("PUT", path, "application/json", body);
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
