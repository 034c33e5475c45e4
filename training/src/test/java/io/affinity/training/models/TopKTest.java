package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class TopKTest {
    @Test
    void bestFirstTiesToLowerIndexSkipsMasked() {
        float[] s = {0.5f, 2f, 2f, Float.NaN, 1f, 3f};
        assertArrayEquals(new int[] {5, 1, 2}, TopK.select(s, 3, null));
        boolean[] skip = {false, true, false, false, false, false};
        assertArrayEquals(new int[] {5, 2, 4, 0}, TopK.select(s, 10, skip));
        assertArrayEquals(new int[0], TopK.select(s, 0, null));
    }
}
