package io.affinity.recommender;

/** The item is not in the active model's catalogue. */
public final class UnknownItemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String itemId;

    public UnknownItemException(String itemId) {
        super("unknown item: " + itemId);
        this.itemId = itemId;
    }

    public String itemId() {
        return itemId;
    }
}
