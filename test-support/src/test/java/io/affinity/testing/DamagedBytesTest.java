package io.affinity.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class DamagedBytesTest {
    @Test
    void insertsAndRemovesAtEitherEnd() {
        byte[] b = ascii("abc");
        assertArrayEquals(ascii("XYabc"), DamagedBytes.inserted(b, 0, ascii("XY")));
        assertArrayEquals(ascii("abXc"), DamagedBytes.inserted(b, 2, ascii("X")));
        assertArrayEquals(ascii("abcX"), DamagedBytes.inserted(b, 3, ascii("X")));
        assertArrayEquals(ascii("bc"), DamagedBytes.removed(b, 0));
        assertArrayEquals(ascii("ab"), DamagedBytes.removed(b, 2));
        assertSame(b, DamagedBytes.removed(b, 3), "past the end: nothing to remove");
        assertArrayEquals(ascii("abc"), b, "the input is left as it was");
    }

    @Test
    void aLastLineWithoutALineFeedIsNotWhole() {
        List<byte[]> lines = DamagedBytes.wholeLines(ascii("a\n\nbc\ntorn"));
        assertEquals(3, lines.size());
        assertArrayEquals(ascii("a"), lines.get(0));
        assertArrayEquals(ascii(""), lines.get(1));
        assertArrayEquals(ascii("bc"), lines.get(2));
    }

    @Test
    void utf8IsCheckedStrictly() {
        assertTrue(DamagedBytes.isUtf8("Café 東京".getBytes(StandardCharsets.UTF_8)));
        assertFalse(DamagedBytes.isUtf8(new byte[] {'a', (byte) 0xFC}), "a byte no UTF-8 sequence starts with");
        assertFalse(DamagedBytes.isUtf8(new byte[] {(byte) 0xC3}), "a sequence cut short");
        assertFalse(DamagedBytes.isUtf8(new byte[] {(byte) 0xC0, (byte) 0xAF}), "an overlong '/'");
        assertFalse(DamagedBytes.isUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "a surrogate");
    }

    @Test
    void escapedIsPrintableAscii() {
        assertEquals("a\\tb\\n\\r\\\"\\xFC\\x00", DamagedBytes.escaped(new byte[] {'a', '\t', 'b', '\n', '\r', '"',
            (byte) 0xFC, 0}));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
