package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profile, consent, offers, upsell and campaign export over real HTTP. */
@IntegrationTest
class CustomerApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int CUSTOMERS = 3000;

    @TempDir
    Path dir;
    private ProfiledSnapshot snapshot;
    private ConsentJournal journal;
    private AffinityServer server;

    /** An in-memory model plus profiles and training-time consent (what format 2 snapshots carry). */
    static class ProfiledSnapshot implements ModelSnapshot {
        final InMemoryModelSnapshot base;
        final TreeMap<String, CustomerProfile> profiles = new TreeMap<>();
        final Map<String, Map<Channel, State>> consent = new HashMap<>();
        /** The list's updated_at per customer and channel, where it gives one. */
        final Map<String, Map<Channel, Instant>> consentUpdatedAt = new HashMap<>();
        /** When its consent list was "written": its creation, as training records the list file's time. */
        Instant consentAsOf = Instant.now();

        ProfiledSnapshot(InMemoryModelSnapshot base) {
            this.base = base;
        }

        @Override public String version() { return base.version(); }
        @Override public Optional<ItemFacts> item(String id) { return base.item(id); }
        @Override public List<AssociationRule> rulesWithAntecedentItem(String id) { return base.rulesWithAntecedentItem(id); }
        @Override public Optional<CustomerHistory> customer(String id) { return base.customer(id); }
        @Override public List<PopularItem> popularItems() { return base.popularItems(); }
        @Override public void forEachRule(Consumer<AssociationRule> v) { base.forEachRule(v); }
        @Override public long itemCount() { return base.itemCount(); }
        @Override public long ruleCount() { return base.ruleCount(); }
        @Override public long customerCount() { return profiles.size(); }
        @Override public Optional<CustomerProfile> profile(String id) { return Optional.ofNullable(profiles.get(id)); }
        @Override public void forEachProfile(BiConsumer<String, CustomerProfile> v) { profiles.forEach(v); }
        @Override public Optional<Consent.ListEntry> listedConsent(String id, Channel ch) {
            State state = consent.getOrDefault(id, Map.of()).get(ch);
            return state == null ? Optional.empty()
                    : Optional.of(new Consent.ListEntry(state, consentUpdatedAt.getOrDefault(id, Map.of()).get(ch)));
        }
        @Override public Optional<Instant> consentAsOf() { return Optional.of(consentAsOf); }
    }

    /** A two-item model (a teacup and a T-light holder, both popular) without customers: add profiles and consent. */
    static ProfiledSnapshot twoItemSnapshot(String version) {
        return new ProfiledSnapshot(InMemoryModelSnapshot.builder(version)
                .item(new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "", 2.95, 900, 400, 5000))
                .item(new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.55, 2000, 800, 9000))
                .popular(new PopularItem("85123A", 2000, 800))
                .popular(new PopularItem("22697", 900, 400))
                .build());
    }

    static CustomerProfile profile(CustomerProfile.Tier tier, CustomerProfile.Strategy strategy) {
        return new CustomerProfile(10, 5, 900, 4, 4, 4, "loyal", 0.9, 1.2, 150, 1200, tier,
                CustomerProfile.Stage.ACTIVE, strategy, 0.95, 0.4, CustomerProfile.PriceSensitivity.MEDIUM,
                List.of("REGENCY TEACUP AND SAUCER"));
    }

    @BeforeEach
    void start() throws Exception {
        LocalDate day = LocalDate.of(2011, 5, 1);
        InMemoryModelSnapshot base = InMemoryModelSnapshot.builder("cust-v1")
                .item(new ItemFacts("22697", "GREEN REGENCY TEACUP AND SAUCER", "", 2.95, 900, 400, 5000))
                .item(new ItemFacts("22698", "PINK REGENCY TEACUP AND SAUCER", "", 3.25, 800, 350, 4000))
                .item(new ItemFacts("22699", "ROSES REGENCY TEACUP AND SAUCER", "", 2.95, 700, 300, 3000))
                .item(new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.55, 2000, 800, 9000))
                .rule(new AssociationRule(List.of("22697"), "22698", 300, 0.03, 0.7, 20, 0.02, 3.2))
                .rule(new AssociationRule(List.of("22697"), "22699", 280, 0.028, 0.65, 18, 0.02, 2.8))
                .customer("17850", new CustomerHistory(3, List.of(new PurchasedItem("22697", 2, 12, day)), 1))
                .popular(new PopularItem("85123A", 2000, 800))
                .popular(new PopularItem("22697", 900, 400))
                .build();
        snapshot = new ProfiledSnapshot(base);
        snapshot.profiles.put("17850", profile(CustomerProfile.Tier.GOLD, CustomerProfile.Strategy.ENHANCE));
        snapshot.consent.put("17850", Map.of(Channel.EMAIL, State.CONFIRMED));
        Random rnd = new Random(3);
        for (int c = 0; c < CUSTOMERS; c++) {
            String id = "C" + (100000 + c);
            snapshot.profiles.put(id, profile(c % 2 == 0 ? CustomerProfile.Tier.GOLD : CustomerProfile.Tier.LEAD,
                    c % 50 == 0 ? CustomerProfile.Strategy.END : CustomerProfile.Strategy.ENHANCE));
            int k = rnd.nextInt(10);
            if (k < 6) {
                snapshot.consent.put(id, Map.of(Channel.EMAIL, k < 3 ? State.CONFIRMED : State.OPTED_IN));
            } else if (k < 8) {
                snapshot.consent.put(id, Map.of(Channel.EMAIL, State.PENDING));
            } else if (k < 9) {
                snapshot.consent.put(id, Map.of(Channel.EMAIL, State.OPTED_OUT));
            } // else unknown
        }
        journal = ConsentJournal.open(dir.resolve("consent.journal"));
        server = serve(snapshot, journal);
    }

    /** A server on port 0 over a profiled snapshot and a consent journal, at the default margin rate. */
    static AffinityServer serve(ProfiledSnapshot snapshot, ConsentJournal journal) {
        ServedModel served = new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS),
                Map.of("version", snapshot.version()));
        return AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served), journal, 0.3).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        journal.close();
    }

    @Test
    void profileOfKnownCustomerAndProblemWithoutIdForUnknown() throws Exception {
        HttpResponse<String> r = get("/v1/customers/17850/profile", "application/json");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertEquals("gold", b.get("tier").asText());
        assertEquals("enhance", b.get("strategy").asText());
        assertEquals(0.9, b.at("/value/pAlive").asDouble(), 1e-12);
        assertEquals("loyal", b.at("/rfm/segment").asText());
        assertFalse(b.has("asOf"), "a model that does not say when its profiles are from says nothing: " + r.body());
        // The id as a spreadsheet wrote it finds the same customer (training stored it without ".0").
        HttpResponse<String> asFloat = get("/v1/customers/17850.0/profile", "application/json");
        assertEquals(200, asFloat.statusCode(), asFloat.body());
        assertEquals("gold", JSON.readTree(asFloat.body()).get("tier").asText());
        // ... and so does the id as a spreadsheet in a decimal-comma locale wrote it (German Excel: 17850,0)
        HttpResponse<String> asCommaDecimal = get("/v1/customers/17850,0/profile", "application/json");
        assertEquals(200, asCommaDecimal.statusCode(), asCommaDecimal.body());
        assertEquals("gold", JSON.readTree(asCommaDecimal.body()).get("tier").asText());
        HttpResponse<String> missing = get("/v1/customers/SECRET-ID-42/profile", "application/json");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertFalse(missing.body().contains("SECRET-ID-42"), missing.body());
    }

    @Test
    void consentChangesAreValidatedJournaledAndSurviveReopening() throws Exception {
        assertEquals(400, put("/v1/customers/17850/consent/fax", "{\"state\":\"opted_in\"}").statusCode());
        assertEquals(422, put("/v1/customers/17850/consent/email", "{\"state\":\"maybe\"}").statusCode());
        assertEquals(422, put("/v1/customers/17850/consent/email", "{}").statusCode());
        assertEquals(400, put("/v1/customers/17850/consent/email", "{not json").statusCode());
        HttpResponse<String> ok = put("/v1/customers/17850.0/consent/email", "{\"state\":\"opted_out\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(1, JSON.readTree(ok.body()).get("sequence").asLong());
        // Immediately effective: next-best offers for email now refuse.
        JsonNode nbo = JSON.readTree(get("/v1/customers/17850/next-best-offers?channel=email&limit=3", "application/json").body());
        assertFalse(nbo.get("contactable").asBoolean());
        assertEquals("opted_out", nbo.get("excludedReason").asText());
        assertEquals(0, nbo.get("offers").size());
        // Survives a restart / model reload: a new journal over the same file has it.
        try (ConsentJournal reopened = ConsentJournal.open(dir.resolve("consent.journal"))) {
            assertFalse(reopened.check(snapshot, "17850", Channel.EMAIL).allowed());
            assertEquals(1, reopened.sequence());
            // ... and a newly trained model whose consent export still says confirmed does not undo it.
            ProfiledSnapshot retrained = new ProfiledSnapshot(snapshot.base);
            retrained.consent.put("17850", Map.of(Channel.EMAIL, State.CONFIRMED, Channel.SMS, State.CONFIRMED));
            assertEquals("opted_out", reopened.check(retrained, "17850", Channel.EMAIL).reason());
            assertTrue(reopened.check(retrained, "17850", Channel.SMS).allowed());
        }
    }

    /**
     * A journal line written while {@code 17850,0} was an id of its own (a decimal-comma export's customer 17850,
     * opted out through the API under the id the model then stored) still applies once a retrained model stores
     * the customer as {@code 17850}, and to an older snapshot that still stores {@code 17850,0}.
     */
    @Test
    void aChangeJournalledUnderADecimalCommaIdAppliesToTheNormalisedCustomer() throws Exception {
        Path journal = dir.resolve("old-consent.journal");
        Files.writeString(journal, "{\"seq\":1,\"at\":\"2026-01-05T10:00:00Z\",\"customerId\":\"17850,0\","
                + "\"channel\":\"email\",\"state\":\"opted_out\"}\n");
        try (ConsentJournal j = ConsentJournal.open(journal)) {
            ProfiledSnapshot listed = new ProfiledSnapshot(snapshot.base);
            listed.consent.put("17850", Map.of(Channel.EMAIL, State.CONFIRMED));
            assertEquals("opted_out", j.check(listed, "17850", Channel.EMAIL).reason());
            ProfiledSnapshot older = new ProfiledSnapshot(snapshot.base);
            older.consent.put("17850,0", Map.of(Channel.EMAIL, State.CONFIRMED));
            assertEquals("opted_out", j.check(older, "17850,0", Channel.EMAIL).reason());
            assertEquals("17850", j.changesSince(0, null, 10).changes().get(0).customerId());
        }
    }

    @Test
    void anOptInOlderThanTheModelsConsentListDoesNotUndoTheListsOptOut() throws Exception {
        // Through the API the customer opts in; later they unsubscribe by a link the retailer's CRM handles, and the
        // next training run's consent list says opted_out. The older opt-in must not override that list.
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_in\"}").statusCode());
        assertTrue(offersFor17850().get("contactable").asBoolean(), "newer than the list the model was built with");
        Thread.sleep(5); // the retrained list is written strictly after the opt-in
        serveRetrained(State.OPTED_OUT, null);
        JsonNode nbo = offersFor17850();
        assertFalse(nbo.get("contactable").asBoolean(), nbo.toString());
        assertEquals("opted_out", nbo.get("excludedReason").asText());
        // The feed still lists the change as made, and says what an export decides now.
        JsonNode change = JSON.readTree(get("/v1/consent/changes?since=0&channel=email", "application/json").body())
                .get("changes").get(0);
        assertEquals("opted_in", change.get("state").asText());
        assertFalse(change.get("contactable").asBoolean(), change.toString());
        HttpResponse<String> export = get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=1",
                "application/x-ndjson");
        assertEquals(200, export.statusCode());
        assertFalse(export.body().contains("\"customerId\":\"17850\""), "an opted-out customer in an export");
        // An opt-in made after the list was written is the customer's latest word: contactable again.
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_in\"}").statusCode());
        assertTrue(offersFor17850().get("contactable").asBoolean());
        assertTrue(get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=1", "application/x-ndjson").body()
                .contains("\"customerId\":\"17850\""));
    }

    @Test
    void aResubscriptionTheListDatesAfterAnApiOptOutIsHonoured() throws Exception {
        // The customer opts out through the API, later subscribes again in the retailer's CRM; the next training
        // run's list says opted_in with the time of that subscription, so the list is their latest word.
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_out\"}").statusCode());
        Thread.sleep(5);
        Instant resubscribed = Instant.now();
        Thread.sleep(5);
        serveRetrained(State.OPTED_IN, null);
        assertFalse(offersFor17850().get("contactable").asBoolean(),
                "without the row's time the older opt-out may still restrict the list");

        serveRetrained(State.OPTED_IN, resubscribed);
        JsonNode nbo = offersFor17850();
        assertTrue(nbo.get("contactable").asBoolean(), nbo.toString());
        assertTrue(get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=1", "application/x-ndjson").body()
                .contains("\"customerId\":\"17850\""), "the re-subscribed customer is exported");
        JsonNode change = JSON.readTree(get("/v1/consent/changes?since=0&channel=email", "application/json").body())
                .get("changes").get(0);
        assertEquals("opted_out", change.get("state").asText());
        assertTrue(change.get("contactable").asBoolean(), "the feed decides as exports do: " + change);
        // An opt-out after the re-subscription is the latest word again.
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_out\"}").statusCode());
        assertFalse(offersFor17850().get("contactable").asBoolean());
        assertFalse(get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=1", "application/x-ndjson")
                .body().contains("\"customerId\":\"17850\""));
    }

    /**
     * Serves, instead of the running server, the same model retrained now with a consent list that gives customer
     * 17850 {@code email} on e-mail, dated {@code updatedAt} by the list (null: the list gives no time).
     */
    private void serveRetrained(State email, Instant updatedAt) {
        ProfiledSnapshot retrained = new ProfiledSnapshot(snapshot.base);
        retrained.profiles.putAll(snapshot.profiles);
        retrained.consent.put("17850", Map.of(Channel.EMAIL, email));
        if (updatedAt != null) {
            retrained.consentUpdatedAt.put("17850", Map.of(Channel.EMAIL, updatedAt));
        }
        retrained.consentAsOf = Instant.now();
        server.close();
        server = serve(retrained, journal);
    }

    @Test
    void theFinalRecordSaysWhatWasExported() throws Exception {
        // A file kept apart from its request (a campaign tool's archive) must still say which segment and limit.
        String[] lines = get("/v1/campaigns/offers?segment=TIER:Gold&channel=email&limit=2", "application/x-ndjson")
                .body().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
        assertEquals("tier:gold", summary.get("segment").asText(), summary.toString());
        assertEquals(2, summary.get("limit").asInt());
        String[] all = get("/v1/campaigns/offers?channel=email", "text/csv").body().split("\r?\n");
        String last = all[all.length - 1];
        assertTrue(last.startsWith("#summary ") && last.contains("\"segment\":\"all\"")
                && last.contains("\"limit\":" + ApiConfig.defaults().defaultLimit()), last);
    }

    /**
     * A win-back campaign is "Gold customers whose P(alive) has fallen below one half": a tier and a P(alive) bound in
     * one segment, every condition holding; the final record names the segment as the export applied it.
     */
    @Test
    void aSegmentCombinesATierWithAPAliveBound() throws Exception {
        // 40 Gold and 40 Lead customers with P(alive) 0, 0.025, ..., 0.975 beside the 3,001 at 0.9.
        for (int c = 0; c < 80; c++) {
            CustomerProfile p = profile(c < 40 ? CustomerProfile.Tier.GOLD : CustomerProfile.Tier.LEAD,
                    CustomerProfile.Strategy.ENHANCE);
            snapshot.profiles.put("W" + (1000 + c), new CustomerProfile(p.recencyDays(), p.transactions(),
                    p.monetary(), p.recencyScore(), p.frequencyScore(), p.monetaryScore(), p.segment(), (c % 40) / 40.0,
                    p.expectedTransactions90(), p.expectedSpend(), p.expectedValue12(), p.tier(), p.stage(),
                    p.strategy(), p.priceIndex(), p.cheaperVariantShare(), p.priceSensitivity(),
                    p.favouriteFamilies()));
        }
        HttpResponse<String> r = get("/v1/campaigns/offers?segment=tier:gold,p_alive_below:0.5&channel=web&limit=1",
                "application/x-ndjson");
        assertEquals(200, r.statusCode(), r.body());
        String[] lines = r.body().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
        assertEquals("tier:gold,p_alive_below:0.5", summary.get("segment").asText(), summary.toString());
        assertEquals(20, summary.get("matched").asInt(), summary.toString());
        for (int i = 0; i < lines.length - 1; i++) {
            int n = Integer.parseInt(JSON.readTree(lines[i]).get("customerId").asText().substring(1));
            assertTrue(n >= 1000 && n < 1020, lines[i]);
        }
        // The other side of the bound, conditions in any order: 20 Lead at 0.5 or more, and the 1,500 Lead at 0.9.
        JsonNode rest = JSON.readTree(get("/v1/campaigns/offers?segment=p_alive_at_least:0.50,tier:lead&channel=web"
                + "&summaryOnly=true", "application/x-ndjson").body()).get("summary");
        assertEquals("p_alive_at_least:0.5,tier:lead", rest.get("segment").asText(), rest.toString());
        assertEquals(1520, rest.get("matched").asInt(), rest.toString());
        for (String bad : List.of("tier:gold,tier:lead", "p_alive_below:1.5", "p_alive_below:abc", "tier:gold,",
                "p_alive_below:NaN", "all,tier:gold")) {
            HttpResponse<String> refused = get("/v1/campaigns/offers?channel=web&segment="
                    + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8), "application/x-ndjson");
            assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
            assertTrue(refused.body().contains("segment"), refused.body());
        }
    }

    private JsonNode offersFor17850() throws Exception {
        HttpResponse<String> r = get("/v1/customers/17850/next-best-offers?channel=email&limit=3", "application/json");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /**
     * An operator alerts on the consent journal from /metrics: while it cannot be read every campaign export and
     * consent change answers 503, which nothing scraped used to show; its sequence and the consents in effect say
     * whether this replica follows the others.
     */
    @Test
    void theConsentJournalIsVisibleInTheMetrics() throws Exception {
        String before = get("/metrics", "text/plain").body();
        PrometheusText.check(before);
        assertEquals(1, PrometheusText.sample(before, "affinity_consent_journal_readable"));
        assertEquals(0, PrometheusText.sample(before, "affinity_consent_journal_sequence"));
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_out\"}").statusCode());
        assertEquals(200, put("/v1/customers/C100001/consent/sms", "{\"state\":\"opted_in\"}").statusCode());
        assertEquals(200, put("/v1/customers/17850/consent/email", "{\"state\":\"opted_in\"}").statusCode());
        String after = get("/metrics", "text/plain").body();
        PrometheusText.check(after);
        assertEquals(3, PrometheusText.sample(after, "affinity_consent_journal_sequence"));
        assertEquals(2, PrometheusText.sample(after, "affinity_consent_changes_in_effect"), "latest per customer and channel");
        assertEquals(0, PrometheusText.sample(after, "affinity_availability_statements"));
        assertFalse(after.contains("17850") || after.contains("C100001"), "no customer id in the metrics");
        // a line no reader understands in the middle of the journal (a replica's bad write): unreadable
        Path f = dir.resolve("consent.journal");
        Files.writeString(f, "garbage\n" + Files.readString(f), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        journal.close();
        journal = ConsentJournal.open(f);
        server.close();
        server = serve(snapshot, journal);
        assertEquals(0, PrometheusText.sample(get("/metrics", "text/plain").body(), "affinity_consent_journal_readable"));
    }

    @Test
    void tornLastLineIsCutCorruptMiddleDisablesExports() throws Exception {
        journal.record("17850", Channel.SMS, State.OPTED_IN);
        Path f = dir.resolve("consent.journal");
        Files.writeString(f, Files.readString(f) + "{\"seq\":2,\"customerId\":\"17", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        try (ConsentJournal j = ConsentJournal.open(f)) {
            assertEquals(null, j.failure());
            assertEquals(1, j.sequence());
            assertEquals(2, j.record("17850", Channel.SMS, State.OPTED_OUT));
        }
        Files.writeString(f, "garbage\n" + Files.readString(f));
        try (ConsentJournal broken = ConsentJournal.open(f)) {
            assertTrue(broken.failure().contains("line 1"), broken.failure());
        }
    }

    @Test
    void exportFailsWhenConsentCannotBeRead() throws Exception {
        server.close();
        ServedModel served = new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS), Map.of());
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served)).start(); // no journal
        HttpResponse<String> r = get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=3", "application/x-ndjson");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("consent"));
    }

    /** A model whose profile store fails part-way through a visit, as a damaged value would. */
    private void serveModelFailingAfter(int failAfter) throws Exception {
        server.close();
        ProfiledSnapshot failing = new ProfiledSnapshot(snapshot.base) {
            @Override
            public void forEachProfile(BiConsumer<String, CustomerProfile> v) {
                int[] seen = {0};
                profiles.forEach((id, p) -> {
                    if (seen[0]++ == failAfter) {
                        // like CorruptSnapshotException, whose message names the key: it must not reach the client
                        throw new IllegalStateException("value of key '" + id + "' does not decode");
                    }
                    v.accept(id, p);
                });
            }
        };
        failing.profiles.putAll(snapshot.profiles);
        failing.consent.putAll(snapshot.consent);
        ServedModel served = new ServedModel(failing, new Recommender(failing, RecommenderSettings.DEFAULTS), Map.of());
        server = AffinityServer.create(ApiConfig.defaults().withPort(0).withHost("127.0.0.1"),
                ModelSource.fixed(served), journal, 0.3).start();
    }

    @Test
    void anExportThatFailsMidStreamEndsWithAnErrorRecordNotASummary() throws Exception {
        serveModelFailingAfter(1000);
        HttpResponse<String> r = get("/v1/campaigns/offers?segment=all&channel=email&limit=2", "application/x-ndjson");
        assertEquals(200, r.statusCode()); // sent before the failure
        String[] lines = r.body().split("\n");
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertEquals("error", last.get("type").asText(), lines[lines.length - 1]);
        assertEquals(1000, last.at("/error/matchedSoFar").asLong());
        assertEquals(lines.length - 1, last.at("/error/exportedSoFar").asLong());
        assertTrue(last.at("/error/detail").asText().contains("incomplete"), last.toString());
        String failedAt = new ArrayList<>(snapshot.profiles.keySet()).get(1000);
        assertFalse(r.body().contains(failedAt), "the failing customer's id is not echoed");
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            assertFalse(row.has("type") || row.has("summary"), lines[i]);
        }

        HttpResponse<String> csv = get("/v1/campaigns/offers?segment=all&channel=email&limit=2", "text/csv");
        String[] csvLines = csv.body().split("\r?\n");
        String lastCsv = csvLines[csvLines.length - 1];
        assertTrue(lastCsv.startsWith("#error {"), lastCsv);
        assertEquals(1000, JSON.readTree(lastCsv.substring("#error ".length())).get("matchedSoFar").asLong());
        assertFalse(csv.body().contains("#summary"), "no summary after an error");
        assertFalse(csv.body().contains(failedAt));
    }

    @Test
    void aCompleteExportEndsWithATypedSummary() throws Exception {
        HttpResponse<String> r = get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=1", "application/x-ndjson");
        String[] lines = r.body().split("\n");
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertEquals("summary", last.get("type").asText());
        assertEquals(lines.length - 1, last.at("/summary/exported").asLong());
    }

    @Test
    void offersExplainThemselvesAndUpsellStaysInFamily() throws Exception {
        HttpResponse<String> r = get("/v1/customers/17850/next-best-offers?channel=email&limit=3", "application/json");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        assertTrue(b.get("contactable").asBoolean());
        assertTrue(b.get("offers").size() >= 1);
        double previous = Double.MAX_VALUE;
        for (JsonNode o : b.get("offers")) {
            assertTrue(o.get("expectedValue").asDouble() <= previous);
            previous = o.get("expectedValue").asDouble();
            assertTrue(o.get("explanation").asText().contains("margin"), o.toString());
        }
        assertEquals("22698", b.at("/offers/0/itemId").asText()); // rule 0.7 x pricier item beats the rest
        JsonNode up = JSON.readTree(get("/v1/items/22697/upsell?customerId=17850", "application/json").body());
        assertEquals(1, up.get("offers").size()); // PINK at 3.25 > 2.95; ROSES is the same price
        assertEquals("22698", up.at("/offers/0/itemId").asText());
        // Upsell checks no consent, with a customer or without: it does not claim anyone is contactable.
        assertFalse(up.has("contactable"), up.toString());
        JsonNode anonymous = JSON.readTree(get("/v1/items/22697/upsell", "application/json").body());
        assertEquals(1, anonymous.get("offers").size());
        assertFalse(anonymous.has("contactable"), anonymous.toString());
        assertEquals(404, get("/v1/items/NOPE/upsell", "application/json").statusCode());
    }

    /**
     * This in-memory model has no catalogue index: catalogue rules on offers, upsell and the export are the 409 of
     * the recommendation endpoints (before any byte of an export), while the rules that need no index still work.
     */
    @Test
    void catalogueRulesOnAModelWithoutCatalogueIndexAre409s() throws Exception {
        for (String path : List.of("/v1/customers/17850/next-best-offers?filter=teacup",
                "/v1/items/22697/upsell?boost=teacup", "/v1/campaigns/offers?segment=all&channel=email&pin=teacup")) {
            HttpResponse<String> r = get(path, "application/json");
            assertEquals(409, r.statusCode(), path + ": " + r.body());
            JsonNode problem = JSON.readTree(r.body());
            assertTrue(problem.get("detail").asText().contains("no catalogue index"), r.body());
            assertFalse(r.body().contains("17850"), r.body());
        }
        // Without an index the category cap uses the model's item categories (all empty here: one category).
        JsonNode capped = JSON.readTree(get("/v1/customers/17850/next-best-offers?limit=3&maxPerCategory=1",
                "application/json").body());
        assertEquals(1, capped.get("offers").size(), capped.toString());
        assertEquals(200, get("/v1/customers/17850/next-best-offers?excludeBoughtWithinDays=30&asOf=2011-05-01",
                "application/json").statusCode());
    }

    @Test
    void csvExportHasHeaderRowsAndSummary() throws Exception {
        HttpResponse<String> r = get("/v1/campaigns/offers?segment=tier:gold&channel=email&limit=2", "text/csv");
        assertEquals(200, r.statusCode(), r.body());
        String[] lines = r.body().split("\r?\n");
        assertTrue(lines[0].startsWith("customer_id,tier,strategy,consent_sequence,rank,item_id"));
        assertTrue(lines[lines.length - 1].startsWith("#summary "), lines[lines.length - 1]);
        assertEquals(400, get("/v1/campaigns/offers?segment=tier:diamond&channel=email", "text/csv").statusCode());
        assertEquals(400, get("/v1/campaigns/offers?segment=tier:gold", "text/csv").statusCode());
    }

    /**
     * The safety property: while consent flips concurrently, every exported row's customer was contactable
     * as of the journal sequence the row was checked at, and no one opted out before the export started
     * (or only pending/unknown) ever appears.
     */
    @Test
    void noOptedOutOrUnconfirmedCustomerIsEverExportedEvenDuringChanges() throws Exception {
        List<String> ids = new ArrayList<>(snapshot.profiles.keySet());
        // Before the export: opt out a first batch.
        Map<Long, String[]> changes = Collections.synchronizedMap(new TreeMap<>()); // seq -> {id, state}
        Random rnd = new Random(9);
        for (int i = 0; i < 100; i++) {
            String id = ids.get(rnd.nextInt(ids.size()));
            changes.put(journal.record(id, Channel.EMAIL, State.OPTED_OUT), new String[] {id, "opted_out"});
        }
        long before = journal.sequence();
        AtomicBoolean done = new AtomicBoolean();
        Thread flipper = new Thread(() -> {
            Random r = new Random(10);
            while (!done.get()) {
                String id = ids.get(r.nextInt(ids.size()));
                String state = r.nextInt(3) == 0 ? "confirmed" : r.nextBoolean() ? "opted_out" : "pending";
                try {
                    HttpResponse<String> resp = put("/v1/customers/" + id + "/consent/email", "{\"state\":\"" + state + "\"}");
                    changes.put(JSON.readTree(resp.body()).get("sequence").asLong(), new String[] {id, state});
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
        });
        flipper.start();
        HttpResponse<String> r;
        try {
            r = get("/v1/campaigns/offers?segment=all&channel=email&limit=2", "application/x-ndjson");
        } finally {
            done.set(true);
            flipper.join();
        }
        assertEquals(200, r.statusCode());
        String[] lines = r.body().split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]).get("summary");
        long exported = summary.get("exported").asLong();
        assertEquals(lines.length - 1, exported);
        long excludedTotal = 0;
        for (JsonNode n : summary.get("excluded")) {
            excludedTotal += n.asLong();
        }
        assertEquals(summary.get("matched").asLong(), exported + excludedTotal);
        assertTrue(summary.get("excluded").get("pending_confirmation").asLong() > 0);
        assertTrue(summary.get("excluded").get("no_consent").asLong() > 0);
        assertTrue(summary.get("excluded").get("strategy_end").asLong() > 0);
        assertTrue(exported > 100, "exported " + exported);
        int checkedDuringChanges = 0;
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode row = JSON.readTree(lines[i]);
            String id = row.get("customerId").asText();
            long seq = row.get("consentSequence").asLong();
            assertTrue(seq >= before);
            checkedDuringChanges += seq > before ? 1 : 0;
            // State as of seq: the last journal change for this customer at or before seq, else the model's.
            State state = snapshot.consent(id, Channel.EMAIL).orElse(null);
            synchronized (changes) {
                for (Map.Entry<Long, String[]> e : changes.entrySet()) {
                    if (e.getKey() <= seq && e.getValue()[0].equals(id)) {
                        state = State.parse(e.getValue()[1]);
                    }
                }
            }
            assertTrue(Consent.permits(state, Channel.EMAIL), "row for a customer in state " + state + " at " + seq);
        }
        assertTrue(checkedDuringChanges > 0, "the export overlapped the consent changes");
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
