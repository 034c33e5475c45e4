package io.affinity.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * {@code profiles.keys} and {@code rules.keys} (format 5 on): the sorted keys of one map file of the snapshot, so
 * that visiting every entry of a published map never iterates the map. Chronicle Map iterates a segment under its
 * update lock, a bit in the shared file; a process killed while holding it leaves it set, and every later iteration
 * of that segment in any process waits for Chronicle Map's lock timeout (60 s) and fails, until the snapshot is
 * replaced. Walking this list and reading each value with {@code get} takes only read locks, which a stale update
 * lock does not block. Self-checking, in the style of {@link PopularFile}:
 *
 * <pre>
 * header  := magic:int32le(0x7AFF4B45), formatName:str("affinity.keys"), formatVersion:int32le,
 *            mapFile:str (the map file these are the keys of, e.g. "profiles.cmap"), count:int64le
 * payload := key:str * count, strictly ascending by their UTF-8 bytes compared unsigned (Unicode code point order;
 *            plain string order for ids without characters beyond U+FFFF)
 * footer  := footerMagic:int32le(~magic), algorithm:int32le(0 = CRC32), crc:int64le
 * str     := byteLength:var, UTF-8 bytes
 * </pre>
 * The CRC32 covers every byte before the CRC itself. {@link #open} checks the header, the footer, the CRC and the
 * whole payload (lengths, order, count) before anything iterates, so a damaged list fails at open, naming the file.
 * The file is then read, not mapped, in 64 KiB pieces per iteration: memory stays bounded however many keys it
 * holds, and closing the snapshot leaves nothing of it mapped.
 */
final class KeyFile implements AutoCloseable {
    static final int MAGIC = 0x7AFF4B45;
    static final int FOOTER_MAGIC = ~MAGIC;
    static final String FORMAT_NAME = "affinity.keys";
    static final int FORMAT_VERSION = 1;
    static final int FOOTER_LENGTH = 16;
    /** Longer than any id the store accepts (128 chars, at most 3 UTF-8 bytes each): longer is damage. */
    static final int MAX_KEY_BYTES = 4096;
    /** Header bytes read at open: far more than magic, format name, version, a map file name and the count take. */
    private static final int MAX_HEADER_BYTES = 1024;
    private static final int CHUNK = 1 << 16;

    /** Order of the keys in the file: their UTF-8 bytes, compared unsigned. */
    static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    private final Path file;
    private final RandomAccessFile in;
    private final long payloadStart;
    private final long payloadEnd;
    private final long count;

    private KeyFile(Path file, RandomAccessFile in, long payloadStart, long payloadEnd, long count) {
        this.file = file;
        this.in = in;
        this.payloadStart = payloadStart;
        this.payloadEnd = payloadEnd;
        this.count = count;
    }

    /** Writes the keys of {@code mapFile}, sorted in {@link #ORDER} (duplicates are an error). */
    static void write(Path file, String mapFile, Collection<String> keys) throws IOException {
        byte[][] sorted = new byte[keys.size()][];
        int n = 0;
        for (String k : keys) {
            sorted[n++] = k.getBytes(StandardCharsets.UTF_8);
        }
        Arrays.sort(sorted, ORDER);
        CRC32 crc = new CRC32();
        ByteWriter w = new ByteWriter(CHUNK + MAX_KEY_BYTES);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), CHUNK)) {
            w.writeInt(MAGIC);
            w.writeString(FORMAT_NAME);
            w.writeInt(FORMAT_VERSION);
            w.writeString(mapFile);
            w.writeLong(sorted.length);
            for (int i = 0; i < sorted.length; i++) {
                if (sorted[i].length == 0 || sorted[i].length > MAX_KEY_BYTES) {
                    throw new IllegalArgumentException(file + ": key of " + sorted[i].length + " bytes");
                }
                if (i > 0 && ORDER.compare(sorted[i - 1], sorted[i]) == 0) {
                    throw new IllegalArgumentException(file + ": duplicate key");
                }
                w.writeVarLong(sorted[i].length);
                w.writeBytes(sorted[i]);
                if (w.size() >= CHUNK) {
                    flush(w, crc, out);
                }
            }
            w.writeInt(FOOTER_MAGIC);
            w.writeInt(0);
            flush(w, crc, out);
            w.writeLong(crc.getValue());
            flush(w, null, out);
        }
    }

    private static void flush(ByteWriter w, CRC32 crc, OutputStream out) throws IOException {
        byte[] bytes = w.toByteArray();
        if (crc != null) {
            crc.update(bytes);
        }
        out.write(bytes);
        w.reset();
    }

    /**
     * Opens and checks the key file of {@code mapFile}: header, footer, CRC, and every key (length, strictly
     * ascending, exactly {@code expectedCount} of them). Throws {@link CorruptSnapshotException} naming the file.
     */
    static KeyFile open(Path file, String mapFile, long expectedCount) throws IOException {
        RandomAccessFile in = new RandomAccessFile(file.toFile(), "r");
        try {
            KeyFile k = check(file, in, mapFile, expectedCount);
            k.scan(null);
            return k;
        } catch (IOException | RuntimeException | Error e) {
            in.close();
            throw e;
        }
    }

    private static KeyFile check(Path file, RandomAccessFile in, String mapFile, long expectedCount) throws IOException {
        long size = in.length();
        int minimum = 4 + 1 + FORMAT_NAME.length() + 4 + 1 + 8 + FOOTER_LENGTH;
        if (size < minimum) {
            throw new CorruptSnapshotException(file, "file too short (" + size + " bytes), truncated?");
        }
        byte[] head = new byte[(int) Math.min(size - FOOTER_LENGTH, MAX_HEADER_BYTES)];
        in.seek(0);
        in.readFully(head);
        ByteReader header = new ByteReader(head, file, null);
        int magic = header.readInt();
        if (magic != MAGIC) {
            throw new CorruptSnapshotException(file, String.format("bad magic 0x%08x (expected 0x%08x), not a %s file",
                    magic, MAGIC, FORMAT_NAME));
        }
        // footer and CRC before the payload: a truncated or damaged file must not be decoded at all
        byte[] foot = new byte[FOOTER_LENGTH];
        in.seek(size - FOOTER_LENGTH);
        in.readFully(foot);
        ByteReader footer = new ByteReader(foot, file, null);
        int footerMagic = footer.readInt();
        int algorithm = footer.readInt();
        long stored = footer.readLong();
        if (footerMagic != FOOTER_MAGIC || algorithm != 0) {
            throw new CorruptSnapshotException(file, "bad footer (magic or checksum algorithm), truncated?");
        }
        long actual = crc32(in, size - 8);
        if (actual != stored) {
            throw new CorruptSnapshotException(file, String.format(
                    "CRC32 mismatch, corrupted? (stored %08x, actual %08x)", stored, actual));
        }
        header.formatVersion(FORMAT_NAME, FORMAT_VERSION);
        String lists = header.readString();
        if (!mapFile.equals(lists)) {
            throw new CorruptSnapshotException(file, "lists the keys of '" + lists + "', expected " + mapFile);
        }
        long count = header.readLong();
        long payloadStart = header.position();
        long payloadEnd = size - FOOTER_LENGTH;
        if (count != expectedCount) {
            throw new CorruptSnapshotException(file, "lists " + count + " keys, " + mapFile + " holds " + expectedCount);
        }
        if (count < 0 || count > payloadEnd - payloadStart) {
            throw new CorruptSnapshotException(file, "cannot hold " + count + " keys in " + (payloadEnd - payloadStart)
                    + " bytes, truncated?");
        }
        return new KeyFile(file, in, payloadStart, payloadEnd, count);
    }

    private static long crc32(RandomAccessFile in, long end) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[CHUNK];
        in.seek(0);
        for (long pos = 0; pos < end; ) {
            int n = (int) Math.min(buf.length, end - pos);
            in.readFully(buf, 0, n);
            crc.update(buf, 0, n);
            pos += n;
        }
        return crc.getValue();
    }

    /** Number of keys. */
    long count() {
        return count;
    }

    /** The file's path (for messages). */
    Path file() {
        return file;
    }

    /**
     * Visits every key in order, reading the file in 64 KiB pieces. Thread-safe: each call has its own buffer and
     * reads under the file's lock, one piece at a time (a visitor runs outside it). Damage found on the way (the
     * file changed after {@link #open}) is a {@link CorruptSnapshotException}.
     */
    void forEach(Consumer<String> visitor) {
        try {
            scan(visitor);
        } catch (IOException e) {
            throw new CorruptSnapshotException(file, "cannot read: " + e, e);
        }
    }

    /** Decodes every key, checking lengths, order and count; visits them when {@code visitor} is not null. */
    private void scan(Consumer<String> visitor) throws IOException {
        byte[] buf = new byte[CHUNK];
        byte[] previous = new byte[MAX_KEY_BYTES];
        int previousLength = -1;
        long filePos = payloadStart; // file offset of buf[limit]
        int pos = 0;
        int limit = 0;
        for (long i = 0; i < count; i++) {
            // one key is at most 3 bytes of length and MAX_KEY_BYTES of UTF-8: refill when fewer remain buffered
            if (limit - pos < 3 + MAX_KEY_BYTES && filePos < payloadEnd) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
                int n = (int) Math.min(buf.length - limit, payloadEnd - filePos);
                synchronized (in) {
                    in.seek(filePos);
                    in.readFully(buf, limit, n);
                }
                limit += n;
                filePos += n;
            }
            long at = filePos - limit + pos;
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                if (pos >= limit || shift > 14) {
                    throw corrupt(i, at, pos >= limit ? "truncated key length, truncated?" : "malformed key length");
                }
                int b = buf[pos++] & 0xFF;
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (length == 0 || length > MAX_KEY_BYTES) {
                throw corrupt(i, at, "implausible key length " + length);
            }
            if (length > limit - pos) {
                throw corrupt(i, at, "key runs past the end of the list, truncated?");
            }
            if (previousLength >= 0
                    && Arrays.compareUnsigned(previous, 0, previousLength, buf, pos, pos + length) >= 0) {
                throw corrupt(i, at, "keys are not strictly ascending");
            }
            System.arraycopy(buf, pos, previous, 0, length);
            previousLength = length;
            if (visitor != null) {
                visitor.accept(new String(buf, pos, length, StandardCharsets.UTF_8));
            }
            pos += length;
        }
        if (filePos - limit + pos != payloadEnd) {
            throw new CorruptSnapshotException(file, (payloadEnd - (filePos - limit + pos))
                    + " unexpected bytes after the last of " + count + " keys");
        }
    }

    private CorruptSnapshotException corrupt(long index, long at, String what) {
        return new CorruptSnapshotException(file, "key " + index + " at byte " + at + ": " + what);
    }

    /** Idempotent; the file is only read, so a failing close loses nothing. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read-only: nothing to flush
        }
    }
}
