package io.affinity.store;

import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writing and opening the Chronicle Map files of a snapshot (CharSequence keys, codec-encoded byte[] values). */
final class MapFiles {
    private static final int MAX_ATTEMPTS = 4;

    private MapFiles() {
    }

    /**
     * Writes {@code entries} to a new map file sized from the data, closes it, and returns the byte ranges of its
     * segment lock words (to be excluded from the checksum). Must be called on a file in a fresh temp directory.
     */
    static Manifest.ChecksumExclusion write(Path file, String name, Map<String, byte[]> entries) throws IOException {
        long n = entries.size();
        double keyBytes = 0;
        double valueBytes = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            keyBytes += e.getKey().getBytes(StandardCharsets.UTF_8).length;
            valueBytes += e.getValue().length;
        }
        double avgKey = n == 0 ? 8 : Math.max(1, keyBytes / n);
        double avgValue = n == 0 ? 8 : Math.max(1, valueBytes / n);
        RuntimeException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Files.deleteIfExists(file);
            long capacity = (long) Math.ceil(Math.max(n, 1) * 1.05 * (1 << attempt)) + 16;
            ChronicleMapBuilder<CharSequence, byte[]> builder = ChronicleMapBuilder.of(CharSequence.class, byte[].class)
                    .name(name)
                    .entries(capacity)
                    .averageKeySize(avgKey)
                    .averageValueSize(avgValue)
                    .maxBloatFactor(4.0);
            ChronicleMap<CharSequence, byte[]> map = builder.createPersistedTo(file.toFile());
            Manifest.ChecksumExclusion exclusion;
            try {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    map.put(e.getKey(), e.getValue());
                }
                if (map.longSize() != n) {
                    throw new IllegalStateException(file + ": map holds " + map.longSize() + " entries, expected " + n);
                }
                exclusion = lockWords(map);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // a segment overflowed (skewed value sizes): retry with more room in a new file
                map.close();
                last = e;
                continue;
            } catch (RuntimeException e) {
                map.close();
                throw e;
            }
            map.close();
            if (!Checksums.excludedRangesAreZero(file, exclusion)) {
                throw new IllegalStateException(file + ": Chronicle Map lock words are not where expected ("
                        + exclusion + "); this Chronicle Map version's layout is not supported");
            }
            return exclusion;
        }
        throw new IllegalStateException(file + ": could not size Chronicle Map for " + n + " entries", last);
    }

    private static Manifest.ChecksumExclusion lockWords(ChronicleMap<?, ?> map) {
        VanillaChronicleHash<?, ?, ?, ?> h = (VanillaChronicleHash<?, ?, ?, ?>) map;
        try {
            Field f = VanillaChronicleHash.class.getDeclaredField("segmentHeaderSize");
            f.setAccessible(true);
            int stride = f.getInt(h);
            return new Manifest.ChecksumExclusion("chronicle-map segment lock words", h.segmentHeadersOffset, stride,
                    h.segments(), 8);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Chronicle Map segment layout", e);
        }
    }

    /**
     * Refuses a map file whose segment lock words hold a state no reader of a published snapshot can leave: readers
     * take read locks (lookups) and update locks (iteration) but never the write lock, and so never wait for it.
     * A set write flag, a non-zero wait count or a saturated read count (damage in these checksum-excluded bytes)
     * would make every lookup in that segment spin until Chronicle Map's lock timeout instead of failing here.
     * Layout (Chronicle Map spec 3.2, little-endian): bits 0-29 read count, 30 update flag, 31 write flag,
     * 32-63 wait count. A set update flag is not refused: another process may be iterating right now.
     */
    static void checkLockWords(Path file, Manifest.ChecksumExclusion x) throws IOException {
        if (x.length() != Long.BYTES) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < x.count(); i++) {
                long at = x.offset() + (long) i * x.stride();
                b.clear();
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        throw new CorruptSnapshotException(file, "segment lock word " + i + " lies beyond the end, truncated?");
                    }
                }
                long word = b.getLong(0);
                long readCount = word & READ_COUNT_MASK;
                if ((word & WRITE_FLAG) != 0 || (word >>> 32) != 0 || readCount == READ_COUNT_MASK) {
                    throw new CorruptSnapshotException(file, String.format("segment %d lock word 0x%016x at byte %d is"
                            + " held for writing or waited on, which no reader does: corrupted?", i, word, at));
                }
            }
        }
    }

    private static final long READ_COUNT_MASK = (1L << 30) - 1;
    private static final long WRITE_FLAG = 1L << 31;

    /**
     * Opens a published map file (its size and checksum verified). A file the system would not open (too many open
     * files, no memory to map it) is an {@link IOException} of the file, not damage: a server short of file
     * descriptors refused sound versions as corrupted, and its watcher waited for their files to change.
     */
    static ChronicleMap<CharSequence, byte[]> open(Path file) throws IOException {
        try {
            return ChronicleMapBuilder.of(CharSequence.class, byte[].class).createPersistedTo(file.toFile());
        } catch (java.io.FileNotFoundException e) {
            // RandomAccessFile's failure to open an existing file: "<path> (Too many open files)"
            String m = String.valueOf(e.getMessage());
            int reason = m.lastIndexOf(" (");
            throw new java.nio.file.FileSystemException(file.toString(), null, "cannot be opened: "
                    + (reason >= 0 && m.endsWith(")") ? m.substring(reason + 2, m.length() - 1) : m));
        } catch (IOException | RuntimeException e) {
            throw new CorruptSnapshotException(file, "cannot open Chronicle Map file: " + e, e);
        }
    }
}
