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
     * objects to profiling, a view in which the customer is unknown.
     */
    static ServedModel answering(ConsentJournal consent, ServedModel model, String customerId) {
        if (!objects(consent, model.snapshot(), customerId)) {
            return model;
        }
        ModelSnapshot hidden = new CustomerHiddenSnapshot(model.snapshot(), customerId);
        return new ServedModel(hidden, new Recommender(hidden, model.recommender().settings()), model.summary(),
                model.catalog());
    }
}
