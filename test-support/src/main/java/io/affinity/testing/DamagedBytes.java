package io.affinity.testing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Byte edits and readings shared by the fuzz tests that damage files the way a crash or a careless hand does (a
 * journal cut at any byte, a stray byte inserted, one dropped), and that print the damaged bytes when a case fails.
 * Each test keeps its own choice of edits, drawn from its seeded random, so that its cases stay reproducible.
 */
public final class DamagedBytes {
    private DamagedBytes() {
    }

    /** {@code b} with {@code inserted} put in at {@code at} (0 to {@code b.length}). */
    public static byte[] inserted(byte[] b, int at, byte[] inserted) {
        byte[] c = new byte[b.length + inserted.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(inserted, 0, c, at, inserted.length);
        System.arraycopy(b, at, c, at + inserted.length, b.length - at);
        return c;
    }

    /** {@code b} without its byte at {@code at}; {@code b} itself when {@code at} is past its end. */
    public static byte[] removed(byte[] b, int at) {
        if (at >= b.length) {
            return b;
        }
        byte[] c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
        return c;
    }

    /** The lines ended by a line feed, without it (a last line without one is not whole: a torn write). */
    public static List<byte[]> wholeLines(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                out.add(Arrays.copyOfRange(b, start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** Whether {@code b} is well-formed UTF-8 (no overlong forms, surrogates or stray continuation bytes). */
    public static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * {@code bytes} as printable ASCII for a failure message: {@code \n \r \t \"} escaped, other bytes as
     * {@code \xHH}.
     */
    public static String escaped(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '"' ? "\\\""
                    : c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format(Locale.ROOT, "\\x%02X", c));
        }
        return sb.toString();
    }
}
