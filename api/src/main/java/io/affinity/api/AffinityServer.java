package io.affinity.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.affinity.recommender.UnknownItemException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Affinity HTTP service. Create with {@link #create}, then {@link #start()}; {@link #close()} stops accepting,
 * lets in-flight requests finish, and releases the port. Endpoints are listed in the README.
 */
public final class AffinityServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AffinityServer.class);

    private final ApiConfig config;
    private final Javalin app;

    /** Margin rate used for offers when the server is created without one. */
    public static final double DEFAULT_MARGIN_RATE = 0.3;

    private AffinityServer(ApiConfig config, ModelSource models, ConsentJournal consent, double marginRate) {
        this.config = config;
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        Routes routes = new Routes(config, models, json);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.http.maxRequestSize = config.maxBodyBytes();
            c.http.defaultContentType = "application/json";
            c.jsonMapper(new JavalinJackson(json, false));
            routes.register(c.routes);
            new CustomerRoutes(config, models, json, consent, marginRate).register(c.routes);
            c.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, Problem.of(e)));
            c.routes.exception(UnknownItemException.class, (e, ctx) -> problem(ctx,
                    Problem.of(ApiProblem.notFound("item '" + Params.abbreviate(e.itemId())
                            + "' is not in the model's catalogue"))));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> problem(ctx,
                    Problem.of(fromJavalin(e.getStatus(), e.getMessage()))));
            c.routes.exception(Exception.class, (e, ctx) -> {
                // Messages of unexpected failures can carry request data: log the type and trace only.
                LOG.error("unexpected failure on {} {}: {}", ctx.method(), ctx.endpoint().path,
                        e.getClass().getName(), e);
                problem(ctx, new Problem(Problem.TYPE_PREFIX + "internal", "Internal error", 500,
                        "the request could not be completed; see the server log"));
            });
            c.routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, Problem.of(ApiProblem.notFound("no such endpoint; the README lists the API")));
                }
            });
            c.routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, Problem.of(new ApiProblem(405, "method-not-allowed", "Method not allowed",
                            ctx.method() + " is not allowed here")));
                }
            });
        });
    }

    /** Builds the server; nothing listens until {@link #start()}. */
    public static AffinityServer create(ApiConfig config, ModelSource models) {
        return create(config, models, ConsentJournal.unavailable("the server was started without a consent journal"),
                DEFAULT_MARGIN_RATE);
    }

    /**
     * Builds the server with a consent journal (run-time consent changes) and the margin rate for offers
     * (share of the price that is margin, in (0, 1]).
     */
    public static AffinityServer create(ApiConfig config, ModelSource models, ConsentJournal consent,
                                        double marginRate) {
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new IllegalArgumentException("marginRate must be in (0, 1], was " + marginRate);
        }
        return new AffinityServer(Objects.requireNonNull(config, "config"), Objects.requireNonNull(models, "models"),
                Objects.requireNonNull(consent, "consent"), marginRate);
    }

    public AffinityServer start() {
        app.start();
        LOG.info("Affinity listening on {}:{}", config.host(), app.port());
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static ApiProblem fromJavalin(int status, String message) {
        return switch (status) {
            case 413 -> ApiProblem.tooLarge("request body larger than the configured limit");
            // Javalin's message echoes the path, which can hold a customer id: never send it back.
            case 404 -> ApiProblem.notFound("no such endpoint; the README lists the API");
            case 405 -> new ApiProblem(405, "method-not-allowed", "Method not allowed",
                    "this endpoint does not take that method");
            case 415 -> ApiProblem.unsupportedMediaType(message);
            default -> new ApiProblem(status, "http-" + status, "HTTP " + status,
                    message == null ? "" : message);
        };
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(Problem.MEDIA_TYPE);
    }

    static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status()).json(problem).contentType(Problem.MEDIA_TYPE);
    }
}
