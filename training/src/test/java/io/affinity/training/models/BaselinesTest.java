package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
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
        Popularity seg = Popularity.bySegment(x, 1);
        seg.score(2, out);
        assertEquals(1, TopK.select(out, 1, null)[0]);
        seg.score(0, out);
        assertEquals(0, TopK.select(out, 1, null)[0]);
        assertTrue(out[1] > out[2], "global popularity orders items the country never bought");
    }

    /**
     * A country of fewer customers than the minimum gets global popularity: its own list would be its few
     * customers' purchases shown to each other. Twelve UK customers buy item 0 (item 1 once more among them);
     * two Icelandic customers buy item 2.
     */
    @Test
    void aCountryBelowTheMinimumSizeGetsGlobalPopularity() {
        Interactions.Builder b = new Interactions.Builder(14, 3, 0);
        for (int u = 0; u < 12; u++) {
            b.add(u, 0, u, 0).segment(u, "UK");
        }
        b.add(0, 1, 20, 0).add(12, 2, 12, 0).add(13, 2, 13, 0).add(13, 1, 14, 0);
        Interactions x = b.segment(12, "IS").segment(13, "IS").build();
        float[] iceland = new float[3];
        float[] global = new float[3];
        Popularity.bySegment(x, 10).score(12, iceland);
        Popularity.global(x).score(12, global);
        assertArrayEquals(global, iceland, 0f, "Iceland's two customers get global popularity");
        assertEquals(0, TopK.select(iceland, 1, null)[0]);
        float[] uk = new float[3];
        Popularity.bySegment(x, 10).score(0, uk);
        assertTrue(uk[0] > uk[1] && uk[1] > uk[2], "the UK's twelve rank by the UK's purchases, then global");
        Popularity.bySegment(x, 2).score(12, iceland);
        assertEquals(2, TopK.select(iceland, 1, null)[0], "with a minimum of 2, Iceland has its own list");
        assertEquals(10, Popularity.MIN_SEGMENT_CUSTOMERS);
    }

    /** Purchases at the given ages (days before a reference time 400 days after the epoch), one order each. */
    private static Interactions aged(int users, int items, int[][] userItemAge) {
        Interactions.Builder b = new Interactions.Builder(users, items, 400 * DAY);
        int order = 0;
        for (int[] e : userItemAge) {
            b.add(e[0], e[1], order++, (400 - e[2]) * DAY);
        }
        return b.build();
    }

    // Horizon 90 days: the season is ages (275, 365]. Customer 0 is new in the season (first purchase at 300),
    // customer 1 bought before it (380), customer 2 is new in it (290) and buys item 2 twice there, customer 3
    // only buys recently.
    private static final int[][] SEASON = {{0, 0, 300}, {0, 1, 10}, {1, 1, 380}, {1, 2, 300}, {2, 2, 290},
        {2, 2, 280}, {2, 0, 5}, {3, 3, 5}, {3, 1, 5}};

    @Test
    void seasonalPopularityCountsCustomersInTheSameWindowAYearEarlier() {
        float[] out = new float[4];
        Popularity.seasonal(aged(4, 4, SEASON), 90).score(3, out);
        // seasonal buyers (item 0: customer 0; item 2: customers 1 and 2) plus half the global count
        // (2, 3, 2, 1 customers) over its maximum (3)
        assertArrayEquals(new float[] {1 + 1f / 3, 0.5f, 2 + 1f / 3, 1f / 6}, out, 1e-6f);
    }

    @Test
    void seasonalFirstTimePopularityCountsOnlyCustomersNewInThatWindow() {
        float[] out = new float[4];
        Popularity.seasonalFirstTime(aged(4, 4, SEASON), 90).score(0, out);
        // first-time buyers in the season: customers 0 (item 0) and 2 (item 2); ties ordered by the seasonal
        // scores above scaled to at most half a buyer
        float maxSeason = 2 + 1f / 3;
        assertArrayEquals(new float[] {1 + 0.5f * (1 + 1f / 3) / maxSeason, 0.5f * 0.5f / maxSeason, 1.5f,
            0.5f * (1f / 6) / maxSeason}, out, 1e-6f);
    }

    @Test
    void seasonalPopularityWithoutHistoryAYearBackRanksLikeGlobalPopularity() {
        Interactions x = aged(4, 4, new int[][] {{0, 0, 10}, {1, 0, 20}, {2, 0, 30}, {0, 2, 10}, {1, 2, 40},
            {3, 1, 100}});
        float[] season = new float[4];
        float[] global = new float[4];
        Popularity.seasonal(x, 90).score(0, season);
        Popularity.global(x).score(0, global);
        assertArrayEquals(TopK.select(global, 4, null), TopK.select(season, 4, null));
        assertArrayEquals(new int[] {0, 2, 1, 3}, TopK.select(season, 4, null));
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
