package io.affinity.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many requests a client may send to one server, on average: {@code 50/s}, {@code 600/min}, {@code 1000/h}.
 * A client may send a burst of one second's worth (at least one request) at once, then at the rate.
 *
 * @param perSecond requests per second, positive; {@link Double#POSITIVE_INFINITY} for no limit
 */
public record RequestRate(double perSecond) {
    /** No limit: a client whose keys give no rate. */
    public static final RequestRate UNLIMITED = new RequestRate(Double.POSITIVE_INFINITY);
    private static final Pattern FORM = Pattern.compile("([0-9]{1,9}(?:\\.[0-9]{1,6})?)/(s|min|h)");

    public RequestRate {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a request rate must be positive, was " + perSecond);
        }
    }

    /** {@code N/s}, {@code N/min} or {@code N/h}; null when the text is none of these (or a rate of 0). */
    public static RequestRate parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double n = Double.parseDouble(m.group(1));
        double seconds = switch (m.group(2)) {
            case "s" -> 1;
            case "min" -> 60;
            default -> 3600;
        };
        return n > 0 ? new RequestRate(n / seconds) : null;
    }

    public boolean unlimited() {
        return Double.isInfinite(perSecond);
    }

    /** The most requests sent at once: one second's worth, at least one. */
    double burst() {
        return Math.max(1, perSecond);
    }

    @Override
    public String toString() {
        if (unlimited()) {
            return "unlimited";
        }
        if (perSecond >= 1) {
            return format(perSecond) + "/s";
        }
        return perSecond * 60 >= 1 ? format(perSecond * 60) + "/min" : format(perSecond * 3600) + "/h";
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v)
                .replaceAll("0+$", "");
    }
}
