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
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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
    /**
     * The challenge of a 401 for a missing or wrong API key: RFC 9110 requires one on every 401, and no registered
     * scheme sends a key in a header of its own, so the scheme is ours and names the header.
     */
    static final String API_KEY_CHALLENGE = "ApiKey header=\"" + API_KEY_HEADER + "\"";
    /** The shortest admin token or API key accepted (guessable secrets are refused). */
    public static final int MIN_SECRET_LENGTH = 16;
    /** The request attribute under which {@link #checkApiKey} leaves the key it accepted. */
    private static final String KEY_ATTRIBUTE = "affinity.apiKey";
    /** The client of the server's own key (its warm-up requests). */
    public static final String WARM_UP_CLIENT = "affinity-warm-up";

    /** Null while admin is disabled; replaced when the admin token file is reloaded. */
    private volatile byte[] adminTokenDigest;
    private final boolean adminEnabled;
    private final LongAdder refusedAdminTokenReloads = new LongAdder();
    /** Whether /v1 needs a key: fixed at start, since the endpoints' scope checks are installed only then. */
    private final boolean apiKeysRequired;
    /** The keys in force; replaced whole when the keys file is reloaded, so a request sees one table. */
    private volatile KeyTable apiKeys;
    private final LongAdder refusedReloads = new LongAdder();
    /**
     * A key of the server's own, for its warm-up requests to the recommendation endpoints (null when public
     * endpoints are open): random, never written anywhere, so no configured key has to carry the scope the warm-up
     * needs.
     */
    private final String ownKey;

    /**
     * Requests per client since start, by client name, kept across keys file reloads (a Prometheus counter never
     * goes back, so a client whose keys were removed keeps its counts).
     */
    private final Map<String, ClientUsage> usage = new ConcurrentHashMap<>();

    /** Digests of the keys and what each grants, by index. */
    private record KeyTable(byte[][] digests, Accepted[] grants, int configured) {
    }

    /**
     * One client's requests: those its keys were accepted for, those refused for a scope they lack and those
     * refused for its rate; and the bucket its keys share.
     */
    record ClientUsage(String client, LongAdder accepted, LongAdder refused, LongAdder limited, RateBucket bucket) {
        ClientUsage(String client) {
            this(client, new LongAdder(), new LongAdder(), new LongAdder(),
                    new RateBucket(RequestRate.UNLIMITED, System.nanoTime()));
        }
    }

    /** What a request's accepted key grants, left on the request by {@link #checkApiKey}. */
    private record Accepted(Set<ApiScope> scopes, ClientUsage client) {
    }

    private AccessControl(String adminToken, List<ApiKey> apiKeys) {
        this.adminTokenDigest = adminToken == null ? null : digest(requireSecret(adminToken, "admin token"));
        this.adminEnabled = adminToken != null;
        this.apiKeysRequired = !apiKeys.isEmpty();
        if (apiKeysRequired) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            this.ownKey = HexFormat.of().formatHex(random);
        } else {
            this.ownKey = null;
        }
        this.apiKeys = table(apiKeys);
    }

    private KeyTable table(List<ApiKey> configured) {
        List<ApiKey> keys = new ArrayList<>(configured);
        if (ownKey != null) {
            keys.add(new ApiKey(ownKey, EnumSet.of(ApiScope.RECOMMENDATIONS), WARM_UP_CLIENT));
        }
        byte[][] digests = new byte[keys.size()][];
        Accepted[] grants = new Accepted[keys.size()];
        Set<String> seen = new HashSet<>();
        Map<String, RequestRate> rates = new HashMap<>();
        for (ApiKey key : keys) {
            RequestRate earlier = rates.putIfAbsent(key.client(), key.rate());
            if (earlier != null && !earlier.equals(key.rate())) {
                // The client's keys share one bucket: which rate was meant cannot be told.
                throw new IllegalArgumentException("the keys of client '" + key.client() + "' give different rates ("
                        + earlier + ", " + key.rate() + "): give every key of a client the same");
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            if (!seen.add(keys.get(i).secret())) {
                // Two lines with one key and different scopes: which scopes were meant cannot be told.
                throw new IllegalArgumentException("API key " + (i + 1) + " repeats an earlier key");
            }
            digests[i] = digest(keys.get(i).secret());
            grants[i] = new Accepted(keys.get(i).scopes(), usage.computeIfAbsent(keys.get(i).client(),
                    ClientUsage::new));
        }
        long now = System.nanoTime();
        for (Accepted grant : grants) {
            grant.client().bucket().setRate(rates.get(grant.client().client()), now);
        }
        return new KeyTable(digests, grants, configured.size());
    }

    /**
     * Puts these keys in force instead of the ones before (a rotated keys file), from the next request on.
     *
     * @throws IllegalStateException    when the server was started without keys (its endpoints check no scope)
     * @throws IllegalArgumentException when the list is empty or names a key twice
     */
    public void replaceApiKeys(List<ApiKey> keys) {
        if (!apiKeysRequired) {
            throw new IllegalStateException("public endpoints were opened without keys at start: restart to add keys");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no API key: restart without keys to open the public endpoints");
        }
        apiKeys = table(List.copyOf(keys));
    }

    /**
     * Puts this admin token in force instead of the one before (a rotated token file), from the next request on.
     *
     * @throws IllegalStateException when the server was started without an admin token (admin disabled)
     */
    public void replaceAdminToken(String token) {
        if (!adminEnabled) {
            throw new IllegalStateException("admin endpoints were disabled at start: restart with a token to enable");
        }
        adminTokenDigest = digest(requireSecret(token, "admin token"));
    }

    /** An admin token file that could not be put in force (counted for the metrics). */
    public void recordRefusedAdminTokenReload() {
        refusedAdminTokenReloads.increment();
    }

    /** Admin token files refused since start. */
    public long refusedAdminTokenReloads() {
        return refusedAdminTokenReloads.sum();
    }

    /** A keys file that could not be put in force (counted for the metrics). */
    public void recordRefusedKeysReload() {
        refusedReloads.increment();
    }

    /** How many configured keys are in force (the server's own not counted). */
    public int apiKeyCount() {
        return apiKeys.configured();
    }

    /**
     * Requests per client since start (every client a keys file named, the server's own warm-up too), by client
     * name: {@code [with a valid key, refused for scope, refused for rate]}.
     */
    public Map<String, long[]> requestsByClient() {
        Map<String, long[]> counts = new TreeMap<>();
        usage.values().forEach(u -> counts.put(u.client(), new long[] {u.accepted().sum(), u.refused().sum(),
                u.limited().sum()}));
        return counts;
    }

    /** Keys files refused since start. */
    public long refusedKeysReloads() {
        return refusedReloads.sum();
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
        return adminEnabled;
    }

    public boolean apiKeysRequired() {
        return apiKeysRequired;
    }

    void checkAdmin(Context ctx) {
        byte[] expected = adminTokenDigest;
        if (expected == null) {
            throw new ApiProblem(403, "admin-disabled", "Admin endpoints disabled",
                    "no admin token is configured (set AFFINITY_ADMIN_TOKEN or --admin-token-file)");
        }
        String header = single(ctx, "Authorization");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (token == null || token.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw unauthorized("admin endpoints need the header 'Authorization: Bearer <admin token>'");
        }
        if (!MessageDigest.isEqual(digest(token), expected)) {
            ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw unauthorized("the admin token is not valid");
        }
    }

    void checkApiKey(Context ctx) {
        if (!apiKeysRequired) {
            return;
        }
        String key = single(ctx, API_KEY_HEADER);
        if (key == null || key.isBlank()) {
            throw apiKeyUnauthorized(ctx, "this service needs the header '" + API_KEY_HEADER + "'");
        }
        byte[] given = digest(key.trim());
        KeyTable table = apiKeys;
        int matched = -1;
        for (int i = 0; i < table.digests().length; i++) {
            // no early exit: time does not say which key matched
            matched = MessageDigest.isEqual(given, table.digests()[i]) ? i : matched;
        }
        if (matched < 0) {
            throw apiKeyUnauthorized(ctx, "the API key is not valid");
        }
        Accepted grant = table.grants()[matched];
        ClientUsage client = grant.client();
        client.accepted().increment();
        long wait = client.bucket().take(System.nanoTime());
        if (wait > 0) {
            client.limited().increment();
            long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ApiProblem(429, "rate-limited", "Too many requests", "the client '" + client.client()
                    + "' may send at most " + client.bucket().rate() + " requests to this server (all its keys "
                    + "together); retry in " + seconds + " s");
        }
        ctx.attribute(KEY_ATTRIBUTE, grant);
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
            Accepted accepted = ctx.attribute(KEY_ATTRIBUTE);
            if (accepted == null) {
                // checkApiKey did not run for this path: refuse rather than guess.
                throw apiKeyUnauthorized(ctx, "this service needs the header '" + API_KEY_HEADER + "'");
            }
            Set<ApiScope> scopes = accepted.scopes();
            if (!scopes.contains(scope)) {
                accepted.client().refused().increment();
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

    private static ApiProblem apiKeyUnauthorized(Context ctx, String detail) {
        ctx.header("WWW-Authenticate", API_KEY_CHALLENGE);
        return unauthorized(detail);
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
