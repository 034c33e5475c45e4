package io.affinity.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.affinity.recommender.UnknownItemException;
import io.affinity.store.SnapshotLockedException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.json.JavalinJackson;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Affinity HTTP service. Create with {@link #create}, then {@link #start()}; {@link #close()} stops accepting,
 * lets in-flight requests finish, and releases the port. Endpoints are listed in the README.
 */
public final class AffinityServer implements AutoCloseable {
    /** The problem detail of a listing a dead process's stale lock stops (no file path, no request data). */
    static final String LOCKED_DETAIL = "the served model version cannot be listed: a process that died while "
            + "reading it left a lock in its files; publish and activate a new model version (see the server log)";
    private static final Logger LOG = LoggerFactory.getLogger(AffinityServer.class);

    private final ApiConfig config;
    private final Javalin app;
    private final Duration shutdownGrace;
    private final WarmUp warmUp;
    private final GracefulHandler graceful = new GracefulHandler();
    /** Opened once close() has stopped the connectors accepting (tests wait for it). */
    private final CountDownLatch stoppedAccepting = new CountDownLatch(1);
    /** Opened when the shutdown grace has expired with requests still running: exports then end early. */
    private final CountDownLatch graceExpired = new CountDownLatch(1);
    /**
     * How long close() waits, after the grace, for cut-off exports to send their error record before it closes
     * the connections (a client that does not read gets a torn stream then).
     */
    static final Duration CUT_OFF_WAIT = Duration.ofSeconds(2);
    private volatile Server jetty;
    /** "METHOD /path" of every endpoint registered, for checking the OpenAPI document against them. */
    private final Set<String> endpoints = ConcurrentHashMap.newKeySet();

    /** Margin rate used for offers when the server is created without one. */
    public static final double DEFAULT_MARGIN_RATE = ServerOptions.DEFAULT_MARGIN_RATE;

    private final JsonFactory jsonFactory;
    private final SearchLimit searchLimit;

    private AffinityServer(ApiConfig config, ModelSource models, ServerOptions options) {
        this.config = config;
        this.shutdownGrace = options.shutdownGrace();
        // Jackson's USE_FAST_DOUBLE_WRITER was measured: slower than Double.toString on JDK 25 (93 vs 85 ns per
        // double), which the launcher prefers, so doubles are written by the JDK.
        // Jackson recycles its buffers per thread by default; on virtual threads (a new one per request, JDK 21+)
        // that recycles nothing and every answer allocates fresh buffers, so a shared pool is used there instead
        // (paced A/B in benchmarks/RESULTS.md, twelfth session: less CPU per request and a shorter tail).
        ObjectMapper json = new ObjectMapper(config.virtualThreads() && Runtime.version().feature() >= 21
                ? JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build()
                : new JsonFactory()).disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        this.jsonFactory = json.getFactory();
        ItemAvailability availability = options.rules().availability();
        this.searchLimit = new SearchLimit();
        Routes routes = new Routes(config, models, json, availability, options.rules(), searchLimit,
                options.consent());
        CatalogRoutes catalog = new CatalogRoutes(config, models, json, availability, searchLimit);
        this.warmUp = new WarmUp(models, options.warmUp(), options.access().ownKey());
        CustomerRoutes customers = new CustomerRoutes(config, models, json, options.consent(), options.marginRate(),
                options.rules(), searchLimit, () -> graceExpired.getCount() == 0);
        Metrics metrics = new Metrics(models, warmUp, options.admin(), options.consent(), availability, customers,
                searchLimit, options.access());
        OpsRoutes ops = new OpsRoutes(config, json, models, options.admin(), options.access(), metrics,
                warmUp);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            // Javalin falls back to its platform-thread pool where the JVM has no virtual threads (JDK 17).
            c.concurrency.useVirtualThreads = config.virtualThreads();
            c.http.maxRequestSize = config.maxBodyBytes();
            c.http.defaultContentType = "application/json";
            // A known path with the wrong method is a 405 (with Allow), not a 404 "no such endpoint".
            c.http.prefer405over404 = true;
            c.jsonMapper(new JavalinJackson(json, false));
            V1Routes v1 = new V1Routes(c.routes, options.access());
            c.events.handlerAdded(info -> {
                if (info.getHttpMethod().isHttpMethod()) {
                    String endpoint = info.getHttpMethod().name() + " " + info.getPath();
                    if (info.getPath().startsWith("/v1/") && !v1.isScoped(endpoint)) {
                        throw new IllegalStateException(endpoint + " was registered without an API key scope: "
                                + "register /v1 endpoints through V1Routes");
                    }
                    endpoints.add(endpoint);
                }
            });
            // Javalin nests its servlet handler inside the innermost wrapper it finds: the GracefulHandler counts
            // in-flight requests for close(), CrossOrigin (only when some origin is allowed) answers preflights and
            // adds CORS headers, and ResponseDefaults, innermost, sets the caching headers.
            c.jetty.modifyServer(server -> {
                jetty = server;
                server.setHandler(graceful);
                ResponseDefaults defaults = new ResponseDefaults();
                if (config.cors().enabled()) {
                    CrossOrigin cors = new CrossOrigin(config.cors());
                    cors.setHandler(defaults);
                    graceful.setHandler(cors);
                } else {
                    graceful.setHandler(defaults);
                }
                // Requests Jetty refuses itself (bad URI, URI too long) answer with a problem body, not HTML.
                server.setErrorHandler(new ProblemErrorHandler(json));
            });
            c.requestLogger.http((ctx, ms) -> {
                // After every request, answered or refused: drop what is left of a body nobody read, so that the
                // connection is not closed under a client still sending it (which would lose the answer). Here
                // rather than in an after-handler, which on every request cost about a tenth of the
                // customer endpoint's throughput (benchmarks/RESULTS.md, "Tenth session").
                RequestBodies.discardUnread(ctx, config.bodyTimeout());
                metrics.record(Metrics.methodLabel(ctx.req().getMethod()), routeTemplate(ctx, endpoints), ctx.status().getCode(), ms);
            });
            ops.register(c.routes);
            routes.register(c.routes, v1);
            customers.register(v1);
            new ConsentChangesRoute(options.consent(), models).register(v1);
            catalog.register(c.routes, v1);
            c.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, Problem.of(e)));
            // The consent journal found unreadable by a check or change itself (after the handler's own look said
            // it was fine): the 503 of every consent answer, not a 500. Its message names the file, no customer.
            c.routes.exception(ConsentJournal.Unavailable.class, (e, ctx) -> problem(ctx,
                    Problem.of(ApiProblem.consentUnavailable(e.getMessage()))));
            c.routes.exception(UnknownItemException.class, (e, ctx) -> problem(ctx,
                    Problem.of(ApiProblem.notFound("item '" + Params.abbreviate(e.itemId())
                            + "' is not in the model's catalogue"))));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e instanceof MethodNotAllowedResponse) {
                    String allowed = allowedMethods(e);
                    ctx.header("Allow", allowed);
                    problem(ctx, Problem.of(new ApiProblem(405, "method-not-allowed", "Method not allowed",
                            ctx.method().name() + " is not allowed on this endpoint; it takes " + allowed)));
                    return;
                }
                problem(ctx, Problem.of(fromJavalin(e.getStatus(), e.getMessage())));
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                LoggedFailure failure = LoggedFailure.of(ctx);
                if (e instanceof SnapshotLockedException locked) {
                    // Not a bug but a lock a dead process left in an older snapshot's file. Its message names a
                    // file and a segment only, never request data, and says what to do: logged whole.
                    LOG.error("{} {} failed {}: {}", ctx.method(), ctx.endpoint().path, failure.logTag(),
                            locked.getMessage());
                    // The server works; this model version's file does not until it is replaced: a 503 (another
                    // replica or a later retry may answer), with the remedy and no file path or request data.
                    problem(ctx, new Problem(Problem.TYPE_PREFIX + "model-locked", "Model version locked", 503,
                            LOCKED_DETAIL, failure.instance()));
                    return;
                } else {
                    // Messages of unexpected failures can carry request data: log the type and trace only.
                    LOG.error("unexpected failure on {} {} {}: {}", ctx.method(), ctx.endpoint().path,
                            failure.logTag(), e.getClass().getName(), redacted(e));
                }
                problem(ctx, new Problem(Problem.TYPE_PREFIX + "internal", "Internal error", 500,
                        "the request could not be completed; the server log names this failure by its instance id",
                        failure.instance()));
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
    /** For tests: the limit on concurrent catalogue searches. */
    SearchLimit searchLimit() {
        return searchLimit;
    }

    public static AffinityServer create(ApiConfig config, ModelSource models) {
        return create(config, models, ServerOptions.defaults());
    }

    /**
     * Builds the server with a consent journal (run-time consent changes) and the margin rate for offers
     * (share of the price that is margin, in (0, 1]); other options at their defaults.
     */
    public static AffinityServer create(ApiConfig config, ModelSource models, ConsentJournal consent,
                                        double marginRate) {
        return create(config, models, ServerOptions.defaults().withConsent(consent, marginRate));
    }

    /** Builds the server with admin endpoints, access control, consent, margins and shutdown grace as given. */
    public static AffinityServer create(ApiConfig config, ModelSource models, ServerOptions options) {
        return new AffinityServer(Objects.requireNonNull(config, "config"), Objects.requireNonNull(models, "models"),
                Objects.requireNonNull(options, "options"));
    }

    public AffinityServer start() {
        app.start();
        LOG.info("Affinity listening on {}:{}", config.host(), app.port());
        warmUp.start(URI.create("http://" + ownHost(config.host()) + ":" + app.port()));
        return this;
    }

    /** Where the server reaches itself: loopback when it listens on every interface. */
    private static String ownHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The warm-up (tests read its progress). */
    WarmUp warmUp() {
        return warmUp;
    }

    /** Every registered endpoint as "METHOD /path" (path parameters in braces). */
    Set<String> endpoints() {
        return Set.copyOf(endpoints);
    }

    /** How JSON writing recycles its buffers (tests check it suits the threads {@link #threadPool()} runs on). */
    RecyclerPool<?> jsonRecyclerPool() {
        return jsonFactory._getRecyclerPool();
    }

    /** Jetty's thread pool (tests check which kind {@link ApiConfig#virtualThreads()} gave). */
    ThreadPool threadPool() {
        Server server = jetty;
        return server == null ? null : server.getThreadPool();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    /**
     * Graceful stop: the connectors stop accepting, in-flight requests get up to the shutdown grace to finish,
     * then the server stops (closing idle keep-alive connections at once rather than waiting for them).
     */
    @Override
    public void close() {
        warmUp.stop();
        Server server = jetty;
        if (server != null && server.isStarted()) {
            for (Connector connector : server.getConnectors()) {
                if (connector instanceof AbstractConnector c) {
                    // Jetty's shutdown drops every connection's idle timeout to 1 s, which also fails a response
                    // blocked on a slow reader (a streaming export) long before the grace: keep the usual one.
                    // Idle keep-alive connections are closed by the stop that follows anyway.
                    c.setShutdownIdleTimeout(c.getIdleTimeout());
                }
                connector.shutdown(); // stop accepting; its future (all connections closed) is not awaited
            }
            stoppedAccepting.countDown();
            LOG.info("stopping: no new connections; waiting up to {} for {} in-flight request(s)", shutdownGrace,
                    graceful.getCurrentRequestCount());
            try {
                graceful.shutdown().get(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("stopping: in-flight requests finished");
            } catch (TimeoutException e) {
                LOG.warn("{} request(s) still running after the shutdown grace of {}; cutting them off",
                        graceful.getCurrentRequestCount(), shutdownGrace);
                graceExpired.countDown();
                awaitRequests(CUT_OFF_WAIT);
            } catch (ExecutionException e) {
                LOG.warn("waiting for in-flight requests failed: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        app.stop();
    }

    private void awaitRequests(Duration wait) {
        try {
            graceful.shutdown().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("{} request(s) still running; closing their connections", graceful.getCurrentRequestCount());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@link #close()} has found the shutdown grace expired; false on timeout. */
    boolean awaitGraceExpired(long timeout, TimeUnit unit) throws InterruptedException {
        return graceExpired.await(timeout, unit);
    }

    /** Waits until {@link #close()} has stopped accepting connections; false on timeout. */
    boolean awaitStopAccepting(long timeout, TimeUnit unit) throws InterruptedException {
        return stoppedAccepting.await(timeout, unit);
    }

    /** The methods Javalin found for the path (its 405 details hold them as "GET, POST"). */
    private static String allowedMethods(HttpResponseException e) {
        TreeSet<String> methods = new TreeSet<>();
        for (String value : e.getDetails().values()) {
            for (String m : value.split(",")) {
                if (!m.isBlank()) {
                    methods.add(m.trim().toUpperCase(Locale.ROOT));
                }
            }
        }
        return String.join(", ", methods);
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

    /**
     * The failure's exception types and stack frames, without its messages (a Lucene message can quote the whole
     * query, a store's message an id): what the log of an unexpected failure may hold.
     */
    static Throwable redacted(Throwable e) {
        Throwable cause = e.getCause();
        RedactedFailure r = new RedactedFailure(e.getClass().getName(),
                cause == null || cause == e ? null : redacted(cause));
        r.setStackTrace(e.getStackTrace());
        return r;
    }

    /** Stands in for a logged failure: its message is the original's class name only. */
    static final class RedactedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RedactedFailure(String type, Throwable cause) {
            super(type, cause, false, true);
        }
    }

    /** The matched route's template, never the raw path (which can hold a customer id). */
    private static String routeTemplate(Context ctx, Set<String> endpoints) {
        try {
            var endpoint = ctx.endpoint();
            if (endpoint != null && endpoint.method.isHttpMethod()) {
                return endpoint.path;
            }
            // Only a filter ran: access control refused the request (401) or no endpoint takes its method (405).
            // Count it under the template of the path, so that the metrics show which call failed.
            String template = templateOf(ctx.path(), endpoints);
            if (template != null) {
                return template;
            }
            if (endpoint == null || ctx.status().getCode() == 404) {
                return Metrics.UNMATCHED; // no endpoint has this path
            }
            return endpoint.path;
        } catch (RuntimeException e) {
            return Metrics.UNMATCHED;
        }
    }

    /** The registered template ("/v1/items/{itemId}") that {@code path} fits, segment by segment; else null. */
    static String templateOf(String path, Set<String> endpoints) {
        String[] segments = path.split("/", -1);
        for (String endpoint : endpoints) {
            String template = endpoint.substring(endpoint.indexOf(' ') + 1);
            String[] parts = template.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            boolean fits = true;
            for (int i = 0; i < parts.length && fits; i++) {
                fits = parts[i].startsWith("{") ? !segments[i].isEmpty() : parts[i].equals(segments[i]);
            }
            if (fits) {
                return template;
            }
        }
        return null;
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(Problem.MEDIA_TYPE);
    }

    static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status()).json(problem).contentType(Problem.MEDIA_TYPE);
    }
}
