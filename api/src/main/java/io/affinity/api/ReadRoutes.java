package io.affinity.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Registers a read endpoint for GET and HEAD with the same handler. Javalin answers HEAD of a GET-only route
 * itself, without running the handler: 200 for an unknown item or a bad parameter that GET answers with 404 or
 * 400, and for a warming replica's {@code /ready}. HTTP says HEAD is GET without the body (RFC 9110, 9.3.2), so a
 * client checking that a resource exists, or a load balancer probing, must get GET's status and headers; Jetty
 * sends no body for HEAD. Handlers whose body is expensive to produce (the campaign export) check
 * {@link #isHead} after validating their input and stop there.
 */
final class ReadRoutes {
    private ReadRoutes() {
    }

    static void get(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.head(path, handler);
    }

    static boolean isHead(Context ctx) {
        return "HEAD".equals(ctx.req().getMethod());
    }
}
