package io.affinity.api;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An API key, the scopes it grants and the client it belongs to. The secret is never shown: {@link #toString()}
 * names the scopes and the client only, so the key cannot end up in a log or a test report by way of this record.
 *
 * @param secret at least 16 characters once trimmed (shorter keys are guessable)
 * @param scopes at least one
 * @param client who calls with the key, for the metrics counted per client ({@link #CLIENT_NAME}); several keys
 *               may name one client (the old and the new key while a client's key is rotated)
 * @param rate   how many requests the client may send to one server ({@link RequestRate#UNLIMITED} for no limit);
 *               the client's keys share it, so they must give the same
 */
public record ApiKey(String secret, Set<ApiScope> scopes, String client, RequestRate rate) {
    /** A client's name: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, at most 40. */
    public static final Pattern CLIENT_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,39}");
    /** The client of a key that names none. */
    public static final String UNNAMED_CLIENT = "unnamed";

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
        if (client == null || !CLIENT_NAME.matcher(client).matches()) {
            throw new IllegalArgumentException("a client name is lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, at most 40 characters");
        }
        Objects.requireNonNull(rate, "rate");
    }

    /** A key of a client without a rate limit. */
    public ApiKey(String secret, Set<ApiScope> scopes, String client) {
        this(secret, scopes, client, RequestRate.UNLIMITED);
    }

    /** A key of no named client. */
    public ApiKey(String secret, Set<ApiScope> scopes) {
        this(secret, scopes, UNNAMED_CLIENT);
    }

    /** A key with every scope (a keys file line without scopes). */
    public static ApiKey withEveryScope(String secret) {
        return new ApiKey(secret, EnumSet.allOf(ApiScope.class));
    }

    @Override
    public String toString() {
        return "ApiKey[secret=(hidden), scopes=" + scopes + ", client=" + client + ", rate=" + rate + "]";
    }
}
