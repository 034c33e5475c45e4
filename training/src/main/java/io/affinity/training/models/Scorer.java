package io.affinity.training.models;

/**
 * A trained model: scores the whole catalogue for one customer. Higher is better; only the order matters
 * within one customer. Implementations are immutable and safe to call from several threads.
 */
public interface Scorer {
    /** Short stable name, e.g. {@code "ease"}; used as a key in reports. */
    String name();

    /**
     * Writes a score for every item into {@code out} (length = item count), overwriting it. Customers without
     * history get whatever the model does for them (often all zeros: no opinion).
     */
    void score(int user, float[] out);

    /** Approximate heap bytes held by the trained model (its arrays), for reports. */
    long bytes();
}
