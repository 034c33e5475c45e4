package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.recommender.TradeUp;
import io.affinity.store.ModelStore;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.OpenApiDocument;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document against the running server, as an integrator sees it who generates a typed client from
 * {@code GET /openapi.json}: every operation of the document is called with representative valid requests (the
 * variants of each endpoint: rules, fallbacks, canary answers, conditional requests, NDJSON and CSV exports, the
 * admin commands) and with the error cases the document lists for it, and every answer must be one the document
 * describes: a documented status, a documented content type, a body that fits the schema for that status (every
 * field documented, required fields present, types, enums, formats and bounds kept; {@link OpenApiDocument}), the
 * headers the document marks required present and no header a client acts on (ETag, Retry-After, ...) that it
 * does not declare. Plus what the document promises of every answer: {@code Vary: Accept-Encoding}, {@code
 * Cache-Control: no-store} unless the response declares its own, a problem body whose status is the answer's.
 * The last test checks that every status every operation documents was seen here.
 *
 * <p>Four servers on port 0: one over a real model store (two versions and a damaged one) with the admin token and
 * a consent journal; one with API keys (scoped, one client rate-limited) and admin disabled; one whose model has
 * no catalogue index and which has no consent journal; one with no model at all. A fifth, for one test, over a
 * model store that goes away and a stock journal on a failing disk.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final String TOKEN = "contract-admin-token-0123456789";
    private static final String RECOMMENDATIONS_KEY = "contract-recommendations-key-0123";
    private static final String CRM_KEY = "contract-crm-key-0123456789abcdef";
    private static final String LIMITED_KEY = "contract-limited-key-0123456789ab";
    /** Headers a client acts on: each must be declared on the response that carries it. */
    private static final List<String> WATCHED = List.of("ETag", "Retry-After", "WWW-Authenticate",
            "Accept-Encoding", "Location", "Allow");
    private static final String JSON_TYPE = "application/json";

    @TempDir
    static Path dir;
    static ModelStore store;
    static String served;
    static String candidate;
    static String damaged;
    static SwappableModelSource source;
    static ModelAdmin admin;
    static ConsentJournal consent;
    static AffinityServer main;
    static AffinityServer keyed;
    static AffinityServer uncatalogued;
    static SwappableModelSource nothing;
    static AffinityServer empty;
    static OpenApiDocument doc;
    /** "METHOD /template" to the statuses answered. */
    static final Map<String, Set<Integer>> SEEN = new ConcurrentSkipListMap<>();

    @BeforeAll
    static void start() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        served = TestStores.publish(store, "a", OpenApiContractHttpTest::customers);
        candidate = TestStores.publish(store, "b", OpenApiContractHttpTest::customers);
        damaged = TestStores.publish(store, "c", OpenApiContractHttpTest::customers);
        TestStores.corrupt(store.directory().resolve(damaged).resolve("popular.bin"));
        store.activate(served);
        source = new SwappableModelSource();
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
        consent = ConsentJournal.open(dir.resolve("consent.journal"));
        ApiConfig config = ApiConfig.defaults().withHost("127.0.0.1").withPort(0);
        main = AffinityServer.create(config, source, new ServerOptions(AccessControl.of(TOKEN, List.of()), admin,
                Duration.ofSeconds(5), consent, ServerOptions.DEFAULT_MARGIN_RATE, BusinessRuleConfig.defaults()))
                .start();
        List<ApiKey> keys = List.of(
                new ApiKey(RECOMMENDATIONS_KEY, EnumSet.of(ApiScope.RECOMMENDATIONS), "shop"),
                new ApiKey(CRM_KEY, EnumSet.of(ApiScope.PROFILES, ApiScope.CONSENT, ApiScope.EXPORTS), "crm"),
                new ApiKey(LIMITED_KEY, EnumSet.allOf(ApiScope.class), "campaigns", RequestRate.parse("1/h")));
        keyed = AffinityServer.create(config, source, new ServerOptions(AccessControl.withScopedKeys(null, keys), null,
                Duration.ofSeconds(5), consent, ServerOptions.DEFAULT_MARGIN_RATE, BusinessRuleConfig.defaults()))
                .start();
        InMemoryModelSnapshot plain = InMemoryModelSnapshot.builder("no-catalogue-v1")
                .item(new ItemFacts("I00", "ITEM 0", "cat0", 1.5, 100, 50, 300))
                .item(new ItemFacts("I01", "ITEM 1", "cat1", 2.5, 99, 50, 300))
                .rule(new AssociationRule(List.of("I00"), "I01", 40, 0.04, 0.6, 3.0, 0.01, 2.0))
                .popular(new PopularItem("I01", 99, 50)).build();
        uncatalogued = AffinityServer.create(config, ModelSource.fixed(new ServedModel(plain,
                new Recommender(plain, RecommenderSettings.DEFAULTS), Map.of("version", plain.version()))),
                ServerOptions.defaults()).start();
        nothing = new SwappableModelSource();
        empty = AffinityServer.create(config, nothing, ServerOptions.defaults()).start();
        doc = OpenApiDocument.parse(call(main, "GET", "/openapi.json", Map.of(), null).body());
    }

    /** Profiles of several tiers and strategies, a consent list, a precomputed list and trade-ups. */
    private static void customers(SnapshotBuilder b) {
        LocalDate day = LocalDate.of(2011, 5, 1);
        b.section("customerModels", Map.of("calibrationEnd", day.toString()));
        // as train records --currency (or an export's one currency): every amount of the model is in pounds
        b.section("ingestReport", Map.of("currencies", Map.of("reportingCurrency", "GBP")));
        CustomerProfile.Tier[] tiers = CustomerProfile.Tier.values();
        for (int c = 0; c < TestStores.CUSTOMERS; c++) {
            CustomerProfile.Strategy strategy = c == 4 ? CustomerProfile.Strategy.END
                    : CustomerProfile.Strategy.values()[c % 3];
            CustomerProfile p = CustomerApiTest.profile(tiers[c % tiers.length], strategy);
            if (c == 1) {
                // no family with several variants: the share is unknown (absent from the answer)
                p = new CustomerProfile(p.recencyDays(), p.transactions(), p.monetary(), p.recencyScore(),
                        p.frequencyScore(), p.monetaryScore(), "champions", p.pAlive(), p.expectedTransactions90(),
                        p.expectedSpend(), p.expectedValue12(), p.tier(), CustomerProfile.Stage.NEW, p.strategy(),
                        1.1, Double.NaN, CustomerProfile.PriceSensitivity.LOW, List.of());
            }
            b.putProfile(TestStores.customerId(c), p);
        }
        b.putConsent(TestStores.customerId(0), Map.of(Channel.EMAIL, State.OPTED_IN, Channel.SMS, State.CONFIRMED));
        b.putConsent(TestStores.customerId(1), Map.of(Channel.EMAIL, State.PENDING));
        b.putConsent(TestStores.customerId(2), Map.of(Channel.EMAIL, State.OPTED_OUT));
        b.putCustomerRecommendations(TestStores.customerId(0), new PrecomputedRecommendations("blend", List.of(
                new PrecomputedItem(TestStores.itemId(0), 0.9, true, "repeat-frequency",
                        new PurchasedItem(TestStores.itemId(0), 3, 10, day)),
                new PrecomputedItem(TestStores.itemId(7), 0.8, false, "ease", null))));
        b.putTradeUps(TestStores.itemId(0), List.of(new TradeUp(TestStores.itemId(3), TradeUp.ALL, 12, 40, false),
                new TradeUp(TestStores.itemId(6), "gold", 4, 10, false)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AffinityServer s : new AffinityServer[] {main, keyed, uncatalogued, empty}) {
            if (s != null) {
                s.close();
            }
        }
        admin.close();
        source.close(Duration.ofSeconds(5));
        nothing.close(Duration.ofSeconds(1));
        consent.close();
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void probesAnswerAsDocumentedAndTheServedDocumentIsTheBuildsValidOne() throws Exception {
        Audit a = new Audit(main);
        for (String probe : List.of("/health", "/ready", "/metrics", "/openapi.json")) {
            a.send("GET", probe, probe);
            a.send("HEAD", probe, probe);
        }
        Audit down = new Audit(empty);
        down.send("GET", "/health", "/health");
        down.send("GET", "/ready", "/ready");
        down.send("HEAD", "/ready", "/ready");
        a.assertClean();
        down.assertClean();
        try (InputStream in = CatalogRoutes.class.getResourceAsStream(CatalogRoutes.OPENAPI_RESOURCE)) {
            assertEquals(JSON.readTree(in), doc.root(), "GET /openapi.json serves the document of the build");
        }
        assertEquals(List.of(), doc.problems());
    }

    @Test
    @Order(2)
    void recommendationEndpointsAnswerAsDocumented() throws Exception {
        Audit a = new Audit(main);
        a.send("GET", "/v1/model", "/v1/model");
        a.send("HEAD", "/v1/model", "/v1/model");
        a.send("GET", "/v1/model", "/v1/model?zzunknown=1");
        a.send("HEAD", "/v1/model", "/v1/model?zzunknown=1");

        String basket = "/v1/baskets/recommendations";
        a.post(basket, basket, "{\"items\": [\"I00\"], \"limit\": 5}");
        a.post(basket, basket, "{\"items\": [\"i00\", \"NOPE\"], \"customerId\": \"C100\", \"limit\": 5}");
        a.post(basket, basket, "{\"items\": [\"NOPE\"]}");
        a.post(basket, basket + "?filter=" + enc("category:cat1 OR category:cat2") + "&boost=" + enc("category:cat2")
                + "&pin=" + enc("category:cat1") + "&pinLimit=1&maxPerCategory=2&excludeBoughtWithinDays=30"
                + "&asOf=2011-05-01", "{\"items\": [\"I00\", \"I01\"], \"customerId\": \"C100\", \"limit\": 6}");
        a.post(basket, basket, "{\"items\": [\"I00\"]");
        a.post(basket, basket, "{\"items\": []}");
        a.post(basket, basket + "?limit=3", "{\"items\": [\"I00\"]}");
        StringBuilder many = new StringBuilder("{\"items\": [");
        for (int i = 0; i <= 200; i++) {
            many.append(i == 0 ? "" : ",").append("\"X").append(i).append('"');
        }
        a.post(basket, basket, many.append("]}").toString());
        a.post(basket, basket, "{\"items\": [\"" + "x".repeat(70_000) + "\"]}");
        a.send("POST", basket, basket, Map.of("Content-Type", "text/plain"), "{\"items\": [\"I00\"]}");
        a.send("POST", basket, basket, Map.of("Content-Type", JSON_TYPE, "Content-Encoding", "gzip"),
                "{\"items\": [\"I00\"]}");

        String together = "/v1/items/{itemId}/bought-together";
        HttpResponse<String> first = a.send("GET", together, "/v1/items/I00/bought-together?limit=5");
        String tag = first.headers().firstValue("ETag").orElseThrow(() -> new AssertionError(first.headers()));
        a.send("GET", together, "/v1/items/I00/bought-together?limit=5", Map.of("If-None-Match", tag), null);
        a.send("HEAD", together, "/v1/items/I00/bought-together?limit=5", Map.of("If-None-Match", tag), null);
        a.send("HEAD", together, "/v1/items/I00/bought-together?limit=5");
        a.send("GET", together, "/v1/items/I00/bought-together?filter=" + enc("-category:cat2") + "&pin="
                + enc("category:cat0") + "&pinLimit=2&maxPerCategory=1");
        a.send("GET", together, "/v1/items/NOPE/bought-together");
        a.send("HEAD", together, "/v1/items/NOPE/bought-together");
        a.send("GET", together, "/v1/items/I00/bought-together?limit=0");
        a.send("HEAD", together, "/v1/items/I00/bought-together?limit=x");
        a.send("GET", together, "/v1/items/I00/bought-together?excludeBoughtWithinDays=3");

        String personal = "/v1/customers/{customerId}/recommendations";
        a.send("GET", personal, "/v1/customers/C100/recommendations?limit=5");
        a.send("GET", personal, "/v1/customers/C101/recommendations");
        a.send("HEAD", personal, "/v1/customers/C101/recommendations");
        HttpResponse<String> fallback = a.send("GET", personal, "/v1/customers/anonymous/recommendations?limit=5");
        String fallbackTag = fallback.headers().firstValue("ETag")
                .orElseThrow(() -> new AssertionError(fallback.headers()));
        a.send("GET", personal, "/v1/customers/another-visitor/recommendations?limit=5",
                Map.of("If-None-Match", fallbackTag), null);
        a.send("HEAD", personal, "/v1/customers/anonymous/recommendations?limit=5",
                Map.of("If-None-Match", fallbackTag), null);
        a.send("GET", personal, "/v1/customers/C100/recommendations?limit=8&filter=" + enc("price:[2 TO *]")
                + "&boost=" + enc("category:cat1") + "&pin=" + enc("category:cat2") + "&pinLimit=2"
                + "&maxPerCategory=3&excludeBoughtWithinDays=30&asOf=2011-05-01");
        a.send("GET", personal, "/v1/customers/C100/recommendations?limit=101");
        a.send("HEAD", personal, "/v1/customers/C100/recommendations?asOf=yesterday");

        a.send("GET", "/v1/rules", "/v1/rules?item=I00&sort=confidence&limit=2");
        a.send("GET", "/v1/rules", "/v1/rules?consequent=I01&minLift=1&minConfidence=0.1&minSupport=0.01");
        a.send("GET", "/v1/rules", "/v1/rules?sort=conviction&offset=5&limit=3");
        a.send("HEAD", "/v1/rules", "/v1/rules?sort=support");
        a.send("GET", "/v1/rules", "/v1/rules?item=NOPE");
        a.send("HEAD", "/v1/rules", "/v1/rules?item=NOPE");
        a.send("GET", "/v1/rules", "/v1/rules?sort=size");
        a.send("HEAD", "/v1/rules", "/v1/rules?minConfidence=2");
        a.assertClean();
    }

    @Test
    @Order(3)
    void catalogueEndpointsAnswerAsDocumented() throws Exception {
        Audit a = new Audit(main);
        a.send("GET", "/v1/items", "/v1/items?q=" + enc("category:cat1") + "&limit=2");
        a.send("GET", "/v1/items", "/v1/items?q=" + enc("item*") + "&limit=3&offset=3");
        a.send("HEAD", "/v1/items", "/v1/items?q=item");
        a.send("GET", "/v1/items", "/v1/items?q=" + enc("price:2*"));
        a.send("HEAD", "/v1/items", "/v1/items");
        a.send("GET", "/v1/items/{itemId}", "/v1/items/i03");
        a.send("HEAD", "/v1/items/{itemId}", "/v1/items/I03");
        a.send("GET", "/v1/items/{itemId}", "/v1/items/NOPE");
        a.send("HEAD", "/v1/items/{itemId}", "/v1/items/NOPE");
        a.send("GET", "/v1/items/{itemId}", "/v1/items/I03?limit=1");
        a.send("HEAD", "/v1/items/{itemId}", "/v1/items/I03?limit=1");
        a.assertClean();
    }

    @Test
    @Order(4)
    void customerEndpointsAnswerAsDocumented() throws Exception {
        Audit a = new Audit(main);
        String profile = "/v1/customers/{customerId}/profile";
        a.send("GET", profile, "/v1/customers/C100/profile");
        a.send("GET", profile, "/v1/customers/C101/profile");
        a.send("HEAD", profile, "/v1/customers/C100/profile");
        a.send("GET", profile, "/v1/customers/nobody/profile");
        a.send("HEAD", profile, "/v1/customers/nobody/profile");
        a.send("GET", profile, "/v1/customers/C100/profile?limit=3");
        a.send("HEAD", profile, "/v1/customers/C100/profile?limit=3");

        String offers = "/v1/customers/{customerId}/next-best-offers";
        a.send("GET", offers, "/v1/customers/C100/next-best-offers?limit=3");
        a.send("GET", offers, "/v1/customers/C100/next-best-offers?channel=email&limit=3");
        a.send("GET", offers, "/v1/customers/C101/next-best-offers?channel=email");
        a.send("GET", offers, "/v1/customers/C102/next-best-offers?channel=email");
        a.send("GET", offers, "/v1/customers/C103/next-best-offers?channel=sms");
        a.send("GET", offers, "/v1/customers/C104/next-best-offers?channel=web");
        a.send("GET", offers, "/v1/customers/nobody/next-best-offers?channel=web&limit=2");
        a.send("GET", offers, "/v1/customers/C100/next-best-offers?limit=6&filter=" + enc("-category:cat2")
                + "&boost=" + enc("category:cat1") + "&pin=" + enc("category:cat0") + "&maxPerCategory=2"
                + "&excludeBoughtWithinDays=30&asOf=2011-05-01");
        a.send("HEAD", offers, "/v1/customers/C100/next-best-offers?channel=web");
        a.send("GET", offers, "/v1/customers/C100/next-best-offers?channel=fax");
        a.send("HEAD", offers, "/v1/customers/C100/next-best-offers?channel=fax");

        String upsell = "/v1/items/{itemId}/upsell";
        a.send("GET", upsell, "/v1/items/I00/upsell?limit=3");
        a.send("GET", upsell, "/v1/items/I00/upsell?customerId=C100&limit=5&boost=" + enc("category:cat0")
                + "&pin=" + enc("price:[10 TO *]") + "&excludeBoughtWithinDays=30&asOf=2011-05-01");
        a.send("GET", upsell, "/v1/items/I04/upsell?customerId=nobody");
        a.send("HEAD", upsell, "/v1/items/I00/upsell");
        a.send("GET", upsell, "/v1/items/NOPE/upsell");
        a.send("HEAD", upsell, "/v1/items/NOPE/upsell");
        a.send("GET", upsell, "/v1/items/I00/upsell?excludeBoughtWithinDays=30");
        a.send("HEAD", upsell, "/v1/items/I00/upsell?excludeBoughtWithinDays=30");

        String change = "/v1/customers/{customerId}/consent/{channel}";
        a.put(change, "/v1/customers/C103/consent/email", "{\"state\": \"opted_in\"}");
        a.put(change, "/v1/customers/C103/consent/push", "{\"state\": \"pending\"}");
        a.put(change, "/v1/customers/C102/consent/email", "{\"state\": \"confirmed\"}");
        a.put(change, "/v1/customers/C103/consent/fax", "{\"state\": \"opted_in\"}");
        a.put(change, "/v1/customers/C103/consent/email", "{\"state\": 1}");
        a.put(change, "/v1/customers/C103/consent/email", "{}");
        a.put(change, "/v1/customers/C103/consent/email", "{\"state\": \"maybe\"}");
        a.put(change, "/v1/customers/C103/consent/email", "{\"state\": \"opted_in\", \"when\": \"now\"}");
        a.put(change, "/v1/customers/C103/consent/email", "{\"state\": \"" + "x".repeat(70_000) + "\"}");
        a.send("PUT", change, "/v1/customers/C103/consent/email", Map.of("Content-Type", "text/plain"),
                "{\"state\": \"opted_in\"}");

        String changes = "/v1/consent/changes";
        a.send("GET", changes, changes);
        a.send("GET", changes, changes + "?since=0&limit=1");
        a.send("GET", changes, changes + "?channel=email&since=1");
        a.send("HEAD", changes, changes + "?channel=push");
        a.send("GET", changes, changes + "?since=999999");
        a.send("HEAD", changes, changes + "?since=999999");
        a.send("GET", changes, changes + "?limit=0");
        a.send("HEAD", changes, changes + "?channel=fax");
        a.assertClean();
    }

    @Test
    @Order(5)
    void campaignExportsAnswerAsDocumented() throws Exception {
        Audit a = new Audit(main);
        String export = "/v1/campaigns/offers";
        HttpResponse<String> rows = a.send("GET", export, export + "?channel=web&limit=2");
        a.send("GET", export, export + "?segment=" + enc("tier:platinum,p_alive_at_least:0.5") + "&channel=email");
        a.send("GET", export, export + "?segment=all&channel=web&limit=3&filter=" + enc("-category:cat1") + "&pin="
                + enc("category:cat0") + "&pinLimit=1&boost=" + enc("category:cat2") + "&maxPerCategory=2"
                + "&excludeBoughtWithinDays=30&asOf=2011-05-01");
        a.send("GET", export, export + "?channel=web&limit=2&summaryOnly=true");
        String cursor = JSON.readTree(rows.body().split("\n")[1]).get("cursor").asText();
        a.send("GET", export, export + "?channel=web&limit=2&after=" + cursor);
        HttpResponse<String> csv = a.send("GET", export, export + "?channel=web&limit=2",
                Map.of("Accept", "text/csv"), null);
        String[] lines = csv.body().split("\r\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("#summary {"), last);
        JsonNode summarySchema = doc.root().at("/components/schemas/CampaignSummaryRecord/properties/summary");
        assertEquals(List.of(), doc.problems(JSON.readTree(last.substring("#summary ".length())), summarySchema),
                "the CSV's final comment holds the summary record's object");
        a.send("HEAD", export, export + "?channel=web", Map.of("Accept", "text/csv;q=0.9, application/x-ndjson;q=0.5"),
                null);
        a.send("HEAD", export, export + "?channel=web");
        a.send("GET", export, export);
        a.send("HEAD", export, export + "?channel=web&segment=tier:bronze");
        a.send("GET", export, export + "?channel=web&after=c1.20000101-000000-000000.3.0123456789abcdef");
        a.send("HEAD", export, export + "?channel=web&after=c1.20000101-000000-000000.3.0123456789abcdef");
        a.assertClean();
    }

    /** Admin commands in an order that leaves the store as it found it: CURRENT the first version, no canary. */
    @Test
    @Order(6)
    void adminEndpointsAnswerAsDocumented() throws Exception {
        Audit a = new Audit(main);
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);
        a.send("GET", "/admin/models", "/admin/models", auth, null);
        a.send("HEAD", "/admin/models", "/admin/models", auth, null);
        a.send("GET", "/admin/models", "/admin/models");
        a.send("HEAD", "/admin/models", "/admin/models", Map.of("Authorization", "Bearer wrong-token-0123456789"),
                null);
        a.send("GET", "/admin/models", "/admin/models?all=1", auth, null);
        a.send("HEAD", "/admin/models", "/admin/models?all=1", auth, null);
        a.send("POST", "/admin/models/reload", "/admin/models/reload", auth, null);
        a.send("POST", "/admin/models/reload", "/admin/models/reload", json(auth), "{\"version\": \"" + candidate
                + "\"}");
        a.send("POST", "/admin/models/reload", "/admin/models/reload", json(auth), "x".repeat(70_000));
        a.send("POST", "/admin/models/reload", "/admin/models/reload");

        String canary = "/admin/models/{version}/canary";
        String activate = "/admin/models/{version}/activate";
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{\"percent\": 50}");
        a.send("GET", "/admin/models", "/admin/models", auth, null);
        // the canary's answers: every customer gets one of the two versions, each answer naming its own
        Set<String> versions = new TreeSet<>();
        for (int c = 0; c < TestStores.CUSTOMERS; c++) {
            String id = TestStores.customerId(c);
            versions.add(JSON.readTree(a.send("GET", "/v1/customers/{customerId}/recommendations", "/v1/customers/"
                    + id + "/recommendations?limit=3").body()).get("modelVersion").asText());
            a.send("GET", "/v1/customers/{customerId}/next-best-offers", "/v1/customers/" + id
                    + "/next-best-offers?channel=email");
            a.send("GET", "/v1/customers/{customerId}/profile", "/v1/customers/" + id + "/profile");
            a.post("/v1/baskets/recommendations", "/v1/baskets/recommendations", "{\"items\": [\"I02\"], "
                    + "\"customerId\": \"" + id + "\"}");
            versions.add(JSON.readTree(a.send("GET", "/v1/customers/{customerId}/recommendations", "/v1/customers/K"
                    + (1000 + c) + "/recommendations").body()).get("modelVersion").asText());
            versions.add(JSON.readTree(a.send("GET", "/v1/customers/{customerId}/recommendations", "/v1/customers/K"
                    + (2000 + c) + "/recommendations").body()).get("modelVersion").asText());
        }
        assertEquals(new TreeSet<>(List.of(served, candidate)), versions, "both versions answered");
        a.send("GET", "/v1/campaigns/offers", "/v1/campaigns/offers?channel=web&summaryOnly=true");
        a.send("POST", canary, "/admin/models/" + served + "/canary", json(auth), "{\"percent\": 10}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{\"percent\": 100}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{\"percent\": 2.5}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{\"percent\": 5, \"x\": 1}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", auth, "{\"percent\": 5}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "[" + "1,".repeat(40_000) + "1]");
        a.send("POST", canary, "/admin/models/no-such-version/canary", json(auth), "{\"percent\": 5}");
        a.send("POST", canary, "/admin/models/" + damaged + "/canary", json(auth), "{\"percent\": 5}");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(Map.of()), "{\"percent\": 5}");
        a.send("POST", activate, "/admin/models/" + candidate + "/activate", auth, null);
        a.send("POST", activate, "/admin/models/" + served + "/activate", auth, null);
        a.send("POST", activate, "/admin/models/" + damaged + "/activate", auth, null);
        a.send("POST", activate, "/admin/models/no-such-version/activate", auth, null);
        a.send("POST", activate, "/admin/models/" + served + "/activate", json(auth), "{\"percent\": 5}");
        a.send("POST", activate, "/admin/models/" + served + "/activate", json(auth), "y".repeat(70_000));
        a.send("POST", activate, "/admin/models/" + served + "/activate");
        a.send("POST", canary, "/admin/models/" + candidate + "/canary", json(auth), "{\"percent\": 20}");
        a.send("DELETE", "/admin/models/canary", "/admin/models/canary", auth, null);
        a.send("DELETE", "/admin/models/canary", "/admin/models/canary", auth, null);
        a.send("DELETE", "/admin/models/canary", "/admin/models/canary", json(auth), "{}");
        a.send("DELETE", "/admin/models/canary", "/admin/models/canary", json(auth), "z".repeat(70_000));
        a.send("DELETE", "/admin/models/canary", "/admin/models/canary");
        // CURRENT that names no version: the reload refuses (409) and the served model stays
        Path current = store.directory().resolve("CURRENT");
        String before = Files.readString(current);
        Files.writeString(current, "not a version\n");
        try {
            a.send("POST", "/admin/models/reload", "/admin/models/reload", auth, null);
            // CURRENT naming a damaged version: refused (422), the served model stays
            Files.writeString(current, damaged + "\n");
            a.send("POST", "/admin/models/reload", "/admin/models/reload", auth, null);
        } finally {
            Files.writeString(current, before);
        }
        assertEquals(served, admin.status().current(), "the store is as the other tests expect it");

        String stock = "/admin/items/{itemId}/availability";
        a.send("PUT", stock, "/admin/items/I05/availability", json(auth), "{\"available\": false}");
        a.send("PUT", stock, "/admin/items/i05/availability", json(auth), "{\"available\": true}");
        a.send("DELETE", stock, "/admin/items/I05/availability", auth, null);
        a.send("DELETE", stock, "/admin/items/I05/availability", auth, null);
        a.send("PUT", stock, "/admin/items/NOPE/availability", json(auth), "{\"available\": false}");
        a.send("DELETE", stock, "/admin/items/NOPE/availability", auth, null);
        a.send("PUT", stock, "/admin/items/I05/availability", json(auth), "{\"available\": \"no\"}");
        a.send("PUT", stock, "/admin/items/I05/availability", json(auth), "{\"available\": " + " ".repeat(70_000)
                + "false}");
        a.send("PUT", stock, "/admin/items/I05/availability", auth, "{\"available\": false}");
        a.send("PUT", stock, "/admin/items/I05/availability", Map.of("Content-Type", JSON_TYPE),
                "{\"available\": false}");
        a.send("DELETE", stock, "/admin/items/I05/availability", json(auth), "{\"available\": true}");
        a.send("DELETE", stock, "/admin/items/I05/availability", json(auth), "w".repeat(70_000));
        a.send("DELETE", stock, "/admin/items/I05/availability");
        a.assertClean();
    }

    /**
     * Access control as the document declares it: a /v1 operation without a key is a 401, with a key lacking its
     * scope a 403, beyond the client's rate a 429 with Retry-After; admin endpoints of a server without an admin
     * token are a 403.
     */
    @Test
    @Order(7)
    void accessControlAnswersAsDocumented() throws Exception {
        Audit a = new Audit(keyed);
        Audit limited = new Audit(keyed);
        limited.send("GET", "/v1/model", "/v1/model", Map.of("X-API-Key", LIMITED_KEY), null);
        for (String operation : doc.operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            String path = concrete(template);
            String body = method.equals("POST") || method.equals("PUT") ? bodyOf(template) : null;
            Map<String, String> type = body == null ? Map.of() : Map.of("Content-Type", JSON_TYPE);
            if (template.startsWith("/v1/")) {
                a.send(method, template, path, type, body);
                String scope = doc.operation(method, template).path("x-api-key-scope").asText();
                String wrongKey = scope.equals("recommendations") ? CRM_KEY : RECOMMENDATIONS_KEY;
                a.send(method, template, path, with(type, "X-API-Key", wrongKey), body);
                a.send(method, template, path, with(type, "X-API-Key", "not-a-key-of-this-server-0123"), body);
                limited.send(method, template, path, with(type, "X-API-Key", LIMITED_KEY), body);
            } else if (template.startsWith("/admin/")) {
                a.send(method, template, path, with(type, "Authorization", "Bearer " + TOKEN), body);
            }
        }
        a.assertClean();
        limited.assertClean();
        assertTrue(SEEN.getOrDefault("GET /v1/campaigns/offers", Set.of()).contains(429), SEEN.toString());
    }

    /**
     * The 409s of a model without a catalogue index, the 503s of a server without a consent journal and of one
     * without a model.
     */
    @Test
    @Order(8)
    void missingCatalogueConsentAndModelAnswerAsDocumented() throws Exception {
        Audit a = new Audit(uncatalogued);
        String filter = "filter=" + enc("category:cat0");
        a.post("/v1/baskets/recommendations", "/v1/baskets/recommendations?" + filter, "{\"items\": [\"I00\"]}");
        a.send("GET", "/v1/items/{itemId}/bought-together", "/v1/items/I00/bought-together?" + filter);
        a.send("HEAD", "/v1/items/{itemId}/bought-together", "/v1/items/I00/bought-together?" + filter);
        a.send("GET", "/v1/customers/{customerId}/recommendations", "/v1/customers/x/recommendations?" + filter);
        a.send("HEAD", "/v1/customers/{customerId}/recommendations", "/v1/customers/x/recommendations?" + filter);
        a.send("GET", "/v1/customers/{customerId}/next-best-offers", "/v1/customers/x/next-best-offers?" + filter);
        a.send("HEAD", "/v1/customers/{customerId}/next-best-offers", "/v1/customers/x/next-best-offers?" + filter);
        a.send("GET", "/v1/items/{itemId}/upsell", "/v1/items/I00/upsell?" + filter);
        a.send("HEAD", "/v1/items/{itemId}/upsell", "/v1/items/I00/upsell?" + filter);
        a.send("GET", "/v1/items", "/v1/items?q=item");
        a.send("HEAD", "/v1/items", "/v1/items?q=item");
        a.send("GET", "/v1/items/{itemId}", "/v1/items/I00");
        a.send("HEAD", "/v1/items/{itemId}", "/v1/items/I00");
        a.send("GET", "/v1/campaigns/offers", "/v1/campaigns/offers?channel=web&" + filter);
        a.send("HEAD", "/v1/campaigns/offers", "/v1/campaigns/offers?channel=web&" + filter);
        // without a consent journal
        a.send("GET", "/v1/campaigns/offers", "/v1/campaigns/offers?channel=web");
        a.send("HEAD", "/v1/campaigns/offers", "/v1/campaigns/offers?channel=web");
        a.send("GET", "/v1/customers/{customerId}/next-best-offers", "/v1/customers/x/next-best-offers?channel=sms");
        a.send("HEAD", "/v1/customers/{customerId}/next-best-offers", "/v1/customers/x/next-best-offers?channel=sms");
        a.put("/v1/customers/{customerId}/consent/{channel}", "/v1/customers/x/consent/sms", "{\"state\": \"opted_in\"}");
        a.send("GET", "/v1/consent/changes", "/v1/consent/changes");
        a.send("HEAD", "/v1/consent/changes", "/v1/consent/changes");
        a.assertClean();

        Audit none = new Audit(empty);
        for (String operation : doc.operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            if (template.startsWith("/v1/") && !template.contains("consent")) {
                String body = method.equals("POST") ? bodyOf(template) : null;
                none.send(method, template, concrete(template), body == null ? Map.of()
                        : Map.of("Content-Type", JSON_TYPE), body);
            }
        }
        none.assertClean();
    }

    /**
     * The query parameters' schemas are the server's: for every GET operation, each parameter with bounds, an enum,
     * a date format or a boolean is accepted at each bound and each listed value (no 400) and refused just outside
     * (400), and a required parameter left out is a 400. A client that validates its requests with the document
     * refuses exactly what the server would.
     */
    @Test
    @Order(9)
    void queryParametersAcceptWhatTheirSchemasAllowAndNothingElse() throws Exception {
        Audit a = new Audit(main);
        int probed = 0;
        for (String operation : doc.operations()) {
            if (!operation.startsWith("GET /v1/")) {
                continue;
            }
            String template = operation.substring(4);
            String path = template.replace("{itemId}", "I01").replace("{customerId}", "C100");
            // what a valid request of the operation needs besides the probed parameter
            Map<String, String> base = new LinkedHashMap<>();
            if (template.equals("/v1/items")) {
                base.put("q", "item");
            }
            if (template.equals("/v1/campaigns/offers")) {
                base.put("channel", "web");
                base.put("summaryOnly", "true");
            }
            List<JsonNode> parameters = new ArrayList<>();
            doc.root().path("paths").path(template).path("parameters").forEach(parameters::add);
            doc.operation("GET", template).path("parameters").forEach(parameters::add);
            for (JsonNode parameter : parameters) {
                String name = parameter.path("name").asText();
                if (!parameter.path("in").asText().equals("query")
                        // above 0 it needs a customer, which bought-together cannot name (its description says so)
                        || name.equals("excludeBoughtWithinDays") && template.endsWith("/bought-together")) {
                    continue;
                }
                Map<String, String> context = new LinkedHashMap<>(base);
                context.remove(name);
                if (name.equals("pinLimit")) {
                    context.put("pin", "category:cat0");
                }
                if (name.equals("excludeBoughtWithinDays") && template.endsWith("/upsell")) {
                    context.put("customerId", "C100");
                }
                if (parameter.path("required").asBoolean(false)) {
                    HttpResponse<String> r = a.send("GET", template, path + query(context, null, null));
                    if (r.statusCode() != 400) {
                        a.problems.add("GET " + r.uri() + " -> " + r.statusCode() + ": required " + name
                                + " left out, not a 400");
                    }
                }
                for (Map.Entry<String, Boolean> value : probes(parameter.path("schema")).entrySet()) {
                    HttpResponse<String> r = a.send("GET", template, path + query(context, name, value.getKey()));
                    if ((r.statusCode() == 400) != value.getValue()) {
                        a.problems.add("GET " + r.uri() + " -> " + r.statusCode() + ": the document "
                                + (value.getValue() ? "forbids" : "allows") + " " + name + "=" + value.getKey()
                                + ": " + r.body());
                    }
                    probed++;
                }
            }
        }
        // defaults the document states
        assertEquals(10, JSON.readTree(a.send("GET", "/v1/items", "/v1/items?q=item").body()).get("items").size());
        assertEquals(3, countPinned(a.send("GET", "/v1/customers/{customerId}/recommendations",
                "/v1/customers/C100/recommendations?pin=" + enc("category:cat0")).body()));
        a.assertClean();
        assertTrue(probed > 100, "values probed: " + probed);
    }

    /** {@code ?a=1&b=2} of the context and, when {@code name} is given, {@code name=value} last. */
    private static String query(Map<String, String> context, String name, String value) {
        StringBuilder q = new StringBuilder();
        context.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(enc(v)));
        if (name != null) {
            q.append(q.length() == 0 ? "?" : "&").append(name).append('=').append(enc(value));
        }
        return q.toString();
    }

    /**
     * A server started with other limits ({@code serve --max-limit 30 --max-basket-items 3}; the default limit then
     * stays 10) serves a document that says so, and enforces what it says: a client generated from it asks for at
     * most 30 items and sends baskets of at most 3.
     */
    @Test
    @Order(10)
    void theServedDocumentStatesTheServersOwnLimits() throws Exception {
        AffinityServer limited = AffinityServer.create(new ApiConfig("127.0.0.1", 0, 7, 30, 3, 64 * 1024, false),
                source, ServerOptions.defaults()).start();
        try {
            OpenApiDocument served = OpenApiDocument.parse(call(limited, "GET", "/openapi.json", Map.of(), null).body());
            assertEquals(List.of(), served.problems());
            int limits = 0;
            for (String operation : served.operations()) {
                String method = operation.substring(0, operation.indexOf(' '));
                String template = operation.substring(operation.indexOf(' ') + 1);
                List<JsonNode> parameters = new ArrayList<>();
                served.root().path("paths").path(template).path("parameters").forEach(parameters::add);
                served.operation(method, template).path("parameters").forEach(parameters::add);
                for (JsonNode parameter : parameters) {
                    if (parameter.path("name").asText().equals("limit")) {
                        JsonNode schema = parameter.path("schema");
                        boolean consent = template.equals("/v1/consent/changes");
                        assertEquals(consent ? 10_000 : 30, schema.path("maximum").asInt(), operation);
                        assertEquals(consent ? 1_000 : 7, schema.path("default").asInt(), operation);
                        limits++;
                    }
                }
            }
            assertTrue(limits >= 14, "limit parameters: " + limits);
            JsonNode basket = served.root().at("/paths/~1v1~1baskets~1recommendations/post/requestBody/content/"
                    + "application~1json/schema/properties");
            assertEquals(30, basket.at("/limit/maximum").asInt());
            assertEquals(3, basket.at("/items/maxItems").asInt());

            Audit a = new Audit(limited);
            assertEquals(200, a.send("GET", "/v1/items", "/v1/items?q=item&limit=30").statusCode());
            assertEquals(400, a.send("GET", "/v1/items", "/v1/items?q=item&limit=31").statusCode());
            assertEquals(7, JSON.readTree(a.send("GET", "/v1/items", "/v1/items?q=item").body()).get("items").size());
            assertEquals(200, a.post("/v1/baskets/recommendations", "/v1/baskets/recommendations",
                    "{\"items\": [\"I00\", \"I01\", \"I02\"], \"limit\": 30}").statusCode());
            assertEquals(413, a.post("/v1/baskets/recommendations", "/v1/baskets/recommendations",
                    "{\"items\": [\"I00\", \"I01\", \"I02\", \"I03\"]}").statusCode());
            a.assertClean();
        } finally {
            limited.close();
        }
    }

    /** Values of a parameter's schema, each with whether the schema forbids it. */
    private static Map<String, Boolean> probes(JsonNode schema) {
        Map<String, Boolean> values = new LinkedHashMap<>();
        String type = schema.path("type").asText();
        if (type.equals("integer") || type.equals("number")) {
            java.math.BigDecimal step = type.equals("integer") ? java.math.BigDecimal.ONE
                    : new java.math.BigDecimal("0.001");
            if (schema.has("minimum")) {
                values.put(schema.get("minimum").decimalValue().toPlainString(), false);
                values.put(schema.get("minimum").decimalValue().subtract(step).toPlainString(), true);
            }
            if (schema.has("maximum")) {
                values.put(schema.get("maximum").decimalValue().toPlainString(), false);
                values.put(schema.get("maximum").decimalValue().add(step).toPlainString(), true);
            }
            if (type.equals("integer")) {
                values.put("1.5", true);
            }
        }
        for (JsonNode e : schema.path("enum")) {
            values.put(e.asText(), false);
        }
        if (schema.has("enum")) {
            values.put("not-a-listed-value", true);
        }
        if (schema.path("format").asText().equals("date")) {
            values.put("2011-05-01", false);
            values.put("2011-13-01", true);
            values.put("yesterday", true);
        }
        if (type.equals("boolean")) {
            values.put("true", false);
            values.put("false", false);
            values.put("yes", true);
        }
        return values;
    }

    private static int countPinned(String body) throws Exception {
        int pinned = 0;
        for (JsonNode item : JSON.readTree(body).get("items")) {
            pinned += item.get("source").asText().equals("pinned") ? 1 : 0;
        }
        return pinned;
    }

    /**
     * The admin endpoints when the model store fails under them (its directory gone: a network file system that went
     * away, a volume unmounted) and the stock changes when the availability journal cannot be written (a full disk,
     * a failed fsync), each answer checked against the document as every other: these 503s were only asserted by
     * the tests of those failures, which do not read the document, so an undeclared status or header there went
     * unnoticed.
     */
    @Test
    @Order(11)
    void aFailingStoreAndAFailingStockJournalAnswerAsDocumented() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN);
        Path storeDir = dir.resolve("failing-models");
        ModelStore failing = ModelStore.open(storeDir);
        String one = TestStores.publish(failing, "f1");
        String two = TestStores.publish(failing, "f2");
        failing.activate(one);
        SwappableModelSource failingSource = new SwappableModelSource();
        ModelAdmin failingAdmin = new ModelAdmin(failing, failingSource, TestStores::serve);
        failingAdmin.reload();
        FailingDisk disk = new FailingDisk();
        ItemAvailability stock = ItemAvailability.journaled(dir.resolve("failing-availability.journal"), 1000, disk);
        ApiConfig config = ApiConfig.defaults().withHost("127.0.0.1").withPort(0);
        AffinityServer server = AffinityServer.create(config, failingSource, new ServerOptions(
                AccessControl.of(TOKEN, List.of()), failingAdmin, Duration.ofSeconds(5),
                new BusinessRuleConfig(0, 2, stock))).start();
        try {
            Audit a = new Audit(server);
            // the store's directory replaced by a file: every read and write of the store fails (not a directory)
            Files.move(storeDir, dir.resolve("failing-models-gone"));
            Files.writeString(storeDir, "not a directory\n");
            a.send("GET", "/admin/models", "/admin/models", auth, null);
            a.send("HEAD", "/admin/models", "/admin/models", auth, null);
            a.send("POST", "/admin/models/reload", "/admin/models/reload", auth, null);
            a.send("POST", "/admin/models/{version}/activate", "/admin/models/" + two + "/activate", auth, null);
            a.send("POST", "/admin/models/{version}/canary", "/admin/models/" + two + "/canary", json(auth),
                    "{\"percent\": 10}");
            a.send("DELETE", "/admin/models/canary", "/admin/models/canary", auth, null);
            for (FailingDisk.Mode failure : List.of(FailingDisk.Mode.FULL, FailingDisk.Mode.FORCE_FAILS)) {
                disk.mode = failure;
                String stockPath = "/admin/items/" + TestStores.itemId(5) + "/availability";
                a.send("PUT", "/admin/items/{itemId}/availability", stockPath, json(auth), "{\"available\": false}");
                disk.mode = FailingDisk.Mode.HEALTHY;
                a.send("PUT", "/admin/items/{itemId}/availability", stockPath, json(auth), "{\"available\": false}");
                disk.mode = failure;
                a.send("DELETE", "/admin/items/{itemId}/availability", stockPath, auth, null);
            }
            disk.mode = FailingDisk.Mode.HEALTHY;
            a.assertClean();
            for (String op : List.of("GET /admin/models", "HEAD /admin/models", "POST /admin/models/reload",
                    "POST /admin/models/{version}/activate", "POST /admin/models/{version}/canary",
                    "DELETE /admin/models/canary", "PUT /admin/items/{itemId}/availability",
                    "DELETE /admin/items/{itemId}/availability")) {
                assertTrue(SEEN.getOrDefault(op, Set.of()).contains(503), op + ": " + SEEN.get(op));
            }
        } finally {
            server.close();
            failingAdmin.close();
            failingSource.close(Duration.ofSeconds(1));
            stock.close();
        }
    }

    /**
     * Every answer carrying money (prices, margins, expected values, spend) names the model's currency, once, at its
     * top, as the manifest records it; null (sent) from a model that does not know it. The customer recommendations
     * carry no amount, so no currency either.
     */
    @Test
    @Order(12)
    void everyAnswerCarryingMoneyNamesTheModelsCurrency() throws Exception {
        Audit a = new Audit(main);
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("/v1/model", "/v1/model");
        answers.put("/v1/items", "/v1/items?q=item");
        answers.put("/v1/items/{itemId}", "/v1/items/I03");
        answers.put("/v1/customers/{customerId}/profile", "/v1/customers/" + TestStores.customerId(0) + "/profile");
        answers.put("/v1/customers/{customerId}/next-best-offers", "/v1/customers/" + TestStores.customerId(0)
                + "/next-best-offers");
        answers.put("/v1/items/{itemId}/upsell", "/v1/items/" + TestStores.itemId(0) + "/upsell");
        for (Map.Entry<String, String> e : answers.entrySet()) {
            JsonNode body = JSON.readTree(a.send("GET", e.getKey(), e.getValue()).body());
            assertEquals("GBP", body.path("currency").asText(null), e.getValue() + ": " + body);
        }
        String export = "/v1/campaigns/offers";
        String[] ndjson = a.send("GET", export, export + "?channel=web&limit=2").body().split("\n");
        JsonNode summary = JSON.readTree(ndjson[ndjson.length - 1]).get("summary");
        assertEquals("GBP", summary.path("currency").asText(null), summary.toString());
        String[] csv = a.send("GET", export, export + "?channel=web&limit=2", Map.of("Accept", "text/csv"), null)
                .body().split("\r\n");
        assertEquals("GBP", JSON.readTree(csv[csv.length - 1].substring("#summary ".length())).path("currency")
                .asText(null), csv[csv.length - 1]);
        String recommendations = a.send("GET", "/v1/customers/{customerId}/recommendations",
                "/v1/customers/" + TestStores.customerId(0) + "/recommendations").body();
        assertTrue(!recommendations.contains("currency") && !recommendations.contains("price"), recommendations);

        // a model whose manifest names no currency: the field is there, null
        Audit none = new Audit(uncatalogued);
        JsonNode offers = JSON.readTree(none.send("GET", "/v1/items/{itemId}/upsell", "/v1/items/I00/upsell").body());
        assertTrue(offers.has("currency") && offers.get("currency").isNull(), offers.toString());
        a.assertClean();
        none.assertClean();
    }

    /**
     * Every status every operation documents was answered by one of the requests above, each checked against the
     * document: none is left to another test, which would not read the document.
     */
    @Test
    @Order(100)
    void everyDocumentedStatusOfEveryOperationWasAnswered() {
        Map<String, Set<Integer>> missing = new TreeMap<>();
        for (String operation : doc.operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            for (Iterator<String> it = doc.operation(method, template).path("responses").fieldNames(); it.hasNext(); ) {
                String status = it.next();
                if (!SEEN.getOrDefault(operation, Set.of()).contains(Integer.parseInt(status))) {
                    missing.computeIfAbsent(operation, k -> new TreeSet<>()).add(Integer.parseInt(status));
                }
            }
        }
        assertEquals(Map.of(), missing, "documented statuses no request here was answered with");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Requests to one server, each answer checked against the document; the problems are asserted together. */
    private static final class Audit {
        private final AffinityServer server;
        private final List<String> problems = new ArrayList<>();

        Audit(AffinityServer server) {
            this.server = server;
        }

        HttpResponse<String> send(String method, String template, String path) throws Exception {
            return send(method, template, path, Map.of(), null);
        }

        HttpResponse<String> post(String template, String path, String body) throws Exception {
            return send("POST", template, path, Map.of("Content-Type", JSON_TYPE), body);
        }

        HttpResponse<String> put(String template, String path, String body) throws Exception {
            return send("PUT", template, path, Map.of("Content-Type", JSON_TYPE), body);
        }

        HttpResponse<String> send(String method, String template, String path, Map<String, String> headers,
                                  String body) throws Exception {
            HttpResponse<String> r = call(server, method, path, headers, body);
            String operation = method + " " + template;
            SEEN.computeIfAbsent(operation, k -> new ConcurrentSkipListSet<>()).add(r.statusCode());
            Map<String, List<String>> answered = r.headers().map();
            List<String> found = new ArrayList<>(doc.answerProblems(method, template, r.statusCode(), answered,
                    r.body(), WATCHED));
            if (!r.headers().allValues("Vary").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT)
                    .contains("accept-encoding"))) {
                found.add("no Vary: Accept-Encoding");
            }
            String cacheControl = r.headers().firstValue("Cache-Control").orElse(null);
            boolean declared = doc.response(method, template, r.statusCode())
                    .map(d -> d.path("headers").has("Cache-Control")).orElse(false);
            if (cacheControl == null || !declared && !cacheControl.equals("no-store")) {
                found.add("Cache-Control " + cacheControl + " on a response that declares none (no-store expected)");
            }
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                    && !r.body().isEmpty() && JSON.readTree(r.body()).path("status").asInt() != r.statusCode()) {
                found.add("a problem body whose status is not the answer's: " + r.body());
            }
            for (String p : found) {
                problems.add(method + " " + path + " -> " + r.statusCode() + ": " + p);
            }
            return r;
        }

        void assertClean() {
            assertEquals(List.of(), problems, "answers the OpenAPI document does not describe ("
                    + problems.size() + ")");
        }
    }

    private static HttpResponse<String> call(AffinityServer server, String method, String path,
                                             Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The template with ids the main server knows. */
    private static String concrete(String template) {
        return template.replace("{itemId}", "I01").replace("{customerId}", "C100").replace("{channel}", "email")
                .replace("{version}", candidate) + (template.equals("/v1/campaigns/offers") ? "?channel=web" : "")
                + (template.equals("/v1/items") ? "?q=item" : "");
    }

    /** A valid body for an operation that takes one. */
    private static String bodyOf(String template) {
        return switch (template) {
            case "/v1/baskets/recommendations" -> "{\"items\": [\"I00\"]}";
            case "/v1/customers/{customerId}/consent/{channel}" -> "{\"state\": \"opted_in\"}";
            case "/admin/models/{version}/canary" -> "{\"percent\": 10}";
            case "/admin/items/{itemId}/availability" -> "{\"available\": true}";
            default -> null;
        };
    }

    private static Map<String, String> json(Map<String, String> headers) {
        return with(headers, "Content-Type", JSON_TYPE);
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return all;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
