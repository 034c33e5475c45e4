package io.affinity.api;

import io.affinity.store.Manifest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request and model metrics in the Prometheus text exposition format (version 0.0.4). Requests are labelled by
 * method and route template ({@code /v1/customers/{customerId}/recommendations}), never by raw path, so no
 * customer id reaches a metric and the number of series stays bounded. Recording is lock-free (adders).
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Upper bounds of the latency buckets, seconds: fine below 5 ms, where the service should answer. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final String[] BUCKET_LABELS = new String[BUCKETS.length];
    static final String UNMATCHED = "unmatched";

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            BUCKET_LABELS[i] = BigDecimal.valueOf(BUCKETS[i]).toPlainString();
        }
    }

    private static final String BUILD_INFO = "affinity_build_info{version=\""
            + escape(Manifest.Software.current().affinityVersion()) + "\",java=\""
            + escape(Manifest.Software.current().javaVersion()) + "\"} 1\n";

    private final ModelSource models;
    private final WarmUp warmUp;
    /** What follows the model store (null: a fixed model, nothing to refuse). */
    private final ModelAdmin admin;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final ConsentJournal consent;
    private final ItemAvailability availability;

    private final CustomerRoutes exports;
    private final SearchLimit searches;
    private final AccessControl access;

    Metrics(ModelSource models, WarmUp warmUp, ModelAdmin admin, ConsentJournal consent,
            ItemAvailability availability, CustomerRoutes exports, SearchLimit searches, AccessControl access) {
        this.access = access;
        this.models = models;
        this.warmUp = warmUp;
        this.admin = admin;
        this.consent = consent;
        this.availability = availability;
        this.exports = exports;
        this.searches = searches;
    }

    /**
     * The method as a label: the standard methods by name, any other as {@code other}. Any token is a valid HTTP
     * method, so labelling by the method as sent let each made-up one add series (and memory) without credentials.
     */
    static String methodLabel(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT" -> method;
            default -> "other";
        };
    }

    void record(String method, String routeTemplate, int status, double millis) {
        routes.computeIfAbsent(method + ' ' + routeTemplate, k -> new Route(method, routeTemplate))
                .record(status, millis / 1000.0);
    }

    String scrape() {
        StringBuilder out = new StringBuilder(4096);
        Map<String, Route> sorted = new TreeMap<>(routes);
        out.append("# HELP affinity_http_requests_total HTTP requests answered, by method, route template and status.\n")
                .append("# TYPE affinity_http_requests_total counter\n");
        for (Route r : sorted.values()) {
            Map<Integer, LongAdder> byStatus = new TreeMap<>(r.byStatus);
            byStatus.forEach((status, n) -> out.append("affinity_http_requests_total{").append(r.labels)
                    .append(",status=\"").append(status).append("\"} ").append(n.sum()).append('\n'));
        }
        out.append("# HELP affinity_http_request_duration_seconds Time to answer a request, by method and route template.\n")
                .append("# TYPE affinity_http_request_duration_seconds histogram\n");
        for (Route r : sorted.values()) {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += r.buckets[i].sum();
                out.append("affinity_http_request_duration_seconds_bucket{").append(r.labels).append(",le=\"")
                        .append(BUCKET_LABELS[i]).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += r.buckets[BUCKETS.length].sum();
            out.append("affinity_http_request_duration_seconds_bucket{").append(r.labels).append(",le=\"+Inf\"} ")
                    .append(cumulative).append('\n');
            out.append("affinity_http_request_duration_seconds_sum{").append(r.labels).append("} ")
                    .append(r.seconds.sum()).append('\n');
            out.append("affinity_http_request_duration_seconds_count{").append(r.labels).append("} ")
                    .append(cumulative).append('\n');
        }
        ServedModel model = models.current().orElse(null);
        out.append("# HELP affinity_model_loaded 1 when a verified model is being served.\n")
                .append("# TYPE affinity_model_loaded gauge\n")
                .append("affinity_model_loaded ").append(model == null ? 0 : 1).append('\n');
        if (model != null) {
            out.append("# HELP affinity_model_info The model version being served.\n")
                    .append("# TYPE affinity_model_info gauge\n")
                    .append("affinity_model_info{version=\"").append(escape(model.snapshot().version())).append("\"} 1\n");
            Instant created = createdAt(model);
            if (created != null) {
                out.append("# HELP affinity_model_age_seconds Seconds since the served model was published.\n")
                        .append("# TYPE affinity_model_age_seconds gauge\n")
                        .append("affinity_model_age_seconds ")
                        .append(Duration.between(created, Instant.now()).toMillis() / 1000.0).append('\n');
            }
        }
        if (admin != null) {
            // A refused CURRENT leaves the old version answering, which affinity_model_info alone cannot tell from a
            // store nobody published to: this is the series to alert on (the log line is said once per version).
            out.append("# HELP affinity_model_current_refused 1 while the version the store's CURRENT names was "
                            + "refused (failed verification or access checks) and an older one is served.\n")
                    .append("# TYPE affinity_model_current_refused gauge\n")
                    .append("affinity_model_current_refused ").append(admin.refusedCurrent() == null ? 0 : 1)
                    .append('\n')
                    .append("# HELP affinity_model_refusals_total Versions refused since start (reload, activate, "
                            + "canary, the watcher once per version and change of its files).\n")
                    .append("# TYPE affinity_model_refusals_total counter\n")
                    .append("affinity_model_refusals_total ").append(admin.refusals()).append('\n');
        }
        ServedCanary canary = models.canary().orElse(null);
        out.append("# HELP affinity_model_canary_percent Percent of customers the canary version answers (0: no canary).\n")
                .append("# TYPE affinity_model_canary_percent gauge\n")
                .append("affinity_model_canary_percent ").append(canary == null ? 0 : canary.percent()).append('\n');
        if (canary != null) {
            out.append("# HELP affinity_model_canary_info The canary version being served beside affinity_model_info's.\n")
                    .append("# TYPE affinity_model_canary_info gauge\n")
                    .append("affinity_model_canary_info{version=\"").append(escape(canary.version())).append("\"} 1\n");
        }
        if (models instanceof SwappableModelSource s) {
            // Two series whatever the versions (a version label would add series with every canary): the canary's
            // version is in affinity_model_canary_info. Counted only while a canary runs (no cost without one).
            out.append("# HELP affinity_canary_requests_total Requests naming a customer answered while a canary was "
                            + "served, by the model that answered them (canary, or current for the other customers).\n")
                    .append("# TYPE affinity_canary_requests_total counter\n")
                    .append("affinity_canary_requests_total{model=\"canary\"} ").append(s.canaryAnswers()).append('\n')
                    .append("affinity_canary_requests_total{model=\"current\"} ").append(s.currentAnswersBesideCanary())
                    .append('\n');
        }
        if (models instanceof SwappableModelSource s) {
            out.append("# HELP affinity_model_swaps_total Models installed since start.\n")
                    .append("# TYPE affinity_model_swaps_total counter\n")
                    .append("affinity_model_swaps_total ").append(s.swapCount()).append('\n')
                    .append("# HELP affinity_model_open_versions Versions open: the served one, the canary, and retired ones still answering requests.\n")
                    .append("# TYPE affinity_model_open_versions gauge\n")
                    .append("affinity_model_open_versions ").append(s.openGenerations()).append('\n');
        }
        // Read at scrape time: what an operator alerts on (an unreadable journal stops exports and consent changes
        // with 503s) and whether replicas sharing the journals follow each other. Counts only, never an id.
        out.append("# HELP affinity_consent_journal_readable 0 while the consent journal cannot be read (campaign "
                        + "exports and consent changes answer 503), else 1.\n")
                .append("# TYPE affinity_consent_journal_readable gauge\n")
                .append("affinity_consent_journal_readable ").append(consent.failure() == null ? 1 : 0).append('\n')
                .append("# HELP affinity_consent_journal_sequence The consent journal's last sequence number read "
                        + "(replicas sharing the journal converge on the same).\n")
                .append("# TYPE affinity_consent_journal_sequence gauge\n")
                .append("affinity_consent_journal_sequence ").append(consent.sequence()).append('\n')
                .append("# HELP affinity_consent_changes_in_effect Customer-channel consents changed at run time "
                        + "(the latest change of each), weighed against the model's consent list.\n")
                .append("# TYPE affinity_consent_changes_in_effect gauge\n")
                .append("affinity_consent_changes_in_effect ").append(consent.inEffect()).append('\n')
                .append("# HELP affinity_availability_statements Items with a run-time stock statement, which wins "
                        + "over the catalogue's availability.\n")
                .append("# TYPE affinity_availability_statements gauge\n")
                .append("affinity_availability_statements ").append(availability.inEffect()).append('\n')
                .append("# HELP affinity_availability_journal_unreadable_lines Lines of the stock journal this server "
                        + "skipped because it cannot read them (another server's newer kind of statement, or damage): "
                        + "their statements are not in effect here; while above 0 the journal is not compacted.\n")
                .append("# TYPE affinity_availability_journal_unreadable_lines gauge\n")
                .append("affinity_availability_journal_unreadable_lines ").append(availability.unreadableLines())
                .append('\n')
                .append("# HELP affinity_campaign_exports_running Campaign exports streaming now (at most "
                        + CustomerRoutes.MAX_CONCURRENT_EXPORTS + ").\n")
                .append("# TYPE affinity_campaign_exports_running gauge\n")
                .append("affinity_campaign_exports_running ").append(exports.exportsRunning()).append('\n')
                .append("# HELP affinity_campaign_exports_refused_total Campaign exports refused (503) because the "
                        + "most this server runs at once were running.\n")
                .append("# TYPE affinity_campaign_exports_refused_total counter\n")
                .append("affinity_campaign_exports_refused_total ").append(exports.exportsRefused()).append('\n')
                .append("# HELP affinity_catalog_searches_running Catalogue searches (GET /v1/items) running now (at "
                        + "most " + SearchLimit.PERMITS + ").\n")
                .append("# TYPE affinity_catalog_searches_running gauge\n")
                .append("affinity_catalog_searches_running ").append(searches.running()).append('\n')
                .append("# HELP affinity_catalog_searches_refused_total Catalogue searches refused (503) because "
                        + "none of those running ended within " + SearchLimit.WAIT.toMillis() + " ms.\n")
                .append("# TYPE affinity_catalog_searches_refused_total counter\n")
                .append("affinity_catalog_searches_refused_total ").append(searches.refused()).append('\n');
        if (access.adminEnabled()) {
            out.append("# HELP affinity_admin_token_reloads_refused_total Changed admin token files that were not put "
                            + "in force (unreadable or wrong; the token before stayed).\n")
                    .append("# TYPE affinity_admin_token_reloads_refused_total counter\n")
                    .append("affinity_admin_token_reloads_refused_total ").append(access.refusedAdminTokenReloads())
                    .append('\n');
        }
        if (access.apiKeysRequired()) {
            out.append("# HELP affinity_api_keys API keys in force (from --api-keys-file, as last reloaded).\n")
                    .append("# TYPE affinity_api_keys gauge\n")
                    .append("affinity_api_keys ").append(access.apiKeyCount()).append('\n')
                    .append("# HELP affinity_api_keys_reloads_refused_total Changed keys files that were not put in "
                            + "force (unreadable or wrong; the keys before stayed).\n")
                    .append("# TYPE affinity_api_keys_reloads_refused_total counter\n")
                    .append("affinity_api_keys_reloads_refused_total ").append(access.refusedKeysReloads())
                    .append('\n');
            Map<String, long[]> byClient = access.requestsByClient();
            out.append("# HELP affinity_client_requests_total Requests to /v1 endpoints with a valid API key (those "
                            + "then refused for a scope included), per client: client=NAME after the key in the keys "
                            + "file, else unnamed; the server's own warm-up is affinity-warm-up.\n")
                    .append("# TYPE affinity_client_requests_total counter\n");
            byClient.forEach((client, counts) -> out.append("affinity_client_requests_total{client=\"")
                    .append(client).append("\"} ").append(counts[0]).append('\n'));
            out.append("# HELP affinity_client_requests_refused_total Requests refused (403) because the client's "
                            + "key lacks the endpoint's scope.\n")
                    .append("# TYPE affinity_client_requests_refused_total counter\n");
            byClient.forEach((client, counts) -> out.append("affinity_client_requests_refused_total{client=\"")
                    .append(client).append("\"} ").append(counts[1]).append('\n'));
            out.append("# HELP affinity_client_requests_limited_total Requests refused (429) because the client sent "
                            + "more than the rate its keys give (rate=...).\n")
                    .append("# TYPE affinity_client_requests_limited_total counter\n");
            byClient.forEach((client, counts) -> out.append("affinity_client_requests_limited_total{client=\"")
                    .append(client).append("\"} ").append(counts[2]).append('\n'));
        }
        out.append("# HELP affinity_warm_up_active 1 while the start-up warm-up runs (/ready answers 503 meanwhile).\n")
                .append("# TYPE affinity_warm_up_active gauge\n")
                .append("affinity_warm_up_active ").append(warmUp.finished() ? 0 : 1).append('\n')
                .append("# HELP affinity_warm_up_requests_total Requests the server sent itself while warming up; "
                        + "affinity_http_requests_total counts them too.\n")
                .append("# TYPE affinity_warm_up_requests_total counter\n")
                .append("affinity_warm_up_requests_total ").append(warmUp.requests()).append('\n')
                .append("# HELP affinity_build_info The Affinity build serving (version with its commit) and its JVM.\n")
                .append("# TYPE affinity_build_info gauge\n")
                .append(BUILD_INFO);
        return out.toString();
    }

    private static Instant createdAt(ServedModel model) {
        Object created = model.summary().get("createdAt");
        if (created == null) {
            return null;
        }
        try {
            return Instant.parse(created.toString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static final class Route {
        final String labels;
        final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
        final DoubleAdder seconds = new DoubleAdder();
        final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();

        Route(String method, String template) {
            this.labels = "method=\"" + escape(method) + "\",route=\"" + escape(template) + "\"";
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void record(int status, double secs) {
            int i = 0;
            while (i < BUCKETS.length && secs > BUCKETS[i]) {
                i++;
            }
            buckets[i].increment();
            seconds.add(secs);
            byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
        }
    }
}
