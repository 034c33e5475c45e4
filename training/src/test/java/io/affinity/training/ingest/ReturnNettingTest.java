package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class ReturnNettingTest {

    @Test
    void takesTheLatestPurchaseAtOrBeforeTheReturnFirst() {
        long[] bought = {100, 200, 200, 300};
        double[] kept = {4, 3, 2, 5};
        // at 250: lines bought at 200 (the later-loaded first), then 100; never the one at 300
        double[] matched = ReturnNetting.net(bought, kept, new long[] {250}, new double[] {6});
        assertArrayEquals(new double[] {6}, matched);
        assertArrayEquals(new double[] {3, 0, 0, 5}, kept);
    }

    @Test
    void returnsAreTakenInTimeOrderAndWhatMatchesNothingIsLeft() {
        long[] bought = {100, 300};
        double[] kept = {2, 2};
        // loaded later but earlier in time: the return at 150 takes the purchase at 100 before the one at 400 can
        double[] matched = ReturnNetting.net(bought, kept, new long[] {400, 150, 50}, new double[] {5, 1, 1});
        assertArrayEquals(new double[] {3, 1, 0}, matched, "partly, fully, nothing (before any purchase)");
        assertArrayEquals(new double[] {0, 0}, kept);
    }

    @Test
    void onlyACustomersReturnOfAProductIsNetted() {
        IngestOptions o = IngestOptions.defaults();
        assertTrue(ReturnNetting.isReturn("17850", "85123A", -6, 2.55, o));
        assertFalse(ReturnNetting.isReturn(null, "85123A", -6, 2.55, o), "a guest's");
        assertFalse(ReturnNetting.isReturn("17850", "POST", -1, 18, o), "postage refunded");
        assertFalse(ReturnNetting.isReturn("17850", "85123A", -6, 0, o), "no price");
        assertFalse(ReturnNetting.isReturn("17850", "85123A", 0, 2.55, o), "no quantity");
    }
}
