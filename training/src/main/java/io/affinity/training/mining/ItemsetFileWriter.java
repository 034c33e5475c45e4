package io.affinity.training.mining;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Streams itemsets in the FIMI result format, {@code 38 39 #SUP: 3031}, one per line. Digits are written into
 * a byte buffer by hand: millions of lines through a Writer and String.valueOf would dominate the run time.
 */
final class ItemsetFileWriter implements ItemsetSink, Closeable {
    private static final byte[] SUPPORT_MARK = " #SUP: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private long lines;

    ItemsetFileWriter(OutputStream out) {
        this.out = out;
    }

    @Override
    public void accept(int[] items, int length, long supportCount) {
        // Worst case per item: 10 digits and a space; flush early rather than check per byte.
        if (pos + 11L * length + SUPPORT_MARK.length + 21 > buf.length) {
            flushBuffer();
            if (11L * length + SUPPORT_MARK.length + 21 > buf.length) {
                throw new IllegalArgumentException("itemset too long to write: " + length + " items");
            }
        }
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                buf[pos++] = ' ';
            }
            writeNumber(items[i]);
        }
        System.arraycopy(SUPPORT_MARK, 0, buf, pos, SUPPORT_MARK.length);
        pos += SUPPORT_MARK.length;
        writeNumber(supportCount);
        buf[pos++] = '\n';
        lines++;
    }

    long lines() {
        return lines;
    }

    private void writeNumber(long v) {
        if (v == 0) {
            buf[pos++] = '0';
            return;
        }
        int end = pos + digits(v);
        int p = end;
        while (v > 0) {
            buf[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        pos = end;
    }

    private static int digits(long v) {
        int d = 0;
        do {
            d++;
            v /= 10;
        } while (v > 0);
        return d;
    }

    private void flushBuffer() {
        try {
            out.write(buf, 0, pos);
            pos = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.write(buf, 0, pos);
            pos = 0;
            out.flush();
        } finally {
            out.close();
        }
    }
}
