package io.affinity.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A credentials file {@code serve} follows while it runs (the API keys file, the admin token file): a changed file
 * is read and put in force; one that cannot be read or is wrong leaves what is in force as it is, and says so once
 * for as long as the same problem lasts. Secrets are rotated without a restart.
 */
final class FollowedFile {
    /** Puts a changed file's content in force; throws (a user-facing message) to refuse it. */
    interface Apply {
        /** @return the line to log once the content is in force */
        String apply(byte[] content);
    }

    private final Path file;
    private final String label;
    private final String inForce;
    private final Apply apply;
    private final Runnable onRefused;
    private byte[] loadedDigest;
    private String lastProblem;

    /**
     * @param label      what the file is, for messages ("API keys file")
     * @param loadedFrom the file's bytes as read at start (what is in force)
     * @param inForce    what stays in force when a change is refused ("the API keys loaded before stay")
     * @param onRefused  counts a refusal (for the metrics)
     */
    FollowedFile(String label, Path file, byte[] loadedFrom, String inForce, Apply apply, Runnable onRefused) {
        this.label = label;
        this.file = file;
        this.inForce = inForce;
        this.apply = apply;
        this.onRefused = onRefused;
        this.loadedDigest = sha256(loadedFrom);
    }

    /** One look at the file; the line to log when something changed or failed, else null. Never throws. */
    synchronized String check() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return refused(label + " " + file + " cannot be read: " + ErrorMessages.describe(e));
        }
        byte[] digest = sha256(bytes);
        if (Arrays.equals(digest, loadedDigest)) {
            lastProblem = null;
            return null;
        }
        String done;
        try {
            done = apply.apply(bytes);
        } catch (AffinityCli.UserFacingException | IllegalArgumentException e) {
            return refused(e.getMessage());
        }
        loadedDigest = digest;
        lastProblem = null;
        return done;
    }

    private String refused(String problem) {
        if (problem.equals(lastProblem)) {
            return null;
        }
        lastProblem = problem;
        onRefused.run();
        return "affinity serve: WARNING: " + inForce + " in force: " + problem;
    }

    /**
     * A credentials file's bytes as text, decoded strictly: a Latin-1 file is refused, not read with replacement
     * characters into a key or token nobody holds. The message names the file, never its content.
     */
    static String utf8(byte[] content, String label, Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new AffinityCli.UserFacingException(label + " " + file + " is not UTF-8 text");
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
