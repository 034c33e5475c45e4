package io.affinity.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may call what. Admin endpoints need {@code Authorization: Bearer <admin token>}; without a configured
 * token they are disabled (403). Public endpoints need {@code X-API-Key: <key>} only when API keys are
 * configured, and then a key whose {@linkplain ApiScope scopes} include the endpoint's (else 403). Secrets are
 * compared as SHA-256 digests with {@link MessageDigest#isEqual} (constant time, and equal lengths, so neither
 * content nor length leaks through timing); they are never logged or echoed.
 */
public final class AccessControl {
    static final String API_KEY_HEADER = "X-API-Key";
    /** The shortest admin token or API key accepted (guessable secrets are refused). */
    public static final int MIN_SECRET_LENGTH = 16;
    /** The request attribute under which {@link #checkApiKey} leaves the scopes of the key it accepted. */
    private static final String SCOPES_ATTRIBUTE = "affinity.apiKeyScopes";

    private final byte[] adminTokenDigest;
    private final byte[][] apiKeyDigests;
    private final Set<ApiScope>[] apiKeyScopes;
    /**
     * A key of the server's own, for its warm-up requests to the recommendation endpoints (null when public
     * endpoints are open): random, never written anywhere, so no configured key has to carry the scope the warm-up
     * needs.
     */
    private final String ownKey;

    @SuppressWarnings("unchecked")
    private AccessControl(String adminToken, List<ApiKey> apiKeys) {
        this.adminTokenDigest = adminToken == null ? null : digest(requireSecret(adminToken, "admin token"));
        List<ApiKey> keys = new ArrayList<>(apiKeys);
        if (!keys.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            this.ownKey = HexFormat.of().formatHex(random);
            keys.add(new ApiKey(ownKey, EnumSet.of(ApiScope.RECOMMENDATIONS)));
        } else {
            this.ownKey = null;
        }
        this.apiKeyDigests = new byte[keys.size()][];
        this.apiKeyScopes = new Set[keys.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            if (!seen.add(keys.get(i).secret())) {
                // Two lines with one key and different scopes: which scopes were meant cannot be told.
                throw new IllegalArgumentException("API key " + (i + 1) + " repeats an earlier key");
            }
            apiKeyDigests[i] = digest(keys.get(i).secret());
            apiKeyScopes[i] = keys.get(i).scopes();
        }
    }

    /** A valid {@code X-API-Key} for requests the server sends itself, or null when none is needed. */
    String ownKey() {
        return ownKey;
    }

    /**
     * Every key with every scope.
     *
     * @param adminToken null disables the admin endpoints; @param apiKeys empty leaves public endpoints open
     */
    public static AccessControl of(String adminToken, Collection<String> apiKeys) {
        return withScopedKeys(adminToken, apiKeys.stream().map(ApiKey::withEveryScope).toList());
    }

    /** @param adminToken null disables the admin endpoints; @param apiKeys empty leaves public endpoints open */
    public static AccessControl withScopedKeys(String adminToken, Collection<ApiKey> apiKeys) {
        return new AccessControl(adminToken, List.copyOf(apiKeys));
    }

    /** No admin endpoints, public endpoints open. */
    public static AccessControl none() {
        return of(null, List.of());
    }

    public boolean adminEnabled() {
        return adminTokenDigest != null;
    }

    public boolean apiKeysRequired() {
        return apiKeyDigests.length > 0;
    }

    void checkAdmin(Context ctx) {
        if (adminTokenDigest == null) {
            throw new ApiProblem(403, "admin-disabled", "Admin endpoints disabled",
                    "no admin token is configured (set AFFINITY_ADMIN_TOKEN or --admin-token-file)");
        }
        String header = single(ctx, "Authorization");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (token == null || token.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw unauthorized("admin endpoints need the header 'Authorization: Bearer <admin token>'");
        }
        if (!MessageDigest.isEqual(digest(token), adminTokenDigest)) {
            ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw unauthorized("the admin token is not valid");
        }
    }

    void checkApiKey(Context ctx) {
        if (apiKeyDigests.length == 0) {
            return;
        }
        String key = single(ctx, API_KEY_HEADER);
        if (key == null || key.isBlank()) {
            throw unauthorized("this service needs the header '" + API_KEY_HEADER + "'");
        }
        byte[] given = digest(key.trim());
        int matched = -1;
        for (int i = 0; i < apiKeyDigests.length; i++) {
            // no early exit: time does not say which key matched
            matched = MessageDigest.isEqual(given, apiKeyDigests[i]) ? i : matched;
        }
        if (matched < 0) {
            throw unauthorized("the API key is not valid");
        }
        ctx.attribute(SCOPES_ATTRIBUTE, apiKeyScopes[matched]);
    }

    /**
     * The handler, run only for a request whose API key has the scope (403 otherwise); the handler itself when
     * public endpoints are open. Endpoints are wrapped where they are registered ({@link V1Routes}), so every
     * spelling of a path that reaches the handler is checked.
     */
    Handler requiring(ApiScope scope, String endpoint, Handler handler) {
        if (!apiKeysRequired()) {
            return handler;
        }
        return ctx -> {
            Set<ApiScope> scopes = ctx.attribute(SCOPES_ATTRIBUTE);
            if (scopes == null) {
                // checkApiKey did not run for this path: refuse rather than guess.
                throw unauthorized("this service needs the header '" + API_KEY_HEADER + "'");
            }
            if (!scopes.contains(scope)) {
                throw new ApiProblem(403, "insufficient-scope", "Forbidden", "this API key may not call "
                        + endpoint + ": it needs the scope '" + scope.label() + "' (the key has: "
                        + scopes.stream().map(ApiScope::label).sorted().collect(Collectors.joining(", ")) + ")");
            }
            handler.handle(ctx);
        };
    }

    /**
     * The header's one value, or null. A credential header sent twice is refused (400) rather than read by its
     * first value: which one a proxy or another server on the path would use is not defined, so a request that
     * passes here could be another caller's on the next hop.
     */
    private static String single(Context ctx, String name) {
        Enumeration<String> values = ctx.req().getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        int count = 1;
        while (values.hasMoreElements()) {
            values.nextElement();
            count++;
        }
        if (count > 1) {
            throw ApiProblem.badRequest("the header '" + name + "' was sent " + count + " times; send it once");
        }
        return first;
    }

    private static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail);
    }

    private static String requireSecret(String secret, String what) {
        String s = secret.trim();
        if (s.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(what + " must be at least " + MIN_SECRET_LENGTH + " characters");
        }
        return s;
    }

    /** SHA-256 of the text's UTF-8 bytes (secrets are compared by it; export cursors fingerprint their query). */
    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
