package io.affinity.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/** A handler answered by one model version, leased for the whole request. */
@FunctionalInterface
interface ModelHandler {
    void handle(Context ctx, ServedModel model) throws Exception;

    /** A handler about one customer, answered by the model version leased for that customer. */
    @FunctionalInterface
    interface CustomerHandler {
        void handle(Context ctx, ServedModel model, String customerId) throws Exception;
    }

    /**
     * Leases the active model before the handler runs and releases it when the answer is complete (streamed
     * answers included), so a swap never closes a snapshot under a running request.
     */
    static Handler leased(ModelSource models, ModelHandler handler) {
        return ctx -> {
            try (ModelLease lease = lease(models, null)) {
                handler.handle(ctx, lease.model());
            }
        };
    }

    /**
     * For endpoints whose path names the customer ({@code {customerId}}): checks the query parameters against
     * {@code accepted}, validates the id (a 400 naming the path parameter), then leases the model that answers
     * that customer ({@link ModelSource#lease(String)}: a canary's version for the customers it takes).
     */
    static Handler leasedForCustomer(ModelSource models, Params.Accepted accepted, CustomerHandler handler) {
        return ctx -> {
            Params.checkQuery(ctx, accepted);
            String customerId = Params.customerId(ctx.pathParam("customerId"), "path parameter 'customerId'");
            try (ModelLease lease = lease(models, customerId)) {
                handler.handle(ctx, lease.model(), customerId);
            }
        };
    }

    /** The model answering a request about {@code customerId} (null: none named), or the 503 without one. */
    static ModelLease lease(ModelSource models, String customerId) {
        return models.lease(customerId).orElseThrow(
                () -> ApiProblem.unavailable("no verified model snapshot is loaded"));
    }
}
