package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

@UnitTest
class StringInternerTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void equalBytesGiveTheSameInstanceWhereverTheyStand() {
        StringInterner interner = new StringInterner(64);
        byte[] a = utf8("xx85123Ayy");
        byte[] b = utf8("85123A");
        String first = interner.get(a, 2, 6);
        assertEquals("85123A", first);
        assertSame(first, interner.get(b, 0, b.length));
    }

    @Test
    void decodesUtf8AndTheEmptyRange() {
        StringInterner interner = new StringInterner(16);
        byte[] v = utf8("CAFÉ crème");
        assertEquals("CAFÉ crème", interner.get(v, 0, v.length));
        assertEquals("", interner.get(v, 3, 0));
    }

    @Test
    void collidingRangesNeverReturnAnotherString() {
        // two slots: most of these keys collide and replace each other; every answer must still be its own bytes
        StringInterner interner = new StringInterner(2);
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            String id = Integer.toString(random.nextInt(500));
            byte[] bytes = utf8("#" + id + "#");
            assertEquals(id, interner.get(bytes, 1, bytes.length - 2));
        }
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new StringInterner(100));
    }
}
