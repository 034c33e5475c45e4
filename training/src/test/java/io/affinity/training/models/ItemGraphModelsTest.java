package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class ItemGraphModelsTest {
    @Test
    void cosineByHand() {
        // items 0 and 1 share customers 0 and 1; |0| = sqrt(3) (users 0,1,4), |1| = sqrt(3) (users 0,1,2)
        ItemGraph g = (ItemGraph) ItemKnn.cosine(TinyData.small(), 10, 0f, 1);
        assertEquals(2 / 3.0, g.similarity(0, 1), 1e-6);
        assertEquals(1 / 3.0, g.similarity(0, 2), 1e-6); // user 1
        assertEquals(1 / Math.sqrt(6), g.similarity(0, 3), 1e-6); // user 4; |3| = sqrt(2)
        assertEquals(0, g.similarity(0, 0));
    }

    @Test
    void cosineShrinkAndNeighbourCap() {
        ItemGraph g = (ItemGraph) ItemKnn.cosine(TinyData.small(), 1, 1f, 2);
        assertEquals(2 / 4.0, g.similarity(0, 1), 1e-6);
        assertEquals(0, g.similarity(0, 2), "only the best neighbour is kept");
        float[] out = new float[4];
        g.score(2, out); // user 2 bought 1 and 2
        // item 1's best neighbour is 0 (2/4, tie with... 1-2 share users 1,2: 2/(3+1) too; lower index wins)
        assertEquals(0.5f, out[0], 1e-6);
    }

    @Test
    void bm25IsSymmetricDotProductOfWeightedVectors() {
        ItemGraph g = (ItemGraph) ItemKnn.bm25(TinyData.small(), 10, 1.2f, 0.75f, 2);
        assertEquals(g.similarity(0, 1), g.similarity(1, 0), 1e-6);
        // all items have 3 or 2 customers, all customers 2 or 3 items: hand value for (0,1)
        double avg = 11 / 4.0; // total weight 11 over 4 items
        double n0 = 0.25 + 0.75 * 3 / avg;
        double n1 = 0.25 + 0.75 * 3 / avg;
        double idf2 = Math.log(4) - Math.log1p(2);
        double idf3 = Math.log(4) - Math.log1p(3);
        double w0 = 2.2 / (1.2 * n0 + 1);
        double w1 = 2.2 / (1.2 * n1 + 1);
        double expected = w0 * idf2 * w1 * idf2 + w0 * idf3 * w1 * idf3; // users 0 (2 items) and 1 (3 items)
        assertEquals(expected, g.similarity(0, 1), 1e-5);
    }

    @Test
    void rp3betaByHand() {
        float alpha = 1f;
        float beta = 0.5f;
        ItemGraph g = (ItemGraph) Rp3Beta.fit(TinyData.small(), alpha, beta, 10, 1);
        // W(0,3) = sum over users of 0 and 3 (only user 4, degree 2): (1/3)(1/2) / 2^0.5
        assertEquals((1 / 3.0) * (1 / 2.0) / Math.sqrt(2), g.similarity(0, 3), 1e-6);
        // W(0,1): users 0 (deg 2), 1 (deg 3): (1/3)(1/2 + 1/3) / 3^0.5
        assertEquals((1 / 3.0) * (1 / 2.0 + 1 / 3.0) / Math.sqrt(3), g.similarity(0, 1), 1e-6);
    }

    /**
     * BM25's customer weights count the items of the matrix that were bought: items nobody bought (in an evaluation,
     * those first sold after the cutoff) change no similarity. Counted with the vocabulary, two more unbought items
     * moved every weight.
     */
    @Test
    void bm25IgnoresItemsNobodyBought() {
        int[][] rows = {{0, 1}, {0, 1, 2}, {1, 2}, {2, 3}, {0, 3}};
        ItemGraph g = (ItemGraph) ItemKnn.bm25(TinyData.of(rows, 4), 10, 1.2f, 0.75f, 2);
        ItemGraph wider = (ItemGraph) ItemKnn.bm25(TinyData.of(rows, 6), 10, 1.2f, 0.75f, 2);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(g.similarity(i, j), wider.similarity(i, j), 0, i + "," + j);
            }
        }
    }
}
