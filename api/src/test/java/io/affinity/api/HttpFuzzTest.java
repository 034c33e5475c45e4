package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.FuzzTest;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.ingest.CatalogFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random requests against the real server (store-backed model with customers, profiles, consent, rules and a
 * catalogue index with attributes; admin token; consent and availability journals), built from the registered
 * endpoints and their documented parameters, with mutated ids, hostile query values, malformed bodies, random
 * content types, methods and tokens. The contract checked on every answer (README, issue 6): never a 5xx; every
 * 4xx a problem body whose {@code status} is the HTTP status and whose {@code detail} says something; 2xx JSON
 * parses; no answer (nor the server log) carries a customer id the request sent. Every customer id of the model
 * contains {@value #MARKER}, which nothing else in the model or the requests does, so finding the marker in an
 * answer is finding a customer id.
 *
 * <p>Reproduce a failure with {@code -Daffinity.fuzz.seed=<seed>}; each failure also prints the one request's own
 * seed and the request itself. {@code -Daffinity.fuzz.requests=N} changes the request count.
 */
@FuzzTest
class HttpFuzzTest {
    static final String TOKEN = "fuzz-admin-token-0123456789abcdef";
    static final String MARKER = "secret";
    static final List<String> CUSTOMERS = List.of("cust-secret-4711", "cust-secret-0042", "17850-secret",
            "cust-secret-9", "CUST-SECRET-UPPER", "cust secret spaced", "cust-secret-ü", "cust-secret-end",
            "cust-secret-new", "cust-secret-x");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    /** Statuses the README documents for refused requests. */
    private static final java.util.Set<Integer> CLIENT_ERRORS = java.util.Set.of(400, 401, 404, 405, 409, 413,
            414, 415, 422, 431);

    @TempDir
    static Path tmp;
    static final List<String> VERSIONS = new ArrayList<>();
    static SwappableModelSource source;
    static ModelAdmin admin;
    static ConsentJournal consent;
    static ItemAvailability availability;
    static AffinityServer server;
    static PrintStream err;
    static ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** One endpoint: method, path template, its query parameters and the kind of body it takes (or null). */
    record Endpoint(String method, String template, List<String> query, String body) {
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/health", List.of(), null),
            new Endpoint("GET", "/ready", List.of(), null),
            new Endpoint("GET", "/metrics", List.of(), null),
            new Endpoint("GET", "/openapi.json", List.of(), null),
            new Endpoint("GET", "/v1/model", List.of(), null),
            new Endpoint("POST", "/v1/baskets/recommendations", List.of(Routes.RULE_PARAMETERS), "basket"),
            new Endpoint("GET", "/v1/items/{itemId}/bought-together", ranked(), null),
            new Endpoint("GET", "/v1/customers/{customerId}/recommendations", ranked(), null),
            new Endpoint("GET", "/v1/rules", List.of("item", "consequent", "minLift", "minConfidence", "minSupport",
                    "sort", "offset", "limit"), null),
            new Endpoint("GET", "/v1/items", List.of("q", "limit"), null),
            new Endpoint("GET", "/v1/items/{itemId}", List.of(), null),
            new Endpoint("GET", "/admin/models", List.of(), null),
            new Endpoint("POST", "/admin/models/reload", List.of(), null),
            new Endpoint("POST", "/admin/models/{version}/activate", List.of(), null),
            new Endpoint("PUT", "/admin/items/{itemId}/availability", List.of(), "availability"),
            new Endpoint("DELETE", "/admin/items/{itemId}/availability", List.of(), null),
            new Endpoint("GET", "/v1/customers/{customerId}/profile", List.of(), null),
            new Endpoint("GET", "/v1/customers/{customerId}/next-best-offers", withRules("channel", "limit"), null),
            new Endpoint("GET", "/v1/items/{itemId}/upsell", withRules("customerId", "limit"), null),
            new Endpoint("PUT", "/v1/customers/{customerId}/consent/{channel}", List.of(), "consent"),
            new Endpoint("GET", "/v1/campaigns/offers", withRules("segment", "channel", "limit"), null),
            new Endpoint("GET", "/no/such/endpoint", List.of(), null),
            new Endpoint("GET", "/v1/customers/{customerId}", List.of(), null),
            new Endpoint("GET", "/", List.of(), null));

    private static List<String> withRules(String... own) {
        List<String> names = new ArrayList<>(List.of(own));
        names.addAll(List.of(Routes.RULE_PARAMETERS));
        return names;
    }

    private static List<String> ranked() {
        List<String> names = new ArrayList<>(List.of(Routes.RULE_PARAMETERS));
        names.add("limit");
        return names;
    }

    @BeforeAll
    static void start() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        VERSIONS.add(publish(store, "a"));
        VERSIONS.add(publish(store, "b"));
        String damaged = publish(store, "damaged");
        TestStores.corrupt(store.directory().resolve(damaged).resolve("popular.bin"));
        VERSIONS.add(damaged);
        store.activate(VERSIONS.get(0));
        source = new SwappableModelSource();
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        consent = ConsentJournal.open(tmp.resolve("consent.journal"));
        availability = ItemAvailability.journaled(tmp.resolve("availability.journal"));
        err = System.err;
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call: keep a copy to search.
        System.setErr(new PrintStream(new TeeStream(err, log), true, StandardCharsets.UTF_8));
        server = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), source,
                new ServerOptions(AccessControl.of(TOKEN, List.of()), admin, Duration.ofSeconds(5), consent, 0.3,
                        new BusinessRuleConfig(0, 2, availability))).start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            admin.close();
            source.close(Duration.ofSeconds(5));
            consent.close();
            availability.close();
        } finally {
            System.setErr(err);
        }
    }

    /** Items I00..I19 and NEW1 as in {@link CatalogAttributesHttpTest}, customers with profiles and consent. */
    static String publish(ModelStore store, String tag) throws Exception {
        CatalogFile catalog = CatalogFile.read(
                Path.of(HttpFuzzTest.class.getResource("/catalog/attributes.csv").toURI()), 0);
        SnapshotBuilder b = store.newSnapshot();
        List<ItemFacts> items = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            items.add(new ItemFacts(TestStores.itemId(i), "ITEM " + i + " @" + tag, "cat" + (i % 3), 1.5 + i,
                    100 - i, 50, 300));
            b.putRules(TestStores.itemId(i), List.of(
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 1) % TestStores.ITEMS),
                            40, 0.04, 0.6, 3.0, 0.01, 2.0),
                    new AssociationRule(List.of(TestStores.itemId(i)), TestStores.itemId((i + 2) % TestStores.ITEMS),
                            30, 0.03, 0.4, 2.5, 0.01, 1.5)));
        }
        items.add(new ItemFacts("NEW1", "Brand new kettle", "", 30, 0, 0, 0, 12));
        items.forEach(b::putItem);
        LocalDate day = LocalDate.of(2011, 5, 1);
        for (int c = 0; c < CUSTOMERS.size(); c++) {
            String id = CUSTOMERS.get(c);
            if (id.equals("cust-secret-new")) {
                continue; // a well-formed id the model does not know
            }
            b.putCustomer(id, new CustomerHistory(4, List.of(
                    new PurchasedItem(TestStores.itemId(c), 3, 10, day),
                    new PurchasedItem(TestStores.itemId(c + 5), 1, 2, day.minusDays(10))), 2));
            b.putProfile(id, CustomerApiTest.profile(CustomerProfile.Tier.values()[c % 4],
                    id.equals("cust-secret-end") ? CustomerProfile.Strategy.END : CustomerProfile.Strategy.ENHANCE));
            b.putConsent(id, Map.of(Consent.Channel.EMAIL, Consent.State.values()[c % Consent.State.values().length]));
        }
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < TestStores.ITEMS; i++) {
            popular.add(new PopularItem(TestStores.itemId(i), 1000 - i, 500 - i));
        }
        b.popularItems(popular);
        b.addDirectory(Catalog.DIRECTORY, dir -> CatalogIndexWriter.write(dir, items, catalog));
        return b.publish(false);
    }

    @Test
    void randomRequestsNeverFailTheServerNorLeakCustomerIds() throws Exception {
        long seed = Long.getLong("affinity.fuzz.seed", 20261124L);
        int requests = Integer.getInteger("affinity.fuzz.requests", 3000);
        Random rnd = new Random(seed);
        Map<String, List<String>> failures = new TreeMap<>(); // by what broke, examples in order
        int failed = 0;
        Map<String, Integer> kinds = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Request previous = null;
        for (int i = 0; i < requests; i++) {
            long requestSeed = rnd.nextLong();
            Request request = Request.random(new Random(requestSeed));
            kinds.merge(request.method + (request.raw ? " (raw socket)" : "")
                    + (request.method.equals(request.endpoint.method()) ? "" : " (other method)"), 1, Integer::sum);
            String problem;
            Answer answer = null;
            try {
                answer = request.send();
                statuses.merge(answer.status(), 1, Integer::sum);
                problem = check(request, answer);
            } catch (IOException | InterruptedException e) {
                problem = "no answer: " + e;
            }
            if (problem != null) {
                failed++;
                failures.computeIfAbsent(problem.replaceAll("\\d+", "N"), k -> new ArrayList<>()).add(problem
                        + "\n  seed " + seed + ", request #" + i + " (request seed " + requestSeed + "): " + request
                        + "\n  answer: " + (answer == null ? "none" : answer.shortly())
                        + (answer == null ? "\n  after: " + previous : ""));
            }
            previous = request;
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        if (logged.toLowerCase(Locale.ROOT).contains(MARKER)) {
            int at = logged.toLowerCase(Locale.ROOT).indexOf(MARKER);
            failed++;
            failures.put("log", List.of("the server log holds a customer id (seed " + seed + "): ..."
                    + logged.substring(Math.max(0, at - 300), Math.min(logged.length(), at + 100))));
        }
        System.out.println("HttpFuzzTest: " + requests + " requests, seed " + seed + ": " + kinds + "; statuses "
                + statuses);
        StringBuilder report = new StringBuilder();
        failures.forEach((what, examples) -> report.append("\n").append(examples.size()).append(" x ").append(what)
                .append(", e.g.:\n").append(String.join("\n", examples.subList(0, Math.min(3, examples.size())))));
        assertTrue(failures.isEmpty(), failed + " of " + requests + " requests broke the contract (seed " + seed
                + "), by what broke:" + report);
    }

    /** The contract for one answer; null when it holds. */
    static String check(Request request, Answer a) throws IOException {
        int status = a.status;
        if (status >= 500) {
            return "server error " + status;
        }
        boolean head = request.method.equals("HEAD");
        String lowerAll = (a.headers + "\n" + a.body).toLowerCase(Locale.ROOT);
        boolean exportAnswer = request.endpoint.template.equals("/v1/campaigns/offers") && status == 200;
        if (request.sendsCustomerId && !exportAnswer && lowerAll.contains(MARKER)) {
            return "the answer holds the customer id of the request";
        }
        if (status >= 400) {
            if (!CLIENT_ERRORS.contains(status)) {
                return "undocumented status " + status;
            }
            if (!a.contentType().startsWith(Problem.MEDIA_TYPE)) {
                return "a " + status + " without a problem body (Content-Type '" + a.contentType() + "')";
            }
            if (head) {
                // A URI Jetty cannot parse (%ZZ, a raw space) is refused before it knows the method was HEAD, so the
                // body comes; harmless only because the connection ends with it.
                return a.body.isEmpty() || "close".equalsIgnoreCase(a.header("connection")) ? null
                        : "HEAD answered with a body on a connection kept open";
            }
            JsonNode p;
            try {
                p = JSON.readTree(a.body);
            } catch (IOException e) {
                return "problem body does not parse: " + e.getMessage();
            }
            if (p == null || !p.isObject() || !p.path("type").isTextual() || !p.path("title").isTextual()
                    || p.path("status").asInt() != status || p.path("detail").asText("").isBlank()) {
                return "problem body lacks type, title, status = " + status + " or a detail";
            }
            if (status == 405 && a.header("allow") == null) {
                return "405 without an Allow header";
            }
            return null;
        }
        if (status < 200 || status >= 300) {
            return "unexpected status " + status;
        }
        if (head || request.method.equals("OPTIONS") && a.body.isEmpty()) {
            return head && !a.body.isEmpty() ? "HEAD answered with a body" : null;
        }
        String type = a.contentType();
        try {
            if (type.startsWith("application/json")) {
                JSON.readTree(a.body);
            } else if (type.startsWith("application/x-ndjson")) {
                for (String line : a.body.split("\n")) {
                    JSON.readTree(line);
                }
            }
        } catch (IOException e) {
            return "2xx body of type " + type + " does not parse";
        }
        return null;
    }

    /** One HTTP answer: status, header text, body as UTF-8, headers by lower-case name. */
    record Answer(int status, String headers, String body, Map<String, String> headerMap) {
        String contentType() {
            String t = header("content-type");
            return t == null ? "" : t.toLowerCase(Locale.ROOT);
        }

        String header(String name) {
            return headerMap.get(name.toLowerCase(Locale.ROOT));
        }

        String shortly() {
            return status + " " + headerMap + " " + (body.length() > 400 ? body.substring(0, 400) + "..." : body);
        }
    }

    /** One random request, kept in the form it is sent so that a failure prints it exactly. */
    static final class Request {
        final Endpoint endpoint;
        String method;
        String path;
        String query = "";
        byte[] body;
        String contentType;
        String authorization;
        boolean raw;
        boolean sendsCustomerId;

        Request(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        static Request random(Random r) {
            Endpoint e = ENDPOINTS.get(r.nextInt(ENDPOINTS.size()));
            Request q = new Request(e);
            q.method = r.nextInt(10) < 6 ? e.method : METHODS[r.nextInt(METHODS.length)];
            if (q.method.equals("GET") && r.nextInt(5) == 0) {
                q.method = "HEAD";
            }
            StringBuilder path = new StringBuilder();
            for (String segment : e.template.substring(1).split("/", -1)) {
                path.append('/');
                switch (segment) {
                    case "{customerId}" -> {
                        path.append(q.customerSegment(r));
                    }
                    case "{itemId}" -> path.append(Values.itemSegment(r));
                    case "{version}" -> path.append(r.nextInt(3) == 0 ? Values.mutated(r, "V" + r.nextInt(9))
                            : VERSIONS.get(r.nextInt(VERSIONS.size())));
                    case "{channel}" -> path.append(r.nextInt(3) == 0 ? Values.mutated(r, "email")
                            : Values.pick(r, "email", "sms", "push", "web"));
                    default -> path.append(segment);
                }
            }
            if (r.nextInt(30) == 0) {
                path.append(Values.pick(r, "/", "//", "/.", "/..", "/extra", "%2F", ";x=1"));
            }
            q.path = path.toString();
            q.query = q.randomQuery(r, e);
            q.body = q.randomBody(r, e);
            if (q.body != null && q.body.length > 65_536 && !Values.decodable(q.path)) {
                // Known and left: a path the HTTP layer refuses (bad percent-encoding) is answered and the
                // connection closed before a body over the limit has been read, and the client still sending it
                // can lose the answer to the reset. Such requests get a small body here, so the rest stays checked.
                q.body = java.util.Arrays.copyOf(q.body, 1000);
            }
            q.contentType = Values.pick(r, "application/json", "application/json", "application/json",
                    "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", null, null,
                    "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1",
                    "application/jsonx", "multipart/form-data; boundary=xyz", "", "*/*");
            int auth = r.nextInt(10);
            q.authorization = auth < 6 ? "Bearer " + TOKEN : auth < 7 ? "Bearer wrong-token-0123456789abcdef"
                    : auth < 8 ? Values.pick(r, "Bearer ", "Basic Zm9vOmJhcg==", "bearer " + TOKEN, TOKEN,
                    "Bearer " + TOKEN + " extra") : null;
            q.raw = r.nextInt(8) == 0 || q.needsRaw();
            return q;
        }

        private String customerSegment(Random r) {
            sendsCustomerId = true;
            String id = CUSTOMERS.get(r.nextInt(CUSTOMERS.size()));
            return r.nextInt(2) == 0 ? Values.enc(id) : Values.mutated(r, id);
        }

        private String randomQuery(Random r, Endpoint e) {
            List<String> parts = new ArrayList<>();
            for (String name : e.query) {
                if (r.nextInt(3) == 0) {
                    String value = value(r, name);
                    parts.add(Values.enc(name) + "=" + value);
                    if (r.nextInt(25) == 0) {
                        parts.add(Values.enc(name) + "=" + value(r, name)); // given twice
                    }
                }
            }
            int extra = r.nextInt(20);
            if (extra == 0) {
                parts.add(Values.pick(r, "lmit=5", "limit=5", "customerId=" + Values.enc(CUSTOMERS.get(0)),
                        "items=I00", "%ZZ=1", "=", "&", "a", "q", "filter", "limit", "x=%E9", "%C3%A9=1"));
                if (parts.get(parts.size() - 1).startsWith("customerId")) {
                    sendsCustomerId = true;
                }
            } else if (extra == 1) {
                parts.add(Values.pick(r, "limit=%", "limit=%G1", "limit=%00", "q=%", "filter=a%2", "limit=1%201"));
            }
            if (parts.isEmpty()) {
                return "";
            }
            if (r.nextInt(15) == 0) {
                java.util.Collections.shuffle(parts, r);
            }
            return "?" + String.join(r.nextInt(30) == 0 ? "&&" : "&", parts);
        }

        private String value(Random r, String name) {
            if (r.nextInt(12) == 0) {
                return Values.pick(r, "", "%20", "+", "%00", "%E9", "%ZZ", "%C3%28", "%F0%9F%98%80", "%EF%BF%BD",
                        Values.enc("  "), Values.enc("\t"), Values.enc("\u00e9\u00e8"), Values.enc("x".repeat(3000)));
            }
            return switch (name) {
                case "limit", "offset", "pinLimit", "excludeBoughtWithinDays", "maxPerCategory" ->
                        Values.enc(Values.number(r));
                case "minLift", "minConfidence", "minSupport" -> Values.enc(Values.decimal(r));
                case "asOf" -> Values.enc(Values.pick(r, "2011-05-01", "2011-05-11", "2011-13-45", "9999-12-31",
                        "-999999999-01-01", "+999999999-12-31", "0000-01-01", "1900-02-29", "2011-5-1",
                        "2011-05-01T10:00", " 2011-05-01 ", "yesterday", "1e400", "NaN"));
                case "sort" -> Values.enc(Values.pick(r, "lift", "confidence", "support", "leverage", "conviction",
                        "LIFT", " lift", "nope", "lift,confidence", "-lift"));
                case "item", "consequent" -> Values.itemSegment(r);
                case "channel" -> Values.enc(Values.pick(r, "email", "sms", "push", "web", "EMAIL", "fax", " email",
                        "email,sms", "e-mail", "\u0435mail"));
                case "segment" -> Values.enc(Values.pick(r, "all", "ALL", "tier:gold", "tier:platinum", "tier:",
                        "tier:nope", ":", "rfm:champions", "rfm:at-risk", "rfm:nope", "stage:active", "stage:",
                        "strategy:enhance", "strategy:end", "strategy:x", "gold", "tier:gold:extra", "tier: GOLD ",
                        "nope:gold", "tier:gold,p_alive_below:0.5", "p_alive_at_least:1", "p_alive_below:2",
                        "p_alive_below:", "tier:gold,,stage:new", "tier:gold,tier:iron", "p_alive_below:1e-1", ","));
                case "customerId" -> {
                    sendsCustomerId = true;
                    String id = CUSTOMERS.get(r.nextInt(CUSTOMERS.size()));
                    yield r.nextInt(2) == 0 ? Values.enc(id) : Values.mutated(r, id);
                }
                case "filter", "boost", "pin", "q" -> Values.enc(Values.lucene(r));
                default -> Values.enc(Values.number(r));
            };
        }

        private byte[] randomBody(Random r, Endpoint e) {
            boolean takesBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                    || method.equals("DELETE");
            if (!takesBody || r.nextInt(8) == 0) {
                return r.nextInt(10) == 0 ? "{\"items\":[\"I00\"]}".getBytes(StandardCharsets.UTF_8) : null;
            }
            String kind = e.body != null && r.nextInt(5) > 0 ? e.body
                    : Values.pick(r, "basket", "consent", "availability", "garbage");
            return Bodies.random(r, kind, this);
        }

        /** Paths and queries HttpClient would refuse (or rewrite) are sent over a raw socket. */
        private boolean needsRaw() {
            if ((path + query).length() > 6000) {
                // Jetty refuses a request line past its header limit (414) and closes while HttpClient still
                // writes it: the client is reset and loses the answer. The raw sender reads it after a failed write.
                return true;
            }
            try {
                URI uri = URI.create("http://127.0.0.1:1" + path + query);
                return !uri.getRawPath().equals(path);
            } catch (IllegalArgumentException e) {
                return true;
            }
        }

        Answer send() throws IOException, InterruptedException {
            return raw ? sendRaw() : sendClient();
        }

        private Answer sendClient() throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path
                    + query)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null && !contentType.isEmpty()) {
                b.header("Content-Type", contentType);
            }
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            HttpResponse<byte[]> response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            return new Answer(response.statusCode(), headers.toString(),
                    new String(response.body(), StandardCharsets.UTF_8), headers);
        }

        private Answer sendRaw() throws IOException {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                StringBuilder head = new StringBuilder(method).append(' ').append(path).append(query)
                        .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
                if (contentType != null) {
                    head.append("Content-Type: ").append(contentType).append("\r\n");
                }
                if (authorization != null) {
                    head.append("Authorization: ").append(authorization).append("\r\n");
                }
                if (body != null) {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
                head.append("\r\n");
                // The request line as UTF-8 bytes: raw non-ASCII in a path is what some clients send.
                try {
                    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                    if (body != null) {
                        out.write(body);
                    }
                    out.flush();
                } catch (java.net.SocketException e) {
                    // Refused early (a 414 for a long request line) and closed: the answer is still to be read.
                }
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                InputStream in = socket.getInputStream();
                try {
                    in.transferTo(all);
                } catch (java.net.SocketException e) {
                    if (all.size() == 0) {
                        throw e; // reset before any answer: no answer at all
                    }
                }
                return parseRaw(all.toByteArray());
            }
        }

        private static Answer parseRaw(byte[] bytes) throws IOException {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            if (split < 0 || !text.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP answer: " + text);
            }
            String headText = text.substring(0, split);
            Map<String, String> headers = new LinkedHashMap<>();
            String[] lines = headText.split("\r\n");
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (x, y) -> x + ", " + y);
                }
            }
            byte[] body = java.util.Arrays.copyOfRange(bytes, split + 4, bytes.length);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headText,
                    new String(body, StandardCharsets.UTF_8), headers);
        }

        private static byte[] dechunk(byte[] body) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = 0;
            while (true) {
                int eol = indexOf(body, at);
                if (eol < 0) {
                    throw new IOException("torn chunked body");
                }
                String sizeText = new String(body, at, eol - at, StandardCharsets.ISO_8859_1);
                int semi = sizeText.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeText : sizeText.substring(0, semi)).trim(), 16);
                at = eol + 2;
                if (size == 0) {
                    return out.toByteArray();
                }
                out.write(body, at, size);
                at += size + 2;
            }
        }

        private static int indexOf(byte[] b, int from) {
            for (int i = from; i + 1 < b.length; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public String toString() {
            String shownPath = (path + query).length() > 300 ? (path + query).substring(0, 300) + "...("
                    + (path + query).length() + " chars)" : path + query;
            String shownBody = body == null ? "none" : body.length > 300
                    ? new String(body, 0, 300, StandardCharsets.UTF_8) + "...(" + body.length + " bytes)"
                    : new String(body, StandardCharsets.UTF_8);
            return (raw ? "[raw] " : "") + method + " " + shownPath + " Content-Type: " + contentType
                    + " Authorization: " + (authorization == null ? "none" : authorization.replace(TOKEN, "<token>"))
                    + " body: " + shownBody;
        }
    }

    /** Random values, ids and their mutations. */
    static final class Values {
        private Values() {
        }

        @SafeVarargs
        static <T> T pick(Random r, T... options) {
            return options[r.nextInt(options.length)];
        }

        static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        static String itemSegment(Random r) {
            String id = r.nextInt(6) == 0 ? "NEW1" : TestStores.itemId(r.nextInt(TestStores.ITEMS + 2));
            if (r.nextInt(5) == 0) {
                id = id.toLowerCase(Locale.ROOT);
            }
            return r.nextInt(2) == 0 ? enc(id) : mutated(r, id);
        }

        /** Whether the path is valid percent-encoded UTF-8 without control characters (Jetty accepts it). */
        static boolean decodable(String path) {
            try {
                String decoded = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(URLDecoder.decode(path.replace("+", "%2B"),
                                StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1))).toString();
                return decoded.chars().noneMatch(c -> c < 0x20) && !path.contains(" ");
            } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
                return false;
            }
        }

        /** A path segment (already in its sent form) made from {@code id}. */
        static String mutated(Random r, String id) {
            return switch (r.nextInt(24)) {
                case 0 -> enc(" " + id + " ");
                case 1 -> enc(id + "\u00e9\u5ba2\u6237");
                case 2 -> enc(id + "\uD83D\uDE00");
                case 3 -> enc(id + "\u202e");
                case 4 -> percentAll(id);
                case 5 -> id + "%ZZ";
                case 6 -> id + "%";
                case 7 -> id + "%E9";
                case 8 -> id + "%C3%28";
                case 9 -> enc(id) + "%2F" + enc(id);
                case 10 -> enc(id) + "x".repeat(200);
                case 11 -> enc(id) + "y".repeat(5000);
                case 12 -> enc(id) + "z".repeat(20_000);
                case 13 -> "";
                case 14 -> pick(r, ".", "..", "...");
                case 15 -> "." + enc(id);
                case 16 -> enc(id) + ".0";
                case 17 -> enc(id) + ";jsessionid=1";
                case 18 -> enc(id) + "%00";
                case 19 -> enc(id) + "%5C..%5C";
                case 20 -> enc(id) + "%3F" + "a=1%23b";
                case 21 -> id + " raw space";
                case 22 -> id + "\u00e9raw";
                default -> enc(id + "\t");
            };
        }

        private static String percentAll(String id) {
            StringBuilder b = new StringBuilder();
            for (byte x : id.getBytes(StandardCharsets.UTF_8)) {
                b.append('%').append(String.format("%02X", x & 0xff));
            }
            return b.toString();
        }

        static String number(Random r) {
            return switch (r.nextInt(16)) {
                case 0 -> "0";
                case 1 -> "-1";
                case 2 -> "99999999999999999999";
                case 3 -> "1e400";
                case 4 -> "NaN";
                case 5 -> "Infinity";
                case 6 -> "1.5";
                case 7 -> "0x10";
                case 8 -> "\u0661\u0662";
                case 9 -> " 5 ";
                case 10 -> "+5";
                case 11 -> Long.toString(Long.MIN_VALUE);
                case 12 -> "2147483648";
                default -> Integer.toString(r.nextInt(120));
            };
        }

        static String decimal(Random r) {
            return switch (r.nextInt(12)) {
                case 0 -> "NaN";
                case 1 -> "-Infinity";
                case 2 -> "1e400";
                case 3 -> "-0.0";
                case 4 -> "1e-400";
                case 5 -> "0x1p3";
                case 6 -> "1,5";
                case 7 -> "2d";
                case 8 -> "-5";
                default -> Double.toString(r.nextDouble() * 4);
            };
        }

        private static final String[] LUCENE = {"category:cat1", "category:cat0", "price:[5 TO 20]",
                "price:{* TO 10]", "price:[abc TO 5]", "price:[5 TO]", "price:[1e400 TO NaN]", "price:[-Infinity TO 1]",
                "weight_kg:[1 TO 2]", "brand:acme", "brand:Acme^3", "id:I0*", "id:I01", "-id:I02", "\"unbalanced",
                "(category:cat1", "category:cat1)", "[", "]", "{", "te*", "*", "?", "*:*", "/re.*gex/", "/[/",
                "/(a|aa)*b/", "/.{1,1000}/", "kettle~", "kettle~2", "kettle~-1", "kettle~0.5", "nosuchfield:x",
                "nosuchfield:[1 TO 2]", "AND", "OR", "NOT", "&&", "||", "!", "-", "+", ":", "\\", "\\u", "^",
                "^2", "description:\"item saucer\"~3", "price:>5", "_id:x", "\u5496\u5561", "available:false",
                "available:true", "available:maybe", "price:[5 TO 20}^2", "family:x", "category:", "id:", "~",
                "price:[* TO *]", "id:/I0[0-9]/", "*ITEM*", "price:5", "price:NaN", "weight_kg:abc",
                "orders:[1 TO *]"};

        static String lucene(Random r) {
            switch (r.nextInt(14)) {
                case 0:
                    return "(".repeat(r.nextInt(3000)) + "a" + ")".repeat(r.nextInt(3000));
                case 1:
                    return String.join(" OR ", java.util.Collections.nCopies(1500 + r.nextInt(3000), "id:I0*"));
                case 2:
                    return "/" + "(a|b)*".repeat(1 + r.nextInt(60)) + "/";
                case 3:
                    return "";
                default:
                    StringBuilder b = new StringBuilder();
                    int n = 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            b.append(pick(r, " AND ", " OR ", " ", " AND NOT ", " -", " +", "&&"));
                        }
                        b.append(pick(r, LUCENE));
                    }
                    return b.toString();
            }
        }
    }

    /** Random request bodies of one kind. */
    static final class Bodies {
        private Bodies() {
        }

        static byte[] random(Random r, String kind, Request request) {
            int shape = r.nextInt(20);
            String text = switch (shape) {
                case 0 -> "";
                case 1 -> "null";
                case 2 -> "[]";
                case 3 -> "\"str\"";
                case 4 -> "{";
                case 5 -> "{}";
                case 6 -> "[".repeat(2000 + r.nextInt(4000)) + "]".repeat(r.nextInt(3000));
                case 7 -> "{\"a\":".repeat(1000 + r.nextInt(2000)) + "1" + "}".repeat(r.nextInt(3000));
                case 8 -> "{\"items\":[\"I00\"]} trailing";
                case 9 -> "{\"items\":[\"I00\"],\"items\":[\"I01\"]}";
                case 10 -> "\uFEFF{\"items\":[\"I00\"]}";
                case 11 -> null;
                case 12 -> "x".repeat(70_000);
                default -> valid(r, kind, request);
            };
            if (text == null) {
                // Not UTF-8: a Latin-1 byte and a broken sequence inside a string.
                return new byte[] {'{', '"', 'i', 't', 'e', 'm', 's', '"', ':', '[', '"', (byte) 0xE9, (byte) 0xC3,
                        '"', ']', '}'};
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }

        private static String valid(Random r, String kind, Request request) {
            switch (kind) {
                case "basket": {
                    StringBuilder b = new StringBuilder("{");
                    if (r.nextInt(8) > 0) {
                        b.append("\"items\":").append(items(r));
                    }
                    if (r.nextInt(2) == 0) {
                        request.sendsCustomerId = true;
                        b.append(b.length() > 1 ? "," : "").append("\"customerId\":").append(pick(r,
                                "\"" + CUSTOMERS.get(r.nextInt(CUSTOMERS.size())) + "\"",
                                "\"" + CUSTOMERS.get(r.nextInt(CUSTOMERS.size())) + "\\u0000\"",
                                "\"" + "secret".repeat(30) + "\"", "\" \"", "42", "custsecret4711", "'cust-secret-4711'", "[\"cust-secret-4711\"]",
                                "{\"id\":\"cust-secret-4711\"}", "null", "true"));
                    }
                    if (r.nextInt(2) == 0) {
                        b.append(b.length() > 1 ? "," : "").append("\"limit\":").append(pick(r, "5", "0", "-1",
                                "101", "1e400", "5.0", "5.5", "\"5\"", "null", "99999999999999999999", "[5]", "1E2",
                                "-0", "9223372036854775807", "9223372036854775808"));
                    }
                    if (r.nextInt(10) == 0) {
                        b.append(b.length() > 1 ? "," : "").append(pick(r, "\"extra\":1", "\"ITEMS\":[]",
                                "\"\":null", "\"items\":null"));
                    }
                    return b.append('}').toString();
                }
                case "consent":
                    return "{\"state\":" + pick(r, "\"opted_in\"", "\"opted_out\"", "\"pending\"", "\"confirmed\"",
                            "\"OPTED_IN\"", "\"opted-in\"", "\"\"", "null", "1", "true", "[\"opted_in\"]",
                            "{\"x\":1}", "\"" + "z".repeat(5000) + "\"") + (r.nextInt(8) == 0 ? ",\"extra\":1" : "")
                            + "}";
                case "availability":
                    return "{\"available\":" + pick(r, "true", "false", "\"true\"", "1", "0", "null", "[]",
                            "{}", "tru") + (r.nextInt(8) == 0 ? ",\"available\":false" : "") + "}";
                default:
                    return pick(r, "garbage", "a=1&b=2", "<xml/>", "{'items':['I00']}", "{items:[I00]}",
                            "{\"items\":[\"I00\",]}", "{\"items\":[1e400]}", "{\"items\":[NaN]}");
            }
        }

        private static String items(Random r) {
            switch (r.nextInt(10)) {
                case 0:
                    return pick(r, "\"I00\"", "42", "null", "{}", "[]", "[null]", "[42]", "[[\"I00\"]]", "[\"\"]",
                            "[\" \"]", "[\"" + "I".repeat(129) + "\"]", "[true]");
                case 1: {
                    int n = pick(r, 199, 200, 201, 5000);
                    return "[" + String.join(",", java.util.Collections.nCopies(n, "\"I00\"")) + "]";
                }
                default: {
                    List<String> ids = new ArrayList<>();
                    int n = 1 + r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        ids.add("\"" + pick(r, "I00", "I01", "i02", " I03 ", "NEW1", "NOPE", "I19", "\\u00e9",
                                "I0\\\"5", "\\ud800") + "\"");
                    }
                    return "[" + String.join(",", ids) + "]";
                }
            }
        }

        @SafeVarargs
        private static <T> T pick(Random r, T... options) {
            return Values.pick(r, options);
        }
    }

    /** Writes to both streams: the console keeps the log, the test searches its copy. */
    static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
