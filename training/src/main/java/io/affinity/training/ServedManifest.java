package io.affinity.training;

import io.affinity.store.CorruptSnapshotException;
import io.affinity.store.Manifest;
import io.affinity.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The manifest of the version a model store serves, as the carry-over checks of a training run read it. */
final class ServedManifest {
    private ServedManifest() {
    }

    /**
     * What CURRENT's version carries is unknown: CURRENT cannot be read, or names a version whose manifest cannot be
     * read (damaged, unreadable, or the version gone). A check that took this for "no list" let a run publish and
     * activate a version without the list the served one may carry.
     */
    static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;
        private final String version;

        Unknown(String version, String reason) {
            super(reason);
            this.version = version;
        }

        /** The version CURRENT names, or null when CURRENT itself cannot be read. */
        String version() {
            return version;
        }

        /** "the served version V" or "the served version (CURRENT unreadable)", for a refusal's message. */
        String served() {
            return version == null ? "the served version" : "the served version " + version;
        }
    }

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
            throw new Unknown(null, models.resolve("CURRENT") + " cannot be read: " + io.affinity.store.FileFailures.describe(e));
        }
        if (current.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.manifest(current.get()));
        } catch (IOException | RuntimeException e) {
            throw new Unknown(current.get(), io.affinity.store.FileFailures.describe(e));
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
