package io.affinity.cli;

import io.affinity.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening a model store that must already hold a published model, for the verbs that read one. */
final class ModelStores {
    private ModelStores() {
    }

    /**
     * The store at {@code dir}, which must be a directory with an active snapshot. Checked before
     * {@link ModelStore#open} because that creates a missing directory: a reader must not leave one behind.
     */
    static ModelStore existing(Path dir) throws IOException {
        return existing(dir, true);
    }

    /** As {@link #existing(Path)}; without {@code needsCurrent} a store whose CURRENT is unset is fine too. */
    static ModelStore existing(Path dir, boolean needsCurrent) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new AffinityCli.UserFacingException((Files.exists(dir) ? "--models " + dir + " is not a directory"
                    : "no model store at " + dir) + "; train one first: ./affinity train --input FILE --models " + dir);
        }
        ModelStore store = ModelStore.open(dir);
        if (needsCurrent && store.currentVersion().isEmpty()) {
            throw new AffinityCli.UserFacingException("model store " + dir + " has no published snapshot yet");
        }
        return store;
    }
}
