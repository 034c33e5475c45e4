package io.affinity.recommender;

import java.util.Locale;

/** Which candidate source proposed a recommended item. */
public enum RecommendationSource {
    /** An association rule fired by the basket or by the customer's history. */
    RULES,
    /** The customer bought this item before; offered again as a repeat purchase. */
    REPEAT,
    /** Popular overall: the fallback when nothing personal is known. */
    POPULAR,
    /**
     * Precomputed at training time by the served model (e.g. the blend) for a customer: an item new to them.
     * The customer's own items from the same list are labelled {@link #REPEAT}.
     */
    MODEL,
    /**
     * Placed first by a merchandising pin (a catalogue query given with the request): either a candidate of the
     * request's own ranking that matches the pin, or an item of the catalogue injected because it matches. The
     * explanation keeps the evidence the item would otherwise carry (rule, model or popularity).
     */
    PINNED;

    /** Made once: campaign exports ask for it for every candidate of every customer. */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Lower-case name as used on the wire, e.g. {@code "rules"}. */
    public String wireName() {
        return wireName;
    }
}
