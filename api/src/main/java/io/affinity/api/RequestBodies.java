package io.affinity.api;

import io.javalin.http.Context;
import jakarta.servlet.ServletInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body up to the configured limit (a body over it is a 413), and drops what no handler read. The
 * part of a body the client is still sending is read and discarded (up to {@link #DRAIN_LIMIT}) after every
 * request, the 413 included ({@link #discardUnread}, from the request logger), once the answer has been sent: a
 * server that answers and closes while request bytes are still arriving makes the kernel reset the connection, and
 * the client then often sees "no response" instead of the answer that tells it what was wrong.
 *
 * <p>Both reads are bounded in time by {@link ApiConfig#bodyTimeout()}: past it the connection is closed. Jetty's idle
 * timeout restarts with every byte, so a client sending a byte every few seconds would otherwise hold a request thread
 * as long as it liked; requests without a body (the recommendation GETs) never get here.
 */
final class RequestBodies {
    /** The most of an oversized body read and dropped so that its sender gets the answer; beyond it, we close. */
    static final long DRAIN_LIMIT = 1L << 20;
    /**
     * Most requests that may wait for a body (or drain one) at once. A body normally arrives with its headers and is
     * read in microseconds, so this many is only reached by slow senders; the {@link ApiConfig#bodyTimeout()} bounds
     * each, this bounds how many threads of Jetty's pool (8 to 250) they hold together, so that the GET endpoints
     * keep theirs.
     */
    static final int MAX_WAITING_FOR_BODIES = 64;
    /** Places for {@link #MAX_WAITING_FOR_BODIES}; per process (servers in one JVM, as in tests, share them). */
    private static final Semaphore WAITING = new Semaphore(MAX_WAITING_FOR_BODIES);

    private RequestBodies() {
    }

    /**
     * A 415 naming what was sent unless the request's Content-Type is JSON ({@code application/json}, any charset)
     * and its body is not content-coded. Request bodies are never decoded here: a gzip body would otherwise be
     * parsed as JSON (a confusing "malformed JSON" 400), and one labelled with a coding but sent plain would be
     * answered as if the label were not there. The 415 carries {@code Accept-Encoding: identity} (RFC 9110 15.5.16).
     */
    static void requireJson(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw ApiProblem.unsupportedMediaType("Content-Type must be application/json, was "
                    + (type == null ? "missing" : "'" + Params.abbreviate(type) + "'"));
        }
        String coding = ctx.header("Content-Encoding");
        if (coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
            ctx.header("Accept-Encoding", "identity");
            throw ApiProblem.unsupportedMediaType("Content-Encoding '" + Params.abbreviate(coding.trim())
                    + "' is not supported: send the JSON body uncompressed");
        }
    }

    static byte[] read(Context ctx, ApiConfig config) throws IOException {
        int maxBytes = config.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw ApiProblem.tooLarge("request body of " + declared + " bytes exceeds the limit of " + maxBytes);
        }
        if (!WAITING.tryAcquire()) {
            ctx.header("Retry-After", "1");
            throw new ApiProblem(503, "busy", "Too many request bodies in flight", "the server is waiting for the "
                    + "bodies of " + MAX_WAITING_FOR_BODIES + " other requests (slow senders); retry");
        }
        byte[] body;
        try (Deadline ignored = Deadline.start(ctx, config.bodyTimeout())) {
            body = ctx.req().getInputStream().readNBytes(maxBytes + 1);
        } catch (EOFException e) {
            // Jetty's parser reports a chunk size that is not hex, and a body that ends before its Content-Length,
            // as an early end: the client broke the framing. A 400 (it may still be there to read it), and nothing
            // logged: an unexpected failure would log a stack trace per request, which a flood would multiply.
            throw ApiProblem.badRequest("the request body ended early: shorter than its Content-Length, or a "
                    + "malformed chunked encoding");
        } catch (IOException e) {
            // The connection failed while the body was arriving (reset, idle timeout): the client's side.
            throw ApiProblem.badRequest("the request body could not be read: the connection failed while it was "
                    + "being sent");
        } finally {
            WAITING.release();
        }
        if (body.length > maxBytes) {
            throw ApiProblem.tooLarge("request body exceeds the limit of " + maxBytes + " bytes");
        }
        return body;
    }

    /**
     * A 400 unless the request has no body (or an empty one), for commands that take none: a client that sends one
     * meant something the endpoint does not do (a version to reload, a statement to DELETE) and must not believe it
     * was applied. {@code instead} says what to send instead.
     */
    static void requireNone(Context ctx, ApiConfig config, String what, String instead) throws IOException {
        if (read(ctx, config).length > 0) {
            throw ApiProblem.badRequest(what + " takes no body; " + instead);
        }
    }

    /**
     * Sends the answer, then reads and drops the part of a request body that no handler read (a GET or DELETE sent
     * with a body, a 401 or 404 answered before the body was looked at), up to {@link #DRAIN_LIMIT}. Jetty otherwise
     * closes the connection while the rest may still be arriving, and the client then loses the answer to the reset.
     * A body declared longer than the limit is not read at all: its connection is closed after the answer.
     */
    static void discardUnread(Context ctx, Duration timeout) {
        long length = ctx.req().getContentLengthLong();
        if (length == 0 || length < 0 && ctx.header("Transfer-Encoding") == null) {
            return; // no body: the common GET costs no stream
        }
        try {
            ServletInputStream in = ctx.req().getInputStream();
            if (in.isFinished()) {
                return; // read to its end by the handler: the answer keeps its Content-Length
            }
            // The answer goes out first: a client that declared a body and sends it slowly, or never, must not
            // wait for the drain below (up to the idle timeout) to learn that it was refused.
            ctx.res().flushBuffer();
            if (length > DRAIN_LIMIT) {
                return; // not waited for: Jetty closes the connection after the answer
            }
            if (!WAITING.tryAcquire()) {
                return; // as for a body over the limit: Jetty closes the connection after the answer
            }
            try (Deadline ignored = Deadline.start(ctx, timeout)) {
                drain(in);
            } finally {
                WAITING.release();
            }
        } catch (IOException | IllegalStateException e) {
            // The body was read as text (getReader), or the connection is gone: nothing left to drop.
        }
    }

    private static void drain(InputStream in) {
        try {
            long left = DRAIN_LIMIT;
            byte[] scratch = new byte[8192];
            int n;
            while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // The client went away or broke the framing: the answer is still sent, if it can be.
        }
    }

    /**
     * Closes the request's connection unless closed itself within the timeout: a blocked read of the body then fails
     * (an {@link IOException}) and frees its thread. One task on Jetty's scheduler per body read.
     */
    private static final class Deadline implements AutoCloseable {
        private static final Deadline NONE = new Deadline(null);
        private final Scheduler.Task task;

        private Deadline(Scheduler.Task task) {
            this.task = task;
        }

        static Deadline start(Context ctx, Duration timeout) {
            ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
            if (request == null) {
                return NONE;
            }
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            return new Deadline(request.getComponents().getScheduler().schedule(
                    () -> endPoint.close(new TimeoutException("request body not received within " + timeout)),
                    timeout.toMillis(), TimeUnit.MILLISECONDS));
        }

        @Override
        public void close() {
            if (task != null) {
                task.cancel();
            }
        }
    }
}
