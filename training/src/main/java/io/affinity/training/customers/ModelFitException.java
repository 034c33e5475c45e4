package io.affinity.training.customers;

/**
 * A customer model could not be fitted to this data: the likelihood search did not converge. An
 * {@link IllegalStateException} so that callers that skip customer models on degenerate data (training) keep
 * doing so; the message names the model and what to change.
 */
public final class ModelFitException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ModelFitException(String message, Throwable cause) {
        super(message, cause);
    }
}
