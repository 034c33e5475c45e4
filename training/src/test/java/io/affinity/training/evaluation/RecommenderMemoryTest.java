package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class RecommenderMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    /** The 50,000-item shop's counts (benchmarks/RESULTS.md, "Large catalogues"). */
    private static RecommenderMemory shop(long before, long validation, long season, int block) {
        return new RecommenderMemory(before, validation, season, 175_979, 45_034, 11, 50, 50, block, 10_000, 2);
    }

    @Test
    void theTuningGrowsWithTheWindowsCustomersButTheBlockNotWithThem() {
        RecommenderMemory small = shop(0, 44_000, 45_000, 10_000);
        RecommenderMemory twice = shop(0, 88_000, 90_000, 10_000);
        assertTrue(twice.tuningBytes() > small.tuningBytes(), "runs and the blend's table grow with customers");
        // The block's tables and features are the same whatever the windows' size once both exceed a block.
        long perCustomerSmall = small.tuningBytes() - shop(0, 44_000, 45_000, 1).tuningBytes();
        long perCustomerTwice = twice.tuningBytes() - shop(0, 88_000, 90_000, 1).tuningBytes();
        assertEquals(perCustomerSmall, perCustomerTwice, "a block of 10,000 costs the same in both");
        assertTrue(perCustomerSmall > 300 * MIB && perCustomerSmall < 1000 * MIB,
                "a block of 10,000 customers' tables and features: " + perCustomerSmall / MIB + " MiB");
        assertEquals(247, small.tableCandidates(), "45% of 11 models x 50 candidates");
        assertEquals(7, new RecommenderMemory(0, 10, 0, 10, 7, 11, 50, 50, 10, 10, 1).tableCandidates(),
                "never more candidates than items");
    }

    /**
     * The 50,000-item shop's counts as train found them (93,938 validation and 75,508 season-window customers, 583 MiB
     * in use before the step): its run went through in the default heap of 6,028 MiB, at a heap after collections of
     * up to 5,323 MiB; so the estimate lets it run, with the warning, and stops it at 3 GiB.
     */
    @Test
    void theMeasuredShopFitsTheDefaultHeapWithAWarningAndNot3Gib() {
        RecommenderMemory need = shop(583 * MIB, 93_938, 75_508, 10_000);
        long defaultHeap = 6_028 * MIB;
        assertNull(need.tooLarge(defaultHeap), need.describe(defaultHeap));
        assertTrue(need.bytes() > 5_000 * MIB, "at least the live peak: " + need.bytes() / MIB);
        assertTrue(need.describe(defaultHeap).contains("WARNING"), need.describe(defaultHeap));
        assertTrue(need.tooLarge(3_072 * MIB) != null);
    }

    @Test
    void whatRanBeforeAndTheHeadroomCount() {
        RecommenderMemory none = shop(0, 44_000, 45_000, 10_000);
        RecommenderMemory withBefore = shop(GIB, 44_000, 45_000, 10_000);
        assertEquals((long) (GIB * RecommenderMemory.HEADROOM), withBefore.bytes() - none.bytes(), 1.0);
        assertEquals((long) (Math.max(none.tuningBytes(), none.servingBytes()) * RecommenderMemory.HEADROOM),
                none.bytes());
    }

    @Test
    void aHeapTooSmallGetsOneLineNamingTheSizeToGive() {
        RecommenderMemory need = shop(GIB, 44_000, 45_000, 10_000);
        long bytes = need.bytes();
        assertNull(need.tooLarge(bytes), "exactly enough");
        String line = need.tooLarge(bytes - 1);
        assertTrue(line != null && !line.contains("\n"), "one line: " + line);
        String gib = "-Xmx" + ((bytes + GIB - 1) / GIB) + "g";
        assertEquals(gib, need.suggestedHeap(), "rounded up to whole GiB");
        assertTrue(line.contains("AFFINITY_JAVA_OPTS=" + gib), line);
        assertTrue(line.contains("--recommender rules"), line);
        assertTrue(line.contains("175,979 customers served"), line);
    }

    @Test
    void theProgressLineWarnsWithinAFifthOfTheHeap() {
        RecommenderMemory need = shop(GIB, 44_000, 45_000, 10_000);
        long bytes = need.bytes();
        assertEquals(1, need.describe(bytes * 2).lines().count(), "room to spare: " + need.describe(bytes * 2));
        String close = need.describe(bytes + bytes / 10);
        assertEquals(2, close.lines().count(), close);
        assertTrue(close.lines().toList().get(1).startsWith("memory: WARNING: "), close);
        long moreGib = (bytes + bytes / 10 + GIB - 1) / GIB + 1;
        assertTrue(close.endsWith("give it AFFINITY_JAVA_OPTS=-Xmx" + moreGib + "g"),
                "a GiB beyond the heap: " + close);
    }

    /** The 50,000-item shop's counts as evaluate would see them: no list served, its test customers measured. */
    private static RecommenderMemory evaluateShop(long tested) {
        return new RecommenderMemory(583 * MIB, 93_938, 75_508, 170_000, tested, 45_034, 11, 50, 20, 10_000, 10_000,
                2);
    }

    /**
     * evaluate's last phase measures its test customers instead of serving: it grows with them, never counts the
     * served lists, and its lines name evaluate, the test customers and its own way out (--no-season-window).
     */
    @Test
    void evaluateIsEstimatedByItsTestCustomersAndSaysSo() {
        RecommenderMemory few = evaluateShop(1_000);
        RecommenderMemory many = evaluateShop(90_000);
        assertEquals(0, few.servingBytes(), "evaluate serves no list");
        assertEquals(0, shop(0, 44_000, 45_000, 10_000).testingBytes(), "train measures no test");
        assertTrue(many.testingBytes() > few.testingBytes() + 89_000L * 11 * RecommenderMemory.RUN_FIXED,
                "every model's run per test customer, at least");
        assertEquals((long) ((583 * MIB + Math.max(many.tuningBytes(), many.testingBytes()))
                * RecommenderMemory.HEADROOM), many.bytes(), "the larger of tuning and test");
        RecommenderMemory testHeavy = new RecommenderMemory(0, 1_000, 0, 170_000, 90_000, 45_034, 11, 50, 20, 10_000,
                10_000, 2);
        assertEquals((long) (testHeavy.testingBytes() * RecommenderMemory.HEADROOM), testHeavy.bytes(),
                "few validation customers, many test ones: the test decides");
        String line = many.describe(100 * GIB);
        assertTrue(line.startsWith("memory: evaluate needs about "), line);
        assertTrue(line.contains("90,000 test customers") && !line.contains("served"), line);
        String stop = many.tooLarge(GIB);
        assertTrue(stop.startsWith("the heap is too small for evaluate: it needs about "), stop);
        assertTrue(stop.contains("AFFINITY_JAVA_OPTS=" + many.suggestedHeap() + ", or evaluate with "
                + "--no-season-window"), stop);
        assertTrue(!stop.contains("--recommender"), "no such option in evaluate: " + stop);
        RecommenderMemory noSeason = new RecommenderMemory(0, 93_938, 0, 170_000, 90_000, 45_034, 11, 50, 20, 10_000,
                10_000, 2);
        assertTrue(!noSeason.tooLarge(GIB).contains("--no-season-window"), "nothing to drop: "
                + noSeason.tooLarge(GIB));
    }

    @Test
    void refusesImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> shop(0, -1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> shop(0, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> evaluateShop(-1));
    }
}
