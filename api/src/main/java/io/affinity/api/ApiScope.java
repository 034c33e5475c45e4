package io.affinity.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an API key may do on {@code /v1}, by how much personal data the calls give away. A shop page's key (readable
 * by every visitor of the page) needs {@link #RECOMMENDATIONS} only; profiles, consent and whole-base exports stay
 * with server-side callers that hold a key with those scopes.
 */
public enum ApiScope {
    /**
     * What a shop page shows: a customer's recommendations, baskets, bought-together, upsell, catalogue items and
     * search, rules and the model's description.
     */
    RECOMMENDATIONS,
    /** A customer's profile (value, tier, consent) and next-best offers. */
    PROFILES,
    /** Changing a customer's consent and reading the feed of consent changes. */
    CONSENT,
    /** Campaign exports: offers for every contactable customer of a segment. */
    EXPORTS;

    /** The scope's name in a keys file, error bodies and the OpenAPI document. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope a keys file names, or null for a name no scope has. */
    public static ApiScope byLabel(String label) {
        for (ApiScope scope : values()) {
            if (scope.label().equals(label)) {
                return scope;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        return Arrays.stream(values()).map(ApiScope::label).collect(Collectors.joining(", "));
    }
}
