package io.affinity.training.mining;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A transaction file that cannot be read as its format says (a FIMI file that is not a list of non-negative int item
 * ids, a basket file with an empty label or undecodable bytes); the message names file and line.
 */
public final class FimiFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    FimiFormatException(Path file, long line, String why) {
        super(file + ":" + line + ": " + why);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number. */
    public long line() {
        return line;
    }
}
