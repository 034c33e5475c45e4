package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

@UnitTest
class RankBoostTest {
    private static final List<String> NAMES = List.of("a", "b", "noise");

    /** Rows, labels and query bounds of a small ranking problem. */
    private record Data(double[][] x, int[] label, int[] start, double[] ideal) {
    }

    /**
     * One heavy customer with {@code heavyRows} candidates, for whom feature "a" marks the bought ones, and
     * {@code light} customers with 4 candidates each, for whom feature "b" does; "a" and "b" are otherwise noise.
     */
    private static Data heavyAndLight(int heavyRows, int light) {
        SplittableRandom r = new SplittableRandom(3);
        List<double[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        List<Integer> start = new ArrayList<>();
        start.add(0);
        for (int c = 0; c < heavyRows; c++) {
            boolean bought = c % 4 == 0;
            x.add(new double[] {bought ? 1 : 0, r.nextInt(2), r.nextDouble()});
            y.add(bought ? 1 : 0);
        }
        for (int q = 0; q < light; q++) {
            start.add(y.size());
            for (int c = 0; c < 4; c++) {
                boolean bought = c == q % 4;
                x.add(new double[] {r.nextInt(2), bought ? 1 : 0, r.nextDouble()});
                y.add(bought ? 1 : 0);
            }
        }
        start.add(y.size());
        double[] ideal = new double[start.size() - 1];
        for (int q = 0; q < ideal.length; q++) {
            ideal[q] = Reranker.idealDcg10(q == 0 ? heavyRows / 4 : 1);
        }
        return new Data(x.toArray(new double[0][]), y.stream().mapToInt(Integer::intValue).toArray(),
                start.stream().mapToInt(Integer::intValue).toArray(), ideal);
    }

    private static RankBoost fit(Data d, RankBoost.Objective objective) {
        return RankBoost.fit(d.x(), d.label(), d.start(), d.ideal(), NAMES,
                new RankBoost.Params(objective, 20, 3, 4, 5, 0.3, 0));
    }

    /** Which feature decides the ranking: "a" when a row with only "a" set beats a row with only "b" set. */
    private static boolean followsA(RankBoost model) {
        RankBoost.Scorer s = model.scorer();
        return s.score(new double[] {1, 0, 0.5}) > s.score(new double[] {0, 1, 0.5});
    }

    @Test
    void pointwiseLossFollowsTheHeavyCustomerPerCustomerWeightsFollowTheMajority() {
        // 800 rows of one customer against 60 customers with 240 rows between them.
        Data d = heavyAndLight(800, 60);
        assertTrue(followsA(fit(d, RankBoost.Objective.LOGISTIC)), "row-weighted: the heavy customer's rule");
        assertTrue(!followsA(fit(d, RankBoost.Objective.LOGISTIC_PER_CUSTOMER)), "customer-weighted: the majority");
        // (LambdaMART is not asserted here: its pair gradients grow with the number of pairs of a customer.)
    }

    @Test
    void lambdaRankingPutsEveryCustomersBoughtItemFirst() {
        Data d = heavyAndLight(40, 40);
        RankBoost.Scorer s = fit(d, RankBoost.Objective.LAMBDA_NDCG).scorer();
        for (int q = 1; q + 1 < d.start().length; q++) {
            int best = d.start()[q];
            for (int i = d.start()[q]; i < d.start()[q + 1]; i++) {
                if (s.score(d.x()[i]) > s.score(d.x()[best])) {
                    best = i;
                }
            }
            assertEquals(1, d.label()[best], "customer " + q);
        }
    }

    @Test
    void reproducibleAndValidated() {
        Data d = heavyAndLight(100, 30);
        for (RankBoost.Objective o : RankBoost.Objective.values()) {
            RankBoost.Scorer a = fit(d, o).scorer();
            RankBoost.Scorer b = fit(d, o).scorer();
            double[] sa = new double[d.x().length];
            double[] sb = new double[d.x().length];
            for (int i = 0; i < sa.length; i++) {
                sa[i] = a.score(d.x()[i]);
                sb[i] = b.score(d.x()[i]);
            }
            assertArrayEquals(sa, sb, 0.0, o.name());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new RankBoost.Params(RankBoost.Objective.LOGISTIC, 0, 3, 4, 5, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> RankBoost.fit(d.x(), new int[3], d.start(), d.ideal(),
                NAMES, new RankBoost.Params(RankBoost.Objective.LOGISTIC, 2, 3, 4, 5, 0.1, 0)));
    }

    @Test
    void idealDcgCountsAtMostTenItems() {
        assertEquals(0, Reranker.idealDcg10(0), 1e-12);
        assertEquals(1, Reranker.idealDcg10(1), 1e-12);
        assertEquals(1 + 1 / (Math.log(3) / Math.log(2)), Reranker.idealDcg10(2), 1e-12);
        assertEquals(Reranker.idealDcg10(10), Reranker.idealDcg10(50), 1e-12);
    }
}
