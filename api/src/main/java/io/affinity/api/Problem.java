package io.affinity.api;

/** The JSON problem body (RFC 9457) of every error answer. */
record Problem(String type, String title, int status, String detail) {
    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "https://affinity.dev/problems/";

    static Problem of(ApiProblem p) {
        return new Problem(TYPE_PREFIX + p.type, p.title, p.status, p.getMessage());
    }
}
