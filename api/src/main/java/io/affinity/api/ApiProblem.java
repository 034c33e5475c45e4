package io.affinity.api;

/**
 * A client-visible failure, rendered as an RFC 9457 problem body. Details name the request field and say why,
 * and never echo customer ids.
 */
final class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;
    final String title;
    /** The logged occurrence this answer refers to ({@link LoggedFailure#instance()}), or null. */
    final String instance;

    ApiProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    private ApiProblem(int status, String type, String title, String detail, String instance) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.instance = instance;
    }

    /** This problem, naming the log line that says what happened. */
    ApiProblem loggedAs(LoggedFailure failure) {
        return new ApiProblem(status, type, title, getMessage(), failure.instance());
    }

    static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "invalid-request", "Invalid request", detail);
    }

    static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }

    static ApiProblem tooLarge(String detail) {
        return new ApiProblem(413, "content-too-large", "Content too large", detail);
    }

    static ApiProblem unsupportedMediaType(String detail) {
        return new ApiProblem(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    /** The consent journal cannot be read: consent changes, checks and exports wait rather than guess. */
    static ApiProblem consentUnavailable(String detail) {
        return new ApiProblem(503, "consent-unavailable", "Consent store unavailable", detail);
    }

    static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "model-unavailable", "No model loaded", detail);
    }
}
