package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class TifuKnnTest {
    private static final long DAY = 86400;
    private static final long REFERENCE = 400 * DAY;

    /**
     * Customer 0 buys {0} 30 days ago, {0, 1} 20 days ago, {1} 10 days ago; customer 1 buys {1, 2}, customer 2
     * {2}, customer 3 {3} (5 days ago); customer 4 buys nothing.
     */
    private static Interactions data() {
        return new Interactions.Builder(5, 4, REFERENCE)
                .add(0, 0, 0, REFERENCE - 30 * DAY)
                .add(0, 0, 1, REFERENCE - 20 * DAY).add(0, 1, 1, REFERENCE - 20 * DAY)
                .add(0, 1, 2, REFERENCE - 10 * DAY)
                .add(1, 1, 3, REFERENCE - 5 * DAY).add(1, 2, 3, REFERENCE - 5 * DAY)
                .add(2, 2, 4, REFERENCE - 5 * DAY)
                .add(3, 3, 5, REFERENCE - 5 * DAY)
                .build();
    }

    // m = 2, r_b = r_g = 0.5. Customer 0 has 3 baskets, so 2 groups: newest {1} weighs 1/(2*2) = 0.25, {0, 1}
    // (second in its group) 0.5 * 0.25 = 0.125, {0} (first of the older group) 0.5 * 0.25 = 0.125. So the vector is
    // item 0: 0.25, item 1: 0.375. One basket, one group: 1/2 per item (customers 1, 2, 3).
    private static final TifuKnn.Params HAND = new TifuKnn.Params(1, 0.5, 2, 0.5, 0.5);

    @Test
    void vectorsDecayWithinAndBetweenGroups() {
        TifuKnn m = TifuKnn.fit(data(), HAND, 1);
        assertEquals(0.25f, m.ownWeight(0, 0), 1e-7f);
        assertEquals(0.375f, m.ownWeight(0, 1), 1e-7f);
        assertEquals(0f, m.ownWeight(0, 2));
        assertEquals(0.5f, m.ownWeight(1, 1), 1e-7f);
        assertEquals(0.5f, m.ownWeight(1, 2), 1e-7f);
    }

    @Test
    void neighboursAreTheMostSimilarByCosine() {
        // cos(0, 1) = 0.1875 / (sqrt(0.203125) * sqrt(0.5)) = 0.588; cos(1, 2) = 0.25 / (sqrt(0.5) * 0.5) = 0.707;
        // customer 3 shares nothing with anyone, customer 4 has no history
        TifuKnn two = TifuKnn.fit(data(), new TifuKnn.Params(2, 0.5, 2, 0.5, 0.5), 2);
        assertArrayEquals(new int[] {1}, two.neighboursOf(0));
        assertArrayEquals(new int[] {2, 0}, two.neighboursOf(1));
        assertArrayEquals(new int[] {1}, two.neighboursOf(2));
        assertArrayEquals(new int[0], two.neighboursOf(3));
        assertArrayEquals(new int[0], two.neighboursOf(4));
        assertArrayEquals(new int[] {2}, TifuKnn.fit(data(), HAND, 1).neighboursOf(1));
    }

    @Test
    void scoreMixesOwnVectorWithTheNeighboursMean() {
        float[] out = new float[4];
        TifuKnn.fit(data(), HAND, 2).score(0, out);
        // 0.5 * own + 0.5 * customer 1's vector; item 3, unscored, gets popularity (1 of 2 buyers, * 0.999) scaled
        // to half the least score (0.125)
        assertArrayEquals(new float[] {0.125f, 0.5f * 0.375f + 0.5f * 0.5f, 0.25f, 0.0625f * 0.999f * 0.5f}, out,
                1e-7f);
        assertArrayEquals(new int[] {1, 2, 0, 3}, TopK.select(out, 4, null));
    }

    @Test
    void customersWithoutNeighboursOrHistoryFallBackToPopularity() {
        float[] out = new float[4];
        TifuKnn m = TifuKnn.fit(data(), HAND, 1);
        m.score(3, out);
        assertArrayEquals(new int[] {3, 1, 2, 0}, TopK.select(out, 4, null), "own item first, then by popularity");
        m.score(4, out);
        assertArrayEquals(new float[] {0.4995f, 0.999f, 0.999f, 0.4995f}, out, 1e-7f);
    }

    @Test
    void ordersAtTheSameTimeAreOneBasket() {
        Interactions x = new Interactions.Builder(1, 2, REFERENCE)
                .add(0, 0, 0, REFERENCE - DAY).add(0, 0, 1, REFERENCE - DAY).add(0, 1, 1, REFERENCE - DAY).build();
        TifuKnn m = TifuKnn.fit(x, HAND, 1);
        assertEquals(0.5f, m.ownWeight(0, 0), 1e-7f, "one basket of one group: 1/m, counted once");
        assertEquals(0.5f, m.ownWeight(0, 1), 1e-7f);
    }

    @Test
    void rejectsOutOfRangeParameters() {
        assertThrows(IllegalArgumentException.class, () -> new TifuKnn.Params(10, 1.5, 2, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TifuKnn.Params(10, 0.5, 0, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TifuKnn.Params(10, 0.5, 2, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TifuKnn.Params(-1, 0.5, 2, 0.5, 0.5));
    }
}
