package io.affinity.training;

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
     * The manifest of {@code models}' CURRENT version; empty when the store has no readable CURRENT (a first run,
     * or a store being repaired: nothing to carry over that a run could read; an unreadable CURRENT is reported by
     * the publish or by 'models verify').
     */
    static Optional<Manifest> of(Path models) {
        if (!Files.isDirectory(models)) {
            return Optional.empty();
        }
        try {
            ModelStore store = ModelStore.open(models);
            Optional<String> current = store.currentVersion();
            return current.isEmpty() ? Optional.empty() : Optional.of(store.manifest(current.get()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
