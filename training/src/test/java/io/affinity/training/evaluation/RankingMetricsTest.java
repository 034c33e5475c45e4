package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@UnitTest
class RankingMetricsTest {
    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    @Test
    void metricsByHand() {
        double[] info = new double[30];
        for (int i = 0; i < info.length; i++) {
            info[i] = 1;
        }
        info[0] = 3;
        RankingMetrics m = new RankingMetrics(info);
        // relevant {0, 7}; ranked: 0 at rank 1, 7 at rank 3
        m.add(new int[] {0, 5, 7, 9, 11, 12, 13, 14, 15, 16}, new int[] {0, 7});
        Map<String, Double> v = m.values("");
        assertEquals(1.0, v.get("recall@5"), 1e-12);
        assertEquals(2 / 5.0, v.get("precision@5"), 1e-12);
        assertEquals((1 + 1 / log2(4)) / (1 + 1 / log2(3)), v.get("ndcg@5"), 1e-12);
        assertEquals(1.0, v.get("hitrate@5"), 1e-12);
        assertEquals((1 + 2 / 3.0) / 2, v.get("map@5"), 1e-12);
        assertEquals(2 / 10.0, v.get("precision@10"), 1e-12);
        assertEquals(2 / 20.0, v.get("precision@20"), 1e-12, "precision divides by k even when the list is shorter");
        assertEquals(5 / 30.0, v.get("coverage@5"), 1e-12);
        assertEquals((3 + 4) / 5.0, v.get("novelty@5"), 1e-12);
    }

    @Test
    void averagesOverCustomersAndSkipsThoseWithoutRelevantItems() {
        RankingMetrics m = new RankingMetrics(new double[10]);
        m.add(new int[] {1, 2, 3}, new int[] {1});
        m.add(new int[] {4, 5, 6}, new int[] {9});
        m.add(new int[] {4, 5, 6}, new int[0]);
        assertEquals(2, m.users());
        assertEquals(0.5, m.values("").get("hitrate@5"), 1e-12);
        assertEquals(0.5, m.ndcg(10), 1e-12);
    }
}
