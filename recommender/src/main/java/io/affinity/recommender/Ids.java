package io.affinity.recommender;

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
     * A customer id as training stores it: trimmed, and a numeric id written as a float by a spreadsheet
     * ({@code 17850.0}) without its zero decimals ({@code 17850}). Requests apply the same rule, so an id copied
     * from the raw data finds its customer. (Training's ingest applies the same rule; see TransactionLoader.)
     */
    public static String normaliseCustomerId(String raw) {
        String s = raw.strip();
        int dot = s.indexOf('.');
        if (dot <= 0) {
            return s;
        }
        for (int i = 0; i < dot; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return s;
            }
        }
        for (int i = dot + 1; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return s;
            }
        }
        return s.substring(0, dot);
    }

    public static String requireCustomerId(String customerId) {
        return require(customerId, "customerId");
    }

    private static String require(String id, String what) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(what + " longer than " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }
}
