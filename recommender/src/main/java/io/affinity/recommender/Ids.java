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
