package io.affinity.training.mining;

import io.affinity.training.ingest.StrictGzipInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the FIMI benchmark format: one transaction per line, item ids as non-negative decimal ints separated by
 * spaces or tabs. Gzip is detected from the magic bytes, not the name, so renamed files still work.
 *
 * <p>A blank line is an empty transaction: the published reference counts divide by the line count.
 * A final line without a newline is still a transaction; a trailing newline does not add one. Lines end with LF,
 * CR LF or a CR alone (old Mac files, which would otherwise be one transaction of every item), as in the basket
 * reader.
 */
public final class FimiReader {
    private static final int MAX_SHOWN_TOKEN = 40;

    private FimiReader() {
    }

    public static TransactionDatabase read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return parse(StrictGzipInputStream.ifGzip(raw), file);
        }
    }

    // A hand-written byte scanner: the files are ASCII, and String splitting per line would allocate per token.
    private static TransactionDatabase parse(InputStream in, Path file) throws IOException {
        TransactionDatabase.Builder builder = TransactionDatabase.builder();
        byte[] buf = new byte[1 << 16];
        int[] line = new int[64];
        int lineLen = 0;
        long lineNo = 1;
        long value = 0;
        boolean inToken = false;
        boolean lineHasContent = false;
        int lastOfPreviousRead = -1;
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                int c = buf[i];
                if (c >= '0' && c <= '9') {
                    value = value * 10 + (c - '0');
                    if (value > Integer.MAX_VALUE) {
                        throw malformed(file, lineNo, buf, i, n, in, "item id larger than " + Integer.MAX_VALUE,
                                value / 10);
                    }
                    inToken = true;
                    lineHasContent = true;
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    if (inToken) {
                        if (lineLen == line.length) {
                            line = Arrays.copyOf(line, lineLen * 2);
                        }
                        line[lineLen++] = (int) value;
                        value = 0;
                        inToken = false;
                    }
                    if (c == '\n' && (i > 0 ? buf[i - 1] : lastOfPreviousRead) == '\r') {
                        continue; // the LF of a CR LF: the CR ended the line
                    }
                    if (c == '\n' || c == '\r') {
                        builder.add(line, 0, lineLen);
                        lineLen = 0;
                        lineNo++;
                        lineHasContent = false;
                    } else {
                        lineHasContent = true;
                    }
                } else {
                    throw malformed(file, lineNo, buf, i, n, in,
                            "expected a non-negative integer item id", inToken ? value : -1);
                }
            }
            lastOfPreviousRead = buf[n - 1];
        }
        if (inToken) {
            if (lineLen == line.length) {
                line = Arrays.copyOf(line, lineLen * 2);
            }
            line[lineLen++] = (int) value;
        }
        if (lineHasContent || lineLen > 0) {
            builder.add(line, 0, lineLen);
        }
        return builder.build();
    }

    /** Builds the error with the offending token spelled out: digits read so far plus the rest of the token. */
    private static FimiFormatException malformed(Path file, long lineNo, byte[] buf, int pos, int n, InputStream in,
                                                 String why, long digitsSoFar) throws IOException {
        StringBuilder token = new StringBuilder();
        if (digitsSoFar >= 0) {
            token.append(digitsSoFar);
        }
        int i = pos;
        while (token.length() <= MAX_SHOWN_TOKEN) {
            if (i == n) {
                n = in.read(buf);
                i = 0;
                if (n <= 0) {
                    break;
                }
            }
            int c = buf[i++] & 0xff;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                break;
            }
            token.append(c < 0x20 || c > 0x7e ? String.format("\\x%02x", c) : String.valueOf((char) c));
        }
        String shown = token.length() > MAX_SHOWN_TOKEN ? token.substring(0, MAX_SHOWN_TOKEN) + "..." : token.toString();
        return new FimiFormatException(file, lineNo, "malformed token '" + shown + "': " + why);
    }
}
