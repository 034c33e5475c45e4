package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** A client's rate: its written forms, and the token bucket its keys share, on a clock the test moves. */
@UnitTest
class RateBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void ratesAreWrittenPerSecondMinuteOrHour() {
        assertEquals(50, RequestRate.parse("50/s").perSecond());
        assertEquals(10, RequestRate.parse("600/min").perSecond(), 1e-12);
        assertEquals(0.5, RequestRate.parse("1800/h").perSecond(), 1e-12);
        assertEquals(2.5, RequestRate.parse("2.5/s").perSecond());
        for (String wrong : new String[] {"0/s", "50", "50/sec", "-1/s", "1e3/s", "50 /s", "", "/s", "5/m"}) {
            assertNull(RequestRate.parse(wrong), wrong);
        }
        assertEquals("50/s", RequestRate.parse("50/s").toString());
        assertEquals("30/min", RequestRate.parse("30/min").toString());
        assertEquals("20/h", RequestRate.parse("20/h").toString());
        assertEquals("2.5/s", RequestRate.parse("2.5/s").toString());
        assertEquals("unlimited", RequestRate.UNLIMITED.toString());
        assertThrows(IllegalArgumentException.class, () -> new RequestRate(0));
        assertThrows(IllegalArgumentException.class, () -> new RequestRate(Double.NaN));
    }

    @Test
    void aBurstOfOneSecondsWorthThenTheRate() {
        RateBucket bucket = new RateBucket(RequestRate.parse("4/s"), 0);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.take(0), "request " + i + " of the burst");
        }
        assertEquals(SECOND / 4, bucket.take(0), "the fifth waits for a token: a quarter of a second");
        assertEquals(SECOND / 8, bucket.take(SECOND / 8), "a refused request takes nothing");
        assertEquals(0, bucket.take(SECOND / 4));
        assertTrue(bucket.take(SECOND / 4) > 0);
        // Idle for a minute: back to a full burst, never more.
        long later = 60 * SECOND;
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.take(later));
        }
        assertTrue(bucket.take(later) > 0);
    }

    @Test
    void aSlowRateAllowsOneRequestThenTheRestOfItsPeriod() {
        RateBucket bucket = new RateBucket(RequestRate.parse("2/min"), 0);
        assertEquals(0, bucket.take(0));
        assertEquals(30 * SECOND, bucket.take(0));
        assertEquals(0, bucket.take(30 * SECOND));
    }

    @Test
    void aNewRateTakesEffectWithAFullBurstOfIt() {
        RateBucket bucket = new RateBucket(RequestRate.UNLIMITED, 0);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, bucket.take(0));
        }
        bucket.setRate(RequestRate.parse("2/s"), 0);
        assertEquals(0, bucket.take(0));
        assertEquals(0, bucket.take(0));
        assertTrue(bucket.take(0) > 0, "the 2/s burst spent");
        bucket.setRate(RequestRate.parse("2/s"), 0);
        assertTrue(bucket.take(0) > 0, "the same rate again changes nothing");
        // Raised while spent: the next request passes at once (the old rate's debt is not carried over).
        bucket.setRate(RequestRate.parse("3/s"), 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, bucket.take(0));
        }
        assertEquals(SECOND / 3, bucket.take(0), 1); // rounded up to the nanosecond
        bucket.setRate(RequestRate.UNLIMITED, SECOND);
        assertEquals(0, bucket.take(SECOND));
    }
}
