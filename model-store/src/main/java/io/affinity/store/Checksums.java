package io.affinity.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

final class Checksums {
    private static final int CHUNK = 1 << 20;

    private Checksums() {
    }

    /** CRC32C of the file, reading the excluded ranges as zeros; 8 lower-case hex digits. */
    static String crc32c(Path file, Manifest.ChecksumExclusion exclude) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[CHUNK];
        long pos = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                if (exclude != null) {
                    zeroExcluded(buf, pos, n, exclude);
                }
                crc.update(buf, 0, n);
                pos += n;
            }
        }
        return String.format("%08x", crc.getValue());
    }

    private static void zeroExcluded(byte[] buf, long pos, int n, Manifest.ChecksumExclusion x) {
        long end = pos + n;
        // first range that may intersect [pos, end)
        long first = x.stride() <= 0 ? 0 : Math.max(0, (pos - x.offset() - x.length()) / x.stride());
        for (long i = first; i < x.count(); i++) {
            long from = x.offset() + i * x.stride();
            long to = from + x.length();
            if (from >= end) {
                break;
            }
            if (to > pos) {
                Arrays.fill(buf, (int) (Math.max(from, pos) - pos), (int) (Math.min(to, end) - pos), (byte) 0);
            }
        }
    }

    /** True when every excluded range of the file holds zeros (no lock held, as right after publishing). */
    static boolean excludedRangesAreZero(Path file, Manifest.ChecksumExclusion x) throws IOException {
        try (var ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(x.length());
            for (int i = 0; i < x.count(); i++) {
                b.clear();
                long at = x.offset() + (long) i * x.stride();
                while (b.hasRemaining()) {
                    if (ch.read(b, at + b.position()) < 0) {
                        return false;
                    }
                }
                for (int j = 0; j < x.length(); j++) {
                    if (b.get(j) != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
