package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@UnitTest
class FpGrowthEdgeCaseTest {

    private static TransactionDatabase db(int[]... transactions) {
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        for (int[] t : transactions) {
            b.add(t);
        }
        return b.build();
    }

    /** "a b c:support" lines, sorted, for readable assertions. */
    private static List<String> mine(TransactionDatabase db, long minSupportCount, int maxLength) {
        List<String> out = new ArrayList<>();
        FpGrowth.builder().minSupportCount(minSupportCount).maxLength(maxLength).build()
                .mine(db, (items, length, support) -> out.add(Arrays.stream(items, 0, length)
                        .mapToObj(Integer::toString).collect(Collectors.joining(" ")) + ":" + support));
        out.sort(null);
        return out;
    }

    @Test
    void emptyDatabaseHasNoItemsets() {
        assertEquals(List.of(), mine(db(), 1, 0));
        assertEquals(0, FpGrowth.builder().minSupportCount(1).build().mineAll(db()).size());
    }

    @Test
    void onlyEmptyTransactionsHaveNoItemsets() {
        assertEquals(List.of(), mine(db(new int[0], new int[0]), 1, 0));
    }

    @Test
    void thresholdAboveTransactionCountFindsNothing() {
        TransactionDatabase db = db(new int[] {1, 2}, new int[] {1, 2});
        assertEquals(List.of(), mine(db, 3, 0));
        assertEquals(List.of(), mine(db, Long.MAX_VALUE, 0));
    }

    @Test
    void singleTransactionYieldsAllItsSubsets() {
        assertEquals(List.of("1 2 5:1", "1 2:1", "1 5:1", "1:1", "2 5:1", "2:1", "5:1"),
                mine(db(new int[] {5, 2, 1}), 1, 0));
    }

    @Test
    void itemInEveryTransactionIsCounted() {
        TransactionDatabase db = db(new int[] {85, 1}, new int[] {85, 2}, new int[] {85, 1, 2}, new int[] {85});
        assertEquals(List.of("1 85:2", "1:2", "2 85:2", "2:2", "85:4"), mine(db, 2, 0));
        assertEquals(List.of("85:4"), mine(db, 4, 0));
    }

    @Test
    void duplicateItemsInATransactionCountOnce() {
        TransactionDatabase db = db(new int[] {3, 3, 3, 7}, new int[] {7, 3, 7});
        assertArrayEquals(new int[] {3, 7}, db.transaction(0));
        assertEquals(List.of("3 7:2", "3:2", "7:2"), mine(db, 1, 0));
    }

    @Test
    void maxLengthOneGivesFrequentItemsOnly() {
        TransactionDatabase db = db(new int[] {1, 2, 3}, new int[] {1, 2}, new int[] {2, 3}, new int[] {9});
        assertEquals(List.of("1:2", "2:3", "3:2", "9:1"), mine(db, 1, 1));
        assertEquals(List.of("1 2:2", "1:2", "2 3:2", "2:3", "3:2"), mine(db, 2, 2));
    }

    @Test
    void frequentItemsetsIndexLooksUpBySortedItems() {
        TransactionDatabase db = db(new int[] {1, 2, 3}, new int[] {1, 2}, new int[] {2, 3});
        FrequentItemsets all = FpGrowth.builder().minSupportCount(1).build().mineAll(db);
        assertEquals(3, all.transactionCount());
        assertEquals(7, all.size());
        assertEquals(2, all.supportOf(new int[] {1, 2}));
        assertEquals(1, all.supportOf(new int[] {1, 2, 3}));
        assertEquals(3, all.supportOf(new int[] {2}));
        assertEquals(0, all.supportOf(new int[] {4}));
        assertEquals(0, all.supportOf(new int[0]));
        long[] total = new long[1];
        all.forEach((items, length, support) -> total[0] += support);
        assertEquals(3 + 2 + 2 + 2 + 2 + 1 + 1, total[0]);
    }

    @Test
    void minSupportCountAgreesWithBigDecimalArithmetic() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        double[] fixed = {1.0, 0.5, 0.05, 0.0005, 0.0002, 1e-9, 4.9e-324, 0.1 + 0.2, 0.123456789012345678,
            Math.nextDown(1.0), 1.0 / 3};
        int[] counts = {0, 1, 7, 8_124, 88_162, 100_000, Integer.MAX_VALUE};
        for (int k = 0; k < 20_000; k++) {
            double s = k < fixed.length * counts.length ? fixed[k % fixed.length]
                    : k % 3 == 0 ? Math.max(Double.MIN_VALUE, rnd.nextDouble())
                    : rnd.nextInt(1, 10_000) / Math.pow(10, rnd.nextInt(1, 9));
            if (!(s > 0 && s <= 1)) {
                continue;
            }
            int n = k < fixed.length * counts.length ? counts[k / fixed.length] : rnd.nextInt(0, Integer.MAX_VALUE);
            long expected = Math.max(1, java.math.BigDecimal.valueOf(s).multiply(java.math.BigDecimal.valueOf(n))
                    .setScale(0, java.math.RoundingMode.CEILING).longValueExact());
            assertEquals(expected, FpGrowth.minSupportCount(s, n), s + " x " + n);
        }
    }

    @Test
    void minSupportCountIsCeilingOfDecimalProduct() {
        assertEquals(100, FpGrowth.minSupportCount(0.001, 100_000));
        assertEquals(89, FpGrowth.minSupportCount(0.001, 88_162));
        assertEquals(813, FpGrowth.minSupportCount(0.1, 8_124));
        assertEquals(1, FpGrowth.minSupportCount(0.001, 10));
        assertEquals(1, FpGrowth.minSupportCount(0.5, 0));
        assertEquals(10, FpGrowth.minSupportCount(1, 10));
        assertThrows(IllegalArgumentException.class, () -> FpGrowth.minSupportCount(0, 10));
        assertThrows(IllegalArgumentException.class, () -> FpGrowth.minSupportCount(1.5, 10));
        assertThrows(IllegalArgumentException.class, () -> FpGrowth.minSupportCount(Double.NaN, 10));
    }

    @Test
    void builderRejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> FpGrowth.builder().minSupportCount(0));
        assertThrows(IllegalArgumentException.class, () -> FpGrowth.builder().maxLength(-1));
        assertThrows(IllegalStateException.class, () -> FpGrowth.builder().build());
    }

    @Test
    void builderRejectsNegativeIdsAndBadRanges() {
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        assertThrows(IllegalArgumentException.class, () -> b.add(new int[] {1, -2}));
        assertThrows(IndexOutOfBoundsException.class, () -> b.add(new int[] {1, 2}, 1, 3));
        b.add(new int[] {9, 4, 8, 4}, 1, 4);
        TransactionDatabase db = b.build();
        assertEquals(1, db.size());
        assertArrayEquals(new int[] {4, 8}, db.transaction(0));
        assertEquals(9, db.itemBound());
    }

    @Test
    void ruleMeasuresOnAHandExample() {
        // 4 baskets: {1,2}, {1,2}, {1}, {2,3}. Rule 1 => 2: sup 2/4, conf 2/3, P(2) = 3/4, lift 8/9.
        TransactionDatabase db = db(new int[] {1, 2}, new int[] {1, 2}, new int[] {1}, new int[] {2, 3});
        FrequentItemsets all = FpGrowth.builder().minSupportCount(1).build().mineAll(db);
        List<MinedRule> rules = RuleGenerator.generate(all, new RuleParameters(0, 0));
        MinedRule r = rules.stream().filter(x -> x.consequent() == 2 && Arrays.equals(x.antecedent(), new int[] {1}))
                .findFirst().orElseThrow();
        assertEquals(2, r.supportCount());
        assertEquals(0.5, r.support(), 1e-15);
        assertEquals(2.0 / 3, r.confidence(), 1e-15);
        assertEquals(8.0 / 9, r.lift(), 1e-15);
        assertEquals(0.5 - 0.75 * 0.75, r.leverage(), 1e-15);
        assertEquals(0.25 / (1.0 / 3), r.conviction(), 1e-12);
        MinedRule certain = rules.stream().filter(x -> x.consequent() == 2 && x.antecedent()[0] == 3)
                .findFirst().orElseThrow();
        assertEquals(1.0, certain.confidence());
        assertEquals(Double.POSITIVE_INFINITY, certain.conviction());
        assertTrue(RuleGenerator.generate(all, new RuleParameters(1, 0)).stream().allMatch(x -> x.confidence() == 1));
    }

    /**
     * An item in every basket (mushroom's item 85; or the item an analyst selected the baskets by) is certain after
     * any antecedent and independent of it: lift 1, leverage 0, Zhang 0, yet conviction, (1 - 1) / (1 - 1), was
     * infinite, the strongest implication, so --sort conviction ranked these trivial rules first.
     */
    @Test
    void aConsequentInEveryTransactionHasTheConvictionOfIndependence() {
        TransactionDatabase db = db(new int[] {1, 2}, new int[] {1, 2}, new int[] {1}, new int[] {1, 3});
        List<MinedRule> rules = RuleGenerator.generate(FpGrowth.builder().minSupportCount(1).build().mineAll(db),
                new RuleParameters(0, 0));
        MinedRule always = rules.stream().filter(x -> x.consequent() == 1 && x.antecedent()[0] == 2)
                .findFirst().orElseThrow();
        assertEquals(1.0, always.confidence());
        assertEquals(1.0, always.lift());
        assertEquals(0.0, always.zhang());
        assertEquals(1.0, always.conviction());
        List<MinedRule> byConviction = RuleGenerator.generate(
                FpGrowth.builder().minSupportCount(1).build().mineAll(db), new RuleParameters(0, 0, 1,
                        RuleMeasure.CONVICTION, false));
        assertEquals(1.0, byConviction.get(0).conviction());
    }

    @Test
    void valueTypesValidate() {
        assertThrows(IllegalArgumentException.class, () -> new RuleParameters(1.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RuleParameters(0.5, -1));
        assertThrows(IllegalArgumentException.class, () -> new RuleParameters(Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new MinedRule(new int[] {2, 1}, 3, 1, 0.1, 0.5, 1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MinedRule(new int[] {1, 3}, 3, 1, 0.1, 0.5, 1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MinedRule(new int[0], 3, 1, 0.1, 0.5, 1, 0, 1, 0));
        int[] ante = {1, 2};
        MinedRule r = new MinedRule(ante, 3, 1, 0.1, 0.5, 1, 0, 1, 0);
        ante[0] = 0;
        assertArrayEquals(new int[] {1, 2}, r.antecedent());
        assertEquals(r, new MinedRule(new int[] {1, 2}, 3, 1, 0.1, 0.5, 1, 0, 1, 0));
    }
}
