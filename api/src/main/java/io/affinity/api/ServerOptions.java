package io.affinity.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Operational settings of the service, apart from the request limits in {@link ApiConfig}.
 *
 * @param access        admin token and API keys (default: admin disabled, public endpoints open)
 * @param admin         model lifecycle behind {@code /admin/models...}, or null for none (a fixed model)
 * @param shutdownGrace how long {@link AffinityServer#close()} lets in-flight requests finish (default 10 s)
 * @param consent       run-time consent changes (default: unavailable, so consent changes and exports answer 503)
 * @param marginRate    share of an item's price that is margin, for offer values, in (0, 1] (default 0.3)
 * @param rules         business rule defaults (default {@link BusinessRuleConfig#defaults()})
 */
public record ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace, ConsentJournal consent,
                            double marginRate, BusinessRuleConfig rules) {
    public static final double DEFAULT_MARGIN_RATE = 0.3;

    public ServerOptions {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(consent, "consent");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new IllegalArgumentException("marginRate must be in (0, 1], was " + marginRate);
        }
    }

    public ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace) {
        this(access, admin, shutdownGrace, BusinessRuleConfig.defaults());
    }

    public ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace, BusinessRuleConfig rules) {
        this(access, admin, shutdownGrace,
                ConsentJournal.unavailable("the server was started without a consent journal"), DEFAULT_MARGIN_RATE,
                rules);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(AccessControl.none(), null, Duration.ofSeconds(10));
    }

    public ServerOptions withConsent(ConsentJournal journal, double rate) {
        return new ServerOptions(access, admin, shutdownGrace, journal, rate, rules);
    }
}
