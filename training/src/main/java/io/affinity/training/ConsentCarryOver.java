package io.affinity.training;

import io.affinity.store.Manifest;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Refuses a training run that would silently drop the consent list a served version carries. A retrain without
 * {@code --consent} publishes a model whose list is empty: direct channels then stay safe (unknown consent means no
 * contact) but every {@code web} opt-out in the old list is forgotten, and those customers are offered and
 * exported on {@code web} again once the new version is activated. Publishing without a list must therefore be said
 * ({@code --no-consent}), not happen because an option was left out of a scheduled job.
 */
public final class ConsentCarryOver {
    private ConsentCarryOver() {
    }

    /** The refusal for a version ({@code role}: "the served version") whose manifest counts consent entries. */
    private static Optional<String> carrying(Optional<Manifest> version, String role) {
        return version.filter(m -> m.counts().consent() > 0).map(m -> String.format(java.util.Locale.ROOT,
                "%s %s carries a consent list (%,d customers) and this run has no --consent: the new version would "
                        + "forget its opt-outs (web opt-outs are then offered and exported on web again once it is "
                        + "activated). Pass the current list with --consent FILE, or --no-consent to publish without "
                        + "one", role, m.version(), m.counts().consent()));
    }

    /**
     * The reason to refuse, when the run gives both {@code --consent} and {@code --no-consent}, or when
     * {@code models}' CURRENT version, or the canary's (it answers a slice of customers, and is how a new list is
     * often rolled out), carries a consent list and the run has none; empty when the run has a list,
     * says {@code --no-consent}, or the store has no CURRENT, or one holding no version id (a first run, or a store
     * being repaired: nothing served that a run could read). A CURRENT or CANARY that cannot be read, or whose
     * version's manifest cannot be, is a refusal too: what the served version carries is unknown.
     */
    public static Optional<String> refusal(Path models, Path consent, boolean noConsent) {
        if (noConsent && consent != null) {
            return Optional.of("--no-consent and --consent contradict each other: give one");
        }
        if (consent != null || noConsent) {
            return Optional.empty();
        }
        try {
            Optional<String> served = carrying(ServedManifest.of(models), ServedManifest.CURRENT);
            return served.isPresent() ? served : carrying(ServedManifest.canary(models), ServedManifest.CANARY);
        } catch (ServedManifest.Unknown e) {
            return Optional.of(ServedManifest.refusal(e, "carries a consent list", "this run has no --consent; pass "
                    + "the current list with --consent FILE, or --no-consent to publish without one"));
        }
    }
}
