package io.affinity.recommender;

import java.util.Locale;

/** Validation shared by the value types; ids are opaque strings chosen by the retailer. */
public final class Ids {
    /** Longest id accepted anywhere; real stock codes and customer ids are far shorter. */
    public static final int MAX_ID_LENGTH = 128;

    private Ids() {
    }

    public static String requireItemId(String itemId) {
        return require(itemId, "itemId");
    }

    /**
     * An id without the blanks at its ends: every Unicode white space ({@link Character#isWhitespace}, and the
     * no-break spaces U+00A0, U+2007 and U+202F and the next-line control U+0085, which {@link String#strip} keeps),
     * and the invisible zero-width space U+200B, word joiner U+2060 and byte order mark U+FEFF. Excel, web pages
     * and exports from them write such characters around numbers and codes, and {@code \u00a017850} looked like
     * customer 17850 while being another customer. Inside an id they are kept as written, as an ASCII space is
     * ({@code 17\u00a0850}, like {@code 17 850} or {@code 17,850}, is not customer 17850). Every reader of customer
     * and item ids strips them so, through {@link #normaliseCustomerId} and {@link #normaliseItemId}.
     */
    public static String stripBlanks(String raw) {
        int start = 0;
        int end = raw.length();
        while (start < end && isBlank(raw.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(raw.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == raw.length() ? raw : raw.substring(start, end);
    }

    /** Whether {@code c} is blank at an id's end (see {@link #stripBlanks}). */
    public static boolean isBlank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || c == '\u200B'
                || c == '\u2060' || c == '\uFEFF';
    }

    /**
     * An item id as training stores it: blanks stripped ({@link #stripBlanks}), upper case (codes differing only by
     * case are one item).
     */
    public static String normaliseItemId(String raw) {
        return stripBlanks(raw).toUpperCase(Locale.ROOT);
    }

    /**
     * A customer id as training stores it: blanks stripped ({@link #stripBlanks}), and a numeric id written as a
     * decimal number by a spreadsheet or a data frame ({@code 17850.0}, or {@code 17850,0} where the decimal
     * separator is a comma, as a German Excel or {@code to_csv(decimal=",")} writes it) without its zero decimals ({@code 17850}). Every reader of ids
     * applies it (exports in any dialect, the consent and exclusion lists, {@code --guest-customers}, requests), so
     * one customer is one id wherever it comes from. Anything else is text and kept as written: {@code A17,0},
     * {@code 17850,5}, {@code 17,850}, and {@code 1,000} (one to three digits, a comma, three zeros), which may
     * be customer 1000 written with a thousands separator and must not become customer 1. (A dot before three
     * zeros, {@code 1.000}, has become {@code 1} since ids were first normalised, and still does, so that ids already
     * stored and journalled keep their meaning.)
     */
    public static String normaliseCustomerId(String raw) {
        String s = stripBlanks(raw);
        int sep = separator(s);
        boolean comma = sep > 0 && s.charAt(sep) == ',';
        if (sep <= 0 || comma && sep == s.length() - 1) {
            return s; // a comma ending the id is no decimal separator (a bare dot, 17850., always was dropped)
        }
        for (int i = 0; i < sep; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return s;
            }
        }
        for (int i = sep + 1; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return s;
            }
        }
        boolean thousands = comma && sep <= 3 && s.length() - sep - 1 == 3;
        return thousands ? s : s.substring(0, sep);
    }

    /** The position of the one decimal separator, a dot or a comma; -1 when there is none or more than one. */
    private static int separator(String s) {
        int found = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' || c == ',') {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    public static String requireCustomerId(String customerId) {
        return require(customerId, "customerId");
    }

    private static String require(String id, String what) {
        if (id == null || stripBlanks(id).isEmpty()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(what + " longer than " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }
}
