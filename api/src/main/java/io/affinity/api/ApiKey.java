package io.affinity.api;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An API key and the scopes it grants. The secret is never shown: {@link #toString()} names the scopes only, so
 * the key cannot end up in a log or a test report by way of this record.
 *
 * @param secret at least 16 characters once trimmed (shorter keys are guessable)
 * @param scopes at least one
 */
public record ApiKey(String secret, Set<ApiScope> scopes) {
    public ApiKey {
        Objects.requireNonNull(secret, "secret");
        secret = secret.trim();
        if (secret.length() < AccessControl.MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("API key must be at least " + AccessControl.MIN_SECRET_LENGTH
                    + " characters");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("an API key needs at least one scope");
        }
        scopes = Collections.unmodifiableSet(EnumSet.copyOf(scopes));
    }

    /** A key with every scope (a keys file line without scopes). */
    public static ApiKey withEveryScope(String secret) {
        return new ApiKey(secret, EnumSet.allOf(ApiScope.class));
    }

    @Override
    public String toString() {
        return "ApiKey[secret=(hidden), scopes=" + scopes + "]";
    }
}
