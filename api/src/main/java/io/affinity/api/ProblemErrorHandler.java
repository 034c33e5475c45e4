package io.affinity.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.Ids;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (requests it refuses before Javalin sees them: a malformed or ambiguous URI, a URI or headers
 * too long) as problem bodies like every other error, instead of Jetty's HTML page. The detail is fixed per status:
 * Jetty's reason can quote the request line, whose path may hold a customer id.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    private static final HttpField CONNECTION_CLOSE =
            new HttpField(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Every method gets the problem body: Jetty's default writes an error body only for GET, POST and HEAD, so a PUT
     * or DELETE with a path it refuses (a bad UTF-8 percent-encoding) got a bare 400 without saying why. HEAD still
     * gets no body where Jetty still knows the method (see generateResponse for where it does not).
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body = body(code);
        response.getHeaders().put(CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // A request refused this early ends its connection. For a URI Jetty cannot parse (HEAD /v1/items/%ZZ) it no
        // longer knows the request was a HEAD and sends the body: a client that kept the connection would read that
        // body as the start of its next answer, and lose it.
        response.getHeaders().put(CONNECTION_CLOSE);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(CONTENT_TYPE);
        return ByteBuffer.wrap(body(status));
    }

    private byte[] body(int status) {
        Problem problem = switch (status) {
            case 400 -> Problem.of(ApiProblem.badRequest("the request line or a header is not valid HTTP, e.g. a "
                    + "path with a bad percent-encoding (a '%' must be followed by two hex digits), an encoded "
                    + "control character such as %00, or an ambiguous encoded segment"));
            case 414 -> Problem.of(new ApiProblem(414, "uri-too-long", "URI too long",
                    "the request URI is longer than the server accepts; ids are at most "
                            + Ids.MAX_ID_LENGTH + " characters"));
            case 431 -> Problem.of(new ApiProblem(431, "headers-too-large", "Request header fields too large",
                    "the request headers are larger than the server accepts"));
            case 404 -> Problem.of(ApiProblem.notFound("no such endpoint; the README lists the API"));
            case 413 -> Problem.of(ApiProblem.tooLarge("request body larger than the configured limit"));
            default -> new Problem(Problem.TYPE_PREFIX + "http-" + status, "HTTP " + status, status,
                    status >= 500 ? "the request could not be completed; see the server log"
                            : "the request was refused by the HTTP layer");
        };
        try {
            return json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem record did not serialise", e);
        }
    }
}
