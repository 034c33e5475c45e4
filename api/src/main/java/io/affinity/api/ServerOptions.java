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
 * @param warmUp        how long the server sends its own requests to its recommendation endpoints after start, with
 *                      {@code /ready} answering 503 meanwhile, so that a load balancer sends traffic only to compiled
 *                      code (default zero: ready as soon as a model is loaded; {@code affinity serve} sets 20 s)
 */
public record ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace, ConsentJournal consent,
                            double marginRate, BusinessRuleConfig rules, Duration warmUp) {
    public static final double DEFAULT_MARGIN_RATE = 0.3;

    public ServerOptions {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(consent, "consent");
        Objects.requireNonNull(warmUp, "warmUp");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative");
        }
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("warmUp must not be negative");
        }
        if (!(marginRate > 0 && marginRate <= 1)) {
            throw new IllegalArgumentException("marginRate must be in (0, 1], was " + marginRate);
        }
    }

    /** Without a warm-up. */
    public ServerOptions(AccessControl access, ModelAdmin admin, Duration shutdownGrace, ConsentJournal consent,
                         double marginRate, BusinessRuleConfig rules) {
        this(access, admin, shutdownGrace, consent, marginRate, rules, Duration.ZERO);
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
        return new ServerOptions(access, admin, shutdownGrace, journal, rate, rules, warmUp);
    }

    public ServerOptions withWarmUp(Duration duration) {
        return new ServerOptions(access, admin, shutdownGrace, consent, marginRate, rules, duration);
    }
}
