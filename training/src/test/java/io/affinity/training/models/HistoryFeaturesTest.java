package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class HistoryFeaturesTest {
    private static final long DAY = 86_400;

    private static float feature(float[] out, int candidate, String name) {
        return out[candidate * HistoryFeatures.NAMES.size() + HistoryFeatures.NAMES.indexOf(name)];
    }

    @Test
    void describesTheCustomersRhythmForAnItemAndTheItemOverall() {
        // Reference time 100 days; customer 0 buys item 0 at days 30, 60, 90 (ages 70, 40, 10) and item 1 at day 90;
        // customer 1 buys item 0 once at day 95 (age 5).
        long ref = 100 * DAY;
        Interactions x = new Interactions.Builder(2, 3, ref)
                .add(0, 0, 0, 30 * DAY).add(0, 0, 1, 60 * DAY).add(0, 0, 2, 90 * DAY).add(0, 1, 2, 90 * DAY)
                .add(1, 0, 3, 95 * DAY).build();
        HistoryFeatures h = HistoryFeatures.of(x, 90);
        float[] out = new float[3 * HistoryFeatures.NAMES.size()];
        h.fill(0, new int[] {0, 1, 2}, out, HistoryFeatures.NAMES.size(), 0);

        assertEquals(1, feature(out, 0, "repeat"));
        assertEquals(3, feature(out, 0, "timesBought"));
        assertEquals(10, feature(out, 0, "daysSinceItem"), 1e-4);
        assertEquals(70, feature(out, 0, "daysSinceFirstItem"), 1e-4);
        assertEquals(30, feature(out, 0, "itemGapDays"), 1e-4);
        assertEquals(10 / 30f, feature(out, 0, "itemDueRatio"), 1e-5);
        assertEquals(1, feature(out, 0, "itemShareOfOrders"), 1e-6, "in all 3 orders");
        assertEquals(Math.pow(2, -10 / 30.0) + Math.pow(2, -40 / 30.0) + Math.pow(2, -70 / 30.0),
                feature(out, 0, "itemDecayed30"), 1e-5);
        assertEquals(HistoryFeatures.MISSING, feature(out, 1, "itemGapDays"), "bought once: no gap");
        // the customer
        assertEquals(3, feature(out, 2, "orders"));
        assertEquals(10, feature(out, 2, "daysSinceLastOrder"), 1e-4);
        assertEquals(70, feature(out, 2, "tenureDays"), 1e-4);
        assertEquals(30, feature(out, 2, "orderGapDays"), 1e-4);
        assertEquals(2, feature(out, 2, "customerItems"));
        assertEquals(0.5f, feature(out, 2, "customerRepeatShare"), 1e-6);
        // never bought by anyone / by this customer
        assertEquals(0, feature(out, 2, "repeat"));
        assertEquals(HistoryFeatures.MISSING, feature(out, 2, "daysSinceItem"));
        assertEquals(HistoryFeatures.MISSING, feature(out, 2, "itemRepurchaseRate"));
        // item 0 overall: 2 buyers, one of them repeated, 4 purchases, both bought within 30 days
        assertEquals((float) Math.log1p(2), feature(out, 0, "itemBuyersLog"), 1e-6);
        assertEquals(0.5f, feature(out, 0, "itemRepurchaseRate"), 1e-6);
        assertEquals((float) Math.log1p(2), feature(out, 0, "itemRecentBuyersLog"), 1e-6);
        assertEquals(2, feature(out, 0, "itemMeanTimesBought"), 1e-6);
    }

    @Test
    void aCustomerWithoutHistoryHasOnlyItemFeatures() {
        Interactions x = new Interactions.Builder(2, 1, 10 * DAY).add(0, 0, 0, 5 * DAY).build();
        float[] out = new float[HistoryFeatures.NAMES.size()];
        HistoryFeatures.of(x, 90).fill(1, new int[] {0}, out, HistoryFeatures.NAMES.size(), 0);
        assertEquals(0, feature(out, 0, "orders"));
        assertEquals(HistoryFeatures.MISSING, feature(out, 0, "daysSinceLastOrder"));
        assertEquals((float) Math.log1p(1), feature(out, 0, "itemBuyersLog"), 1e-6);
        // five days of history: nothing is known about a year earlier
        assertEquals(HistoryFeatures.MISSING, feature(out, 0, "itemSeasonBuyersLog"));
        assertEquals(HistoryFeatures.MISSING, feature(out, 0, "seasonTimesBought"));
        assertEquals(HistoryFeatures.MISSING, feature(out, 0, "itemSeasonLift"));
    }

    @Test
    void seasonTrendAndRepurchaseCycleFeatures() {
        // Reference day 500, horizon 90: "season" is ages (275, 365], the stretch before it ages (365, 455].
        // Customer 0 buys item 0 at ages 10 (with item 1), 300 and 400; customer 1 buys item 0 at ages 280 and 340;
        // customer 2 buys item 2 at ages 450 and 470, so the history covers the pre-season too.
        long ref = 500 * DAY;
        Interactions x = new Interactions.Builder(3, 3, ref)
                .add(0, 0, 0, ref - 10 * DAY).add(0, 1, 0, ref - 10 * DAY).add(0, 0, 1, ref - 300 * DAY)
                .add(0, 0, 2, ref - 400 * DAY).add(1, 0, 3, ref - 280 * DAY).add(1, 0, 4, ref - 340 * DAY)
                .add(2, 2, 5, ref - 450 * DAY).add(2, 2, 6, ref - 470 * DAY).build();
        HistoryFeatures h = HistoryFeatures.of(x, 90);
        int width = HistoryFeatures.NAMES.size();
        float[] c0 = new float[2 * width];
        h.fill(0, new int[] {0, 2}, c0, width, 0);
        float[] c1 = new float[width];
        h.fill(1, new int[] {0}, c1, width, 0);

        assertEquals(4 / 3f, feature(c0, 0, "basketSize"), 1e-6, "4 item purchases in 3 orders");
        // item 0: customer 0 repurchases every (400 - 10) / 2 = 195 days, customer 1 every 60
        assertEquals(127.5f, feature(c0, 0, "itemGlobalGapDays"), 1e-4);
        assertEquals(10 / 127.5f, feature(c0, 0, "itemGlobalDueRatio"), 1e-6);
        assertEquals(HistoryFeatures.MISSING, feature(c0, 1, "itemGlobalDueRatio"), "not bought by customer 0");
        // item 0 buyers: 1 in the last 90 days, none in the 90 before
        assertEquals((float) Math.log(2), feature(c0, 0, "itemTrendLog"), 1e-6);
        // a year earlier: both customers bought item 0 in the season, only customer 0 in the stretch before it
        assertEquals((float) Math.log1p(2), feature(c0, 0, "itemSeasonBuyersLog"), 1e-6);
        assertEquals((float) (Math.log1p(2) - Math.log1p(1)), feature(c0, 0, "itemSeasonLift"), 1e-6);
        assertEquals((float) (Math.log1p(2) - Math.log1p(1)), feature(c0, 0, "itemSeasonVsNowLog"), 1e-6);
        assertEquals(1, feature(c0, 0, "seasonTimesBought"));
        assertEquals(0, feature(c0, 1, "seasonTimesBought"));
        assertEquals(1, feature(c0, 0, "customerSeasonOrders"));
        assertEquals(2, feature(c1, 0, "seasonTimesBought"));
        assertEquals(2, feature(c1, 0, "customerSeasonOrders"));
        // item 2: bought only before the season
        assertEquals(0, feature(c0, 1, "itemSeasonBuyersLog"), 1e-6);
        assertEquals((float) -Math.log(2), feature(c0, 1, "itemSeasonLift"), 1e-6);
    }
}
