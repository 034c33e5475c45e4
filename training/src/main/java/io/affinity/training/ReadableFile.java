package io.affinity.training;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check of a file an option names, before any work: {@code affinity}'s verbs and {@code spark-train} give the
 * same messages (each had its own copy of this check).
 */
public final class ReadableFile {
    private ReadableFile() {
    }

    /**
     * Fails with {@link IllegalArgumentException} naming the option unless {@code file} (when given) is an existing,
     * readable regular file.
     */
    public static void require(String option, Path file) {
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(option + ": file " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + ": " + file + " is a directory, not a file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": " + file + " is not a readable file");
        }
    }
}
