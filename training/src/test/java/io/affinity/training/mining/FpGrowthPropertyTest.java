package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.affinity.testing.FuzzTest;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * FP-growth and rule generation against brute force on many small random databases. Every case has its own
 * seed, named in each failure message: rerun {@link #check(long)} with it to reproduce.
 */
@FuzzTest
class FpGrowthPropertyTest {
    private static final long BASE_SEED = 0x5EED_2026L;
    private static final int CASES = 600;

    @Test
    void fpGrowthAndRulesMatchBruteForceOnRandomDatabases() {
        for (int i = 0; i < CASES; i++) {
            check(BASE_SEED + i);
        }
    }

    static void check(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int itemCount = 1 + rnd.nextInt(12);
        int transactions = rnd.nextInt(61);
        // Sometimes small ids, sometimes sparse large ones, so that recoding to dense codes is exercised.
        int idRange = rnd.nextBoolean() ? itemCount + rnd.nextInt(5) : 1 + rnd.nextInt(100_000);
        int[] ids = rnd.ints(0, Math.max(idRange, itemCount)).distinct().limit(itemCount).toArray();
        // Per-item probabilities: mixes very common, rare and (sometimes) ubiquitous items.
        double base = 0.05 + 0.9 * rnd.nextDouble();
        double[] p = new double[itemCount];
        for (int k = 0; k < itemCount; k++) {
            p[k] = rnd.nextInt(8) == 0 ? 1.0 : Math.min(1, base * (0.3 + 1.4 * rnd.nextDouble()));
        }
        TransactionDatabase.Builder builder = TransactionDatabase.builder();
        int[] buf = new int[itemCount * 2];
        for (int t = 0; t < transactions; t++) {
            int len = 0;
            for (int k = 0; k < itemCount; k++) {
                if (rnd.nextDouble() < p[k]) {
                    buf[len++] = ids[k];
                    if (rnd.nextInt(10) == 0) {
                        buf[len++] = ids[k]; // duplicates must not count twice
                    }
                }
            }
            shuffle(buf, len, rnd);
            builder.add(buf, 0, len);
        }
        TransactionDatabase db = builder.build();
        long minSupportCount = switch (rnd.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + rnd.nextInt(3);
            default -> 1 + rnd.nextInt(Math.max(1, transactions + 2));
        };
        int maxLength = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(itemCount) : 0;
        String where = "seed=" + seed + " items=" + itemCount + " transactions=" + transactions
                + " minSupportCount=" + minSupportCount + " maxLength=" + maxLength;

        BruteForce brute = new BruteForce(db);
        Map<Integer, Long> expected = brute.frequent(minSupportCount, maxLength);
        FpGrowth miner = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(maxLength).build();
        Map<Integer, Long> actual = new HashMap<>();
        miner.mine(db, (items, length, support) -> {
            assertTrue(length >= 1 && (maxLength == 0 || length <= maxLength), () -> where + " length " + length);
            for (int i = 1; i < length; i++) {
                assertTrue(items[i - 1] < items[i], () -> where + " itemset not ascending");
            }
            int[] copy = java.util.Arrays.copyOf(items, length);
            Long before = actual.put(brute.mask(copy), support);
            assertEquals(null, before, () -> where + " duplicate itemset " + java.util.Arrays.toString(copy));
        });
        assertEquals(expected, actual, () -> where + ": itemsets differ");

        FrequentItemsets all = miner.mineAll(db);
        assertEquals(expected.size(), all.size(), where);
        if (seed % 3 == 0) { // thread start-up dominates these tiny cases; a third of them is plenty
            checkParallel(db, minSupportCount, maxLength, all, expected, brute, where);
        }
        checkTargets(brute, expected, all, maxLength, where);
        checkMinedTargets(db, brute, all, minSupportCount, maxLength, seed, where);
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            assertEquals(e.getValue(), all.supportOf(brute.items(e.getKey())), where);
        }
        if (brute.universe.length > 0) {
            int infrequent = 1 + rnd.nextInt((1 << brute.universe.length) - 1);
            if (!expected.containsKey(infrequent)) {
                assertEquals(0, all.supportOf(brute.items(infrequent)), where);
            }
        }

        double[] confidences = {0, 0.3, 0.8, 1};
        double[] lifts = {0, 1, 1.5};
        double minConfidence = confidences[rnd.nextInt(4)];
        double minLift = lifts[rnd.nextInt(3)];
        RuleParameters params = new RuleParameters(minConfidence, minLift);
        checkRules(brute, expected, all, params, false, where + " " + params);
        RuleParameters pruned = new RuleParameters(minConfidence, minLift, 0, RuleMeasure.LIFT, true);
        checkRules(brute, expected, all, pruned, true, where + " " + pruned);
        RuleParameters top = new RuleParameters(minConfidence, minLift, 1 + rnd.nextInt(5),
                RuleMeasure.values()[rnd.nextInt(RuleMeasure.values().length)], rnd.nextBoolean());
        checkTopK(all, top, where + " " + top);
    }

    /** Two threads: the same itemsets in the same order for mineAll, the same set for mineParallel. */
    private static void checkParallel(TransactionDatabase db, long minSupportCount, int maxLength,
                                      FrequentItemsets single, Map<Integer, Long> expected, BruteForce brute,
                                      String where) {
        FpGrowth parallel = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(maxLength).threads(2)
                .build();
        FrequentItemsets all = parallel.mineAll(db);
        assertEquals(single.size(), all.size(), where);
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(single.itemset(i), all.itemset(i), where + " itemset " + i);
            assertEquals(single.supportCount(i), all.supportCount(i), where + " itemset " + i);
        }
        Map<Integer, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        parallel.mineParallel(db, () -> (items, length, support) -> {
            Long before = seen.put(brute.mask(java.util.Arrays.copyOf(items, length)), support);
            assertEquals(null, before, where + " duplicate in parallel run");
        });
        assertEquals(expected, seen, where + " parallel itemsets differ");
    }

    /** Closed and maximal itemsets by definition: no one-larger frequent superset (with the same support). */
    private static void checkTargets(BruteForce brute, Map<Integer, Long> frequent, FrequentItemsets all,
                                     int maxLength, String where) {
        Map<Integer, Long> closed = new HashMap<>();
        Map<Integer, Long> maximal = new HashMap<>();
        int full = (1 << brute.universe.length) - 1;
        long[] support = new long[full + 1];
        frequent.forEach((m, sup) -> support[m] = sup);
        for (Map.Entry<Integer, Long> e : frequent.entrySet()) {
            int x = e.getKey();
            boolean isClosed = true;
            boolean isMaximal = true;
            // Every proper superset that is frequent (within the length limit), not just one item larger.
            int rest = full & ~x;
            for (int add = rest; add != 0 && isClosed; add = (add - 1) & rest) {
                long sy = support[x | add];
                if (sy > 0) {
                    isMaximal = false;
                    isClosed = sy != e.getValue();
                }
            }
            if (isClosed) {
                closed.put(x, e.getValue());
            }
            if (isMaximal) {
                maximal.put(x, e.getValue());
            }
        }
        assertEquals(closed, asMap(brute, all.select(ItemsetTarget.CLOSED)), where + " closed itemsets differ");
        assertEquals(maximal, asMap(brute, all.select(ItemsetTarget.MAXIMAL)), where + " maximal itemsets differ");
        assertEquals(frequent, asMap(brute, all.select(ItemsetTarget.ALL)), where);
    }

    /**
     * Closed/maximal itemsets mined inside the recursion equal those selected from all frequent itemsets (which
     * {@link #checkTargets} checks against the definition), in the same order on one and two threads; every
     * fourth case without a length limit, so that the recursion (not the selection) is what is tested.
     */
    private static void checkMinedTargets(TransactionDatabase db, BruteForce brute, FrequentItemsets all,
                                          long minSupportCount, int maxLength, long seed, String where) {
        int length = seed % 4 == 0 ? maxLength : 0;
        FrequentItemsets reference = length == maxLength ? all
                : FpGrowth.builder().minSupportCount(minSupportCount).build().mineAll(db);
        for (ItemsetTarget target : new ItemsetTarget[] {ItemsetTarget.CLOSED, ItemsetTarget.MAXIMAL}) {
            FpGrowth one = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(length).build();
            FrequentItemsets mined = one.mine(db, target);
            assertEquals(asMap(brute, reference.select(target)), asMap(brute, mined), where + " mined " + target);
            if (seed % 3 == 0) {
                FpGrowth two = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(length).threads(2)
                        .build();
                FrequentItemsets parallel = two.mine(db, target);
                assertEquals(mined.size(), parallel.size(), where);
                for (int i = 0; i < mined.size(); i++) {
                    assertArrayEquals(mined.itemset(i), parallel.itemset(i), where + " " + target + " " + i);
                    assertEquals(mined.supportCount(i), parallel.supportCount(i), where);
                }
            }
        }
    }

    private static Map<Integer, Long> asMap(BruteForce brute, FrequentItemsets sets) {
        Map<Integer, Long> m = new HashMap<>();
        for (int i = 0; i < sets.size(); i++) {
            assertEquals(null, m.put(brute.mask(sets.itemset(i)), sets.supportCount(i)));
        }
        return m;
    }

    /** Top-k: exactly the first k of all rules sorted by the measure (ties by support, length, ids). */
    private static void checkTopK(FrequentItemsets all, RuleParameters top, String where) {
        RuleParameters unranked = new RuleParameters(top.minConfidence(), top.minLift(), 0, top.sortBy(),
                top.pruneRedundant());
        java.util.List<MinedRule> every = new java.util.ArrayList<>(RuleGenerator.generate(all, unranked));
        java.util.Comparator<MinedRule> order = java.util.Comparator
                .comparingDouble((MinedRule r) -> -top.sortBy().of(r))
                .thenComparingLong(r -> -r.supportCount())
                .thenComparingInt(MinedRule::antecedentSize)
                .thenComparing(MinedRule::antecedent, java.util.Arrays::compare)
                .thenComparingInt(MinedRule::consequent);
        every.sort(order);
        java.util.List<MinedRule> expected = every.subList(0, Math.min(top.topK(), every.size()));
        assertEquals(expected, RuleGenerator.generate(all, top), where + " top-k differs");
    }

    private static void checkRules(BruteForce brute, Map<Integer, Long> frequent, FrequentItemsets all,
                                   RuleParameters params, boolean prune, String where) {
        double n = brute.transactionMasks.length;
        long[] supportOf = prune ? brute.allSupports() : null;
        Map<Long, double[]> expected = new HashMap<>();
        for (Map.Entry<Integer, Long> e : frequent.entrySet()) {
            int x = e.getKey();
            if (Integer.bitCount(x) < 2) {
                continue;
            }
            for (int k = 0; k < brute.universe.length; k++) {
                if ((x & (1 << k)) == 0) {
                    continue;
                }
                int a = x & ~(1 << k);
                double sx = brute.support(x);
                double sa = brute.support(a);
                double sc = brute.support(1 << k);
                double conf = sx / sa;
                double lift = (sx / sa) / (sc / n);
                if (conf < params.minConfidence() || lift < params.minLift()) {
                    continue;
                }
                double leverage = sx / n - (sa / n) * (sc / n);
                double conviction = sc == n ? 1 : sx == sa ? Double.POSITIVE_INFINITY : (1 - sc / n) / (1 - conf);
                // Zhang from its definition: (conf(A=>C) - conf(not A=>C)) / max of the two.
                double confNotA = sa == n ? 0 : (sc - sx) / (n - sa);
                double zhang = sa == n ? 0 : (conf - confNotA) / Math.max(conf, confNotA);
                if (prune && redundant(supportOf, a, k, (long) sx, (long) sa)) {
                    continue;
                }
                expected.put(((long) a << 32) | k,
                        new double[] {sx, sx / n, conf, lift, leverage, conviction, zhang});
            }
        }
        Map<Long, MinedRule> actual = new HashMap<>();
        for (MinedRule r : RuleGenerator.generate(all, params)) {
            int k = java.util.Arrays.binarySearch(brute.universe, r.consequent());
            long key = ((long) brute.mask(r.antecedent()) << 32) | k;
            assertFalse(actual.containsKey(key), () -> where + " duplicate rule " + r);
            actual.put(key, r);
        }
        assertEquals(expected.keySet(), actual.keySet(), () -> where + ": rule sets differ");
        for (Map.Entry<Long, double[]> e : expected.entrySet()) {
            MinedRule r = actual.get(e.getKey());
            double[] m = e.getValue();
            assertEquals((long) m[0], r.supportCount(), where);
            close(m[1], r.support(), where + " support " + r);
            close(m[2], r.confidence(), where + " confidence " + r);
            close(m[3], r.lift(), where + " lift " + r);
            close(m[4], r.leverage(), where + " leverage " + r);
            close(m[5], r.conviction(), where + " conviction " + r);
            close(m[6], r.zhang(), where + " zhang " + r);
        }
    }

    /** Some proper non-empty subset A' of A has conf(A' => k) >= conf(A => k), compared exactly. */
    private static boolean redundant(long[] supportOf, int a, int k, long sx, long sa) {
        for (int sub = (a - 1) & a; sub != 0; sub = (sub - 1) & a) {
            long s1 = supportOf[sub | (1 << k)];
            long s2 = supportOf[sub];
            if (s1 * sa >= sx * s2) {
                return true;
            }
        }
        return false;
    }

    private static void close(double expected, double actual, String where) {
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            assertEquals(expected, actual, where);
        } else if (Math.abs(expected - actual) > 1e-9 * Math.max(1, Math.abs(expected))) {
            fail(where + ": expected " + expected + " but was " + actual);
        }
    }

    private static void shuffle(int[] a, int len, SplittableRandom rnd) {
        for (int i = len - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
