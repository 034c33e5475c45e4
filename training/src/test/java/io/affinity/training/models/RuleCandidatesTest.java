package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import io.affinity.training.mining.TransactionDatabase;
import org.junit.jupiter.api.Test;

@UnitTest
class RuleCandidatesTest {
    @Test
    void scoresBestConfidenceOfRulesFromBoughtItems() {
        TransactionDatabase baskets = TransactionDatabase.builder().add(new int[] {0, 1}).add(new int[] {0, 1})
                .add(new int[] {0, 2}).add(new int[] {2, 3}).build();
        Interactions x = TinyData.of(new int[][] {{0}, {2}}, 4);
        RuleCandidates rules = RuleCandidates.fit(x, baskets, 0.25, 0.1);
        float[] out = new float[4];
        rules.score(0, out);
        assertEquals(2 / 3f, out[1], 1e-6); // 0 => 1: 2 of 3
        assertEquals(0f, out[2], "0 => 2 has lift 2/3: negatively associated, not a candidate");
        rules.score(1, out);
        assertEquals(0.5f, out[3], 1e-6); // 2 => 3
        assertEquals(0f, out[0], "2 => 0 has lift 2/3");
    }
}
