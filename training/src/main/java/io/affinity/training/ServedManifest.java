package io.affinity.training;

import io.affinity.store.CorruptSnapshotException;
import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The manifests of the versions a model store serves or may serve, as the carry-over checks of a training run read
 * them: CURRENT's, the canary's (it answers a slice of customers), and the newest that records a given section (a
 * rollback target, or a version published with --no-activate, which one command serves).
 */
final class ServedManifest {
    private ServedManifest() {
    }

    /**
     * What a version carries is unknown: the file naming it (CURRENT, CANARY) cannot be read, or it names a version
     * whose manifest cannot be read (damaged, unreadable, or the version gone). A check that took this for "no list"
     * let a run publish and activate a version without the list the served one may carry.
     */
    static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;
        private final String role;
        private final String version;

        Unknown(String role, String version, String reason) {
            super(reason);
            this.role = role;
            this.version = version;
        }

        /** The version in question, or null when the file naming it cannot be read. */
        String version() {
            return version;
        }

        /** "the served version V", "the canary's version V", or without V when the file naming it is unreadable. */
        String served() {
            return version == null ? role : role + " " + version;
        }
    }

    static final String CURRENT = "the served version";
    static final String CANARY = "the canary's version";

    /**
     * The manifest of {@code models}' CURRENT version; empty when the store has no CURRENT, or one that holds no
     * version id (a first run, or a store being repaired: nothing served that a run could read). Throws
     * {@link Unknown} when CURRENT cannot be read or names a version whose manifest cannot be read.
     */
    static Optional<Manifest> of(Path models) throws Unknown {
        if (!Files.isDirectory(models)) {
            return Optional.empty();
        }
        ModelStore store;
        Optional<String> current;
        try {
            store = ModelStore.open(models);
            current = store.currentVersion();
        } catch (CorruptSnapshotException e) {
            return Optional.empty(); // empty, or no version id: see above
        } catch (IOException | RuntimeException e) {
            throw new Unknown(CURRENT, null, models.resolve("CURRENT") + " cannot be read: "
                    + io.affinity.store.FileFailures.describe(e));
        }
        return current.isEmpty() ? Optional.empty() : Optional.of(manifest(store, CURRENT, current.get()));
    }

    /**
     * The manifest of the version {@code models}' CANARY names; empty without a canary (or with one naming CURRENT's
     * version: a promotion's leftover, no canary). Throws {@link Unknown} when CANARY is damaged or unreadable (which
     * version may serve a slice is then unknown; {@code models canary --stop} removes it) or names a version whose
     * manifest cannot be read.
     */
    static Optional<Manifest> canary(Path models) throws Unknown {
        if (!Files.isDirectory(models)) {
            return Optional.empty();
        }
        ModelStore store;
        Optional<ModelStore.Canary> canary;
        try {
            store = ModelStore.open(models);
            canary = store.canary();
        } catch (IOException | RuntimeException e) {
            throw new Unknown(CANARY, null, io.affinity.store.FileFailures.describe(e)
                    + "; ./affinity models canary --stop removes it");
        }
        if (canary.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (store.currentVersion().filter(canary.get().version()::equals).isPresent()) {
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            // CURRENT's own check reports it; the canary's version is read below either way
        }
        return Optional.of(manifest(store, CANARY, canary.get().version()));
    }

    /**
     * The manifest of the newest version (by version id, which begins with its publishing time) whose manifest has
     * {@code section}: the latest word on that list, whether that version is served, a rollback target, or published
     * with --no-activate. Empty when no version has one. A version newer than it whose manifest cannot be read might
     * be that word: {@link Unknown}; one removed meanwhile (a prune) is skipped.
     */
    static Optional<Manifest> newestWith(Path models, String section) throws Unknown {
        if (!Files.isDirectory(models)) {
            return Optional.empty();
        }
        ModelStore store;
        List<String> versions;
        try {
            store = ModelStore.open(models);
            versions = store.versions();
        } catch (IOException | RuntimeException e) {
            throw new Unknown("the store's versions", null, models + " cannot be listed: "
                    + io.affinity.store.FileFailures.describe(e));
        }
        for (int i = versions.size() - 1; i >= 0; i--) {
            String version = versions.get(i);
            Manifest m;
            try {
                m = manifest(store, "version", version);
            } catch (Unknown e) {
                if (stillListed(store, version)) {
                    throw e;
                }
                continue;
            }
            if (m.sections().containsKey(section)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    private static boolean stillListed(ModelStore store, String version) {
        try {
            return store.versions().contains(version);
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static Manifest manifest(ModelStore store, String role, String version) throws Unknown {
        try {
            return store.manifest(version);
        } catch (IOException | RuntimeException e) {
            throw new Unknown(role, version, io.affinity.store.FileFailures.describe(e));
        }
    }

    /**
     * The reason a carry-over check cannot be made, for the run's refusal: which list the run must give itself
     * (the check is then not needed), or what to repair.
     */
    static String refusal(Unknown e, String carries, String remedy) {
        return "cannot tell whether " + e.served() + " " + carries + " (" + e.getMessage() + "): " + remedy
                + "; or repair the store first (./affinity models activate VERSION, or models verify)";
    }
}
