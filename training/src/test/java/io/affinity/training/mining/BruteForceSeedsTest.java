package io.affinity.training.mining;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FpGrowthPropertyTest}'s comparison with brute force (itemsets, closed and maximal itemsets, one and two
 * threads, rules and their five measures, redundancy pruning, top-k) on a handful of fixed seeds, so that the unit
 * tests check FP-growth and the rules against enumeration too: PIT runs only unit tests, and before this class 77
 * of RuleGenerator's 140 mutants survived them, every one of redundantRules' uncovered (README, Tests, "Mutation
 * testing").
 */
@UnitTest
class BruteForceSeedsTest {
    /** The property test's first 24 cases: every shape it draws (sparse ids, ubiquitous items, length limits). */
    static long[] seeds() {
        long[] seeds = new long[24];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = 0x5EED_2026L + i;
        }
        return seeds;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void miningAndRulesMatchBruteForce(long seed) {
        FpGrowthPropertyTest.check(seed);
    }
}
