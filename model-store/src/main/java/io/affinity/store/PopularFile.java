package io.affinity.store;

import io.affinity.recommender.PopularItem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * {@code popular.bin}: a tiny self-checking file in the style of a Lucene codec file.
 *
 * <pre>
 * header  := magic:int32le(0x7AFF1717), formatName:str("affinity.popular"), formatVersion:int32le
 * payload := n:var, (itemId:str, orderCount:var, customerCount:var)*n
 * footer  := footerMagic:int32le(~magic), algorithm:int32le(0 = CRC32), crc:int64le
 * </pre>
 * The CRC32 covers every byte before the CRC itself (header, payload, footer magic and algorithm id).
 */
final class PopularFile {
    static final String NAME = "popular.bin";
    static final int MAGIC = 0x7AFF1717;
    static final int FOOTER_MAGIC = ~MAGIC;
    static final String FORMAT_NAME = "affinity.popular";
    static final int FORMAT_VERSION = 1;
    static final int FOOTER_LENGTH = 16;

    private PopularFile() {
    }

    static byte[] encode(List<PopularItem> items) {
        ByteWriter w = new ByteWriter(64 + items.size() * 24);
        w.writeInt(MAGIC);
        w.writeString(FORMAT_NAME);
        w.writeInt(FORMAT_VERSION);
        w.writeVarLong(items.size());
        for (PopularItem p : items) {
            w.writeString(p.itemId());
            w.writeVarLong(p.orderCount());
            w.writeVarLong(p.customerCount());
        }
        w.writeInt(FOOTER_MAGIC);
        w.writeInt(0);
        byte[] sofar = w.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(sofar);
        w.writeLong(crc.getValue());
        return w.toByteArray();
    }

    static void write(Path file, List<PopularItem> items) throws IOException {
        Files.write(file, encode(items));
    }

    static List<PopularItem> read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file);
    }

    static List<PopularItem> decode(byte[] bytes, Path file) {
        if (bytes.length < 4 + 1 + 4 + FOOTER_LENGTH) {
            throw new CorruptSnapshotException(file, "file too short (" + bytes.length + " bytes), truncated?");
        }
        ByteReader header = new ByteReader(bytes, 0, bytes.length - FOOTER_LENGTH, file, null);
        int magic = header.readInt();
        if (magic != MAGIC) {
            throw new CorruptSnapshotException(file, String.format("bad magic 0x%08x (expected 0x%08x), not a %s file",
                    magic, MAGIC, FORMAT_NAME));
        }
        // footer before payload: a truncated or damaged file must not be decoded at all
        ByteReader footer = new ByteReader(bytes, bytes.length - FOOTER_LENGTH, bytes.length, file, null);
        int footerMagic = footer.readInt();
        int algorithm = footer.readInt();
        long stored = footer.readLong();
        if (footerMagic != FOOTER_MAGIC || algorithm != 0) {
            throw new CorruptSnapshotException(file, "bad footer (magic or checksum algorithm), truncated?");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        if (crc.getValue() != stored) {
            throw new CorruptSnapshotException(file, String.format(
                    "CRC32 mismatch, corrupted? (stored %08x, actual %08x)", stored, crc.getValue()));
        }
        header.formatVersion(FORMAT_NAME, FORMAT_VERSION);
        int n = header.readVarInt();
        if (n > bytes.length) {
            throw header.corrupt("implausible item count " + n);
        }
        PopularItem[] items = new PopularItem[n];
        try {
            for (int i = 0; i < n; i++) {
                items[i] = new PopularItem(header.readString(), header.readVarLong(), header.readVarLong());
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException(file, "invalid popular item: " + e.getMessage(), e);
        }
        header.expectEnd();
        return List.of(items);
    }
}
