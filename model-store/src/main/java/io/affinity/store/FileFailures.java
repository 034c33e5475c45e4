package io.affinity.store;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A file failure in words, for messages and log lines: the JDK's {@code AccessDeniedException} and
 * {@code NoSuchFileException} carry only the path as their message, so a message quoting them said a bare path.
 */
public final class FileFailures {
    private FileFailures() {
    }

    /** The file and the kind of failure ("/srv/models/CURRENT: permission denied"), or the message. */
    public static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + kind(f);
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** "permission denied", "no such file or directory", ..., or the system's reason. */
    public static String kind(FileSystemException f) {
        if (f instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (f instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        return f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
    }
}
