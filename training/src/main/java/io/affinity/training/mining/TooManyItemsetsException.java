package io.affinity.training.mining;

/**
 * Mining stopped because it would produce more itemsets than the configured limit: a guard against running out
 * of memory (or disk) when the minimum support is too low for the data. The remedy is a higher minimum support,
 * a {@code maxLength}, or a higher limit.
 */
public final class TooManyItemsetsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long limit;

    public TooManyItemsetsException(long limit) {
        super("more than " + limit + " frequent itemsets: raise the minimum support (or limit the itemset length, "
                + "or raise the itemset limit)");
        this.limit = limit;
    }

    /** The limit that was exceeded. */
    public long limit() {
        return limit;
    }
}
