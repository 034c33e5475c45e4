package io.affinity.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.HashSet;
import java.util.Set;

/**
 * The one way to register a {@code /v1} endpoint: each names the {@link ApiScope} a key needs for it, and its
 * handler is wrapped with that check. {@link AffinityServer} refuses to start when a {@code /v1} endpoint was
 * registered any other way, so no endpoint can be added without deciding who may call it.
 */
final class V1Routes {
    private final RoutesConfig routes;
    private final AccessControl access;
    private final Set<String> registered = new HashSet<>();

    V1Routes(RoutesConfig routes, AccessControl access) {
        this.routes = routes;
        this.access = access;
    }

    /** GET and HEAD, as {@link ReadRoutes#get}. */
    void get(String path, ApiScope scope, Handler handler) {
        Handler scoped = scoped("GET", path, scope, handler);
        registered.add("HEAD " + path);
        ReadRoutes.get(routes, path, scoped);
    }

    void post(String path, ApiScope scope, Handler handler) {
        routes.post(path, scoped("POST", path, scope, handler));
    }

    void put(String path, ApiScope scope, Handler handler) {
        routes.put(path, scoped("PUT", path, scope, handler));
    }

    /** Whether the endpoint ("GET /v1/model") was registered here. */
    boolean isScoped(String endpoint) {
        return registered.contains(endpoint);
    }

    private Handler scoped(String method, String path, ApiScope scope, Handler handler) {
        if (!path.startsWith("/v1/")) {
            throw new IllegalArgumentException("not a /v1 path: " + path);
        }
        registered.add(method + " " + path);
        return access.requiring(scope, method + " " + path, handler);
    }
}
