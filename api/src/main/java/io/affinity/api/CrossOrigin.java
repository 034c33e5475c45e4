package io.affinity.api;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * CORS for the {@code /v1} endpoints, installed only when {@code serve --cors-origins} allows some origin (so a
 * server without it does no work for it). Set in Jetty, before Javalin: a browser's preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) carries no API key, so it must be answered before the key check, and
 * the answers, errors included (a 401, a 400 whose detail the page's script should show), carry the headers.
 * Javalin's CorsPlugin was not used: it answers preflights from a Javalin before-handler, which would have to be
 * ordered ahead of the key check's, and it replaces the {@code Vary} header instead of adding to it.
 *
 * <p>{@code Vary: Origin} is on every /v1 answer while a list of origins is allowed (the answer to a request
 * without Origin, from a server-side caller, has no CORS headers, and a shared cache must not give it to a
 * browser); with {@code *} every origin gets the same answer and there is nothing to vary on.
 */
final class CrossOrigin extends Handler.Wrapper {
    private static final HttpField VARY_ORIGIN = new PreEncodedHttpField(HttpHeader.VARY, "Origin");
    private static final HttpField ALLOW_METHODS = new PreEncodedHttpField(
            HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, POST, PUT");
    private static final HttpField ALLOW_HEADERS = new PreEncodedHttpField(
            HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, X-API-Key, If-None-Match");
    /** Headers a page's script may read besides the CORS-safelisted ones (Content-Type, ...). */
    private static final HttpField EXPOSE_HEADERS = new PreEncodedHttpField(
            HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, "ETag, Retry-After");
    /** Browsers keep a preflight's answer this long (seconds); Chromium caps it at 7200. */
    private static final HttpField MAX_AGE = new PreEncodedHttpField(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");

    private final CorsPolicy policy;

    CrossOrigin(CorsPolicy policy) {
        if (!policy.enabled()) {
            throw new IllegalArgumentException("a CORS policy that allows no origin needs no handler");
        }
        this.policy = policy;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!Request.getPathInContext(request).startsWith("/v1/")) {
            return super.handle(request, response, callback);
        }
        HttpFields.Mutable headers = response.getHeaders();
        if (!policy.anyOrigin()) {
            headers.add(VARY_ORIGIN);
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (!policy.allows(origin)) {
            return super.handle(request, response, callback);
        }
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, policy.anyOrigin() ? "*" : origin);
        if (HttpMethod.OPTIONS.is(request.getMethod())
                && request.getHeaders().contains(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD)) {
            headers.add(ALLOW_METHODS);
            headers.add(ALLOW_HEADERS);
            headers.add(MAX_AGE);
            response.setStatus(HttpStatus.NO_CONTENT_204);
            callback.succeeded();
            return true;
        }
        headers.add(EXPOSE_HEADERS);
        return super.handle(request, response, callback);
    }
}
