package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class InteractionsTest {
    @Test
    void countsOrdersNotLinesAndKeepsAges() {
        long day = 86400;
        Interactions x = new Interactions.Builder(2, 3, 10 * day)
                .add(1, 2, 7, 4 * day).add(1, 2, 7, 4 * day) // two lines of one order
                .add(1, 2, 9, 8 * day).add(0, 0, 1, 10 * day).add(1, 0, 9, 8 * day)
                .segment(0, "UK").segment(1, "France").build();
        assertEquals(3, x.nonZeros());
        assertArrayEquals(new int[] {0}, x.itemsOf(0));
        assertArrayEquals(new int[] {0, 2}, x.itemsOf(1));
        assertEquals(2, x.degreeOfItem(0));
        assertEquals(0, x.degreeOfItem(1));
        assertTrue(x.contains(1, 2));
        assertFalse(x.contains(0, 2));
        int cell = x.rowPtr[1] + 1; // user 1, item 2
        assertEquals(2f, x.count[cell]);
        assertEquals(1f + (float) Math.log(2), x.logWeight(cell), 1e-6);
        assertEquals(6f, x.eventAgeDays[x.eventPtr[cell]], 1e-6);
        assertEquals(2f, x.eventAgeDays[x.eventPtr[cell] + 1], 1e-6);
        assertEquals("France", x.segmentName(x.segmentOf(1)));
        // column view: item 0 is bought by users 0 and 1, in that order
        assertEquals(0, x.rowIdx[x.colPtr[0]]);
        assertEquals(1, x.rowIdx[x.colPtr[0] + 1]);
    }

    @Test
    void rejectsOutOfRangeIds() {
        assertThrows(IllegalArgumentException.class, () -> new Interactions.Builder(1, 1, 0).add(0, 1, 0, 0));
    }
}
