package io.affinity.api;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;

/**
 * Who may call what. Admin endpoints need {@code Authorization: Bearer <admin token>}; without a configured
 * token they are disabled (403). Public endpoints need {@code X-API-Key: <key>} only when API keys are
 * configured. Secrets are compared as SHA-256 digests with {@link MessageDigest#isEqual} (constant time, and
 * equal lengths, so neither content nor length leaks through timing); they are never logged or echoed.
 */
public final class AccessControl {
    static final String API_KEY_HEADER = "X-API-Key";

    private final byte[] adminTokenDigest;
    private final List<byte[]> apiKeyDigests;
    /** One configured key, for the server's own warm-up requests (null when public endpoints are open). */
    private final String ownKey;

    private AccessControl(String adminToken, Collection<String> apiKeys) {
        this.adminTokenDigest = adminToken == null ? null : digest(requireSecret(adminToken, "admin token"));
        List<byte[]> keys = new ArrayList<>();
        for (String key : apiKeys) {
            keys.add(digest(requireSecret(key, "API key")));
        }
        this.apiKeyDigests = List.copyOf(keys);
        this.ownKey = apiKeys.isEmpty() ? null : apiKeys.iterator().next();
    }

    /** A valid {@code X-API-Key} for requests the server sends itself, or null when none is needed. */
    String ownKey() {
        return ownKey;
    }

    /** @param adminToken null disables the admin endpoints; @param apiKeys empty leaves public endpoints open */
    public static AccessControl of(String adminToken, Collection<String> apiKeys) {
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
        return !apiKeyDigests.isEmpty();
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
        if (apiKeyDigests.isEmpty()) {
            return;
        }
        String key = single(ctx, API_KEY_HEADER);
        if (key == null || key.isBlank()) {
            throw unauthorized("this service needs the header '" + API_KEY_HEADER + "'");
        }
        byte[] given = digest(key.trim());
        boolean ok = false;
        for (byte[] known : apiKeyDigests) {
            ok |= MessageDigest.isEqual(given, known); // no early exit: time does not say which key matched
        }
        if (!ok) {
            throw unauthorized("the API key is not valid");
        }
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
        if (s.length() < 16) {
            throw new IllegalArgumentException(what + " must be at least 16 characters");
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
