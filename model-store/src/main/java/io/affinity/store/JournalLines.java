package io.affinity.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The whole lines of an append-only journal (the consent journal, the availability journal): what servers follow
 * while they run and training reads at once. A last line without its line break is an append in progress (another
 * process's, or one a crash tore), never acknowledged, so it is not read. Training's reading of the consent journal
 * and the servers' each had a copy of this loop.
 */
public final class JournalLines {
    private JournalLines() {
    }

    /**
     * Receives one line of a journal (without its line break) and the offset after it; may refuse it (throw).
     * {@code text} is null when the line's bytes are not UTF-8, which every journal is written in: only damage
     * makes such a line, and decoded with replacement characters it would read as another customer's or item's
     * (an objection or a stock-out applied to nobody, without a word), so the reader refuses it as unreadable.
     */
    @FunctionalInterface
    public interface LineReader<E extends Exception> {
        void line(String text, long next) throws E;
    }

    /**
     * Reads the whole lines from {@code offset} to the end of the file into {@code reader} and returns the offset
     * after the last of them. What follows it is an unterminated line (a torn append, or another process's
     * append in progress), or nothing. A reader that throws stops the reading at that line: it keeps the offset
     * after the last line it accepted ({@code next}) to go on from there later.
     */
    public static <E extends Exception> long read(FileChannel ch, long offset, Path journal, LineReader<E> reader)
            throws IOException, E {
        long size = ch.size();
        if (size - offset > Integer.MAX_VALUE - 16) {
            throw new IOException(journal + " grew by more than 2 GB at once");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                break;
            }
        }
        byte[] bytes = buf.array();
        int length = buf.position();
        int start = 0;
        while (true) {
            int end = start;
            boolean ascii = true;
            while (end < length && bytes[end] != '\n') {
                ascii &= bytes[end] >= 0;
                end++;
            }
            if (end >= length) {
                return offset + start;
            }
            // ASCII is UTF-8 (most lines: ids and keys): only other lines pay for the strict decoder
            reader.line(ascii ? new String(bytes, start, end - start, StandardCharsets.US_ASCII)
                    : decode(bytes, start, end - start), offset + end + 1);
            start = end + 1;
        }
    }

    /** The line's text, or null when its bytes are not UTF-8 (strictly: no byte replaced). */
    private static String decode(byte[] bytes, int start, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
