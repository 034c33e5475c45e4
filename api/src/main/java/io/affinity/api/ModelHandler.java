package io.affinity.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/** A handler answered by one model version, leased for the whole request. */
@FunctionalInterface
interface ModelHandler {
    void handle(Context ctx, ServedModel model) throws Exception;

    /**
     * Leases the active model before the handler runs and releases it when the answer is complete (streamed
     * answers included), so a swap never closes a snapshot under a running request.
     */
    static Handler leased(ModelSource models, ModelHandler handler) {
        return ctx -> {
            try (ModelLease lease = models.lease().orElseThrow(
                    () -> ApiProblem.unavailable("no verified model snapshot is loaded"))) {
                handler.handle(ctx, lease.model());
            }
        };
    }
}
