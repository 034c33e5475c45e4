package io.affinity.api;

import java.time.Duration;

/**
 * Settings of the HTTP service. {@link #defaults()} gives the documented defaults.
 *
 * @param host           interface to bind (default {@code 0.0.0.0})
 * @param port           TCP port; 0 picks a free one (default 8080)
 * @param defaultLimit   items returned when a request gives no {@code limit} (default 10)
 * @param maxLimit       largest {@code limit} a request may ask for (default 100)
 * @param maxBasketItems largest basket accepted by the basket endpoint (default 200)
 * @param maxBodyBytes   largest request body accepted, in bytes (default 65,536)
 * @param virtualThreads Jetty runs its work (accepting, selecting, handling requests) on virtual threads when the
 *                       JVM has them (JDK 21+), instead of Javalin's pool of 8 to 250 platform threads (default
 *                       false; ignored on JDK 17). On the 2-core machine of benchmarks/RESULTS.md virtual threads
 *                       took 10-20% less server CPU per request at a steady half-saturation rate in one A/B but
 *                       not in whole-server runs, and neither throughput nor tail changed measurably.
 * @param cors           browser origins whose pages may call the /v1 endpoints (default none)
 * @param bodyTimeout    longest a request body may take to arrive once a handler reads it, and the rest of a body no
 *                       handler read once the answer is out (default 10 s); then the connection is closed. Jetty's
 *                       idle timeout restarts with every byte, so without this a client sending a byte every few
 *                       seconds held a request thread for as long as it liked, and a few hundred such clients held
 *                       them all.
 */
public record ApiConfig(String host, int port, int defaultLimit, int maxLimit, int maxBasketItems, int maxBodyBytes,
                        boolean virtualThreads, CorsPolicy cors, Duration bodyTimeout) {
    /** {@link #bodyTimeout()} by default: 64 KiB in 10 s is 6.5 KB/s, far below any network a backend uses. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);

    public ApiConfig {
        java.util.Objects.requireNonNull(cors, "cors");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        if (maxLimit < 1 || defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= defaultLimit <= maxLimit, got " + defaultLimit + ", " + maxLimit);
        }
        if (maxBasketItems < 1 || maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBasketItems must be >= 1 and maxBodyBytes >= 1024");
        }
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new IllegalArgumentException("bodyTimeout must be positive, was " + bodyTimeout);
        }
    }

    /** Without cross-origin callers, with the default body timeout. */
    public ApiConfig(String host, int port, int defaultLimit, int maxLimit, int maxBasketItems, int maxBodyBytes,
                     boolean virtualThreads) {
        this(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads, CorsPolicy.none(),
                DEFAULT_BODY_TIMEOUT);
    }

    public static ApiConfig defaults() {
        return new ApiConfig("0.0.0.0", 8080, 10, 100, 200, 64 * 1024, false);
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(host, newPort, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                cors, bodyTimeout);
    }

    public ApiConfig withHost(String newHost) {
        return new ApiConfig(newHost, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                cors, bodyTimeout);
    }

    public ApiConfig withVirtualThreads(boolean on) {
        return new ApiConfig(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, on, cors, bodyTimeout);
    }

    public ApiConfig withCors(CorsPolicy policy) {
        return new ApiConfig(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                policy, bodyTimeout);
    }

    public ApiConfig withBodyTimeout(Duration timeout) {
        return new ApiConfig(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads, cors,
                timeout);
    }
}
