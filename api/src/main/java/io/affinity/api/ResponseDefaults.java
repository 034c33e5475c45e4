package io.affinity.api;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The caching headers every answer starts with, set in Jetty before Javalin runs (one pre-encoded field each: no
 * Javalin before-handler, which costs a dispatch per request on the hot path).
 *
 * <p>{@code Vary: Accept-Encoding}: Javalin gzips an answer when the client accepts it, so a URL has two
 * representations, and a shared cache that stores one must know which requests it may serve it to. {@code
 * Cache-Control: no-store}: personal answers (a customer's recommendations, profile, offers) and error answers must
 * not be kept by a CDN or proxy, which otherwise store a 200 or 404 for minutes by heuristic freshness. Endpoints
 * whose answer is the same for everyone replace it.
 *
 * <p>A request's {@code X-Request-Id} of the shape {@link LoggedFailure} logs is echoed on its answer, so a caller
 * (or a proxy between) can match answers to requests; one of any other shape is not (it may be free text).
 */
final class ResponseDefaults extends Handler.Wrapper {
    static final HttpField VARY = new PreEncodedHttpField(HttpHeader.VARY, HttpHeader.ACCEPT_ENCODING.asString());
    static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpFields.Mutable headers = response.getHeaders();
        headers.add(VARY);
        headers.add(NO_STORE);
        String requestId = request.getHeaders().get(LoggedFailure.REQUEST_ID_HEADER);
        if (requestId != null && LoggedFailure.isRequestId(requestId)) {
            headers.put(LoggedFailure.REQUEST_ID_HEADER, requestId);
        }
        return super.handle(request, response, callback);
    }
}
