package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.NextBestOffers;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.TradeUp;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Business rules (filter, boost, pin, pinLimit, maxPerCategory, excludeBoughtWithinDays, asOf) on next-best
 * offers, upsell and the campaign export, over HTTP against a published snapshot with a catalogue index, profiles,
 * consent and trade-ups, small enough to rank by hand.
 *
 * <p>Items I00..I12, Ii in category cat(i mod 3), price 1.5 + i, bought by 1 of the 10 customers each (popular
 * share 0.1); the popular list is I00..I11 (I12 is in the catalogue but never a popular candidate). Rules
 * Ii => I(i+1) (confidence 0.6) and Ii => I(i+2) (0.4), mod 12. Customer C1cc bought I(c) in 3 orders on
 * 2011-05-01 and I(c+5 mod 12) once on 2011-04-21; every profile: 1 expected transaction in 90 days (activity
 * 0.632), strategy enhance (rules x1.2), medium price sensitivity, except C109 (strategy end). Email consent:
 * C100..C106 confirmed, C107 opted out, C108 pending, C109 confirmed. Margin 0.3 x price.
 *
 * <p>C100's offers, by value / activity: I06 1.62, I07 1.224, I01 0.54, I02 0.504, I05 (repeat, 1 order) 0.4875,
 * I11 0.375, I10 0.345, I00 (repeat, 3 orders) 0.3375, I09 0.315, I08 0.285, I04 0.165, I03 0.135. Upsell of I00
 * (1.5): observed trade-ups I06 (2 of 10: 0.45), I03 (3 of 10: 0.405), I09 (1 of 10: 0.315), then the fallback's
 * I12 (same category, popular share 0.1: 0.405).
 */
@IntegrationTest
class OfferRulesHttpTest {
    private static final String TOKEN = "test-admin-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);
    private static final int ITEMS = 13;
    private static final int CUSTOMERS = 10;
    @TempDir
    static Path tmp;
    private static Snapshot snapshot;
    private static ServedModel served;
    private static ConsentJournal journal;
    private static AffinityServer server;

    static String item(int i) {
        return String.format("I%02d", i);
    }

    static String customer(int c) {
        return "C" + (100 + c);
    }

    static ItemFacts facts(int i) {
        return new ItemFacts(item(i), "ITEM " + i, "cat" + (i % 3), 1.5 + i, 100 - i, 1, 300);
    }

    static String publish(ModelStore store) throws Exception {
        SnapshotBuilder b = store.newSnapshot();
        List<ItemFacts> facts = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            facts.add(facts(i));
            b.putItem(facts(i));
        }
        for (int i = 0; i < 12; i++) {
            b.putRules(item(i), List.of(
                    new AssociationRule(List.of(item(i)), item((i + 1) % 12), 40, 0.04, 0.6, 3.0, 0.01, 2.0),
                    new AssociationRule(List.of(item(i)), item((i + 2) % 12), 30, 0.03, 0.4, 2.5, 0.01, 1.5)));
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            b.putCustomer(customer(c), new CustomerHistory(4, List.of(new PurchasedItem(item(c), 3, 10, DAY),
                    new PurchasedItem(item((c + 5) % 12), 1, 2, DAY.minusDays(10))), 2));
            b.putProfile(customer(c), new CustomerProfile(10, 4, 99.5, 4, 4, 4, "loyal", 0.9, 1.0, 25, 300,
                    CustomerProfile.Tier.GOLD, CustomerProfile.Stage.ACTIVE,
                    c == 9 ? CustomerProfile.Strategy.END : CustomerProfile.Strategy.ENHANCE, 1.0, 0.4,
                    CustomerProfile.PriceSensitivity.MEDIUM, List.of()));
            b.putConsent(customer(c), Map.of(Channel.EMAIL,
                    c == 7 ? State.OPTED_OUT : c == 8 ? State.PENDING : State.CONFIRMED));
        }
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            popular.add(new PopularItem(item(i), 1000 - i, 1));
        }
        b.popularItems(popular);
        b.putTradeUps("I00", List.of(new TradeUp("I03", TradeUp.ALL, 3, 10, false),
                new TradeUp("I06", TradeUp.ALL, 2, 10, false), new TradeUp("I09", TradeUp.ALL, 1, 10, false)));
        b.addDirectory(Catalog.DIRECTORY, dir -> io.affinity.training.CatalogIndexWriter.write(dir, facts));
        return b.publish(false);
    }

    @BeforeAll
    static void start() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        snapshot = store.open(publish(store));
        served = TestStores.serve(snapshot);
        journal = ConsentJournal.open(tmp.resolve("consent.journal"));
        server = start(BusinessRuleConfig.defaults());
    }

    private static AffinityServer start(BusinessRuleConfig rules) {
        return AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(served),
                new ServerOptions(AccessControl.of(TOKEN, List.of()), null, Duration.ofSeconds(5), journal, 0.3,
                        rules)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        journal.close();
        served.catalog().close();
        snapshot.close();
    }

    private static HttpResponse<String> send(AffinityServer s, String method, String pathAndQuery, String accept)
            throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                .header("Accept", accept).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(server, "GET", pathAndQuery, "application/json");
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> offerIds(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.get("offers").forEach(o -> ids.add(o.get("itemId").asText()));
        return ids;
    }

    private static List<String> offers(String pathAndQuery) throws Exception {
        return offerIds(ok(get(pathAndQuery)));
    }

    private static int index(String itemId) {
        return Integer.parseInt(itemId.substring(1));
    }

    /** A 400 problem whose detail starts {@code query parameter '<parameter>'} and never names a customer. */
    private static String badRequest(String pathAndQuery, String parameter) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertEquals(400, r.statusCode(), pathAndQuery + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        String detail = JSON.readTree(r.body()).get("detail").asText();
        assertTrue(detail.startsWith("query parameter '" + parameter + "'"), detail);
        assertFalse(r.body().contains("SECRET"), "no customer id in the problem: " + r.body());
        return detail;
    }

    // ---- next-best offers

    @Test
    void nextBestOffersWithoutRulesAreThoseOfTheOfferLogicAlone() throws Exception {
        JsonNode body = ok(get("/v1/customers/C100/next-best-offers?limit=6"));
        assertEquals(List.of("I06", "I07", "I01", "I02", "I05", "I11"), offerIds(body));
        // Exactly what NextBestOffers answers without rules (as before rules existed), blank rules included.
        NextBestOffers direct = new NextBestOffers(served.recommender(), 0.3);
        JsonNode expected = JSON.valueToTree(direct.forCustomer("C100", snapshot.profile("C100"), 6));
        assertEquals(expected, body.get("offers"));
        assertEquals(expected, ok(get("/v1/customers/C100/next-best-offers?limit=6&filter=&boost=&pin="
                + "&maxPerCategory=&excludeBoughtWithinDays=")).get("offers"));
        assertEquals(expected, ok(get("/v1/customers/C100/next-best-offers?limit=6&excludeBoughtWithinDays=0"
                + "&maxPerCategory=0&asOf=2011-05-01")).get("offers"));
        for (JsonNode o : body.get("offers")) {
            assertFalse(o.get("explanation").asText().startsWith("pinned") || o.get("explanation").asText()
                    .startsWith("boosted"), o.toString());
        }
    }

    @Test
    void filterRemovesIneligibleOffersBeforeTheLimit() throws Exception {
        // cat1 in value order: I07, I01, I10, I04; the limit is filled from the next eligible candidates.
        assertEquals(List.of("I07", "I01", "I10"),
                offers("/v1/customers/C100/next-best-offers?limit=3&filter=" + enc("category:cat1")));
        assertEquals(List.of("I07", "I01", "I10", "I04"),
                offers("/v1/customers/C100/next-best-offers?limit=10&filter=" + enc("category:cat1")));
        // Exclusions only: everything except.
        assertEquals(List.of("I07", "I01", "I02"),
                offers("/v1/customers/C100/next-best-offers?limit=3&filter=" + enc("-id:I06")));
        // With a channel the consent is still checked: an opted-out customer gets no offers, whatever the rules.
        JsonNode optedOut = ok(get("/v1/customers/C107/next-best-offers?channel=email&filter=" + enc("category:cat1")));
        assertFalse(optedOut.get("contactable").asBoolean());
        assertEquals("opted_out", optedOut.get("excludedReason").asText());
        assertEquals(0, optedOut.get("offers").size());
        // Rules that leave nothing: an empty answer, still contactable (as any customer without offers).
        JsonNode none = ok(get("/v1/customers/C100/next-best-offers?channel=email&filter=" + enc("id:NOPE")));
        assertTrue(none.get("contactable").asBoolean());
        assertEquals(0, none.get("offers").size());
    }

    @Test
    void maxPerCategoryCapsOffersAndTheNextCategoriesFill() throws Exception {
        assertEquals(List.of("I06", "I07", "I02"), offers("/v1/customers/C100/next-best-offers?limit=3&maxPerCategory=1"));
        List<String> two = offers("/v1/customers/C100/next-best-offers?limit=6&maxPerCategory=2");
        assertEquals(List.of("I06", "I07", "I01", "I02", "I05", "I00"), two);
    }

    @Test
    void boostMovesMatchingOffersAheadAndSaysSo() throws Exception {
        JsonNode body = ok(get("/v1/customers/C100/next-best-offers?limit=4&boost=" + enc("category:cat2")));
        assertEquals(List.of("I02", "I05", "I11", "I08"), offerIds(body));
        for (JsonNode o : body.get("offers")) {
            assertTrue(o.get("explanation").asText().startsWith("boosted: matches boost 'category:cat2'; "),
                    o.toString());
        }
        // The values are the offer logic's: unchanged by the boost.
        JsonNode plain = ok(get("/v1/customers/C100/next-best-offers?limit=12"));
        for (JsonNode o : plain.get("offers")) {
            if (o.get("itemId").asText().equals("I02")) {
                assertEquals(o.get("expectedValue").asDouble(), body.at("/offers/0/expectedValue").asDouble());
                assertEquals("rules", body.at("/offers/0/source").asText());
            }
        }
    }

    @Test
    void pinPlacesRankedThenInjectedOffersFirst() throws Exception {
        JsonNode ranked = ok(get("/v1/customers/C100/next-best-offers?limit=3&pinLimit=1&pin=" + enc("id:I09")));
        assertEquals(List.of("I09", "I06", "I07"), offerIds(ranked));
        assertEquals(NextBestOffers.PINNED_SOURCE, ranked.at("/offers/0/source").asText());
        assertTrue(ranked.at("/offers/0/explanation").asText().startsWith(
                "pinned: matches pin 'id:I09' (ranked by expected value); popular; P(purchase) 0.063"),
                ranked.at("/offers/0/explanation").asText());
        // I12 is no candidate (no rule, not popular): the pin injects it from the catalogue.
        JsonNode injected = ok(get("/v1/customers/C100/next-best-offers?limit=3&pin=" + enc("id:(I12 OR I09)")));
        assertEquals(List.of("I09", "I12", "I06"), offerIds(injected));
        assertTrue(injected.at("/offers/1/explanation").asText().startsWith(
                "pinned: matches pin 'id:(I12 OR I09)' (injected from the catalogue by popularity); popular; "
                        + "P(purchase) 0.063 (popular 0.100 x activity 0.632) x margin 4.05"),
                injected.at("/offers/1/explanation").asText());
        // 0.1 x 0.632 x 4.05
        assertEquals(0.1 * -Math.expm1(-1.0) * 0.3 * 13.5, injected.at("/offers/1/expectedValue").asDouble(), 1e-12);
        // pinLimit=0: no pin.
        assertEquals(List.of("I06", "I07", "I01"),
                offers("/v1/customers/C100/next-best-offers?limit=3&pinLimit=0&pin=" + enc("id:I12")));
        // Pinned offers still pass the filter and count towards the category cap: I09 (ranked) takes cat0, so the
        // injected I12 and the best offer I06 (both cat0) give way; the filter takes I07, so I01 has cat1.
        assertEquals(List.of("I09", "I01", "I02"), offers("/v1/customers/C100/next-best-offers?limit=3"
                + "&maxPerCategory=1&filter=" + enc("-id:I07") + "&pin=" + enc("id:(I09 OR I12)")));
    }

    @Test
    void excludeBoughtWithinDaysDropsRecentSinglePurchasesOnly() throws Exception {
        // I05 was bought once on 2011-04-21 (10 days before asOf); I00 in 3 orders stays (a repeat purchase).
        assertEquals(List.of("I06", "I07", "I01", "I02", "I11", "I10"),
                offers("/v1/customers/C100/next-best-offers?limit=6&excludeBoughtWithinDays=30&asOf=2011-05-01"));
        assertEquals(List.of("I06", "I07", "I01", "I02", "I05", "I11"),
                offers("/v1/customers/C100/next-best-offers?limit=6&excludeBoughtWithinDays=30&asOf=2011-06-15"));
        // Exactly 10 days back counts ("within"), 9 does not reach it.
        assertFalse(offers("/v1/customers/C100/next-best-offers?limit=12&excludeBoughtWithinDays=10&asOf=2011-05-01")
                .contains("I05"));
        assertTrue(offers("/v1/customers/C100/next-best-offers?limit=12&excludeBoughtWithinDays=9&asOf=2011-05-01")
                .contains("I05"));
    }

    @Test
    void nextBestOffersRuleErrorsAre400sNamingTheParameter() throws Exception {
        String base = "/v1/customers/SECRET-CUSTOMER-1/next-best-offers?channel=email&";
        assertTrue(badRequest(base + "filter=" + enc("category:(cat1"), "filter")
                .contains("is not valid Lucene query syntax"));
        assertTrue(badRequest(base + "boost=" + enc("/[ac]*a[ac]{50,200}/"), "boost").contains("is too costly to run"));
        badRequest(base + "pin=" + enc("price:2*"), "pin");
        assertEquals("query parameter 'pinLimit' must be between 0 and 50, was 51", badRequest(base + "pinLimit=51", "pinLimit"));
        // A pinLimit without a pin would change nothing: refused, not ignored (a blank pin is no pin).
        assertTrue(badRequest(base + "pinLimit=2", "pinLimit").contains("needs query parameter 'pin'"));
        badRequest(base + "pinLimit=2&pin=", "pinLimit");
        badRequest(base + "maxPerCategory=-1", "maxPerCategory");
        badRequest(base + "excludeBoughtWithinDays=x", "excludeBoughtWithinDays");
        badRequest(base + "asOf=2011-13-01", "asOf");
        // Before consent: the rule is checked even for a customer whose offers would be withheld.
        badRequest("/v1/customers/C107/next-best-offers?channel=email&filter=" + enc("("), "filter");
    }

    // ---- upsell

    @Test
    void upsellWithoutRulesIsUnchanged() throws Exception {
        JsonNode body = ok(get("/v1/items/I00/upsell?limit=5"));
        assertEquals(List.of("I06", "I03", "I09", "I12"), offerIds(body));
        NextBestOffers direct = new NextBestOffers(served.recommender(), 0.3);
        assertEquals(JSON.valueToTree(direct.upsell("I00", Optional.empty(), 5, List.of("I03", "I06", "I09", "I12"))),
                body.get("offers"));
        assertEquals(body.get("offers"), ok(get("/v1/items/I00/upsell?limit=5&filter=&excludeBoughtWithinDays=0"))
                .get("offers"));
    }

    /**
     * The explanations print amounts in the model currency's minor unit, as the manifest names it: the same model
     * served as yen (no minor unit) answers the pinned upsell of {@link #upsellTakesFilterCapBoostAndPin} with whole
     * amounts, a half rounded up (1.50 -> 2, 12.50 -> 13, margin 3.75 -> 4), and says it is in yen.
     */
    @Test
    void explanationsPrintAmountsInTheModelCurrencysMinorUnit() throws Exception {
        Map<String, Object> summary = new LinkedHashMap<>(served.summary());
        summary.put("currency", "JPY");
        ServedModel yen = new ServedModel(served.snapshot(), served.recommender(), summary, served.catalog());
        AffinityServer yenServer = AffinityServer.create(ApiConfig.defaults().withHost("127.0.0.1").withPort(0),
                ModelSource.fixed(yen), new ServerOptions(AccessControl.of(TOKEN, List.of()), null,
                        Duration.ofSeconds(5), journal, 0.3, BusinessRuleConfig.defaults())).start();
        try {
            String path = "/v1/items/I00/upsell?limit=5&pinLimit=2&pin=" + enc("id:(I11 OR I00)");
            JsonNode pinned = ok(send(yenServer, "GET", path, "application/json"));
            assertEquals("JPY", pinned.path("currency").asText(null), pinned.toString());
            assertEquals("pinned: matches pin 'id:(I11 OR I00)' (injected from the catalogue by popularity); 2 -> 13; "
                    + "P(purchase) 0.100 (popular 0.100 x activity 1.000) x margin 4 (default margin rate: 30% of 13)",
                    pinned.at("/offers/0/explanation").asText());
            JsonNode offers = ok(send(yenServer, "GET", "/v1/customers/C100/next-best-offers?limit=3",
                    "application/json"));
            offers.get("offers").forEach(o -> assertTrue(
                    o.get("explanation").asText().matches(".* x margin \\d+( .*)?"), o.toString()));
        } finally {
            yenServer.close();
        }
    }

    @Test
    void upsellTakesFilterCapBoostAndPin() throws Exception {
        assertEquals(List.of("I03", "I09", "I12"), offers("/v1/items/I00/upsell?limit=5&filter=" + enc("-id:I06")));
        assertEquals(List.of("I06", "I03"), offers("/v1/items/I00/upsell?limit=5&maxPerCategory=2"));
        JsonNode boosted = ok(get("/v1/items/I00/upsell?limit=5&boost=" + enc("id:I09")));
        assertEquals(List.of("I09", "I06", "I03", "I12"), offerIds(boosted));
        assertTrue(boosted.at("/offers/0/explanation").asText().startsWith(
                "boosted: matches boost 'id:I09'; 1 of 10 customers who bought ITEM 0 (I00) later moved up"),
                boosted.at("/offers/0/explanation").asText());
        assertEquals("trade_up", boosted.at("/offers/0/source").asText());
        // The pin injects I11 (pricier than I00) but never I00 itself: an upsell moves up.
        JsonNode pinned = ok(get("/v1/items/I00/upsell?limit=5&pinLimit=2&pin=" + enc("id:(I11 OR I00)")));
        assertEquals(List.of("I11", "I06", "I03", "I09", "I12"), offerIds(pinned));
        assertEquals(NextBestOffers.PINNED_SOURCE, pinned.at("/offers/0/source").asText());
        assertEquals("pinned: matches pin 'id:(I11 OR I00)' (injected from the catalogue by popularity); 1.50 -> "
                + "12.50; P(purchase) 0.100 (popular 0.100 x activity 1.000) x margin 3.75 (default margin rate: 30% "
                + "of 12.50)", pinned.at("/offers/0/explanation").asText());
        JsonNode pinnedRanked = ok(get("/v1/items/I00/upsell?limit=2&pin=" + enc("id:I12")));
        assertEquals(List.of("I12", "I06"), offerIds(pinnedRanked));
        assertTrue(pinnedRanked.at("/offers/0/explanation").asText().startsWith(
                "pinned: matches pin 'id:I12' (ranked among this item's upsell offers); heuristic fallback"),
                pinnedRanked.at("/offers/0/explanation").asText());
    }

    @Test
    void upsellExcludesWhatTheCustomerBoughtRecentlyAndNeedsTheCustomerForIt() throws Exception {
        // C101 bought I06 once on 2011-04-21.
        assertEquals(List.of("I06", "I03", "I09", "I12"), offers("/v1/items/I00/upsell?limit=5&customerId=C101"));
        assertEquals(List.of("I03", "I09", "I12"), offers("/v1/items/I00/upsell?limit=5&customerId=C101"
                + "&excludeBoughtWithinDays=30&asOf=2011-05-01"));
        String detail = badRequest("/v1/items/I00/upsell?excludeBoughtWithinDays=30", "excludeBoughtWithinDays");
        assertTrue(detail.contains("needs query parameter 'customerId'"), detail);
        badRequest("/v1/items/I00/upsell?excludeBoughtWithinDays=30&customerId=", "excludeBoughtWithinDays");
        badRequest("/v1/items/I00/upsell?customerId=SECRET-CUSTOMER-2&filter=" + enc("id:("), "filter");
        badRequest("/v1/items/I00/upsell?customerId=SECRET-CUSTOMER-2&asOf=never", "asOf");
        // 0 is "off": no customer needed.
        assertEquals(200, get("/v1/items/I00/upsell?excludeBoughtWithinDays=0").statusCode());
        // A bad rule is a 400 before the unknown item's 404.
        badRequest("/v1/items/NOPE/upsell?pinLimit=99", "pinLimit");
        assertEquals(404, get("/v1/items/NOPE/upsell?filter=" + enc("id:I01")).statusCode());
    }

    // ---- campaign export

    private static JsonNode summary(String[] lines) throws Exception {
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertEquals("summary", last.get("type").asText(), lines[lines.length - 1]);
        return last.get("summary");
    }

    private static String[] export(String query) throws Exception {
        HttpResponse<String> r = send(server, "GET", "/v1/campaigns/offers?segment=all&channel=email&" + query,
                "application/x-ndjson");
        assertEquals(200, r.statusCode(), r.body());
        return r.body().split("\n");
    }

    @Test
    void exportWithoutRulesIsUnchangedAndItsSummaryNamesNoRules() throws Exception {
        String[] lines = export("limit=3");
        JsonNode s = summary(lines);
        assertEquals(10, s.get("matched").asLong());
        assertEquals(7, s.get("exported").asLong());
        assertEquals(JSON.readTree("{\"opted_out\":1,\"pending_confirmation\":1,\"strategy_end\":1}"), s.get("excluded"));
        assertFalse(s.has("rules"), s.toString());
        NextBestOffers direct = new NextBestOffers(served.recommender(), 0.3);
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            String id = row.get("customerId").asText();
            assertEquals(JSON.valueToTree(direct.forCustomer(id, snapshot.profile(id), 3)), row.get("offers"), id);
        }
    }

    @Test
    void exportAppliesTheFilterToEveryCustomerAndRecordsIt() throws Exception {
        String[] lines = export("limit=2&filter=" + enc("category:cat1"));
        JsonNode s = summary(lines);
        assertEquals(7, s.get("exported").asLong());
        assertEquals(7, lines.length - 1);
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            assertEquals(2, row.get("offers").size(), lines[i]);
            for (JsonNode o : row.get("offers")) {
                assertEquals(1, index(o.get("itemId").asText()) % 3, lines[i]);
            }
        }
        assertEquals(JSON.readTree("{\"filter\":\"category:cat1\"}"), s.get("rules"));
    }

    @Test
    void aCustomerWhoseOffersTheRulesRemoveCountsUnderNoOffers() throws Exception {
        JsonNode nothing = summary(export("limit=3&filter=" + enc("id:NOPE")));
        assertEquals(10, nothing.get("matched").asLong());
        assertEquals(0, nothing.get("exported").asLong());
        assertEquals(JSON.readTree("{\"no_offers\":7,\"opted_out\":1,\"pending_confirmation\":1,\"strategy_end\":1}"),
                nothing.get("excluded"));
        // Only I11: offered to all 7 eligible customers (C106 as its own repeat purchase) ...
        String[] onlyI11 = export("limit=3&filter=" + enc("id:I11"));
        assertEquals(7, summary(onlyI11).get("exported").asLong());
        // ... until C106's single purchase of I11 on 2011-04-21 counts as recent: C106 has no offer left.
        String[] lines = export("limit=3&excludeBoughtWithinDays=30&asOf=2011-05-01&filter=" + enc("id:I11"));
        JsonNode s = summary(lines);
        assertEquals(6, s.get("exported").asLong());
        assertEquals(JSON.readTree("{\"no_offers\":1,\"opted_out\":1,\"pending_confirmation\":1,\"strategy_end\":1}"),
                s.get("excluded"));
        Set<String> exported = new HashSet<>();
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            exported.add(row.get("customerId").asText());
            assertEquals(List.of("I11"), offerIds(row), lines[i]);
        }
        assertEquals(Set.of("C100", "C101", "C102", "C103", "C104", "C105"), exported);
        assertEquals(JSON.readTree("{\"filter\":\"id:I11\",\"excludeBoughtWithinDays\":30,\"asOf\":\"2011-05-01\"}"),
                s.get("rules"));
    }

    @Test
    void exportTakesPinBoostAndTheCategoryCapPerCustomer() throws Exception {
        String[] pinned = export("limit=2&pinLimit=1&pin=" + enc("id:I12") + "&boost=" + enc("category:cat2")
                + "&maxPerCategory=1");
        JsonNode s = summary(pinned);
        assertEquals(7, s.get("exported").asLong());
        assertEquals(JSON.readTree("{\"boost\":\"category:cat2\",\"pin\":\"id:I12\",\"pinLimit\":1,"
                + "\"maxPerCategory\":1}"), s.get("rules"));
        for (int i = 0; i < pinned.length - 1; i++) {
            JsonNode row = JSON.readTree(pinned[i]);
            assertEquals("I12", row.at("/offers/0/itemId").asText(), pinned[i]);
            assertEquals(NextBestOffers.PINNED_SOURCE, row.at("/offers/0/source").asText());
            // I12 is cat0; the boost brings a cat2 offer next.
            assertEquals(2, index(row.at("/offers/1/itemId").asText()) % 3, pinned[i]);
            assertTrue(row.at("/offers/1/explanation").asText().startsWith("boosted: matches boost 'category:cat2'"));
        }
        String[] capped = export("limit=3&maxPerCategory=1");
        for (int i = 0; i < capped.length - 1; i++) {
            Set<Integer> categories = new HashSet<>();
            for (String id : offerIds(JSON.readTree(capped[i]))) {
                assertTrue(categories.add(index(id) % 3), capped[i]);
            }
            assertEquals(3, categories.size(), capped[i]);
        }
    }

    @Test
    void csvExportRecordsTheRulesInItsSummaryLine() throws Exception {
        HttpResponse<String> r = send(server, "GET", "/v1/campaigns/offers?segment=all&channel=email&limit=1&filter="
                + enc("category:cat1"), "text/csv");
        assertEquals(200, r.statusCode(), r.body());
        String[] lines = r.body().split("\r?\n");
        assertEquals(1 + 7, lines.length - 1, "header, one row per customer (limit 1), summary");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("#summary "), last);
        JsonNode s = JSON.readTree(last.substring("#summary ".length()));
        assertEquals(JSON.readTree("{\"filter\":\"category:cat1\"}"), s.get("rules"));
    }

    @Test
    void exportRuleErrorsAre400ProblemsBeforeAnyByteIsStreamed() throws Exception {
        String base = "/v1/campaigns/offers?segment=all&channel=email&";
        assertTrue(badRequest(base + "filter=" + enc("category:(cat1"), "filter").contains("not valid Lucene"));
        assertTrue(badRequest(base + "pin=" + enc("/[ac]*a[ac]{50,200}/"), "pin").contains("too costly"));
        badRequest(base + "maxPerCategory=x", "maxPerCategory");
        badRequest(base + "excludeBoughtWithinDays=-1", "excludeBoughtWithinDays");
        badRequest(base + "asOf=2011-02-30", "asOf");
        badRequest(base + "pinLimit=-1", "pinLimit");
        HttpResponse<String> head = send(server, "HEAD", base + "filter=" + enc("("), "application/x-ndjson");
        assertEquals(400, head.statusCode());
        assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    }

    @Test
    void stockStillHoldsUnderRules() throws Exception {
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/admin/items/I07/availability")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json");
        assertEquals(200, CLIENT.send(out.PUT(HttpRequest.BodyPublishers.ofString("{\"available\":false}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        try {
            assertEquals(List.of("I01", "I10", "I04"),
                    offers("/v1/customers/C100/next-best-offers?limit=3&filter=" + enc("category:cat1")));
            assertEquals(List.of("I06", "I01", "I02"),
                    offers("/v1/customers/C100/next-best-offers?limit=3&pin=" + enc("id:I07")));
            String[] lines = export("limit=3&filter=" + enc("category:cat1"));
            for (int i = 0; i < lines.length - 1; i++) {
                assertFalse(offerIds(JSON.readTree(lines[i])).contains("I07"), lines[i]);
            }
        } finally {
            assertEquals(200, CLIENT.send(out.DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertEquals(List.of("I07", "I01", "I10"),
                offers("/v1/customers/C100/next-best-offers?limit=3&filter=" + enc("category:cat1")));
    }

    /** The server's default window (serve --exclude-bought-within-days) holds for offers as for recommendations. */
    @Test
    void theServersDefaultWindowAppliesToOffersAndIsRecorded() throws Exception {
        AffinityServer withDefault = start(new BusinessRuleConfig(30, 2, ItemAvailability.inMemory()));
        try {
            HttpResponse<String> r = send(withDefault, "GET",
                    "/v1/customers/C100/next-best-offers?limit=6&asOf=2011-05-01", "application/json");
            assertEquals(List.of("I06", "I07", "I01", "I02", "I11", "I10"), offerIds(ok(r)));
            // The request's own value wins, 0 turns it off.
            r = send(withDefault, "GET", "/v1/customers/C100/next-best-offers?limit=6&asOf=2011-05-01"
                    + "&excludeBoughtWithinDays=0", "application/json");
            assertTrue(offerIds(ok(r)).contains("I05"));
            // Upsell without a customer: the default has nothing to exclude, and that is no error.
            assertEquals(200, send(withDefault, "GET", "/v1/items/I00/upsell", "application/json").statusCode());
            r = send(withDefault, "GET", "/v1/campaigns/offers?segment=all&channel=email&limit=3&asOf=2011-05-01"
                    + "&filter=" + enc("id:I11"), "application/x-ndjson");
            assertEquals(200, r.statusCode());
            JsonNode s = summary(r.body().split("\n"));
            assertEquals(1, s.at("/excluded/no_offers").asLong());
            assertEquals(JSON.readTree("{\"filter\":\"id:I11\",\"excludeBoughtWithinDays\":30,\"asOf\":\"2011-05-01\"}"),
                    s.get("rules"));
            // Without asOf the window counts back from today (UTC), and the summary says which day that was.
            r = send(withDefault, "GET", "/v1/campaigns/offers?segment=all&channel=email&limit=1",
                    "application/x-ndjson");
            s = summary(r.body().split("\n"));
            assertEquals(30, s.at("/rules/excludeBoughtWithinDays").asInt());
            LocalDate asOf = LocalDate.parse(s.at("/rules/asOf").asText());
            assertTrue(Math.abs(asOf.toEpochDay() - LocalDate.now(java.time.ZoneOffset.UTC).toEpochDay()) <= 1, asOf.toString());
            assertEquals(7, s.get("exported").asLong());
        } finally {
            withDefault.close();
        }
    }
}
