package io.affinity.recommender;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Contact consent per customer and channel. Unknown consent (no record) means no contact on direct
 * channels; only {@link State#OPTED_IN} and {@link State#CONFIRMED} allow direct contact, a pending double
 * opt-in does not.
 */
public final class Consent {
    private Consent() {
    }

    /**
     * Consent channels: the contact channels email, sms and push, which are direct (we reach out), and web, on-site;
     * and profiling, which is no channel of contact but the customer's word on personalisation itself: opted out
     * (an objection to profiling, or an erasure request not yet trained out), the customer gets what an unknown
     * customer gets and is in no campaign. Like web, allowed unless opted out. Append only (stored as ordinals).
     */
    public enum Channel {
        EMAIL, SMS, PUSH, WEB, PROFILING;

        public boolean direct() {
            return this == EMAIL || this == SMS || this == PUSH;
        }

        /** Whether offers can be sent or shown on it (next-best offers' and campaigns' {@code channel}). */
        public boolean contact() {
            return this != PROFILING;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a wire name (case-insensitive); null when it is not a channel. */
        public static Channel parse(String s) {
            if (s == null) {
                return null;
            }
            for (Channel c : values()) {
                if (c.name().equalsIgnoreCase(s.trim())) {
                    return c;
                }
            }
            return null;
        }
    }

    /** Consent states; pending = double opt-in requested but not confirmed. Append only (stored as ordinals). */
    public enum State {
        OPTED_IN, OPTED_OUT, PENDING, CONFIRMED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a wire name (case-insensitive, {@code opted_in} or {@code opted-in}); null when unknown. */
        public static State parse(String s) {
            if (s == null) {
                return null;
            }
            String n = s.trim().replace('-', '_');
            for (State st : values()) {
                if (st.name().equalsIgnoreCase(n)) {
                    return st;
                }
            }
            return null;
        }
    }

    /**
     * Whether a customer in {@code state} (null = unknown) may be contacted on {@code channel} (for profiling:
     * profiled): direct channels need OPTED_IN or CONFIRMED; web and profiling need anything but OPTED_OUT.
     */
    public static boolean permits(State state, Channel channel) {
        if (channel.direct()) {
            return state == State.OPTED_IN || state == State.CONFIRMED;
        }
        return state != State.OPTED_OUT;
    }

    /**
     * The state in effect when a run-time change ({@code changed}, recorded at {@code changedAt}) and the
     * training-time consent list ({@code listed}, written at {@code listedAsOf}) both speak for a customer and
     * channel. A change made after the list was written is newer than anything in it, so it wins. A change made
     * before (or at an unknown time) may or may not be reflected in the list: if they disagree, the list's state may
     * be the customer's later opt-out (an unsubscribe that reached the retailer's CRM, not this service) or a stale
     * one the CRM never corrected. The two mistakes are not alike: contacting a customer who opted out breaks the
     * law, not contacting one who opted in loses a sale. So the change may then only restrict: of the two states, the
     * one that refuses contact on {@code channel} wins, and when both permit or both refuse, the list's (the newer).
     * A null {@code listed} (the list does not name the customer for the channel) leaves the change in effect.
     */
    public static State effective(State changed, Instant changedAt, State listed, Instant listedAsOf,
                                  Channel channel) {
        if (changed == null) {
            return listed;
        }
        if (listed == null || changedAt != null && listedAsOf != null && changedAt.isAfter(listedAsOf)) {
            return changed;
        }
        return !permits(changed, channel) && permits(listed, channel) ? changed : listed;
    }

    /**
     * The training-time consent list's word for one customer and channel: the state, and when the customer gave it
     * ({@code updatedAt}, the list's {@code updated_at} column; null when the list does not say, and then the list's
     * own time stands for it).
     */
    public record ListEntry(State state, Instant updatedAt) {
        public ListEntry {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * {@link #effective(State, Instant, State, Instant, Channel)} for a list entry that may carry its own time. With
     * one, the row is weighed by when the customer gave it, not by when the list was written: whichever of the
     * change and the row is later wins, both ways (an API opt-out followed by a re-subscription in the CRM is the
     * customer's latest word, and so is an API opt-in after the CRM's opt-out). When the two cannot be ordered (the
     * same instant, or a change of unknown time), the change may only restrict, as against a list without times.
     */
    public static State effective(State changed, Instant changedAt, ListEntry listed, Instant listedAsOf,
                                  Channel channel) {
        if (listed == null || listed.updatedAt() == null) {
            return effective(changed, changedAt, listed == null ? null : listed.state(), listedAsOf, channel);
        }
        if (changed == null) {
            return listed.state();
        }
        if (changedAt != null && changedAt.isBefore(listed.updatedAt())) {
            return listed.state();
        }
        return effective(changed, changedAt, listed.state(), listed.updatedAt(), channel);
    }
}
