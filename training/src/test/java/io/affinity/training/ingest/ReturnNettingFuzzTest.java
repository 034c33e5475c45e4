package io.affinity.training.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.FuzzTest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 2,000 seeded random histories of one customer and item (purchases and returns at random times, many on the same
 * time, returns larger than anything bought), netted, checked against what netting promises: nothing is created or
 * lost, no line goes below 0, a return takes nothing bought after it, and a return left partly unmatched found
 * nothing left to take at or before its time; returns taken latest purchase first (checked against a brute
 * force that replays them one unit at a time); and netted as of a random time, only the returns made by then.
 */
@FuzzTest
class ReturnNettingFuzzTest {
    private static final int CASES = 2_000;

    @Test
    void nettingKeepsItsPromisesOnRandomHistories() {
        for (int seed = 0; seed < CASES; seed++) {
            Random rnd = new Random(seed);
            int n = rnd.nextInt(8);
            int m = rnd.nextInt(6);
            long[] pTime = new long[n];
            double[] bought = new double[n];
            for (int p = 0; p < n; p++) {
                pTime[p] = rnd.nextInt(10);
                bought[p] = 1 + rnd.nextInt(6);
            }
            long[] rTime = new long[m];
            double[] rQty = new double[m];
            for (int r = 0; r < m; r++) {
                rTime[r] = rnd.nextInt(12) - 1;
                rQty[r] = 1 + rnd.nextInt(9);
            }
            double[] kept = bought.clone();
            double[] matched = ReturnNetting.net(pTime, kept, rTime, rQty);
            String where = "seed " + seed + ": bought " + Arrays.toString(bought) + " at " + Arrays.toString(pTime)
                    + ", returned " + Arrays.toString(rQty) + " at " + Arrays.toString(rTime) + " -> kept "
                    + Arrays.toString(kept) + ", matched " + Arrays.toString(matched);
            double taken = 0;
            for (int p = 0; p < n; p++) {
                assertTrue(kept[p] >= 0 && kept[p] <= bought[p], where);
                taken += bought[p] - kept[p];
            }
            double sumMatched = 0;
            for (int r = 0; r < m; r++) {
                assertTrue(matched[r] >= 0 && matched[r] <= rQty[r], where);
                sumMatched += matched[r];
                if (matched[r] < rQty[r]) {
                    for (int p = 0; p < n; p++) {
                        assertTrue(pTime[p] > rTime[r] || kept[p] == 0, where + ": unmatched with goods left");
                    }
                }
            }
            assertEquals(taken, sumMatched, 1e-9, where + ": nothing created or lost");
            long lastReturn = Arrays.stream(rTime).max().orElse(Long.MIN_VALUE);
            for (int p = 0; p < n; p++) {
                if (pTime[p] > lastReturn) {
                    assertEquals(bought[p], kept[p], where + ": bought after every return");
                }
            }
            assertTrue(Arrays.equals(kept, unitByUnit(pTime, bought, rTime, rQty)), where + ": latest first");

            // as of a time (customers --calibration-end): the returns made by then netted, the later ones counted
            long asOf = rnd.nextInt(12) - 1;
            int[] lines = new int[n];
            Arrays.setAll(lines, p -> p);
            CustomerReturns group = new CustomerReturns(new int[] {0, n}, lines, pTime, new int[] {0, m}, rTime,
                    rQty, new long[0]);
            Transactions.KeptQuantities byThen = group.netUntil(asOf, bought);
            long due = Arrays.stream(rTime).filter(t -> t <= asOf).count();
            long[] dueTime = Arrays.stream(rTime).filter(t -> t <= asOf).toArray();
            double[] dueQty = new double[(int) due];
            for (int r = 0, k = 0; r < m; r++) {
                if (rTime[r] <= asOf) {
                    dueQty[k++] = rQty[r];
                }
            }
            double[] expected = unitByUnit(pTime, bought, dueTime, dueQty);
            for (int p = 0; p < n; p++) {
                assertEquals(expected[p], byThen.keptQuantityOfLine(p), where + ": as of " + asOf);
            }
            assertEquals(m - due, byThen.datedAfter(), where + ": as of " + asOf);
            assertEquals(due, byThen.netted() + byThen.unmatched(), where + ": as of " + asOf);
            Transactions.KeptQuantities all = group.netUntil(Long.MAX_VALUE, bought);
            for (int p = 0; p < n; p++) {
                assertEquals(kept[p], all.keptQuantityOfLine(p), where + ": every return");
            }
        }
    }

    /** The reference: returns in time order (then load order), each unit from the latest line bought by then. */
    private static double[] unitByUnit(long[] pTime, double[] bought, long[] rTime, double[] rQty) {
        double[] kept = bought.clone();
        Integer[] returns = new Integer[rTime.length];
        Arrays.setAll(returns, i -> i);
        Arrays.sort(returns, (a, b) -> rTime[a] != rTime[b] ? Long.compare(rTime[a], rTime[b]) : a - b);
        for (int r : returns) {
            for (int unit = 0; unit < (int) rQty[r]; unit++) {
                int best = -1;
                for (int p = 0; p < kept.length; p++) {
                    if (pTime[p] <= rTime[r] && kept[p] > 0
                            && (best < 0 || pTime[p] > pTime[best] || pTime[p] == pTime[best] && p > best)) {
                        best = p;
                    }
                }
                if (best >= 0) {
                    kept[best]--;
                }
            }
        }
        return kept;
    }
}
