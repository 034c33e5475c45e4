package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The itemset file: the text the miner prepares incrementally for the writer (its fast path) must be exactly
 * the lines formatted from the itemsets the miner reports through the plain sink, in the same order, for
 * every shape of the recursion (perfect extensions, chains, a length limit) and every id length, including
 * ids beyond the writer's per-id text cache.
 */
@UnitTest
class ItemsetFileWriterTest {
    private static final int[] IDS = {0, 7, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535};
    /**
     * Ids beyond the writer's text cache (2^20 ids; one array per id, so kept to one case). Mining allocates
     * per-item tables up to the largest id, so they stay in the millions.
     */
    private static final int[] LARGE_IDS = {3, 10, 999, 65535, 1 << 20, (1 << 20) + 1, 2_000_003};

    private static TransactionDatabase randomDb(long seed, int transactions, double density) {
        return randomDb(IDS, seed, transactions, density);
    }

    private static TransactionDatabase randomDb(int[] ids, long seed, int transactions, double density) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        int[] buf = new int[ids.length + 1];
        for (int t = 0; t < transactions; t++) {
            int len = 0;
            for (int i = 0; i < ids.length; i++) {
                if (rnd.nextDouble() < density / (1 + i * 0.05)) {
                    buf[len++] = ids[i];
                }
            }
            if (seed % 2 == 0) {
                buf[len++] = 5; // in every transaction: a perfect extension of every prefix
            }
            b.add(buf, 0, len);
        }
        return b.build();
    }

    /** What a line must be, formatted the slow and obvious way. */
    private static String expectedLines(TransactionDatabase db, FpGrowth miner) {
        StringBuilder sb = new StringBuilder();
        miner.mine(db, (items, length, support) -> {
            for (int i = 0; i < length; i++) {
                sb.append(items[i]).append(' ');
            }
            sb.append("#SUP: ").append(support).append('\n');
        });
        return sb.toString();
    }

    private static String written(TransactionDatabase db, FpGrowth miner, int threads, int transactions)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ItemsetFileWriter w = new ItemsetFileWriter(bytes, db.itemBound(), transactions, 1 << 12)) {
            miner.run(db, threads, w);
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void preparedTextEqualsTheReportedItemsetsFormattedOneByOne() throws IOException {
        for (long seed = 1; seed <= 8; seed++) {
            TransactionDatabase db = randomDb(seed, 300, 0.7);
            for (int maxLength : new int[] {0, 3}) {
                FpGrowth miner = FpGrowth.builder().minSupportCount(2 + seed % 3).maxLength(maxLength).build();
                String expected = expectedLines(db, miner);
                assertTrue(expected.length() > 1000, "the case should produce a sizeable output");
                String where = "seed " + seed + ", max length " + maxLength;
                // The support text cache covers all supports, some, or none.
                for (int cache : new int[] {db.size(), 100, 0}) {
                    assertEquals(expected, written(db, miner, 1, cache), where + ", cache " + cache);
                }
                assertEquals(expected, written(db, miner, 2, db.size()), where + ", 2 threads");
            }
        }
    }

    @Test
    void idsBeyondTheTextCacheAreFormattedToo() throws IOException {
        TransactionDatabase db = randomDb(LARGE_IDS, 2, 200, 0.8);
        FpGrowth miner = FpGrowth.builder().minSupportCount(3).build();
        String expected = expectedLines(db, miner);
        assertTrue(expected.contains("2000003 "), "the case should report the largest id");
        assertEquals(expected, written(db, miner, 2, db.size()));
    }

    @Test
    void supportAndItemTextAreDecimal() {
        for (long v : new long[] {0, 1, 9, 10, 99, 100, 12345, Integer.MAX_VALUE, Long.MAX_VALUE}) {
            assertEquals("#SUP: " + v + "\n", new String(ItemsetText.support(v), StandardCharsets.US_ASCII));
            assertEquals(Long.toString(v).length(), ItemsetText.digits(v));
        }
        for (int id : new int[] {0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 123456789,
            Integer.MAX_VALUE}) {
            assertEquals(id + " ", new String(ItemsetText.item(id), StandardCharsets.US_ASCII));
            assertEquals(Integer.toString(id).length() + 1, ItemsetText.itemLength(id));
        }
    }
}
