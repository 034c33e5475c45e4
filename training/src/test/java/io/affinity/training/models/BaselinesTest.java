package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BaselinesTest {
    private static final long DAY = 86400;

    @Test
    void popularityCountsCustomers() {
        float[] out = new float[4];
        Popularity.global(TinyData.small()).score(0, out);
        assertArrayEquals(new float[] {3, 3, 3, 2}, out);
    }

    @Test
    void recentPopularityHalvesPerHalfLife() {
        Interactions x = new Interactions.Builder(2, 2, 20 * DAY).add(0, 0, 0, 20 * DAY).add(1, 1, 1, 10 * DAY)
                .build();
        float[] out = new float[2];
        Popularity.recent(x, 10).score(0, out);
        assertEquals(1f, out[0], 1e-6);
        assertEquals(0.5f, out[1], 1e-6);
    }

    @Test
    void countryPopularityUsesTheCustomersCountryFirst() {
        Interactions x = new Interactions.Builder(3, 3, 0).add(0, 0, 0, 0).add(1, 0, 1, 0).add(2, 1, 2, 0)
                .segment(0, "UK").segment(1, "UK").segment(2, "FR").build();
        float[] out = new float[3];
        Popularity seg = Popularity.bySegment(x);
        seg.score(2, out);
        assertEquals(1, TopK.select(out, 1, null)[0]);
        seg.score(0, out);
        assertEquals(0, TopK.select(out, 1, null)[0]);
        assertTrue(out[1] > out[2], "global popularity orders items the country never bought");
    }

    @Test
    void repeatFrequencyDecaysAndFallsBackToPopularity() {
        // user 0 bought item 2 twice long ago (60 and 30 days) and item 1 once today; item 0 is popular
        Interactions x = new Interactions.Builder(3, 3, 60 * DAY)
                .add(0, 2, 0, 0).add(0, 2, 1, 30 * DAY).add(0, 1, 2, 60 * DAY)
                .add(1, 0, 3, 0).add(2, 0, 4, 0).build();
        float[] out = new float[3];
        RepeatFrequency.fit(x, 30).score(0, out);
        assertEquals(1f + 0.25f + 0.5f, out[2], 1e-6);
        assertEquals(2f, out[1], 1e-6);
        assertArrayEquals(new int[] {1, 2, 0}, TopK.select(out, 3, null));
        assertTrue(out[0] < 1f);
    }
}
