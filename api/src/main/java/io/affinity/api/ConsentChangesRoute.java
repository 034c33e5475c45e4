package io.affinity.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.affinity.recommender.Consent;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/consent/changes}: the consent changes recorded at run time since a journal sequence, for a campaign
 * tool to re-check an export before it sends. Each exported row carries the sequence its consent was checked at; a
 * customer who opts out after that is listed here (with {@code contactable: false} for the channel) until the tool
 * has seen it. Pages follow the journal's order: {@code next} is the {@code since} of the following page and, on the
 * last page, the journal's sequence, so a tool polling with it misses nothing and sees nothing twice.
 */
final class ConsentChangesRoute {
    /** Changes per page when the request does not say. */
    static final int DEFAULT_LIMIT = 1_000;
    /** The most changes one page holds. */
    static final int MAX_LIMIT = 10_000;
    private static final Params.Accepted PARAMETERS = Params.Accepted.of("since", "channel", "limit");

    private final ConsentJournal consent;
    private final ModelSource models;

    ConsentChangesRoute(ConsentJournal consent, ModelSource models) {
        this.consent = consent;
        this.models = models;
    }

    void register(V1Routes v1) {
        v1.get("/v1/consent/changes", ApiScope.CONSENT, this::changes);
    }

    private void changes(Context ctx) {
        Params.checkQuery(ctx, PARAMETERS);
        long since = Params.optionalLong(ctx, "since", 0, 0, Long.MAX_VALUE);
        int limit = (int) Params.optionalLong(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String rawChannel = ctx.queryParam("channel");
        Consent.Channel channel = rawChannel == null ? null
                : CustomerRoutes.channel(rawChannel, "query parameter 'channel'");
        ConsentJournal.Page page;
        try {
            page = consent.changesSince(since, channel, limit);
        } catch (ConsentJournal.Unavailable e) {
            // the journal's failure (a corrupt line) or read error, as consent.failure() gives it
            throw ApiProblem.consentUnavailable("consent changes cannot be read: " + e.getMessage());
        }
        if (since > page.sequence()) {
            // A cursor from another journal (moved, or replaced by an empty one): an empty answer would hide every
            // change numbered up to it.
            throw new ApiProblem(409, "since-ahead-of-journal", "Sequence not in this journal",
                    "query parameter 'since' is " + since + " but the consent journal's last change is "
                            + page.sequence() + ": the sequence is not from this journal; start again from 0");
        }
        List<Change> changes = new ArrayList<>(page.changes().size());
        for (ConsentJournal.Listed c : page.changes()) {
            // Contactable as an export would decide now: against the consent list of the model serving the customer.
            boolean contactable;
            try (ModelLease lease = ModelHandler.lease(models, c.customerId())) {
                contactable = Consent.permits(ConsentJournal.effective(c.state(), c.at(), lease.model().snapshot(),
                        c.customerId(), c.channel()), c.channel());
            }
            changes.add(new Change(c.sequence(), c.customerId(), c.channel().wireName(), c.state().wireName(),
                    contactable, c.at() == null ? null : c.at().toString()));
        }
        long next = page.more() ? page.changes().get(page.changes().size() - 1).sequence() : page.sequence();
        ctx.json(new Body(since, next, page.more(), page.sequence(), changes));
    }

    /**
     * @param next     the {@code since} of the next page; on the last page ({@code more} false) the journal's
     *                 sequence when it was read
     * @param sequence the journal's sequence when this page was read
     */
    record Body(long since, long next, boolean more, long sequence, List<Change> changes) {
    }

    /**
     * @param state       the change's state
     * @param contactable whether the channel may be used now, as an export decides: the change weighed against the
     *                    serving model's consent list ({@link Consent#effective}), so an opt-in older than that list
     *                    is not contactable where the list refuses contact
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Change(long sequence, String customerId, String channel, String state, boolean contactable, String at) {
    }
}
