package io.affinity.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Operational settings of the service, apart from the request limits in {@link ApiConfig}.
 *
 * @param access        admin token and API keys (default: admin disabled, public endpoints open)
 * @param admin         model lifecycle behind {@code /admin/models...}, or null for none (a fixed model)
 * @param shutdownGrace how long {@link AffinityServer#close()} lets in-flight requests finish (default 10 s)
 * @param rules         business rule defaults (default {@link BusinessRuleConfig#defaults()})
 */
public record ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace, BusinessRuleConfig rules) {
    public ServerOptions {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
    }

    public ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace) {
        this(access, admin, shutdownGrace, BusinessRuleConfig.defaults());
    }

    public static ServerOptions defaults() {
        return new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(10));
    }
}
