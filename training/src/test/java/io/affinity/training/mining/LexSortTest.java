package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.affinity.testing.UnitTest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The transaction order the global tree is built from: lexicographic, a proper prefix first, ties stable. */
@UnitTest
class LexSortTest {
    @Test
    void ordersLikeALexicographicComparisonSortForAnyGroupSize() {
        SplittableRandom rnd = new SplittableRandom(11);
        // Few codes (counting passes), many codes (packed-key sorts), tiny groups (insertion sort), duplicates.
        for (int[] shape : new int[][] {{5, 2000, 6}, {3000, 4000, 12}, {40, 30, 5}, {200, 5000, 3}, {1, 100, 2}}) {
            int codes = shape[0];
            int n = shape[1];
            int maxLen = shape[2];
            int[] offsets = new int[n + 1];
            int[] items = new int[n * maxLen];
            int pos = 0;
            for (int t = 0; t < n; t++) {
                int len = rnd.nextInt(maxLen + 1);
                int[] tx = rnd.ints(len, 0, codes).sorted().distinct().toArray();
                System.arraycopy(tx, 0, items, pos, tx.length);
                pos += tx.length;
                offsets[t + 1] = pos;
            }
            Integer[] expected = new Integer[n];
            for (int t = 0; t < n; t++) {
                expected[t] = t;
            }
            Arrays.sort(expected, (a, b) -> {
                int c = Arrays.compare(Arrays.copyOfRange(items, offsets[a], offsets[a + 1]),
                        Arrays.copyOfRange(items, offsets[b], offsets[b + 1]));
                return c != 0 ? c : Integer.compare(a, b);
            });
            int[] order = new int[n];
            for (int t = 0; t < n; t++) {
                order[t] = t;
            }
            new LexSort(items, offsets, codes).sort(order);
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), order,
                    "codes " + codes + ", transactions " + n);
        }
    }
}
