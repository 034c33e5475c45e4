package io.affinity.training.ingest;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip file of one or more members (RFC 1952; {@code cat a.gz b.gz} makes two) and refuses anything
 * after the last complete member. The JDK's {@link java.util.zip.GZIPInputStream} ends silently when the bytes after
 * a member are not a whole gzip header: a second member cut short within its header, or damaged there, dropped
 * every row after the first member without an error. Here such bytes are a {@link TrailingDataException}, a
 * member that ends early an {@link EOFException}, and a damaged one a {@link ZipException}, as the JDK reports them.
 * The deflate data is the JDK's {@link Inflater}; only the member framing is read here. (commons-compress's
 * GzipCompressorInputStream also refuses trailing bytes, but a dependency for this framing alone would sit beside
 * the older copy Spark puts on the job's class path, and its current versions pull in commons-io and commons-lang3.)
 */
public final class StrictGzipInputStream extends InputStream {
    private static final int BUFFER = 1 << 16;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int MAGIC_1 = 0x1f;
    private static final int MAGIC_2 = 0x8b;

    /** Bytes after a complete gzip member that are not another member: a damaged or truncated file. */
    public static final class TrailingDataException extends ZipException {
        TrailingDataException(String message) {
            super(message);
        }
    }

    private final PushbackInputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final CRC32 headerCrc = new CRC32(); // FHCRC: the low 16 bits of the header's CRC-32, as the JDK checks
    private final byte[] buf = new byte[BUFFER];
    private final byte[] one = new byte[1];
    private int members = 1;
    private long offset; // bytes of the compressed file consumed so far (for messages)
    private int lastInput; // bytes of buf last given to the inflater
    private boolean eof;
    private boolean closed;

    /**
     * {@code in} decompressed when it starts with gzip's magic bytes, whatever the file's name, else {@code in} itself
     * (nothing consumed). {@code in} must support mark and reset (a {@link java.io.BufferedInputStream}).
     */
    public static InputStream ifGzip(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the stream must support mark and reset");
        }
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == MAGIC_1 && b2 == MAGIC_2 ? new StrictGzipInputStream(in) : in;
    }

    /**
     * {@code raw} buffered, and decompressed when it starts with gzip's magic bytes: how every reader of a retailer's
     * file opens it (exports, the catalogue, the consent and exclusion lists, {@code mine}'s baskets). A file's name
     * says nothing reliable: a download saves {@code orders.csv.gz} as {@code orders.csv}, a plain file gets renamed
     * {@code .gz}, and one reader deciding by name while the others looked at the bytes read the same file in two ways.
     * (No text file starts with 0x1F 0x8B: a control character, then a byte no UTF-8 text begins with.)
     */
    public static InputStream openMaybeCompressed(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw, BUFFER);
        InputStream decoded;
        try {
            decoded = ifGzip(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return decoded == in ? in : new BufferedInputStream(decoded, BUFFER);
    }

    /**
     * What went wrong when reading failed with {@code e} because of the gzip data (it ends early, is damaged, or has
     * bytes after its last member), for a message that names the file; null for any other failure.
     */
    public static String failure(Throwable e) {
        if (e instanceof TrailingDataException) {
            return e.getMessage();
        }
        if (e instanceof EOFException) { // often without a message
            return "the gzip data ends early";
        }
        if (e instanceof ZipException) {
            return "the gzip data is damaged: " + e.getMessage();
        }
        return null;
    }

    /**
     * "FILE: not readable as gzip (what went wrong): the file is truncated or corrupt" when reading {@code file}
     * failed with {@code e} because of its gzip data ({@link #failure}); null for any other failure.
     */
    public static String brokenFileMessage(java.nio.file.Path file, Throwable e) {
        String why = failure(e);
        return why == null ? null : file + ": not readable as gzip (" + why + "): the file is truncated or corrupt";
    }

    /** Reads the first member's header at once: a stream that is not gzip fails here. */
    public StrictGzipInputStream(InputStream raw) throws IOException {
        this.in = new PushbackInputStream(raw, BUFFER);
        readHeader(true);
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt deflate data in gzip member " + members + ": " + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                endOfMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt deflate data in gzip member " + members + ": needs a dictionary");
            } else if (inflater.needsInput()) {
                int r = in.read(buf, 0, buf.length);
                if (r == -1) {
                    throw new EOFException("Unexpected end of ZLIB input stream");
                }
                offset += r;
                lastInput = r;
                inflater.setInput(buf, 0, r);
            }
        }
        return -1;
    }

    /** Checks the member's trailer; then either the file ends, or another whole member header must follow. */
    private void endOfMember() throws IOException {
        int rest = inflater.getRemaining();
        if (rest > 0) {
            in.unread(buf, lastInput - rest, rest); // read past the member's end: give it back
            offset -= rest;
        }
        long expectedCrc = readUInt();
        long expectedSize = readUInt();
        if (expectedCrc != crc.getValue() || expectedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
            throw new ZipException("Corrupt GZIP trailer of member " + members);
        }
        int next = in.read();
        if (next == -1) {
            eof = true;
            return;
        }
        in.unread(next);
        members++;
        inflater.reset();
        crc.reset();
        readHeader(false);
    }

    private void readHeader(boolean first) throws IOException {
        long at = offset;
        int m1 = in.read();
        int m2 = m1 == -1 ? -1 : in.read();
        if (m1 != MAGIC_1 || m2 != MAGIC_2) {
            if (first) {
                throw new ZipException("Not in GZIP format");
            }
            if (m2 == -1) {
                throw new EOFException("Unexpected end of ZLIB input stream: gzip member " + members
                        + " is cut short in its header at byte " + at);
            }
            throw new TrailingDataException("data after the end of gzip member " + (members - 1) + " at byte " + at
                    + " is not another gzip member (a damaged or truncated file, or bytes appended to it)");
        }
        offset += 2;
        headerCrc.reset();
        headerCrc.update(m1);
        headerCrc.update(m2);
        if (readByte() != 8) {
            throw new ZipException("unsupported compression method in gzip member " + members);
        }
        int flags = readByte();
        skip(6); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) {
            int extra = readByte() | readByte() << 8;
            skip(extra);
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated();
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) headerCrc.getValue() & 0xffff;
            if ((readByte() | readByte() << 8) != expected) {
                throw new ZipException("Corrupt GZIP header of member " + members + " (header checksum)");
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b == -1) {
            throw new EOFException("Unexpected end of ZLIB input stream: gzip member " + members
                    + " is cut short in its header");
        }
        offset++;
        headerCrc.update(b);
        return b;
    }

    private long readUInt() throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("Unexpected end of ZLIB input stream: gzip member " + members
                        + " is cut short in its trailer");
            }
            offset++;
            v |= (long) b << (8 * i);
        }
        return v;
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            readByte();
        }
    }

    private void skipZeroTerminated() throws IOException {
        while (readByte() != 0) {
            // the name or comment, not needed
        }
    }

    @Override
    public int available() throws IOException {
        return eof ? 0 : 1; // InflaterInputStream's convention: 1 until the end is reached
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            in.close();
        }
    }
}
