package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Multi-threaded mining and output: the same results as one thread, the same bytes in the output file, and
 * the itemset limit, on seeded random databases big enough to have many tasks.
 */
@UnitTest
class ParallelMiningTest {
    private static TransactionDatabase randomDb(long seed, int transactions, int items, double density) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        int[] buf = new int[items];
        for (int t = 0; t < transactions; t++) {
            int len = 0;
            for (int i = 0; i < items; i++) {
                // Skewed: low ids common, high ids rare, so that trees branch and tasks differ in size.
                if (rnd.nextDouble() < density / (1 + i * 0.1)) {
                    buf[len++] = i * 7 + 3;
                }
            }
            b.add(buf, 0, len);
        }
        return b.build();
    }

    private static byte[] write(TransactionDatabase db, FpGrowth miner, int threads, long maxPending)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long count;
        try (ItemsetFileWriter w = new ItemsetFileWriter(bytes, db.itemBound(), maxPending)) {
            count = miner.run(db, threads, w);
            assertEquals(count, w.lines());
        }
        assertEquals(count, bytes.toString(java.nio.charset.StandardCharsets.US_ASCII).lines().count());
        return bytes.toByteArray();
    }

    @Test
    void outputFileIsByteIdenticalForAnyThreadCountEvenWhenWritersMustWait() throws IOException {
        for (long seed = 1; seed <= 6; seed++) {
            TransactionDatabase db = randomDb(seed, 400, 40, 0.6);
            FpGrowth miner = FpGrowth.builder().minSupportCount(3 + seed).build();
            byte[] one = write(db, miner, 1, 64L << 20);
            assertTrue(one.length > 10_000, "the case should produce a sizeable output");
            assertArrayEquals(one, write(db, miner, 2, 64L << 20), "seed " + seed + " 2 threads");
            assertArrayEquals(one, write(db, miner, 3, 64L << 20), "seed " + seed + " 3 threads");
            // A limit of 1 byte: every out-of-order chunk makes its thread wait for the head.
            assertArrayEquals(one, write(db, miner, 2, 1), "seed " + seed + " 2 threads, tiny buffer");
        }
    }

    @Test
    void mineAllWithThreadsGivesTheSingleThreadedResultInTheSameOrder() {
        TransactionDatabase db = randomDb(42, 600, 50, 0.5);
        FrequentItemsets one = FpGrowth.builder().minSupportCount(4).build().mineAll(db);
        FrequentItemsets two = FpGrowth.builder().minSupportCount(4).threads(2).build().mineAll(db);
        assertTrue(one.size() > 1000);
        assertEquals(one.size(), two.size());
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.itemset(i), two.itemset(i));
            assertEquals(one.supportCount(i), two.supportCount(i));
        }
    }

    @Test
    void itemsetLimitIsExactWithOneOrTwoThreads() {
        TransactionDatabase db = randomDb(7, 500, 40, 0.6);
        long total = FpGrowth.builder().minSupportCount(5).build().mineAll(db).size();
        assertTrue(total > 5_000, "needs more itemsets than one limit-check batch");
        for (int threads = 1; threads <= 2; threads++) {
            FpGrowth atLimit = FpGrowth.builder().minSupportCount(5).threads(threads).maxItemsets(total).build();
            assertEquals(total, atLimit.mineAll(db).size());
            FpGrowth below = FpGrowth.builder().minSupportCount(5).threads(threads).maxItemsets(total - 1).build();
            TooManyItemsetsException e = assertThrows(TooManyItemsetsException.class, () -> below.mineAll(db));
            assertEquals(total - 1, e.limit());
            assertTrue(e.getMessage().contains("raise the minimum support"), e.getMessage());
        }
    }

    @Test
    void aFailingSinkStopsEveryThreadAndIsRethrown() {
        TransactionDatabase db = randomDb(9, 300, 30, 0.6);
        FpGrowth miner = FpGrowth.builder().minSupportCount(3).threads(2).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> miner.mineParallel(db,
                () -> (items, length, support) -> {
                    if (length == 3) {
                        throw new IllegalStateException("sink full");
                    }
                }));
        assertEquals("sink full", e.getMessage());
    }
}
