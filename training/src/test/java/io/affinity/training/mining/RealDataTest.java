package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The published FIMI reference counts (see shared/data/README.md). Skipped where the shared data is absent.
 * A sample of the reported supports is also recounted by scanning the transactions.
 */
@IntegrationTest
class RealDataTest {
    private static final ConcurrentHashMap<String, TransactionDatabase> CACHE = new ConcurrentHashMap<>();

    private static TransactionDatabase load(String name) {
        Path file = SharedData.fimiFile(name).orElse(null);
        assumeTrue(file != null, () -> name + " not found (system property affinity.shared.data="
                + System.getProperty("affinity.shared.data") + "); skipping");
        return CACHE.computeIfAbsent(name, n -> {
            try {
                return FimiReader.read(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest(name = "{0} at {1} -> {2}")
    @CsvSource({
        "retail.dat.gz,     0.001,  88162,  7589",
        "retail.dat.gz,     0.0005, 88162,  19242",
        "T10I4D100K.dat.gz, 0.001,  100000, 27532",
        "mushroom.dat.gz,   0.1,    8124,   574431",
    })
    void reproducesReferenceCounts(String file, double minSupport, int transactions, long expected) {
        TransactionDatabase db = load(file);
        assertEquals(transactions, db.size());
        long minSupportCount = FpGrowth.minSupportCount(minSupport, db.size());
        long[] count = new long[1];
        int[][] sample = new int[64][];
        long[] sampleSupport = new long[64];
        SplittableRandom rnd = new SplittableRandom(42);
        FpGrowth.builder().minSupportCount(minSupportCount).build().mine(db, (items, length, support) -> {
            count[0]++;
            int slot = rnd.nextInt(Math.toIntExact(Math.min(count[0], Integer.MAX_VALUE))); // reservoir sample
            if (count[0] <= 64 || slot < 64) {
                int k = count[0] <= 64 ? (int) count[0] - 1 : slot;
                sample[k] = java.util.Arrays.copyOf(items, length);
                sampleSupport[k] = support;
            }
        });
        assertEquals(expected, count[0]);
        for (int k = 0; k < Math.min(64, count[0]); k++) {
            assertEquals(scanSupport(db, sample[k]), sampleSupport[k], java.util.Arrays.toString(sample[k]));
        }
    }

    @ParameterizedTest(name = "{0} at {1} on two threads -> {2}")
    @CsvSource({
        "retail.dat.gz,     0.0005, 19242",
        "mushroom.dat.gz,   0.1,    574431",
    })
    void twoThreadsReproduceReferenceCounts(String file, double minSupport, long expected) {
        TransactionDatabase db = load(file);
        long minSupportCount = FpGrowth.minSupportCount(minSupport, db.size());
        java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        FpGrowth.builder().minSupportCount(minSupportCount).threads(2).build().mineParallel(db, () -> {
            return (items, length, support) -> count.incrementAndGet();
        });
        assertEquals(expected, count.get());
    }

    /** Closed/maximal itemsets from the recursion equal those selected from all frequent ones, on 1 and 2 threads. */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "retail.dat.gz,   0.0005",
        "mushroom.dat.gz, 0.2",
    })
    void closedAndMaximalMatchTheSelectionFromAllItemsets(String file, double minSupport) {
        TransactionDatabase db = load(file);
        long minSupportCount = FpGrowth.minSupportCount(minSupport, db.size());
        FrequentItemsets all = FpGrowth.builder().minSupportCount(minSupportCount).build().mineAll(db);
        for (ItemsetTarget target : new ItemsetTarget[] {ItemsetTarget.CLOSED, ItemsetTarget.MAXIMAL}) {
            java.util.Set<String> expected = asStrings(all.select(target));
            FrequentItemsets one = FpGrowth.builder().minSupportCount(minSupportCount).build().mine(db, target);
            FrequentItemsets two = FpGrowth.builder().minSupportCount(minSupportCount).threads(2).build()
                    .mine(db, target);
            assertEquals(expected, asStrings(one), target.toString());
            assertEquals(one.size(), two.size(), target.toString());
            for (int i = 0; i < one.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(one.itemset(i), two.itemset(i), target + " " + i);
                assertEquals(one.supportCount(i), two.supportCount(i), target + " " + i);
            }
        }
    }

    private static java.util.Set<String> asStrings(FrequentItemsets sets) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (int i = 0; i < sets.size(); i++) {
            out.add(java.util.Arrays.toString(sets.itemset(i)) + "#" + sets.supportCount(i));
        }
        return out;
    }

    @Test
    void mushroomItem85IsInEveryTransaction() {
        TransactionDatabase db = load("mushroom.dat.gz");
        FrequentItemsets all = FpGrowth.builder().minSupportCount(db.size()).build().mineAll(db);
        assertEquals(1, all.size());
        assertEquals(db.size(), all.supportOf(new int[] {85}));
    }

    private static long scanSupport(TransactionDatabase db, int[] sorted) {
        long s = 0;
        for (int t = 0; t < db.size(); t++) {
            int[] tx = db.transaction(t);
            int i = 0;
            for (int j = 0; j < tx.length && i < sorted.length; j++) {
                if (tx[j] == sorted[i]) {
                    i++;
                }
            }
            if (i == sorted.length) {
                s++;
            }
        }
        return s;
    }
}
