package io.affinity.api;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ties an answer that tells its caller to see the server log (a 500, a 503 the operator must act on) to the one log
 * line that says what happened: the answer's problem body carries {@link #instance()} ({@code urn:uuid:...}, RFC
 * 9457's member for "this occurrence"), and the log line carries {@link #logTag()} with the same id. Without it, on a
 * server answering thousands of requests a second, "see the server log" left an operator guessing which line.
 *
 * <p>The caller's own {@code X-Request-Id} (the id a proxy such as nginx logs as {@code $request_id}, or a client's
 * UUID) is logged beside it, so the proxy's access log line (path, status, client) joins the server's: but only
 * when it has the shape such ids have, hexadecimal digits and dashes, 16 to 64 of them. A header of any other shape
 * is neither logged nor echoed: the log never holds a customer id, and a free-text header is where a client would
 * put one. A W3C {@code traceparent} (what OpenTelemetry-instrumented storefronts send) gives its trace id to the
 * log line too, so the failure can be found from the trace.
 */
record LoggedFailure(String id, String requestId, String traceId) {
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Pattern REQUEST_ID = Pattern.compile("[0-9A-Fa-f-]{16,64}");
    // version 00: 00-<trace id, 32 lower-case hex, not all zeros>-<parent id, 16>-<flags, 2>
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final String NO_TRACE = "0".repeat(32);

    LoggedFailure {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a logged failure needs an id");
        }
        if (requestId != null && !isRequestId(requestId)) {
            throw new IllegalArgumentException("not a request id of the logged shape");
        }
        if (traceId != null && (!traceId.matches("[0-9a-f]{32}") || traceId.equals(NO_TRACE))) {
            throw new IllegalArgumentException("not a W3C trace id");
        }
    }

    /**
     * A new failure of this request: a fresh random id, the request's X-Request-Id when it has the shape, and the
     * trace id of its traceparent when that is valid.
     */
    static LoggedFailure of(Context ctx) {
        String header = ctx.header(REQUEST_ID_HEADER);
        return new LoggedFailure(UUID.randomUUID().toString(), isRequestId(header) ? header : null,
                traceId(ctx.header("traceparent")));
    }

    /** The trace id of a valid version-00 traceparent header, or null. */
    static String traceId(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        Matcher m = TRACEPARENT.matcher(traceparent.strip());
        return m.matches() && !m.group(1).equals(NO_TRACE) ? m.group(1) : null;
    }

    /** Whether a client's X-Request-Id is one the server echoes and logs (hexadecimal and dashes, 16-64). */
    static boolean isRequestId(String value) {
        return value != null && REQUEST_ID.matcher(value).matches();
    }

    /** The problem body's {@code instance}. */
    String instance() {
        return "urn:uuid:" + id;
    }

    /** What the log line carries, e.g. {@code [failure 9b2f...; X-Request-Id 4c1e...; trace 0af7...]}. */
    String logTag() {
        return "[failure " + id + (requestId == null ? "" : "; " + REQUEST_ID_HEADER + " " + requestId)
                + (traceId == null ? "" : "; trace " + traceId) + "]";
    }
}
