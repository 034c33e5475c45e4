package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.store.SnapshotException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** Readiness, metrics and the admin endpoints (model lifecycle, canary). */
final class OpsRoutes {
    private static final Params.Accepted NONE = Params.Accepted.of();
    private static final Set<String> CANARY_FIELDS = Set.of("percent");
    private static final String PERCENT = "a whole number of percent of customers, 1 to 99";

    private final ModelSource models;
    private final ModelAdmin admin;
    private final AccessControl access;
    private final Metrics metrics;
    private final WarmUp warmUp;
    private final ApiConfig config;
    private final ObjectMapper json;

    OpsRoutes(ApiConfig config, ObjectMapper json, ModelSource models, ModelAdmin admin, AccessControl access,
              Metrics metrics, WarmUp warmUp) {
        this.config = config;
        this.json = json;
        this.models = models;
        this.warmUp = warmUp;
        this.admin = admin;
        this.access = access;
        this.metrics = metrics;
    }

    void register(RoutesConfig routes) {
        routes.before("/admin/*", access::checkAdmin);
        routes.before("/v1/*", access::checkApiKey);
        ReadRoutes.get(routes, "/ready", this::ready);
        ReadRoutes.get(routes, "/metrics", this::scrape);
        if (admin != null) {
            ReadRoutes.get(routes, "/admin/models", ctx -> {
                Params.checkQuery(ctx, NONE);
                listModels(ctx);
            });
            // The commands without a body refuse one: {"version": ...} sent to reload would otherwise serve
            // CURRENT while its sender believes it chose a version.
            routes.post("/admin/models/reload", ctx -> {
                Params.checkQuery(ctx, NONE);
                RequestBodies.requireNone(ctx, config, "POST /admin/models/reload",
                        "it serves the version the store's CURRENT names; POST /admin/models/{version}/activate "
                                + "serves another");
                ctx.json(change(admin::reload));
            });
            routes.post("/admin/models/{version}/activate", ctx -> {
                Params.checkQuery(ctx, NONE);
                RequestBodies.requireNone(ctx, config, "POST /admin/models/{version}/activate",
                        "the version is the path's");
                ctx.json(change(() -> admin.activate(ctx.pathParam("version"))));
            });
            routes.post("/admin/models/{version}/canary", this::startCanary);
            routes.delete("/admin/models/canary", ctx -> {
                Params.checkQuery(ctx, NONE);
                RequestBodies.requireNone(ctx, config, "DELETE /admin/models/canary",
                        "POST /admin/models/{version}/canary {\"percent\": N} changes a canary");
                ctx.json(canaryChange(admin::stopCanary));
            });
        }
    }

    /** {@code {"percent": N}}: the canary for N percent of customers (replacing or re-weighting a running one). */
    private void startCanary(Context ctx) throws Exception {
        Params.checkQuery(ctx, NONE);
        RequestBodies.requireJson(ctx);
        JsonNode body = JsonBodies.object(RequestBodies.read(ctx, config), json, CANARY_FIELDS,
                "a JSON object with field 'percent'");
        JsonNode percent = body.get("percent");
        if (percent == null || percent.isNull()) {
            throw invalidBody("field 'percent' is required: " + PERCENT);
        }
        if (!percent.isIntegralNumber() || !percent.canConvertToInt()) {
            throw invalidBody("field 'percent' must be " + PERCENT + "; was "
                    + (percent.isNumber() ? percent.asText() : JsonBodies.kind(percent)));
        }
        int p = percent.asInt();
        if (p < 1 || p > 99) {
            throw invalidBody("field 'percent' must be " + PERCENT + "; was " + p + " (100 percent is "
                    + "POST /admin/models/{version}/activate, 0 is DELETE /admin/models/canary)");
        }
        ctx.json(canaryChange(() -> admin.startCanary(ctx.pathParam("version"), p)));
    }

    private static ApiProblem invalidBody(String detail) {
        return new ApiProblem(422, "invalid-body", "Invalid body", detail);
    }

    /**
     * Ready once a verified model is being served and the warm-up (if configured) is over: load balancers send
     * no traffic before.
     */
    private void ready(Context ctx) {
        ServedModel model = models.current().orElseThrow(
                () -> ApiProblem.unavailable("no verified model snapshot is loaded yet"));
        if (!warmUp.finished()) {
            ctx.header("Retry-After", Long.toString(Math.max(1, warmUp.secondsLeft())));
            throw new ApiProblem(503, "warming-up", "Warming up", "warming up: the server is sending its own "
                    + "requests to its endpoints so that traffic meets compiled code (" + warmUp.requests()
                    + " so far)");
        }
        ctx.json(new Bodies.HealthBody("ready", model.snapshot().version()));
    }

    private void listModels(Context ctx) {
        ModelAdmin.Status status;
        try {
            status = admin.status();
        } catch (IOException e) {
            throw storeUnavailable(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serving", status.serving());
        body.put("current", status.current());
        if (status.currentError() != null) {
            body.put("currentError", status.currentError());
        }
        body.put("canary", status.canary());
        body.put("servingCanary", status.servingCanary());
        if (status.canaryError() != null) {
            body.put("canaryError", status.canaryError());
        }
        body.put("versions", status.versions());
        ctx.json(body);
    }

    private static ModelAdmin.Change change(Callable<ModelAdmin.Change> operation) throws Exception {
        try {
            return operation.call();
        } catch (SnapshotException e) {
            throw new ApiProblem(422, "snapshot-refused", "Snapshot refused",
                    "the snapshot failed verification and was not activated; the served model is unchanged: "
                            + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.notFound(e.getMessage());
        } catch (ModelAdmin.NothingToLoadException e) {
            throw new ApiProblem(409, "no-current-version", "Nothing to load", e.getMessage()
                    + "; the served model is unchanged");
        } catch (IOException e) {
            throw storeUnavailable(e);
        }
    }

    /** As {@link #change}, and a canary of CURRENT's version (or without a CURRENT) is a 409. */
    private static ModelAdmin.CanaryChange canaryChange(Callable<ModelAdmin.CanaryChange> operation) throws Exception {
        try {
            return operation.call();
        } catch (SnapshotException e) {
            throw new ApiProblem(422, "snapshot-refused", "Snapshot refused",
                    "the snapshot failed verification and the canary was not changed: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiProblem(409, "canary-conflict", "Canary not possible", e.getMessage()
                    + "; the canary is unchanged");
        } catch (IOException e) {
            throw storeUnavailable(e);
        }
    }

    /**
     * What went wrong with the model store, for the 503: the file and the kind of failure. The JDK's
     * {@code AccessDeniedException} and {@code NoSuchFileException} carry only the path as their message, so a store
     * this user may read but not write (a change takes CURRENT.lock) said a bare path.
     */
    static ApiProblem storeUnavailable(IOException e) {
        String what = io.affinity.store.FileFailures.describe(e);
        if (e instanceof AccessDeniedException && ((FileSystemException) e).getFile() != null) {
            what += " (changing CURRENT or CANARY needs write access to the model store directory)";
        }
        return new ApiProblem(503, "model-store-unavailable", "Model store unavailable",
                "reading or writing the model store failed: " + what);
    }

    private void scrape(Context ctx) {
        ctx.contentType(Metrics.CONTENT_TYPE).result(metrics.scrape());
    }
}
