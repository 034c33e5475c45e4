package io.affinity.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Bounds-checked cursor over one encoded value. The context (file, key) is only turned into a message on error,
 * so decoding allocates nothing beyond the decoded objects.
 */
final class ByteReader {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private final int end;
    private int pos;
    private final Path file;
    private final Object key;

    ByteReader(byte[] buf, int offset, int end, Path file, Object key) {
        this.buf = buf;
        this.pos = offset;
        this.end = end;
        this.file = file;
        this.key = key;
    }

    ByteReader(byte[] buf, Path file, Object key) {
        this(buf, 0, buf.length, file, key);
    }

    int position() {
        return pos;
    }

    /**
     * Reads the format name and version that follow a store file's magic, and checks them: the name must be
     * {@code expectedName}, the version from 1 to {@code newestKnown} ("format too new" above it). Returns the version.
     */
    int formatVersion(String expectedName, int newestKnown) {
        String name = readString();
        if (!expectedName.equals(name)) {
            throw new CorruptSnapshotException(file, "unexpected format name '" + name + "', expected " + expectedName);
        }
        int version = readInt();
        if (version > newestKnown) {
            throw new SnapshotFormatException(file, "format too new: " + expectedName + " version " + version
                    + ", this software reads up to " + newestKnown);
        }
        if (version < 1) {
            throw new CorruptSnapshotException(file, "invalid format version " + version);
        }
        return version;
    }

    CorruptSnapshotException corrupt(String what) {
        return corrupt(what, null);
    }

    CorruptSnapshotException corrupt(String what, Throwable cause) {
        return new CorruptSnapshotException(file,
                (key == null ? "" : "value of key '" + key + "': ") + what + " at offset " + pos, cause);
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw corrupt("truncated value (needs " + n + " more bytes, has " + (end - pos) + ")");
        }
    }

    int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    int readInt() {
        need(4);
        int v = (int) INT_LE.get(buf, pos);
        pos += 4;
        return v;
    }

    long readLong() {
        need(8);
        long v = (long) LONG_LE.get(buf, pos);
        pos += 8;
        return v;
    }

    double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw corrupt("malformed varint");
    }

    int readVarInt() {
        long v = readVarLong();
        if (v > Integer.MAX_VALUE) {
            throw corrupt("varint out of int range: " + v);
        }
        return (int) v;
    }

    long readZigZag() {
        long v = readVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    String readString() {
        int n = readVarInt();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** As {@link #readString()}, the interner's canonical instance for these bytes (a new string when null). */
    String readString(StringInterner interner) {
        if (interner == null) {
            return readString();
        }
        int n = readVarInt();
        need(n);
        String s = interner.get(buf, pos, n);
        pos += n;
        return s;
    }

    void expectEnd() {
        if (pos != end) {
            throw corrupt((end - pos) + " unexpected trailing bytes");
        }
    }
}
