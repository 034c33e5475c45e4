package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import java.util.HashSet;
import java.util.Set;
import io.affinity.recommender.ProductFamilies;
import org.junit.jupiter.api.Test;

@UnitTest
class RfmTest {
    @Test
    void tenDistinctValuesFallTwoPerQuintile() {
        double[] spend = {50, 10, 90, 30, 70, 20, 100, 40, 60, 80};
        assertArrayEquals(new int[] {3, 1, 5, 2, 4, 1, 5, 2, 3, 4}, Rfm.scores(spend, true));
    }

    @Test
    void recencyScoresReverseSoRecentIsFive() {
        double[] recencyDays = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertArrayEquals(new int[] {5, 5, 4, 4, 3, 3, 2, 2, 1, 1}, Rfm.scores(recencyDays, false));
    }

    @Test
    void tiesShareTheScoreOfTheirFirstPosition() {
        // Six one-time buyers out of ten: all score 1, and the rest start where their rank puts them.
        double[] frequency = {1, 1, 1, 1, 1, 1, 2, 2, 5, 9};
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 4, 4, 5, 5}, Rfm.scores(frequency, true));
        double[] recency = {30, 30, 30, 10, 10, 200, 200, 200, 200, 5};
        // worse = customers with strictly larger recency: 30 -> 4, 10 -> 7, 200 -> 0, 5 -> 9
        assertArrayEquals(new int[] {3, 3, 3, 4, 4, 1, 1, 1, 1, 5}, Rfm.scores(recency, false));
    }

    @Test
    void allEqualIsAllOne() {
        assertArrayEquals(new int[] {1, 1, 1}, Rfm.scores(new double[] {7, 7, 7}, true));
    }

    @Test
    void segmentGridNamesEveryCell() {
        Set<String> names = new HashSet<>();
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                String s = Rfm.segment(r, f);
                assertFalse(s.isBlank());
                names.add(s);
            }
        }
        assertEquals(Set.of("champions", "loyal", "potential_loyalists", "new_customers", "promising",
                "need_attention", "about_to_sleep", "cant_lose_them", "at_risk", "hibernating"), names);
        assertEquals("champions", Rfm.segment(5, 5));
        assertEquals("new_customers", Rfm.segment(5, 1));
        assertEquals("hibernating", Rfm.segment(1, 1));
        assertEquals("cant_lose_them", Rfm.segment(2, 5));
        assertEquals("at_risk", Rfm.segment(1, 3));
        assertThrows(IllegalArgumentException.class, () -> Rfm.segment(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Rfm.scores(new double[] {Double.NaN}, true));
    }

    /** All 25 cells against the grid in {@link Rfm#segment}'s description, written out as a table (R rows, F columns). */
    @Test
    void segmentGridIsTheDescribedTable() {
        String[][] grid = {
            {"hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"},
            {"hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"},
            {"about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"},
            {"promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"},
            {"new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"},
        };
        for (int r = 1; r <= 5; r++) {
            for (int f = 1; f <= 5; f++) {
                assertEquals(grid[r - 1][f - 1], Rfm.segment(r, f), "R" + r + " F" + f);
            }
        }
        for (int[] bad : new int[][] {{6, 3}, {3, 0}, {3, 6}}) {
            assertThrows(IllegalArgumentException.class, () -> Rfm.segment(bad[0], bad[1]));
        }
    }

    @Test
    void familiesIgnoreColourWords() {
        assertEquals("RETROSPOT MUG", ProductFamilies.familyOf("1", "RED RETROSPOT MUG"));
        assertEquals("RETROSPOT MUG", ProductFamilies.familyOf("2", "blue  retrospot mug"));
        assertEquals("#X9", ProductFamilies.familyOf("X9", ""));
        assertEquals("#X9", ProductFamilies.familyOf("X9", "PINK"));
    }
}
