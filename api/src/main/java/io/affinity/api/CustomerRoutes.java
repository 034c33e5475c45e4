package io.affinity.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.siegmar.fastcsv.writer.CsvWriter;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.MerchandisingRules;
import io.affinity.recommender.NextBestOffers;
import io.affinity.recommender.Recommender;
import io.affinity.store.SnapshotLockedException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customer endpoints: value profile, consent changes, next-best offers, upsell and the campaign export.
 * Customer ids never appear in error bodies or logs.
 */
final class CustomerRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CustomerRoutes.class);
    /**
     * Campaign exports run at once at most; the next is a 503. Each takes a core while it runs (about a second per
     * 1,600 customers on the sample's 2-core machine), so unbounded they starve the recommendation endpoints.
     */
    static final int MAX_CONCURRENT_EXPORTS = 4;

    private final ApiConfig config;
    private final ModelSource models;
    private final ObjectMapper json;
    private final ConsentJournal consent;
    private final double marginRate;
    private final ItemAvailability availability;
    private final BusinessRuleConfig ruleConfig;
    private final SearchLimit searches;
    /** True once the server's shutdown grace has expired: running exports stop with their error record. */
    private final BooleanSupplier graceExpired;
    private final Semaphore exports = new Semaphore(MAX_CONCURRENT_EXPORTS);
    private final java.util.concurrent.atomic.LongAdder exportsRefused = new java.util.concurrent.atomic.LongAdder();

    CustomerRoutes(ApiConfig config, ModelSource models, ObjectMapper json, ConsentJournal consent, double marginRate,
                   BusinessRuleConfig ruleConfig, SearchLimit searches, BooleanSupplier graceExpired) {
        this.searches = searches;
        this.graceExpired = graceExpired;
        this.config = config;
        this.models = models;
        this.json = json;
        this.consent = consent;
        this.marginRate = marginRate;
        this.availability = ruleConfig.availability();
        this.ruleConfig = ruleConfig;
    }

    /**
     * Offers, upsell and exports never propose an item out of stock (run-time overlay, else the catalogue, checked
     * per candidate as it is ranked, so a stock change lands mid-export too; the export also looks for other
     * replicas' changes per customer). A request's filter and recently-bought
     * rule hide items from the candidates themselves ({@link FilteredSnapshot}), so the limit fills from the next
     * eligible ones; without them the served recommender is used as is.
     */
    private NextBestOffers offers(ServedModel model, RequestRules rules) {
        availability.refreshIfDue();
        Predicate<String> inStock = item -> availability.isAvailable(item, model.catalog());
        if (!rules.restrictsOffers()) {
            return new NextBestOffers(model.recommender(), marginRate, inStock, model.minorDigits());
        }
        Predicate<String> eligible = item -> rules.passesFilterAndHistory(item) && inStock.test(item);
        return new NextBestOffers(new Recommender(
                new FilteredSnapshot(model.snapshot(), eligible), model.recommender().settings()), marginRate, eligible,
                model.minorDigits());
    }

    void register(V1Routes v1) {
        // Every answer about a named customer comes from the version leased for that customer (a canary's for the
        // customers it takes), so one customer sees one version across endpoints; the export uses CURRENT.
        v1.get("/v1/customers/{customerId}/profile", ApiScope.PROFILES,
                ModelHandler.leasedForCustomer(models, NONE, this::profile));
        v1.put("/v1/customers/{customerId}/consent/{channel}", ApiScope.CONSENT, this::putConsent);
        v1.get("/v1/customers/{customerId}/next-best-offers", ApiScope.PROFILES,
                ModelHandler.leasedForCustomer(models, OFFERS, this::nextBestOffers));
        v1.get("/v1/items/{itemId}/upsell", ApiScope.RECOMMENDATIONS, this::upsell);
        v1.get("/v1/campaigns/offers", ApiScope.EXPORTS, ModelHandler.leased(models, this::campaign));
    }

    private static final Params.Accepted NONE = Params.Accepted.of();
    /** Each with the business-rule parameters of the recommendation endpoints ({@link Routes#RULE_PARAMETERS}). */
    private static final Params.Accepted OFFERS = Params.Accepted.of(with(Routes.RULE_PARAMETERS, "limit", "channel"));
    private static final Params.Accepted UPSELL = Params.Accepted.of(with(Routes.RULE_PARAMETERS, "limit",
            "customerId"));
    private static final Params.Accepted CAMPAIGN = Params.Accepted.of(with(Routes.RULE_PARAMETERS, "segment",
            "channel", "limit", "after", "summaryOnly"));
    private static final Set<String> CONSENT_FIELDS = Set.of("state");
    private static final String STATES = "opted_in, opted_out, pending, confirmed";
    /**
     * The RFM segment names training gives (its RF grid, io.affinity.training.customers.Rfm#segment; a test checks
     * the two agree), so that a misspelt {@code rfm:} segment is a 400 rather than an empty export.
     */
    static final Set<String> RFM_SEGMENTS = Set.of("champions", "loyal", "potential_loyalists", "new_customers",
            "promising", "need_attention", "about_to_sleep", "cant_lose_them", "at_risk", "hibernating");

    private static String[] with(String[] rules, String... own) {
        String[] all = Arrays.copyOf(own, own.length + rules.length);
        System.arraycopy(rules, 0, all, own.length, rules.length);
        return all;
    }

    /** The consent channel named by {@code raw}, or a 400 naming {@code where} and the channels there are. */
    static Consent.Channel channel(String raw, String where) {
        Consent.Channel c = Consent.Channel.parse(raw);
        if (c == null) {
            throw ApiProblem.badRequest(where + " must be one of email, sms, push, web, profiling; was '"
                    + Params.abbreviate(raw == null ? "" : raw) + "'");
        }
        return c;
    }

    /** {@link #channel} for a channel offers go out on: profiling is none. */
    static Consent.Channel contactChannel(String raw, String where) {
        Consent.Channel c = Consent.Channel.parse(raw);
        if (c == null || !c.contact()) {
            throw ApiProblem.badRequest(where + " must be one of email, sms, push, web; was '"
                    + Params.abbreviate(raw == null ? "" : raw) + "'" + (c == null ? "" : ": profiling is the "
                    + "customer's consent to personalisation, which every personal answer and export checks, not a "
                    + "channel to reach them on"));
        }
        return c;
    }

    private void profile(Context ctx, ServedModel leased, String id) {
        ServedModel model = ProfilingObjection.answering(consent, models, leased, id);
        CustomerProfile p = model.snapshot().profile(id)
                .orElseThrow(() -> ApiProblem.notFound("no profile for this customer in the active model"));
        ctx.json(ProfileBody.of(model.snapshot().version(), model.currency(), model.snapshot().profilesAsOf(), p));
    }

    private void putConsent(Context ctx) throws IOException {
        Params.checkQuery(ctx, NONE);
        String id = Params.customerId(ctx.pathParam("customerId"), "path parameter 'customerId'");
        Consent.Channel ch = channel(ctx.pathParam("channel"), "path parameter 'channel'");
        RequestBodies.requireJson(ctx);
        byte[] body = RequestBodies.read(ctx, config);
        JsonNode node = JsonBodies.object(body, json, CONSENT_FIELDS, "a JSON object with field 'state'");
        JsonNode stateNode = node.get("state");
        if (stateNode == null || stateNode.isNull()) {
            throw new ApiProblem(422, "invalid-body", "Invalid body", "field 'state' is required: one of " + STATES);
        }
        if (!stateNode.isTextual()) {
            throw new ApiProblem(422, "invalid-body", "Invalid body", "field 'state' must be a string, one of "
                    + STATES + "; was " + JsonBodies.kind(stateNode));
        }
        Consent.State state = Consent.State.parse(stateNode.asText());
        if (state == null) {
            throw new ApiProblem(422, "invalid-body", "Invalid body", "field 'state' must be one of " + STATES
                    + "; was '" + Params.abbreviate(stateNode.asText()) + "'");
        }
        if (consent.failure() != null) {
            throw ApiProblem.consentUnavailable(consent.failure());
        }
        long seq;
        try {
            seq = consent.record(id, ch, state);
        } catch (IOException e) {
            // The disk (full, failing), not a bug: nothing was recorded, so the client must retry (here once the
            // disk works, or on another replica). One line for the operator, naming the journal and the reason; no
            // stack trace, no customer id, and no server path in the answer.
            LoggedFailure failure = LoggedFailure.of(ctx);
            LOG.error("consent change refused (503) {}: {}", failure.logTag(), e.getMessage());
            throw ApiProblem.consentUnavailable("the consent journal cannot be written at the moment, so the change "
                    + "was not recorded; retry later").loggedAs(failure);
        }
        ctx.json(new ConsentBody(ch.wireName(), state.wireName(), seq));
    }

    private void nextBestOffers(Context ctx, ServedModel leased, String id) {
        int limit = Params.limit(ctx, config);
        // Before consent: a bad rule is a 400 whoever the customer is.
        RequestRules.Parsed parsed = RequestRules.parse(ctx, leased, availability, ruleConfig, searches);
        String rawChannel = ctx.queryParam("channel");
        String channelName = null;
        String excluded = null;
        long seq = -1;
        if (rawChannel != null) {
            Consent.Channel ch = contactChannel(rawChannel, "query parameter 'channel'");
            channelName = ch.wireName();
            if (consent.failure() != null) {
                throw ApiProblem.consentUnavailable(consent.failure());
            }
            ConsentJournal.Decision d;
            try (ModelLease other = models.leaseOtherServed(leased)) {
                d = contact(leased, other, id, ch);
            }
            seq = d.sequence();
            excluded = d.reason();
        }
        // Only now, after the contact decision whose sequence the answer carries: an objection recorded since has a
        // higher one, which the changes feed lists, so that personal offers made without it are known to be stale.
        ServedModel model = ProfilingObjection.answering(consent, models, leased, id);
        RequestRules rules = parsed.answeredBy(model).forCustomer(id);
        Optional<CustomerProfile> profile = model.snapshot().profile(id);
        // Like personal recommendations, an unknown customer is not an error (a 404 would tell any caller whether
        // an id is a customer): the offers come from the popular fallback and say so.
        boolean fallback = profile.isEmpty() && model.snapshot().customer(id).isEmpty();
        List<NextBestOffers.Offer> offers = excluded != null ? List.of()
                : offers(model, rules).forCustomer(id, profile, limit, rules.offerRules());
        if (excluded == null && offers.isEmpty() && profile.map(p -> p.strategy() == CustomerProfile.Strategy.END).orElse(false)) {
            excluded = "strategy_end";
        }
        ctx.json(new OffersBody(model.snapshot().version(), model.currency(), fallback, channelName,
                excluded == null, excluded, seq < 0 ? null : seq, profile.map(p -> lower(p.strategy())).orElse(null),
                offers));
    }

    /**
     * Whether the customer may be contacted on the channel, weighed against every consent list being served: the
     * answering version's and, while a canary runs, the other served version's ({@code other}, null without one),
     * each against the journal as usual. Contact needs both to permit it, whichever slice the customer is in: a
     * canary trained with a newer consent list holds opt-outs CURRENT's list lacks, and an export (always CURRENT's)
     * must not contact a customer whom the canary's answers call opted out; nor may the canary's older list, if it is
     * older, undo CURRENT's opt-outs for its slice. The first refusal is the answer.
     */
    private ConsentJournal.Decision contact(ServedModel answering, ModelLease other, String id, Consent.Channel ch) {
        ConsentJournal.Decision d = consent.check(answering.snapshot(), id, ch);
        return !d.allowed() || other == null ? d : consent.check(other.model().snapshot(), id, ch);
    }

    /** The customer, when named, decides which version answers (a canary's for the customers it takes). */
    private void upsell(Context ctx) {
        Params.checkQuery(ctx, UPSELL);
        String rawCustomer = ctx.queryParam("customerId");
        String customerId = rawCustomer == null || rawCustomer.isBlank() ? null
                : Params.customerId(rawCustomer, "query parameter 'customerId'");
        try (ModelLease lease = ModelHandler.lease(models, customerId)) {
            upsell(ctx, ProfilingObjection.answering(consent, models, lease.model(), customerId), customerId);
        }
    }

    private void upsell(Context ctx, ServedModel model, String customerId) {
        String itemId = BasketRequest.normaliseItemId(ctx.pathParam("itemId"));
        int limit = Params.limit(ctx, config);
        RequestRules.Parsed parsed = RequestRules.parse(ctx, model, availability, ruleConfig, searches);
        RequestRules rules = parsed.forCustomerIfNamed(customerId, "needs query parameter 'customerId': it "
                + "excludes what that customer bought recently, and upsell without a customer has no purchases to "
                + "look at");
        Optional<CustomerProfile> profile = customerId == null ? Optional.empty()
                : model.snapshot().profile(customerId);
        List<NextBestOffers.Offer> offers = offers(model, rules)
                .upsell(itemId, profile, limit, pricierOfSameCategory(model, itemId), rules.offerRules());
        // No contactable here: upsell checks no consent (there is no channel), so it could not say. Nor the customer's
        // strategy, which upsell does not use: a shop page's key would read the retailer's internal classification of
        // the customer (harvest, end, ...), which only the profiles scope gives.
        ctx.json(new OffersBody(model.snapshot().version(), model.currency(), null, null, null, null, null, null,
                offers));
    }

    /**
     * Streams one line per eligible customer of the segment, then a summary line. Memory stays bounded: the
     * profiles are visited segment by segment and rows are written as they are made. Consent is checked per
     * customer at the moment its row is made, against the journal overlay, so an opt-out acknowledged before
     * then is always honoured; each row carries the journal sequence it was checked at.
     */
    private void campaign(Context ctx, ServedModel model) throws IOException {
        Params.checkQuery(ctx, CAMPAIGN);
        Segment segment = segment(ctx.queryParam("segment"));
        if (ctx.queryParam("channel") == null) {
            throw ApiProblem.badRequest("query parameter 'channel' is required: one of email, sms, push, web");
        }
        Consent.Channel ch = contactChannel(ctx.queryParam("channel"), "query parameter 'channel'");
        int limit = Params.limit(ctx, config);
        // Parsed and compiled once, before the first byte: a bad filter is a 400 problem, not an error record.
        RequestRules.Parsed parsed = RequestRules.parse(ctx, model, availability, ruleConfig, searches);
        if (model.snapshot().orderSequenceOnly()) {
            // Without profiles every segment matches nobody: an empty export would look like a real answer.
            throw new ApiProblem(409, "no-customer-profiles", "Model has no customer profiles",
                    "model " + model.snapshot().version() + " was trained from an order sequence without dates, so "
                            + "it has no customer profiles (tiers, stages, strategies) to select and shape a "
                            + "campaign; train on an export with order timestamps");
        }
        if (consent.failure() != null) {
            throw ApiProblem.consentUnavailable("consent data cannot be read, so no campaign can be exported: "
                    + consent.failure());
        }
        boolean csv = wantsCsv(ctx.header("Accept"));
        boolean summaryOnly = summaryOnly(ctx.queryParam("summaryOnly"));
        // Without excludeBoughtWithinDays the rules are the same for every customer: one NextBestOffers for all.
        RequestRules shared = parsed.forCustomer(null);
        NextBestOffers sharedOffers = offers(model, shared);
        MerchandisingRules offerRules = shared.offerRules();
        boolean perCustomer = parsed.perCustomer();
        Map<String, Object> rulesApplied = parsed.describe();
        String version = model.snapshot().version();
        String fingerprint = ExportCursor.fingerprint(json.writeValueAsString(
                List.of(segment.name(), ch.wireName(), limit, rulesApplied)));
        ExportCursor after = resumed(ctx.queryParam("after"), version, fingerprint);
        long start = after == null ? 0 : after.position();
        ctx.status(200);
        ctx.res().setContentType(csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
        if (ReadRoutes.isHead(ctx)) {
            // The request is valid; running the export only for Jetty to drop its body would be waste. Committing
            // the headers now keeps GET's framing (streamed, no Content-Length) instead of "Content-Length: 0".
            ctx.res().flushBuffer();
            return;
        }
        if (!exports.tryAcquire()) {
            exportsRefused.increment();
            ctx.header("Retry-After", "10");
            throw new ApiProblem(503, "exports-busy", "Too many exports", MAX_CONCURRENT_EXPORTS
                    + " campaign exports are running, the most this server runs at once; retry when one has ended");
        }
        // The canary's consent list weighs in as on the endpoints naming a customer (see contact), held to the end.
        try (ModelLease canaryAtStart = models.leaseOtherServed(model)) {
            long startSeq = consent.sequence();
            // An export is one list from one version: CURRENT's (its modelVersion), whoever a running canary takes; a
            // canary at the start is named in the final record so that nobody mistakes the export for the canary's.
            Map<String, Object> canaryNotApplied = models.canary().map(c -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", c.version());
                m.put("percent", c.percent());
                return m;
            }).orElse(null);
            ExportAsked asked = new ExportAsked(version, model.currency(), canaryNotApplied, ch, segment.name(),
                    limit, rulesApplied, after, summaryOnly);
            Map<String, Long> excluded = new TreeMap<>();
            long[] counts = new long[3]; // matched, exported, profiles done (from start)
            Writer out = new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8);
            CsvWriter csvOut = csv ? CsvWriter.builder().build(out) : null;
            if (csvOut != null) {
                // The columns after explanation came later, at the end so that readers by position keep working: the
                // description an e-mail shows and the source that tells a pinned offer from the model's.
                csvOut.writeRecord("customer_id", "tier", "strategy", "consent_sequence", "rank", "item_id",
                        "expected_value", "explanation", "description", "source", "purchase_probability", "margin",
                        "cursor");
            }
            try {
                BiConsumer<String, CustomerProfile> exportOne = (id, p) -> {
                    if (graceExpired.getAsBoolean()) {
                        throw new ShutdownCutOff();
                    }
                    if (!segment.members().test(p)) {
                        return;
                    }
                    // Stock changes another replica made to the shared journal: an export is one long request, so
                    // it looks for them as requests do (at most every REFRESH_INTERVAL; otherwise a time check only),
                    // else the rest of the export would offer an item taken out of stock after it started.
                    availability.refreshIfDue();
                    counts[0]++;
                    ConsentJournal.Decision d = contact(model, canaryAtStart, id, ch);
                    // After the contact decision, whose sequence the row carries: an objection recorded since has a
                    // higher one, which the changes feed lists, so that the row is known to be stale.
                    // a campaign is profiling: weighed against both served lists, as contact is
                    if (ProfilingObjection.objects(consent, model, canaryAtStart, id)) {
                        excluded.merge("profiling_opted_out", 1L, Long::sum);
                        return;
                    }
                    String reason = !d.allowed() ? d.reason()
                            : p.strategy() == CustomerProfile.Strategy.END ? "strategy_end" : null;
                    List<NextBestOffers.Offer> offers = List.of();
                    if (reason == null) {
                        NextBestOffers nbo = perCustomer ? offers(model, parsed.forCustomer(id)) : sharedOffers;
                        // A customer whose offers the rules remove entirely counts under no_offers, below.
                        offers = nbo.forCustomer(id, Optional.of(p), limit, offerRules);
                    }
                    if (reason == null && offers.isEmpty()) {
                        reason = "no_offers";
                    }
                    if (reason != null) {
                        excluded.merge(reason, 1L, Long::sum);
                        return;
                    }
                    counts[1]++;
                    if (summaryOnly) {
                        return;
                    }
                    // where the rest of the export starts: after this customer
                    String cursor = new ExportCursor(version, start + counts[2] + 1, fingerprint).toString();
                    try {
                        if (csvOut != null) {
                            int rank = 1;
                            for (NextBestOffers.Offer o : offers) {
                                csvOut.writeRecord(id, lower(p.tier()), lower(p.strategy()),
                                        Long.toString(d.sequence()),
                                        Integer.toString(rank++), o.itemId(), fourDecimals(o.expectedValue()),
                                        o.explanation(), o.description(), o.source(),
                                        fourDecimals(o.purchaseProbability()), fourDecimals(o.margin()), cursor);
                            }
                        } else {
                            out.write(json.writeValueAsString(new CampaignRow(id, lower(p.tier()), lower(p.strategy()),
                                    d.sequence(), offers, cursor)));
                            out.write('\n');
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
                // Counted only once a customer is done: one that fails part-way is where a resumed export starts.
                model.snapshot().forEachProfile(start, (id, p) -> {
                    exportOne.accept(id, p);
                    counts[2]++;
                });
            } catch (UncheckedIOException e) {
                // The client went away mid-stream: nothing more to send; no customer data in the log.
                LOG.info("campaign export aborted after {} rows: {}", counts[1],
                        e.getCause().getClass().getSimpleName());
                return;
            } catch (RuntimeException e) {
                // Headers (200) are gone: the only way to tell the client the export is incomplete is a final error
                // record instead of the summary. Exception messages can name a customer (a corrupt value's key), so
                // neither the record nor the log carries them: the exception type only.
                Map<String, Object> error = new LinkedHashMap<>();
                if (e instanceof ShutdownCutOff) {
                    LOG.warn("campaign export cut off by the shutdown after {} exported rows (the shutdown grace "
                            + "expired)",
                            counts[1]);
                    error.put("status", 503);
                    error.put("title", "Export cut off by shutdown");
                    error.put("detail", "the server shut down before the export's end (its shutdown grace expired); "
                            + "the export is incomplete: discard it or retry");
                } else if (e instanceof ConsentJournal.Unavailable) {
                    // The journal turned unreadable mid-export (e.g. a replica sharing it left a bad line): stop rather
                    // than guess, with the 503 every consent answer gives then. The reason names the file and line.
                    LoggedFailure failure = LoggedFailure.of(ctx);
                    LOG.error("campaign export stopped after {} exported rows {}: {}", counts[1], failure.logTag(),
                            e.getMessage());
                    error.put("status", 503);
                    error.put("title", "Consent store unavailable");
                    error.put("detail", "consent data became unreadable during the export: " + e.getMessage()
                            + "; the export is incomplete: discard it");
                    error.put("instance", failure.instance());
                } else if (e instanceof SnapshotLockedException) {
                    // A stale-lock message names a file and a segment only, and says what to do: logged whole.
                    LoggedFailure failure = LoggedFailure.of(ctx);
                    LOG.error("campaign export failed after {} exported rows {}: {}", counts[1], failure.logTag(),
                            e.getMessage());
                    error.put("status", 503);
                    error.put("title", "Model version locked");
                    error.put("detail", AffinityServer.LOCKED_DETAIL + "; the export is incomplete: discard it");
                    error.put("instance", failure.instance());
                } else {
                    LoggedFailure failure = LoggedFailure.of(ctx);
                    LOG.error("campaign export failed after {} exported rows {}: {}", counts[1], failure.logTag(),
                            e.getClass().getName());
                    error.put("status", 500);
                    error.put("title", "Export failed");
                    error.put("detail", "the export stopped before its end and is incomplete ("
                            + e.getClass().getSimpleName() + "); discard it or retry");
                    error.put("instance", failure.instance());
                }
                error.putAll(asked.describe("SoFar", counts[0], counts[1], excluded));
                // The rows before it are complete and stay valid: the rest can be asked for with after=.
                error.put("resumeCursor", new ExportCursor(version, start + counts[2], fingerprint).toString());
                writeFinalRecord(out, csvOut, "error", error);
                return;
            }
            Map<String, Object> summary = asked.describe("", counts[0], counts[1], excluded);
            summary.put("consentSequenceAtStart", startSeq);
            summary.put("consentSequenceAtEnd", consent.sequence());
            writeFinalRecord(out, csvOut, "summary", summary);
        } finally {
            exports.release();
        }
    }

    /**
     * Whether the {@code Accept} header asks for CSV rather than NDJSON: it names {@code text/csv} with a weight
     * ({@code q}) above 0 and at least that of {@code application/x-ndjson} (0 when not named). Wildcards choose
     * nothing: NDJSON stays the default. A weight that is not a number from 0 to 1 counts as 1, as no weight does.
     */
    static boolean wantsCsv(String accept) {
        if (accept == null) {
            return false;
        }
        double csv = 0;
        double ndjson = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                    try {
                        double w = Double.parseDouble(p.substring(2).trim());
                        q = w >= 0 && w <= 1 ? w : 1;
                    } catch (NumberFormatException e) {
                        q = 1;
                    }
                }
            }
            if (type.equals("text/csv")) {
                csv = Math.max(csv, q);
            } else if (type.equals("application/x-ndjson")) {
                ndjson = Math.max(ndjson, q);
            }
        }
        return csv > 0 && csv >= ndjson;
    }

    private static String fourDecimals(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    /** Stops an export whose shutdown grace has expired, so that it ends with its error record. */
    private static final class ShutdownCutOff extends RuntimeException {
        ShutdownCutOff() {
            super("shutdown grace expired", null, false, false);
        }
    }

    /**
     * The last record of an export, the only one with a {@code type}: {@code summary} when it is complete,
     * {@code error} when it stopped early. NDJSON: {@code {"type":"summary","summary":{...}}}; CSV: a comment line
     * {@code #summary {...}} (or {@code #error {...}}).
     */
    private void writeFinalRecord(Writer out, CsvWriter csvOut, String type, Map<String, Object> content) {
        try {
            if (csvOut != null) {
                csvOut.writeComment(type + " " + json.writeValueAsString(content));
                csvOut.flush();
            } else {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("type", type);
                record.put(type, content);
                out.write(json.writeValueAsString(record));
                out.write('\n');
            }
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            LOG.info("campaign export: could not send the final {} record: {}", type, e.getClass().getSimpleName());
        }
    }

    /**
     * A campaign segment: its name as the export's final record gives it ({@code all}, or {@code key:value} in lower
     * case, so that a file kept apart from its request still says what it is) and its members.
     */
    private record Segment(String name, Predicate<CustomerProfile> members) {
    }

    /**
     * {@code all}, or conditions separated by commas that a member meets all of: {@code tier:gold},
     * {@code stage:at_risk}, {@code strategy:win_back}, {@code rfm:champions}, {@code p_alive_below:0.5} (P(alive)
     * under the bound) and {@code p_alive_at_least:0.5}, each key at most once. A win-back list is
     * {@code tier:gold,p_alive_below:0.5}: a single key could only name a tier or a stage, whose P(alive) thresholds
     * are training's (0.3 and 0.7), not the campaign's.
     */
    private static Segment segment(String raw) {
        if (raw == null || raw.isBlank() || raw.strip().equalsIgnoreCase("all")) {
            return new Segment("all", p -> true);
        }
        List<String> names = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        Predicate<CustomerProfile> members = p -> true;
        for (String part : raw.split(",", -1)) {
            if (part.isBlank()) {
                throw badSegment(raw, "a condition is empty");
            }
            int colon = part.indexOf(':');
            String key = colon < 0 ? "" : part.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!keys.add(key)) {
                throw badSegment(raw, "'" + key + "' is named twice (the conditions must all hold)");
            }
            Segment one = condition(key, colon < 0 ? "" : part.substring(colon + 1).trim(), raw);
            names.add(one.name());
            members = members.and(one.members());
        }
        return new Segment(String.join(",", names), members);
    }

    /** One condition of a segment; {@code raw} (the whole parameter) for the error message. */
    private static Segment condition(String key, String rawValue, String raw) {
        if (key.equals("p_alive_below") || key.equals("p_alive_at_least")) {
            double bound;
            try {
                bound = Double.parseDouble(rawValue);
            } catch (NumberFormatException e) {
                bound = Double.NaN;
            }
            if (!(bound >= 0 && bound <= 1) || rawValue.chars().anyMatch(Character::isLetter)) {
                throw badSegment(raw, key + " takes a probability from 0 to 1, e.g. " + key + ":0.5");
            }
            double b = bound;
            String name = key + ":" + BigDecimal.valueOf(b).stripTrailingZeros().toPlainString();
            return key.equals("p_alive_below") ? new Segment(name, p -> p.pAlive() < b)
                    : new Segment(name, p -> p.pAlive() >= b);
        }
        String value = rawValue.toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            Predicate<CustomerProfile> members = switch (key) {
                case "tier" -> {
                    CustomerProfile.Tier t = CustomerProfile.Tier.valueOf(value);
                    yield p -> p.tier() == t;
                }
                case "stage" -> {
                    CustomerProfile.Stage s = CustomerProfile.Stage.valueOf(value);
                    yield p -> p.stage() == s;
                }
                case "strategy" -> {
                    CustomerProfile.Strategy s = CustomerProfile.Strategy.valueOf(value);
                    yield p -> p.strategy() == s;
                }
                case "rfm" -> {
                    String name = value.toLowerCase(Locale.ROOT);
                    if (!RFM_SEGMENTS.contains(name)) {
                        throw new IllegalArgumentException();
                    }
                    yield p -> p.segment().equals(name);
                }
                default -> throw new IllegalArgumentException();
            };
            return new Segment(key + ":" + value.toLowerCase(Locale.ROOT), members);
        } catch (IllegalArgumentException e) {
            throw badSegment(raw, null);
        }
    }

    private static ApiProblem badSegment(String raw, String why) {
        return ApiProblem.badRequest("query parameter 'segment' must be 'all' or conditions joined by commas, all of "
                + "which a customer meets: tier:<platinum|gold|iron|lead>, stage:<new|active|at_risk|lapsed|won_back>, "
                + "strategy:<initiate|protect|enhance|re_engineer|harvest|end|win_back>, rfm:<"
                + String.join("|", RFM_SEGMENTS.stream().sorted().toList()) + ">, p_alive_below:<0..1>, "
                + "p_alive_at_least:<0..1> (e.g. tier:gold,p_alive_below:0.5)" + (why == null ? "" : "; " + why)
                + "; was '" + Params.abbreviate(raw) + "'");
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    record ConsentBody(String channel, String state, long sequence) {
    }

    /**
     * @param contactable next-best offers only: false when the offers are withheld ({@code excludedReason}: the
     *                    consent for {@code channel}, or strategy end), else true (consent is checked only for a
     *                    {@code channel} asked for)
     * @param currency    of every margin and expected value, and of the amounts the explanations name: always sent,
     *                    null when the model does not know it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record OffersBody(String modelVersion, @JsonInclude(JsonInclude.Include.ALWAYS) String currency,
                      Boolean fallback, String channel, Boolean contactable, String excludedReason,
                      Long consentSequence, String strategy, List<NextBestOffers.Offer> offers) {
    }

    /**
     * What an export was asked for and comes from, as both of its final records (the summary and the error record)
     * state it, in this order.
     */
    private record ExportAsked(String modelVersion, String currency, Map<String, Object> canaryNotApplied,
                               Consent.Channel channel,
                               String segment, int limit, Map<String, Object> rules, ExportCursor resumedFrom,
                               boolean summaryOnly) {
        /** The record's fields with the counts, named as the summary names them plus {@code countSuffix}. */
        Map<String, Object> describe(String countSuffix, long matched, long exported, Map<String, Long> excluded) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("modelVersion", modelVersion);
            // of the rows' margins and expected values (null: the model does not know it)
            m.put("currency", currency);
            if (canaryNotApplied != null) {
                m.put("canaryNotApplied", canaryNotApplied);
            }
            m.put("channel", channel.wireName());
            m.put("segment", segment);
            m.put("limit", limit);
            m.put("matched" + countSuffix, matched);
            m.put("exported" + countSuffix, exported);
            m.put("excluded" + countSuffix, excluded);
            if (!rules.isEmpty()) {
                // The export says what it was filtered by; absent without rules, as before rules existed.
                m.put("rules", rules);
            }
            if (resumedFrom != null) {
                // the counts are of this request's part; the parts before it had their own final records
                m.put("resumedFrom", resumedFrom.toString());
            }
            if (summaryOnly) {
                // counted as the export would have sent them, none sent: an audience size before the real export
                m.put("summaryOnly", true);
            }
            return m;
        }
    }

    record CampaignRow(String customerId, String tier, String strategy, long consentSequence,
                       List<NextBestOffers.Offer> offers, String cursor) {
    }

    /** Campaign exports streaming now (at most {@link #MAX_CONCURRENT_EXPORTS}). */
    int exportsRunning() {
        return MAX_CONCURRENT_EXPORTS - exports.availablePermits();
    }

    /** Exports refused because {@link #MAX_CONCURRENT_EXPORTS} were running. */
    long exportsRefused() {
        return exportsRefused.sum();
    }

    /** {@code summaryOnly}: absent or {@code false} sends the rows, {@code true} only the final record. */
    private static boolean summaryOnly(String raw) {
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw ApiProblem.badRequest("query parameter 'summaryOnly' must be true or false");
    }

    /**
     * The cursor an export resumes from ({@code after}), or null without one. A cursor of another model version is
     * a 409 (that version's listing order is not this one's: start again), one of an export with other parameters a
     * 400 (its rows would not be the ones asked for).
     */
    private static ExportCursor resumed(String raw, String version, String fingerprint) {
        if (raw == null) {
            return null;
        }
        ExportCursor cursor = ExportCursor.parse(raw);
        if (!cursor.version().equals(version)) {
            throw new ApiProblem(409, "export-cursor-stale", "Export cursor of another model version",
                    "the export resumed with 'after' came from model version " + cursor.version() + ", and "
                            + version + " is served now: a cursor is only valid for its version's listing; "
                            + "start the export again without 'after'");
        }
        if (!cursor.fingerprint().equals(fingerprint)) {
            throw ApiProblem.badRequest("query parameter 'after' belongs to an export with other parameters "
                    + "(segment, channel, limit or business rules): resume with the same ones");
        }
        return cursor;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /**
     * {@code asOf}: the last day of the data the profile was computed from (absent when the model does not say);
     * {@code currency}: of the monetary value and the expected spend and value (always sent, null when the model does
     * not know it).
     */
    record ProfileBody(String modelVersion, @JsonInclude(JsonInclude.Include.ALWAYS) String currency,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String asOf, Rfm rfm,
                       Value value, String tier, String lifecycleStage, String strategy, Price priceSensitivity,
                       List<String> favouriteFamilies) {
        record Rfm(int recencyDays, int transactions, double monetary, int recencyScore, int frequencyScore,
                   int monetaryScore, String segment) {
        }

        record Value(double pAlive, double expectedTransactions90d, double expectedSpendPerTransaction,
                     double expectedValue12m) {
        }

        @JsonInclude(JsonInclude.Include.NON_NULL)
        record Price(String level, double priceIndex, Double cheaperVariantShare) {
        }

        static ProfileBody of(String version, String currency, java.util.Optional<java.time.LocalDate> asOf,
                              CustomerProfile p) {
            return new ProfileBody(version, currency, asOf.map(java.time.LocalDate::toString).orElse(null),
                    new Rfm(p.recencyDays(), p.transactions(), p.monetary(), p.recencyScore(),
                    p.frequencyScore(), p.monetaryScore(), p.segment()),
                    new Value(p.pAlive(), p.expectedTransactions90(), p.expectedSpend(), p.expectedValue12()),
                    lower(p.tier()), lower(p.stage()), lower(p.strategy()),
                    new Price(lower(p.priceSensitivity()), p.priceIndex(),
                            Double.isNaN(p.cheaperVariantShare()) ? null : p.cheaperVariantShare()),
                    p.favouriteFamilies());
        }
    }

    /** Pricier catalogue items of the item's category (none without a catalogue index or for an unknown item). */
    private static List<String> pricierOfSameCategory(ServedModel model, String itemId) {
        Catalog catalog = model.catalog();
        Optional<ItemFacts> item = model.snapshot().item(itemId);
        if (catalog == null || item.isEmpty()) {
            return List.of();
        }
        int ordinal = catalog.ordinal(itemId);
        if (ordinal < 0) {
            return List.of();
        }
        String category = catalog.category(ordinal);
        if (category == null || category.isBlank()) {
            return List.of();
        }
        String query = "category:" + QueryParser.escape(category)
                + " AND price:{" + item.get().typicalPrice() + " TO *]";
        try {
            return catalog.search(query, 200).stream().map(Catalog.Hit::itemId).toList();
        } catch (ParseException e) {
            // The query is built from stored values, not from the request: a failure here is a bug, not bad input.
            throw new IllegalStateException("upsell category query did not parse: " + e.getMessage(), e);
        }
    }
}
