package io.affinity.api;

import io.affinity.store.SnapshotException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Readiness, metrics and the admin endpoints (model lifecycle). */
final class OpsRoutes {
    private static final Params.Accepted NONE = Params.Accepted.of();

    private final ModelSource models;
    private final ModelAdmin admin;
    private final AccessControl access;
    private final Metrics metrics;
    private final WarmUp warmUp;

    OpsRoutes(ModelSource models, ModelAdmin admin, AccessControl access, Metrics metrics, WarmUp warmUp) {
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
            routes.post("/admin/models/reload", ctx -> {
                Params.checkQuery(ctx, NONE);
                ctx.json(change(admin::reload));
            });
            routes.post("/admin/models/{version}/activate", ctx -> {
                Params.checkQuery(ctx, NONE);
                ctx.json(change(() -> admin.activate(ctx.pathParam("version"))));
            });
        }
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

    private void listModels(Context ctx) throws IOException {
        List<ModelAdmin.VersionInfo> versions = admin.versions();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serving", models.current().map(m -> m.snapshot().version()).orElse(null));
        body.put("current", versions.stream().filter(ModelAdmin.VersionInfo::current)
                .map(ModelAdmin.VersionInfo::version).findFirst().orElse(null));
        body.put("versions", versions);
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
            throw new ApiProblem(503, "model-store-unavailable", "Model store unavailable",
                    "reading the model store failed: " + e.getMessage());
        }
    }

    private void scrape(Context ctx) {
        ctx.contentType(Metrics.CONTENT_TYPE).result(metrics.scrape());
    }
}
