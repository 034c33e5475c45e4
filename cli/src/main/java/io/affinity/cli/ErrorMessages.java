package io.affinity.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * What an I/O failure means, in words. The JDK's file-system exceptions carry only the path as their message
 * ({@code NoSuchFileException: missing.csv}) and a truncated gzip stream an {@link EOFException} with no message
 * at all, so printing {@code getMessage()} told the user a path or "null" but not what was wrong with it.
 */
final class ErrorMessages {
    private ErrorMessages() {
    }

    /** One line saying which file and what happened to it, for any exception (its cause chain included). */
    static String describe(Throwable e) {
        Throwable t = e;
        if (t instanceof UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof FileSystemException f) {
            return fileSystem(f);
        }
        if (truncatedStream(t)) {
            return "unexpected end of gzip stream (file truncated?)"
                    + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName() + (t.getCause() != null && t.getCause() != t
                    ? ": " + describe(t.getCause()) : "");
        }
        return message;
    }

    /** True when reading stopped at a gzip (or other) stream's premature end: the file is most likely truncated. */
    static boolean truncatedStream(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return t instanceof EOFException || t instanceof ZipException
                || (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("ZLIB"));
    }

    private static String fileSystem(FileSystemException f) {
        String file = f.getFile() == null ? "" : f.getFile();
        String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
        String what = io.affinity.store.FileFailures.kind(f);
        // A missing parent directory surfaces as NoSuchFileException of the file itself: say which part is missing.
        if (f instanceof NoSuchFileException && !file.isEmpty()) {
            Path parent = Path.of(file).toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                what = "no such file or directory (directory " + parent + " does not exist)";
            }
        }
        return file.isEmpty() ? what : file + other + ": " + what;
    }
}
