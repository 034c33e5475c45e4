package io.affinity.api;

import io.affinity.recommender.Consent;
import io.affinity.recommender.ModelSnapshot;
import io.affinity.recommender.Recommender;

/**
 * A customer whose consent for {@code profiling} is opted out (recorded at run time, {@code PUT
 * /v1/customers/{id}/consent/profiling}, or in the model's consent list) objects to being profiled: every personal
 * endpoint answers them as it answers an unknown id (popular items, no profile, no strategy), and campaigns leave
 * them out. At once, on every server sharing the journal, until a retrain with {@code --exclude-customers} removes
 * their data from the model itself.
 */
final class ProfilingObjection {
    private ProfilingObjection() {
    }

    /** Whether the customer objects to profiling, by the journal and {@code model}'s consent list. */
    static boolean objects(ConsentJournal consent, ModelSnapshot model, String customerId) {
        return customerId != null && consent.stateInEffect(model, customerId, Consent.Channel.PROFILING)
                == Consent.State.OPTED_OUT;
    }

    /**
     * The model as it answers {@code customerId} (null: a request naming nobody): itself, or, for a customer who
     * objects to profiling, a view in which the customer is unknown. While a canary runs, an objection in the list of
     * the served version that does not answer the customer counts too, as the campaign export and contact weigh both
     * lists: an objection must not depend on the slice, nor be undone by a version whose list is older.
     */
    static ServedModel answering(ConsentJournal consent, ModelSource models, ServedModel model, String customerId) {
        if (customerId == null || !objects(consent, model.snapshot(), customerId)
                && !objectsByTheOtherServedList(consent, models, model, customerId)) {
            return model;
        }
        ModelSnapshot hidden = new CustomerHiddenSnapshot(model.snapshot(), customerId);
        return new ServedModel(hidden, new Recommender(hidden, model.recommender().settings()), model.summary(),
                model.catalog());
    }

    /**
     * Whether the customer objects to profiling by the journal or the consent list of either served version:
     * {@code answering}'s and {@code other}'s (the other served version while a canary runs; null without one).
     */
    static boolean objects(ConsentJournal consent, ServedModel answering, ModelLease other, String customerId) {
        return objects(consent, answering.snapshot(), customerId)
                || other != null && objects(consent, other.model().snapshot(), customerId);
    }

    /** The other served version is leased only when the answering one's list and the journal say nothing. */
    private static boolean objectsByTheOtherServedList(ConsentJournal consent, ModelSource models,
                                                       ServedModel answering, String customerId) {
        try (ModelLease other = models.leaseOtherServed(answering)) {
            return other != null && objects(consent, other.model().snapshot(), customerId);
        }
    }
}
