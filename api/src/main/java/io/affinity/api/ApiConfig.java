package io.affinity.api;

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
 */
public record ApiConfig(String host, int port, int defaultLimit, int maxLimit, int maxBasketItems, int maxBodyBytes,
                        boolean virtualThreads, CorsPolicy cors) {
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
    }

    /** Without cross-origin callers. */
    public ApiConfig(String host, int port, int defaultLimit, int maxLimit, int maxBasketItems, int maxBodyBytes,
                     boolean virtualThreads) {
        this(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads, CorsPolicy.none());
    }

    public static ApiConfig defaults() {
        return new ApiConfig("0.0.0.0", 8080, 10, 100, 200, 64 * 1024, false);
    }

    public ApiConfig withPort(int newPort) {
        return new ApiConfig(host, newPort, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                cors);
    }

    public ApiConfig withHost(String newHost) {
        return new ApiConfig(newHost, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                cors);
    }

    public ApiConfig withVirtualThreads(boolean on) {
        return new ApiConfig(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, on, cors);
    }

    public ApiConfig withCors(CorsPolicy policy) {
        return new ApiConfig(host, port, defaultLimit, maxLimit, maxBasketItems, maxBodyBytes, virtualThreads,
                policy);
    }
}
