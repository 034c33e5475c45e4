package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Global trees too big for the prefix-path copy are walked through their header chains instead (linked after
 * the sorted build): the same itemsets and supports as with the copy, for every target.
 */
@UnitTest
class FirstLevelWalkTest {
    private static TransactionDatabase randomDb(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TransactionDatabase.Builder b = TransactionDatabase.builder();
        int[] buf = new int[30];
        for (int t = 0; t < 300; t++) {
            int len = 0;
            for (int i = 0; i < 30; i++) {
                if (rnd.nextDouble() < 0.6 / (1 + i * 0.1)) {
                    buf[len++] = i * 3 + 1;
                }
            }
            b.add(buf, 0, len);
        }
        return b.build();
    }

    private static List<String> mine(TransactionDatabase db, int minSupport, int maxLength, boolean walk) {
        FpMiner miner = new FpMiner(minSupport, maxLength, 0);
        if (walk) {
            miner.walkingFirstLevel();
        }
        List<String> lines = new ArrayList<>();
        int tasks = miner.prepare(db);
        if (tasks > 0) {
            miner.run(tasks, 1, TaskSinks.single((items, length, support) ->
                    lines.add(Arrays.toString(Arrays.copyOf(items, length)) + " " + support)));
        }
        return lines;
    }

    private static List<String> candidates(TransactionDatabase db, int minSupport, ItemsetTarget target,
                                           boolean walk) {
        FpMiner miner = new FpMiner(minSupport, Integer.MAX_VALUE, 0, target);
        if (walk) {
            miner.walkingFirstLevel();
        }
        TargetCandidates c = new TargetCandidates();
        int tasks = miner.prepare(db);
        if (tasks > 0) {
            miner.run(tasks, 2, c);
        }
        FrequentItemsets selected = c.select(target, db.size());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < selected.size(); i++) {
            lines.add(Arrays.toString(selected.itemset(i)) + " " + selected.supportCount(i));
        }
        Collections.sort(lines);
        return lines;
    }

    @Test
    void walkingTheTreeGivesWhatThePathCopyGives() {
        for (long seed = 1; seed <= 5; seed++) {
            TransactionDatabase db = randomDb(seed);
            for (int maxLength : new int[] {Integer.MAX_VALUE, 2}) {
                List<String> copied = mine(db, 4, maxLength, false);
                assertTrue(copied.size() > 100, "the case should produce many itemsets");
                // The same itemsets, not in the same order: the walk meets a conditional tree's items leaf first,
                // and the order in which items are first met is the order their branches are mined in.
                List<String> walked = mine(db, 4, maxLength, true);
                Collections.sort(copied);
                Collections.sort(walked);
                assertEquals(copied, walked, "seed " + seed + ", max length " + maxLength);
            }
            for (ItemsetTarget target : new ItemsetTarget[] {ItemsetTarget.CLOSED, ItemsetTarget.MAXIMAL}) {
                assertEquals(candidates(db, 4, target, false), candidates(db, 4, target, true),
                        "seed " + seed + ", " + target);
            }
        }
    }
}
