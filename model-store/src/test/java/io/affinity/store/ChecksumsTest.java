package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file checksum with excluded ranges (Chronicle Map's lock words): the CRC32C of the file with exactly those
 * ranges read as zeros, however the ranges fall against the 1 MiB pieces it is read in. A range read as zeros that
 * should not be is a part of the file no check covers; one not zeroed fails a snapshot a reader has opened.
 */
@UnitTest
class ChecksumsTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void theChecksumIsTheCrcOfTheFileWithExactlyTheExcludedRangesZeroed() throws Exception {
        byte[] content = new byte[2 * MIB + MIB / 2];
        new Random(30).nextBytes(content);
        Path file = Files.write(dir.resolve("data.cmap"), content);
        Manifest.ChecksumExclusion[] exclusions = {
            // ranges before, across and after the first piece boundary
            new Manifest.ChecksumExclusion("locks", MIB - 10, 700_000, 3, 40),
            // one range per half MiB: the read of the second piece must start from the right range
            new Manifest.ChecksumExclusion("locks", 100, MIB / 2, 5, 8),
            new Manifest.ChecksumExclusion("locks", 0, 16, 1, 16),
        };
        for (Manifest.ChecksumExclusion x : exclusions) {
            assertEquals(reference(content, x), Checksums.crc32c(file, x), x.toString());
        }
        assertEquals(reference(content, null), Checksums.crc32c(file, null));
    }

    @Test
    void aByteChangedInARangeIsNotSeenAndOneNextToItIs() throws Exception {
        byte[] content = new byte[4096];
        new Random(31).nextBytes(content);
        Manifest.ChecksumExclusion x = new Manifest.ChecksumExclusion("locks", 64, 512, 3, 8);
        String original = Checksums.crc32c(Files.write(dir.resolve("a"), content), x);
        long lastRange = 64 + 2 * 512;
        for (long at : new long[] {64, 64 + 7, lastRange, lastRange + 7}) {
            assertEquals(original, Checksums.crc32c(changed(content, at), x), "inside a range at " + at);
        }
        for (long at : new long[] {63, 64 + 8, lastRange - 1, lastRange + 8, 64 + 3 * 512}) {
            assertNotEquals(original, Checksums.crc32c(changed(content, at), x), "outside the ranges at " + at);
        }
    }

    @Test
    void rangesAreZeroOnlyWhenEveryByteOfEveryRangeIs() throws Exception {
        Manifest.ChecksumExclusion x = new Manifest.ChecksumExclusion("locks", 64, 512, 3, 8);
        byte[] content = new byte[4096];
        Arrays.fill(content, (byte) 1);
        for (int i = 0; i < 3; i++) {
            Arrays.fill(content, 64 + i * 512, 64 + i * 512 + 8, (byte) 0);
        }
        assertTrue(Checksums.excludedRangesAreZero(Files.write(dir.resolve("zero"), content), x));
        for (long at : new long[] {64, 64 + 7, 64 + 2 * 512 + 7}) {
            assertFalse(Checksums.excludedRangesAreZero(changed(content, at), x), "a lock word set at " + at);
        }
        // a file that ends inside the last range has no such range
        assertFalse(Checksums.excludedRangesAreZero(Files.write(dir.resolve("short"),
                Arrays.copyOf(content, 64 + 2 * 512 + 4)), x));
    }

    @Test
    void exclusionsAtTheirBoundsAreAcceptedAndPastThemRefused() {
        assertDoesNotThrow(() -> new Manifest.ChecksumExclusion("r", 0, 1, 0, 1));
        assertDoesNotThrow(() -> new Manifest.ChecksumExclusion("r", 1L << 61, 8, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", -1, 8, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", 0, 8, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", 0, 8, -1, 8));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", 0, 7, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", (1L << 61) + 1, 8, 1,
                8));
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChecksumExclusion("r", 0, (1L << 60) + 1, 2,
                8));
        assertDoesNotThrow(() -> new Manifest.ChecksumExclusion("r", 0, 1L << 60, 2, 8));
    }

    private Path changed(byte[] content, long at) throws Exception {
        byte[] copy = content.clone();
        copy[(int) at] ^= 0x5A;
        return Files.write(dir.resolve("changed"), copy);
    }

    /** The definition, in memory: zero the ranges, CRC32C the whole. */
    private static String reference(byte[] content, Manifest.ChecksumExclusion x) {
        byte[] copy = content.clone();
        if (x != null) {
            for (int i = 0; i < x.count(); i++) {
                long from = x.offset() + i * x.stride();
                Arrays.fill(copy, (int) Math.min(from, copy.length), (int) Math.min(from + x.length(), copy.length),
                        (byte) 0);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(copy);
        return String.format("%08x", crc.getValue());
    }
}
