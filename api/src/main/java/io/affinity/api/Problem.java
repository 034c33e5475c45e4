package io.affinity.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON problem body (RFC 9457) of every error answer. {@code instance} names the occurrence when the server
 * logged it ({@link LoggedFailure}); absent otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(String type, String title, int status, String detail, String instance) {
    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "https://affinity.dev/problems/";

    Problem(String type, String title, int status, String detail) {
        this(type, title, status, detail, null);
    }

    static Problem of(ApiProblem p) {
        return new Problem(TYPE_PREFIX + p.type, p.title, p.status, p.getMessage(), p.instance);
    }
}
