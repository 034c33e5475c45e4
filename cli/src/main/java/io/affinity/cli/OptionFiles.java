package io.affinity.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Up-front checks of the files options name, so that a typo fails at once, naming the option, not after a run. */
final class OptionFiles {
    private OptionFiles() {
    }

    /**
     * Fails when {@code dir} exists but is not a writable directory, or is missing and could not be created: the
     * nearest of its ancestors that exists must be a writable directory. The verbs that write there do so at their
     * end (a report after the whole evaluation, a snapshot after the whole training), so a path that cannot work
     * must fail here, naming the option. Nothing is created: a run that fails for another reason leaves no empty
     * directory behind.
     */
    static void directoryOrAbsent(String option, Path dir) {
        if (dir == null) {
            return;
        }
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new AffinityCli.UserFacingException(option + ": " + dir + " is not a directory");
            }
            // access(2): also false on a read-only mount, for root too
            if (!Files.isWritable(dir)) {
                throw new AffinityCli.UserFacingException(option + ": directory " + dir + " is not writable");
            }
            return;
        }
        Path ancestor = dir.toAbsolutePath().normalize().getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return; // no ancestor exists at all (not even a root): let the write say why
        }
        Path shown = shown(dir, ancestor);
        if (!Files.isDirectory(ancestor)) {
            throw new AffinityCli.UserFacingException(option + " " + dir + " cannot be created: " + shown
                    + " is not a directory");
        }
        if (!Files.isWritable(ancestor)) {
            throw new AffinityCli.UserFacingException(option + " " + dir + " cannot be created: directory " + shown
                    + " is not writable");
        }
    }

    /** {@code ancestor} spelt as the user spelt {@code dir} (relative stays relative). */
    private static Path shown(Path dir, Path ancestor) {
        for (Path p = dir.normalize(); p != null; p = p.getParent()) {
            if (p.toAbsolutePath().normalize().equals(ancestor)) {
                return p;
            }
        }
        return ancestor;
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
