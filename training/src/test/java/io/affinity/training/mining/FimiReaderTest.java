package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class FimiReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.US_ASCII);
        return p;
    }

    @Test
    void readsTransactionsWithBlankLinesTabsCrLfAndTrailingSpaces() throws IOException {
        TransactionDatabase db = FimiReader.read(write("a.dat", "3 1 2 \n\n7\t7  5\r\n   \n10"));
        assertEquals(5, db.size());
        assertArrayEquals(new int[] {1, 2, 3}, db.transaction(0));
        assertArrayEquals(new int[0], db.transaction(1));
        assertArrayEquals(new int[] {5, 7}, db.transaction(2));
        assertArrayEquals(new int[0], db.transaction(3));
        assertArrayEquals(new int[] {10}, db.transaction(4));
    }

    /**
     * A file saved with old Mac line endings (CR alone) was one transaction of every item in the file, silently;
     * the basket reader already ended lines there. Buffer-sized padding puts a CR LF across a read boundary.
     */
    @Test
    void aCarriageReturnAloneEndsALineAndCrLfEndsOne() throws IOException {
        TransactionDatabase db = FimiReader.read(write("cr.dat", "1 2\r3 4\r\r5\r\n6"));
        assertEquals(5, db.size());
        assertArrayEquals(new int[] {1, 2}, db.transaction(0));
        assertArrayEquals(new int[] {3, 4}, db.transaction(1));
        assertArrayEquals(new int[0], db.transaction(2));
        assertArrayEquals(new int[] {5}, db.transaction(3));
        assertArrayEquals(new int[] {6}, db.transaction(4));

        String padding = " ".repeat((1 << 16) - 2);
        TransactionDatabase across = FimiReader.read(write("boundary.dat", padding + "7\r\n8\r\n"));
        assertEquals(2, across.size());
        assertArrayEquals(new int[] {8}, across.transaction(1));

        FimiFormatException e = assertThrows(FimiFormatException.class,
                () -> FimiReader.read(write("bad-cr.dat", "1\r2\r3x\r")));
        assertEquals(3, e.line());
    }

    @Test
    void trailingNewlineDoesNotAddATransaction() throws IOException {
        assertEquals(2, FimiReader.read(write("b.dat", "1\n2\n")).size());
        assertEquals(0, FimiReader.read(write("empty.dat", "")).size());
    }

    @Test
    void detectsGzipByMagicBytesNotByName() throws IOException {
        Path p = dir.resolve("plain-name.dat");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("1 2\n2 3\n".getBytes(StandardCharsets.US_ASCII));
        }
        TransactionDatabase db = FimiReader.read(p);
        assertEquals(2, db.size());
        assertArrayEquals(new int[] {2, 3}, db.transaction(1));
        // And a plain file called .gz is read as plain text.
        assertEquals(1, FimiReader.read(write("x.dat.gz", "4 5\n")).size());
    }

    @Test
    void malformedTokenNamesFileLineAndToken() throws IOException {
        Path p = write("bad.dat", "1 2\n3 4x5 6\n");
        FimiFormatException e = assertThrows(FimiFormatException.class, () -> FimiReader.read(p));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(p + ":2: "), e.getMessage());
        assertTrue(e.getMessage().contains("'4x5'"), e.getMessage());

        FimiFormatException negative = assertThrows(FimiFormatException.class,
                () -> FimiReader.read(write("neg.dat", "1\n\n-3\n")));
        assertEquals(3, negative.line());
        assertTrue(negative.getMessage().contains("'-3'"), negative.getMessage());

        FimiFormatException big = assertThrows(FimiFormatException.class,
                () -> FimiReader.read(write("big.dat", "99999999999\n")));
        assertTrue(big.getMessage().contains("larger than"), big.getMessage());
    }
}
