package io.affinity.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A publish that put its version in place, complete and verified, but could not switch CURRENT to it (a full disk
 * by then, a store whose directory turned read-only): the run failed, yet the store holds one version more, which
 * this names so that it can be activated once the cause is repaired (or left to prune).
 */
public final class PublishedNotActivatedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String version;

    PublishedNotActivatedException(String version, Path store, String current, IOException cause) {
        super("published version " + version + " into " + store + ", but CURRENT could not be switched to it ("
                + FileFailures.describe(cause) + "): CURRENT still names " + current + "; the version is complete and verified: "
                + "once that is repaired, ./affinity models activate " + version + " --models " + store, cause);
        this.version = version;
    }

    /** The version that was published. */
    public String version() {
        return version;
    }
}
