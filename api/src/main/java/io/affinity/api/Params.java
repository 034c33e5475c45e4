package io.affinity.api;

import io.affinity.recommender.Ids;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** Parsing of query parameters into typed values, failing with a 400 that names the parameter. */
final class Params {
    private Params() {
    }

    /**
     * The query parameters one route accepts. Anything else in the URL is a 400 naming the parameter and listing
     * these: a misspelt {@code lmit} must not silently fall back to the default.
     *
     * @param bodyFields fields of the route's JSON body: naming one in the URL gets a hint that it goes in the body
     */
    record Accepted(Set<String> names, String list, Set<String> bodyFields) {
        static Accepted of(String... names) {
            return new Accepted(Set.of(names), names.length == 0 ? "none" : String.join(", ", names), Set.of());
        }

        Accepted withBodyFields(String... fields) {
            return new Accepted(names, list, Set.of(fields));
        }
    }

    /** Most parameters one request may give; more is a 400 rather than an unbounded scan. */
    private static final int MAX_QUERY_PARAMETERS = 32;

    /**
     * Checks the raw query string against the route's parameters: every name must be accepted, given once, and
     * every name and value must be valid percent-encoding. Costs nothing without a query string; with one, a scan
     * of it and a lookup in a small set per parameter.
     */
    static void checkQuery(Context ctx, Accepted accepted) {
        String query = ctx.queryString();
        if (query == null || query.isEmpty()) {
            return;
        }
        String[] seen = null;
        int count = 0;
        int start = 0;
        int n = query.length();
        while (start <= n) {
            int amp = query.indexOf('&', start);
            if (amp < 0) {
                amp = n;
            }
            if (amp > start) {
                int eq = query.indexOf('=', start);
                if (eq < 0 || eq > amp) {
                    eq = amp;
                }
                String name = decode(query.substring(start, eq), null);
                if (!accepted.names().contains(name)) {
                    throw unknown(name, accepted);
                }
                if (eq < amp) {
                    decode(query.substring(eq + 1, amp), name);
                }
                if (count > 0) {
                    for (int i = 0; i < count; i++) {
                        if (seen[i].equals(name)) {
                            throw ApiProblem.badRequest("query parameter '" + name + "' is given more than once");
                        }
                    }
                }
                if (count == MAX_QUERY_PARAMETERS) {
                    throw ApiProblem.badRequest("more than " + MAX_QUERY_PARAMETERS + " query parameters");
                }
                if (seen == null) {
                    seen = new String[Math.min(MAX_QUERY_PARAMETERS, accepted.names().size() + 1)];
                }
                seen[count++] = name;
            }
            start = amp + 1;
        }
    }

    private static ApiProblem unknown(String name, Accepted accepted) {
        String shown = name.isEmpty() ? "" : abbreviate(name);
        if (accepted.bodyFields().contains(name)) {
            return ApiProblem.badRequest("query parameter '" + shown + "' is not accepted here: it goes in the JSON "
                    + "body; the URL takes only " + accepted.list());
        }
        return ApiProblem.badRequest("unknown query parameter '" + shown + "'; this endpoint accepts "
                + accepted.list());
    }

    /** Percent-decodes a name ({@code parameter} null) or the value of {@code parameter}, or fails naming it. */
    private static String decode(String raw, String parameter) {
        try {
            String decoded = URLDecoder.decode(raw, StandardCharsets.UTF_8);
            // URLDecoder turns bytes that are not UTF-8 (%E9, Latin-1 'é') into U+FFFD without a word: q=caf%E9
            // would search for "caf\uFFFD" and find nothing, as if the catalogue had no café.
            if (decoded.indexOf('\uFFFD') >= 0 && raw.indexOf('\uFFFD') < 0
                    && !raw.toUpperCase(Locale.ROOT).contains("%EF%BF%BD")) {
                throw ApiProblem.badRequest(parameter == null
                        ? "a query parameter name is not valid UTF-8 once percent-decoded"
                        : "query parameter '" + parameter + "' is not valid UTF-8 once percent-decoded (encode "
                                + "text as UTF-8: 'é' is %C3%A9, not %E9)");
            }
            return decoded;
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(parameter == null
                    ? "a query parameter name is not valid percent-encoding (a '%' must be followed by two hex digits)"
                    : "query parameter '" + parameter + "' is not valid percent-encoding (a '%' must be followed by "
                            + "two hex digits)");
        }
    }

    /**
     * A customer id from a request, normalised as training stored it ({@link Ids#normaliseCustomerId}); fails
     * naming {@code where}, never echoing the value (personal data).
     */
    static String customerId(String raw, String where) {
        String id = raw == null ? "" : Ids.normaliseCustomerId(raw);
        if (id.isEmpty() || id.length() > Ids.MAX_ID_LENGTH) {
            throw ApiProblem.badRequest(where + " must be 1 to " + Ids.MAX_ID_LENGTH + " characters"
                    + (id.isEmpty() ? ", was blank" : ", was " + id.length()));
        }
        return id;
    }

    static int limit(Context ctx, ApiConfig config) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return config.defaultLimit();
        }
        return checkLimit(parseInt("limit", raw), "query parameter 'limit'", config);
    }

    static int checkLimit(long limit, String where, ApiConfig config) {
        if (limit < 1 || limit > config.maxLimit()) {
            throw ApiProblem.badRequest(where + " must be between 1 and " + config.maxLimit() + ", was " + limit);
        }
        return (int) limit;
    }

    /**
     * The parameter's value, null when absent; given but blank is a 400 ({@code minLift=} is not "no minimum"),
     * saying that {@code expected} goes there.
     */
    static String nonBlank(Context ctx, String name, String expected) {
        String raw = ctx.queryParam(name);
        if (raw != null && raw.isBlank()) {
            throw ApiProblem.badRequest("query parameter '" + name + "' is blank; give " + expected
                    + " or leave it out");
        }
        return raw;
    }

    /** Absent: the fallback. Given but blank is a 400: {@code minLift=} is not "no minimum". */
    static double optionalDouble(Context ctx, String name, double fallback) {
        String raw = nonBlank(ctx, name, "a number");
        if (raw == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(raw);
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be a finite number, was '"
                    + abbreviate(raw) + "'");
        }
    }

    static long optionalLong(Context ctx, String name, long fallback, long min, long max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        long value = parseInt(name, raw);
        if (value < min || value > max) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be between " + min + " and " + max
                    + ", was " + value);
        }
        return value;
    }

    private static long parseInt(String name, String raw) {
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("query parameter '" + name + "' must be an integer, was '"
                    + abbreviate(raw) + "'");
        }
    }

    /**
     * Keeps echoed input short: error bodies must not become a reflection channel. A value with an {@code @} is not
     * echoed at all (its length only), as training does with the cells of a file: a field mix-up in a client puts a
     * customer's e-mail address where a state, a channel or a number was expected, and error bodies end up in
     * gateway and client logs.
     */
    static String abbreviate(String raw) {
        if (raw.indexOf('@') >= 0) {
            return "(" + raw.length() + " characters with an '@', not shown)";
        }
        return raw.length() <= 40 ? raw : raw.substring(0, 40) + "...";
    }
}
