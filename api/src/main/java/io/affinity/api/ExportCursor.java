package io.affinity.api;

import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a campaign export stands: the model version it comes from, the position of the next customer profile in
 * that version's listing order, and a fingerprint of what was asked (segment, channel, limit, rules). Written after
 * every exported customer, so that a client whose connection broke, or whose export ended with an error record,
 * asks for the rest with {@code after=} instead of starting again. It holds no customer id: it travels in URLs,
 * which proxies log. The version's listing order never changes, so a position means the same customer as long as
 * that version is served; another version, or other parameters, is refused rather than silently mixed in.
 *
 * @param version     the model version the export comes from
 * @param position    how many profiles of that version's listing come before the next one to export
 * @param fingerprint {@link #fingerprint} of the export's parameters
 */
record ExportCursor(String version, long position, String fingerprint) {
    private static final String PREFIX = "c1.";
    private static final Pattern FORM = Pattern.compile("c1\\.([0-9A-Za-z_-]{1,64})\\.(\\d{1,15})\\.([0-9a-f]{16})");

    ExportCursor {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative, was " + position);
        }
    }

    /** The text form: {@code c1.<version>.<position>.<fingerprint>}. */
    @Override
    public String toString() {
        return PREFIX + version + "." + position + "." + fingerprint;
    }

    /** Parses {@link #toString}'s form; a 400 problem naming the parameter for anything else. */
    static ExportCursor parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw ApiProblem.badRequest("query parameter 'after' is not an export cursor (it is the 'cursor' of an "
                    + "exported row or the 'resumeCursor' of an error record, as the server wrote it)");
        }
        return new ExportCursor(m.group(1), Long.parseLong(m.group(2)), m.group(3));
    }

    /** 16 hex digits of SHA-256 over the export's parameters as the server normalised them. */
    static String fingerprint(String parameters) {
        return HexFormat.of().formatHex(AccessControl.digest(parameters), 0, 8);
    }
}
