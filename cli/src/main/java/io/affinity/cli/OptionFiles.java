package io.affinity.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Up-front checks of the files options name, so that a typo fails at once, naming the option, not after a run. */
final class OptionFiles {
    private OptionFiles() {
    }

    /** Fails unless {@code file} (when given) is an existing, readable regular file. */
    static void readable(String option, Path file) {
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            throw new AffinityCli.UserFacingException(option + ": file " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new AffinityCli.UserFacingException(option + ": " + file + " is a directory, not a file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new AffinityCli.UserFacingException(option + ": " + file + " is not a readable file");
        }
    }

    /** Fails when {@code dir} exists but is not a directory (a directory to be created may be missing). */
    static void directoryOrAbsent(String option, Path dir) {
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new AffinityCli.UserFacingException(option + ": " + dir + " is not a directory");
        }
    }

    /**
     * Fails unless {@code file} (when given) can be a file this process keeps appending to: its directory exists
     * and it is not a directory. The directory is never created: a mistyped path on a shared mount would otherwise
     * start an empty journal beside the real one, unnoticed.
     */
    static void inExistingDirectory(String option, Path file) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new AffinityCli.UserFacingException(option + ": " + file + " is a directory, not a file");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new AffinityCli.UserFacingException(option + ": directory " + parent + " of " + file
                    + " does not exist (it is not created: create it, or fix the path)");
        }
    }
}
