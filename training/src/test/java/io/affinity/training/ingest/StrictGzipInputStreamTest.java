package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/**
 * Multi-member gzip as {@code cat a.gz b.gz} makes it reads whole, as with the JDK's reader; what follows the last
 * complete member must be nothing: the JDK's GZIPInputStream ends silently there when those bytes are not a whole
 * header, which dropped every row of a damaged or cut second member.
 */
@UnitTest
class StrictGzipInputStreamTest {
    @Test
    void concatenatedMembersReadAsTheJdkReadsThemSeeded() throws Exception {
        Random random = new Random(20261125);
        for (int round = 0; round < 40; round++) {
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            int members = 1 + random.nextInt(4);
            for (int m = 0; m < members; m++) {
                byte[] text = text(random, random.nextInt(4) == 0 ? 0 : random.nextInt(200_000));
                plain.write(text);
                file.write(gzip(text));
            }
            byte[] all = file.toByteArray();
            assertArrayEquals(plain.toByteArray(), readAll(new StrictGzipInputStream(new ByteArrayInputStream(all))),
                    "round " + round);
            assertArrayEquals(readAll(new GZIPInputStream(new ByteArrayInputStream(all))),
                    readAll(new StrictGzipInputStream(new ByteArrayInputStream(all))), "round " + round);
        }
    }

    @Test
    void whatFollowsTheLastCompleteMemberIsAnError() throws Exception {
        byte[] first = gzip("a,b\n1,2\n".getBytes());
        byte[] second = gzip(text(new Random(7), 50_000));
        // Each of these the JDK's reader ends silently after the first member.
        byte[] cutInHeader = concat(first, Arrays.copyOf(second, 8));
        byte[] damagedHeader = concat(first, second.clone());
        damagedHeader[first.length + 1] = 0x00;
        byte[] garbage = concat(first, "garbage appended to the file".getBytes());
        for (byte[] bad : new byte[][] {cutInHeader, damagedHeader, garbage}) {
            assertArrayEquals("a,b\n1,2\n".getBytes(), readAll(new GZIPInputStream(new ByteArrayInputStream(bad))));
        }
        assertThrows(EOFException.class, () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(cutInHeader))));
        IOException damaged = assertThrows(StrictGzipInputStream.TrailingDataException.class,
                () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(damagedHeader))));
        assertTrue(damaged.getMessage().contains("after the end of gzip member 1 at byte " + first.length),
                damaged.getMessage());
        assertThrows(StrictGzipInputStream.TrailingDataException.class,
                () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(garbage))));
        // Cut inside the second member's data, or a damaged trailer: errors as with the JDK's reader.
        byte[] cutInData = concat(first, Arrays.copyOf(second, second.length / 2));
        assertThrows(EOFException.class, () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(cutInData))));
        byte[] badCrc = concat(first, second.clone());
        badCrc[badCrc.length - 6] ^= 1;
        assertThrows(ZipException.class, () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(badCrc))));
        assertThrows(ZipException.class, () -> new StrictGzipInputStream(new ByteArrayInputStream("plain".getBytes())));
        assertThrows(EOFException.class, () -> new StrictGzipInputStream(new ByteArrayInputStream(new byte[] {0x1f,
            (byte) 0x8b, 8})));
    }

    @Test
    void headerFieldsAreSkippedAndTheHeaderChecksumChecked() throws Exception {
        byte[] text = "name, extra, comment and header CRC".getBytes();
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
        header.write(new byte[] {3, 0, 'x', 'y', 'z'}); // FEXTRA
        header.write("orders.csv\0".getBytes()); // FNAME
        header.write("a comment\0".getBytes()); // FCOMMENT
        CRC32 headerCrc = new CRC32();
        headerCrc.update(header.toByteArray());
        int fhcrc = (int) headerCrc.getValue() & 0xffff;
        byte[] member = member(header.toByteArray(), fhcrc, text);
        byte[] twice = concat(member, member);
        assertArrayEquals(concat(text, text), readAll(new StrictGzipInputStream(new ByteArrayInputStream(twice))));
        // the JDK reads the same member (it checks FHCRC too), so the test's header is a valid one
        assertArrayEquals(text, readAll(new GZIPInputStream(new ByteArrayInputStream(member))));

        byte[] damaged = concat(member, member(header.toByteArray(), fhcrc ^ 1, text));
        ZipException e = assertThrows(ZipException.class,
                () -> readAll(new StrictGzipInputStream(new ByteArrayInputStream(damaged))));
        assertTrue(e.getMessage().contains("member 2"), e.getMessage());
    }

    /** One gzip member: the header given, its FHCRC field, {@code text} deflated, the trailer. */
    private static byte[] member(byte[] header, int fhcrc, byte[] text) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(header);
        file.write(new byte[] {(byte) fhcrc, (byte) (fhcrc >>> 8)});
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try (DeflaterOutputStream d = new DeflaterOutputStream(file, deflater)) {
            d.write(text);
            d.finish();
            CRC32 crc = new CRC32();
            crc.update(text);
            for (long v : new long[] {crc.getValue(), text.length}) {
                for (int i = 0; i < 4; i++) {
                    file.write((int) (v >>> (8 * i)) & 0xff);
                }
            }
        }
        return file.toByteArray();
    }

    private static byte[] text(Random random, int size) {
        StringBuilder sb = new StringBuilder(size);
        while (sb.length() < size) {
            sb.append("c").append(random.nextInt(500)).append(",o").append(random.nextInt(100_000)).append(",I")
                    .append(random.nextInt(3000)).append(",1,2.50\n");
        }
        return sb.substring(0, size).getBytes();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 + new Random(1).nextInt(9000)];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }
}
