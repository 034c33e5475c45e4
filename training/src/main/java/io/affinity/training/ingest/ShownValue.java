package io.affinity.training.ingest;

import java.util.List;

/**
 * A cell of a retailer's file as messages and report samples quote it. A cell with an {@code @} is not shown: with
 * columns swapped, shifted or mapped the wrong way, or a file without its header line (whose first row is then read
 * as the header), any cell can hold a customer's e-mail address, which is personal data and must not reach the
 * console, logs or a manifest.
 */
public final class ShownValue {
    private ShownValue() {
    }

    /** {@code 'value'} (cut at 60 characters), or how long it is when it has an {@code @}. */
    public static String quoted(String raw) {
        if (hasAt(raw)) {
            return withAt(raw);
        }
        return "'" + (raw.length() <= 60 ? raw : raw.substring(0, 57) + "...") + "'";
    }

    /** Header cells as {@code [a, b, c]}, each as written except those with an {@code @}. */
    public static String cells(List<String> cells) {
        return cells.stream().map(c -> hasAt(c) ? withAt(c) : c).toList().toString();
    }

    private static boolean hasAt(String raw) {
        return raw.indexOf('@') >= 0;
    }

    private static String withAt(String raw) {
        return "(" + raw.length() + " characters with an '@', not shown)";
    }
}
