package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** The driver's heap estimate against what a snapshot builder was measured to hold (benchmarks/RESULTS.md). */
@UnitTest
class DriverMemoryTest {
    @Test
    void theEstimateCoversWhatTheBuilderHeldForTheUciDataWithoutDoublingIt() {
        // spark-train on both UCI files: 5,852 customers, 480,973 history items (82.2 each), 10,354 rules, lists of 50;
        // a builder given its snapshot's contents held 23,932,592 bytes for the customers and 3,380,720 for the rules
        long measured = 23_932_592L + 3_380_720L;
        long estimate = DriverMemory.snapshotBytes(5_852, 480_973, 10_354, 50);
        assertTrue(estimate >= measured && estimate < measured * 1.3, estimate + " against " + measured);
    }

    @Test
    void aHeapTooSmallIsWarnedAboutWithTheSizeToGive() {
        // two million customers with the UCI data's habits: some 8 GB of snapshot
        String small = DriverMemory.describe(2_000_000, 164_400_000, 200_000, 50, 4L << 30);
        assertTrue(small.startsWith("driver: the snapshot it assembles will take about "), small);
        assertTrue(small.contains("\nwarning: the driver's heap is likely too small for this run"), small);
        assertTrue(small.contains("spark-submit --driver-memory"), small);
        String enough = DriverMemory.describe(5_852, 480_973, 10_354, 50, 4L << 30);
        assertFalse(enough.contains("warning"), enough);
    }
}
