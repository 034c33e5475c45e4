package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** Transactions are stored ascending without duplicates, whether they arrive sorted or not. */
@UnitTest
class TransactionDatabaseTest {
    @Test
    void storesEachTransactionAscendingWithoutDuplicates() {
        TransactionDatabase db = TransactionDatabase.builder()
                .add(new int[] {1, 5, 9})       // already ascending: stored as is
                .add(new int[] {9, 1, 5, 1})    // unsorted with a duplicate
                .add(new int[] {2, 2, 3})       // ascending but for a duplicate
                .add(new int[] {})
                .add(new int[] {7, 3, 0, 12, 4}, 1, 4) // a range: 3, 0, 12
                .build();
        assertEquals(5, db.size());
        assertArrayEquals(new int[] {1, 5, 9}, db.transaction(0));
        assertArrayEquals(new int[] {1, 5, 9}, db.transaction(1));
        assertArrayEquals(new int[] {2, 3}, db.transaction(2));
        assertArrayEquals(new int[] {}, db.transaction(3));
        assertArrayEquals(new int[] {0, 3, 12}, db.transaction(4));
        assertEquals(13, db.itemBound());
        assertEquals(3 + 3 + 2 + 0 + 3, db.totalItems());
    }

    @Test
    void rejectsNegativeIdsSortedOrNot() {
        assertThrows(IllegalArgumentException.class, () -> TransactionDatabase.builder().add(new int[] {-1, 2}));
        assertThrows(IllegalArgumentException.class, () -> TransactionDatabase.builder().add(new int[] {2, -1}));
    }
}
