package io.affinity.training.models;

/**
 * Item-item nearest neighbours on the {@code 1 + ln(count)} matrix, as in the {@code implicit} library:
 * cosine similarity (with a shrink term in the denominator that discounts pairs seen by few customers), or the
 * dot product of BM25-weighted item vectors (K1, B; the customer plays the role of the term and the item the
 * document). Each item keeps its {@code neighbours} most similar items.
 */
public final class ItemKnn {
    private ItemKnn() {
    }

    /** {@code sim(i,j) = <w_i, w_j> / (|w_i| |w_j| + shrink)}. */
    public static Scorer cosine(Interactions x, int neighbours, float shrink, int threads) {
        checkNeighbours(neighbours);
        float[] norm = new float[x.itemCount()];
        float[] w = logWeights(x);
        for (int k = 0; k < w.length; k++) {
            norm[x.colIdx[k]] += w[k] * w[k];
        }
        for (int i = 0; i < norm.length; i++) {
            norm[i] = (float) Math.sqrt(norm[i]);
        }
        float[] left = new float[w.length];
        for (int p = 0; p < left.length; p++) {
            left[p] = w[x.colToRow[p]];
        }
        return ItemGraph.build("knn-cosine", x, left, w, (i, j, dot) -> dot / (norm[i] * norm[j] + shrink),
                neighbours, w, threads);
    }

    /** BM25-weighted dot product, {@code K1 = k1}, {@code B = b}, as {@code implicit.nearest_neighbours.bm25_weight}. */
    public static Scorer bm25(Interactions x, int neighbours, float k1, float b, int threads) {
        checkNeighbours(neighbours);
        float[] w = logWeights(x);
        int users = x.userCount();
        int items = x.itemCount();
        int activeItems = 0;
        for (int i = 0; i < items; i++) {
            if (x.degreeOfItem(i) > 0) {
                activeItems++;
            }
        }
        // idf over customers: log(items) - log1p(items bought by the customer); length norm per item. The items are
        // those bought in the matrix: the vocabulary may hold items first sold after its orders, and their number
        // must not weigh the customers (it moved an evaluation's figures with the orders after its test period).
        float[] idf = new float[users];
        for (int u = 0; u < users; u++) {
            idf[u] = (float) (Math.log(Math.max(1, activeItems)) - Math.log1p(x.degreeOfUser(u)));
        }
        float[] itemLen = new float[items];
        double total = 0;
        for (int k = 0; k < w.length; k++) {
            itemLen[x.colIdx[k]] += w[k];
            total += w[k];
        }
        double avgLen = total / Math.max(1, activeItems);
        float[] weighted = new float[w.length];
        for (int u = 0; u < users; u++) {
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                int i = x.colIdx[k];
                double norm = (1 - b) + b * itemLen[i] / avgLen;
                weighted[k] = (float) (w[k] * (k1 + 1) / (k1 * norm + w[k]) * idf[u]);
            }
        }
        float[] left = new float[w.length];
        for (int p = 0; p < left.length; p++) {
            left[p] = weighted[x.colToRow[p]];
        }
        return ItemGraph.build("knn-bm25", x, left, weighted, null, neighbours, w, threads);
    }

    static float[] logWeights(Interactions x) {
        float[] w = new float[x.nonZeros()];
        for (int k = 0; k < w.length; k++) {
            w[k] = x.logWeight(k);
        }
        return w;
    }

    private static void checkNeighbours(int neighbours) {
        if (neighbours < 1) {
            throw new IllegalArgumentException("neighbours must be >= 1, was " + neighbours);
        }
    }
}
