package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Which customers a canary takes: a fixed hash (so the same in every process and after restarts), stable, close to
 * the percent, and a fresh slice for each canary version.
 */
@UnitTest
class CanaryAssignmentTest {
    private static final String V1 = "20261124-090000-0c1d2e";
    private static final String V2 = "20261124-100000-1a2b3c";

    private static int murmur(String s, int seed) {
        return CanaryAssignment.murmur3(s.getBytes(StandardCharsets.UTF_8), seed);
    }

    /** The published MurmurHash3 x86_32 test vectors: the hash is the standard one, not a look-alike. */
    @Test
    void murmur3MatchesTheReferenceVectors() {
        assertEquals(0x00000000, murmur("", 0));
        assertEquals(0x514E28B7, murmur("", 1));
        assertEquals(0x81F16F39, murmur("", 0xffffffff));
        assertEquals(0x2362F9DE, CanaryAssignment.murmur3(new byte[4], 0));
        assertEquals(0x5A97808A, murmur("aaaa", 0x9747b28c));
        assertEquals(0x283E0130, murmur("aaa", 0x9747b28c));
        assertEquals(0x5D211726, murmur("aa", 0x9747b28c));
        assertEquals(0x7FA09EA6, murmur("a", 0x9747b28c));
        assertEquals(0x24884CBA, murmur("Hello, world!", 0x9747b28c));
        assertEquals(0x2FA826CD, murmur("The quick brown fox jumps over the lazy dog", 0x9747b28c));
    }

    /**
     * Pinned values: a customer's bucket must not change with the JVM, the process or a refactoring, or a
     * restart (or a second replica) would move customers between versions mid-canary.
     */
    @Test
    void bucketsArePinnedAcrossProcesses() {
        int salt = CanaryAssignment.salt(V1);
        int[] buckets = new int[6];
        String[] ids = {"17850", "13047", "C100", "K0", "cust-4711", "Ünïcødé"};
        for (int i = 0; i < ids.length; i++) {
            buckets[i] = CanaryAssignment.bucket(ids[i], salt);
        }
        assertEquals(PINNED_SALT_V1, salt);
        assertEquals(java.util.Arrays.toString(PINNED_BUCKETS_V1), java.util.Arrays.toString(buckets));
    }

    // Computed by an independent implementation (Python, from the reference algorithm), not by this one.
    private static final int PINNED_SALT_V1 = -198881583;
    private static final int[] PINNED_BUCKETS_V1 = {37, 67, 42, 57, 58, 84};

    /**
     * 10,000 synthetic ids at 10%: the count taken is Binomial(10,000, 0.1) for a uniform hash, mean 1,000 and
     * standard deviation 30; the bound is 5 standard deviations (850..1,150), which a uniform hash leaves with
     * probability under 1e-6. The ids are deterministic, so the test cannot flake: it fails only if the hash is
     * biased on ids like these (sequential, sharing a prefix, as customer ids do).
     */
    @Test
    void aTenPercentCanaryTakesCloseToTenPercentOfTenThousandIds() {
        for (String version : new String[] {V1, V2}) {
            int salt = CanaryAssignment.salt(version);
            for (String prefix : new String[] {"", "C", "cust-"}) {
                int taken = 0;
                int[] perBucket = new int[100];
                for (int i = 0; i < 10_000; i++) {
                    int b = CanaryAssignment.bucket(prefix + (10_000 + i), salt);
                    assertTrue(b >= 0 && b < 100, "bucket " + b);
                    perBucket[b]++;
                    if (b < 10) {
                        taken++;
                    }
                }
                assertTrue(taken >= 850 && taken <= 1_150, version + " '" + prefix + "': " + taken + " of 10,000");
                // every bucket used about equally: Binomial(10,000, 0.01), mean 100, sd 9.95; 6 sd over 100 buckets
                for (int b = 0; b < 100; b++) {
                    assertTrue(perBucket[b] >= 40 && perBucket[b] <= 160, "bucket " + b + ": " + perBucket[b]);
                }
            }
        }
    }

    @Test
    void theSameIdAlwaysGetsTheSameBucketAndRaisingThePercentKeepsTheSlice() {
        int salt = CanaryAssignment.salt(V1);
        for (int i = 0; i < 1_000; i++) {
            String id = "C" + i;
            int b = CanaryAssignment.bucket(id, salt);
            assertEquals(b, CanaryAssignment.bucket(new String(id.toCharArray()), CanaryAssignment.salt(V1)));
            // in at 10% implies in at 25%: a canary raised from 10 to 25 keeps every customer it had
            assertTrue(!(b < 10) || b < 25);
        }
    }

    /**
     * Another canary version takes another slice: with independent slices of 10%, the overlap of two is
     * Binomial(10,000, 0.01) (mean 100, sd 9.95), far from the 1,000 of the same slice.
     */
    @Test
    void eachCanaryVersionTakesAFreshSlice() {
        int s1 = CanaryAssignment.salt(V1);
        int s2 = CanaryAssignment.salt(V2);
        assertTrue(s1 != s2);
        int both = 0;
        for (int i = 0; i < 10_000; i++) {
            String id = "C" + (10_000 + i);
            if (CanaryAssignment.bucket(id, s1) < 10 && CanaryAssignment.bucket(id, s2) < 10) {
                both++;
            }
        }
        assertTrue(both >= 50 && both <= 150, "overlap of two 10% slices: " + both);
    }
}
