package io.affinity.api;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which browser origins may call the {@code /v1} endpoints from their pages (CORS): none (the default: browsers
 * then refuse pages of other origins the answers), every origin ({@code *}), or a list of origins, each {@code
 * scheme://host[:port]} as a browser sends it in {@code Origin}. Admin endpoints are never offered to browsers.
 *
 * @param anyOrigin true for {@code *}
 * @param origins   the allowed origins in lower case (empty for none or for {@code *})
 */
public record CorsPolicy(boolean anyOrigin, Set<String> origins) {
    /** scheme://host[:port]: a DNS name's labels, or an IPv6 literal in brackets. */
    private static final Pattern ORIGIN = Pattern.compile("https?://([a-z0-9]([a-z0-9-]*[a-z0-9])?"
            + "(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(:(?<port>[0-9]{1,5}))?");

    public CorsPolicy {
        origins = Set.copyOf(origins);
        if (anyOrigin && !origins.isEmpty()) {
            throw new IllegalArgumentException("'*' allows every origin: list origins or give '*' alone");
        }
    }

    public static CorsPolicy none() {
        return new CorsPolicy(false, Set.of());
    }

    /**
     * The policy for {@code serve --cors-origins}: {@code *} alone, or origins of the form {@code
     * scheme://host[:port]} (http or https, no path, no trailing slash, no wildcard), matched case-insensitively.
     */
    public static CorsPolicy of(List<String> given) {
        if (given.contains("*")) {
            if (given.size() > 1) {
                throw new IllegalArgumentException("'*' allows every origin: list origins or give '*' alone");
            }
            return new CorsPolicy(true, Set.of());
        }
        return new CorsPolicy(false, given.stream().map(CorsPolicy::origin).collect(Collectors.toSet()));
    }

    private static String origin(String given) {
        String o = given.trim().toLowerCase(Locale.ROOT);
        var m = ORIGIN.matcher(o);
        if (!m.matches() || (m.group("port") != null && Integer.parseInt(m.group("port")) > 65_535)) {
            throw new IllegalArgumentException("'" + Params.abbreviate(given) + "' is not an origin: give "
                    + "scheme://host[:port] as a browser sends it (http or https, no path or trailing slash, no "
                    + "wildcard), or '*' alone");
        }
        return o;
    }

    /** Whether any origin may call: without, the server adds no CORS handling at all. */
    public boolean enabled() {
        return anyOrigin || !origins.isEmpty();
    }

    /** Whether a page of {@code origin} (the request's Origin header) may read the answers. */
    public boolean allows(String origin) {
        return origin != null && (anyOrigin || origins.contains(origin.toLowerCase(Locale.ROOT)));
    }
}
