package io.affinity.api;

import java.util.Optional;

/**
 * Supplies the model that answers a request. A request {@link #lease() leases} the model once, at its start,
 * answers from that one only, and closes the lease when done; so a swap between versions can never mix two of
 * them in one answer, and a retired version is closed only after its last request finished.
 */
public interface ModelSource {
    /** Leases the active model for one request, or empty while none is loaded. Close the lease when done. */
    Optional<ModelLease> lease();

    /**
     * Leases the model that answers a request about {@code customerId} (normalised, as the snapshot stores it):
     * while a canary runs, its version for the customers it takes ({@link CanaryAssignment}), else the active
     * one; {@code null} (a request naming no customer) is {@link #lease()}.
     */
    default Optional<ModelLease> lease(String customerId) {
        return lease();
    }

    /**
     * Leases the running canary's model whoever's slice is asked about, or empty without a canary: for the checks
     * that must weigh every served version (consent), never to answer a request from. Close the lease when done.
     */
    default Optional<ModelLease> leaseCanary() {
        return Optional.empty();
    }

    /**
     * While a canary runs, a lease on the served version that is not {@code answering} (CURRENT's for a customer of
     * the canary's slice, the canary's for the others), for the checks that weigh every served version's consent
     * list (contact, objections to profiling), never to answer from; null without a canary, or when it was promoted
     * meanwhile (one version serves everyone). Close the lease when done.
     */
    default ModelLease leaseOtherServed(ServedModel answering) {
        ModelLease canary = leaseCanary().orElse(null);
        if (canary == null || !sameVersion(canary.model(), answering)) {
            return canary;
        }
        canary.close();
        ModelLease current = lease().orElse(null);
        if (current != null && sameVersion(current.model(), answering)) {
            current.close();
            return null;
        }
        return current;
    }

    private static boolean sameVersion(ServedModel a, ServedModel b) {
        return a.snapshot().version().equals(b.snapshot().version());
    }

    /** The canary being served, if any: for status display only, never to answer a request from. */
    default Optional<ServedCanary> canary() {
        return Optional.empty();
    }

    /** The active model without leasing it: for status display only, never to answer a request from. */
    default Optional<ServedModel> current() {
        try (ModelLease lease = lease().orElse(null)) {
            return lease == null ? Optional.empty() : Optional.of(lease.model());
        }
    }

    /** A source that always serves one model and never closes it (tests, embedding). */
    static ModelSource fixed(ServedModel model) {
        Optional<ModelLease> lease = Optional.of(ModelLease.unmanaged(model));
        return () -> lease;
    }
}
