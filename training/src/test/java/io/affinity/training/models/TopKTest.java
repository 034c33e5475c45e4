package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.affinity.testing.UnitTest;
import java.util.Random;
import java.util.stream.IntStream;
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

    @Test
    void selectAmongAHistoryRanksAsSkippingEveryOtherItem() {
        Random random = new Random(28);
        for (int round = 0; round < 200; round++) {
            int items = 1 + random.nextInt(300);
            float[] s = new float[items];
            for (int i = 0; i < items; i++) {
                // few distinct values: many ties, which go to the lower index either way
                s[i] = random.nextInt(10) == 0 ? Float.NaN : random.nextInt(8);
            }
            int[] history = IntStream.range(0, items).filter(i -> random.nextInt(4) == 0).toArray();
            boolean[] notBought = new boolean[items];
            java.util.Arrays.fill(notBought, true);
            for (int i : history) {
                notBought[i] = false;
            }
            int k = random.nextInt(12);
            assertArrayEquals(TopK.select(s, k, notBought), TopK.selectAmong(s, k, history), "round " + round);
        }
    }
}
