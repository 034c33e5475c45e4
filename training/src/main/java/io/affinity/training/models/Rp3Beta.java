package io.affinity.training.models;

/**
 * RP3beta (Paudel et al. 2017; Dacrema et al. 2019): a three-step random walk customer -> item -> customer ->
 * item on the binary purchase graph, {@code W(i, j) = sum_u P(u|i)^alpha P(j|u)^alpha / pop(j)^beta}, keeping
 * each item's {@code neighbours} strongest successors. Beta penalises popular items, which is what lifts it
 * above plain co-occurrence.
 */
public final class Rp3Beta {
    private Rp3Beta() {
    }

    public static Scorer fit(Interactions x, float alpha, float beta, int neighbours, int threads) {
        if (neighbours < 1 || !(alpha > 0) || !(beta >= 0)) {
            throw new IllegalArgumentException("need neighbours >= 1, alpha > 0, beta >= 0");
        }
        float[] left = new float[x.nonZeros()];  // P(u|i)^alpha, column order
        for (int i = 0; i < x.itemCount(); i++) {
            float v = (float) Math.pow(1.0 / Math.max(1, x.degreeOfItem(i)), alpha);
            for (int p = x.colPtr[i]; p < x.colPtr[i + 1]; p++) {
                left[p] = v;
            }
        }
        float[] right = new float[x.nonZeros()]; // P(j|u)^alpha, row order
        float[] ones = new float[x.nonZeros()];
        for (int u = 0; u < x.userCount(); u++) {
            float v = (float) Math.pow(1.0 / Math.max(1, x.degreeOfUser(u)), alpha);
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                right[k] = v;
                ones[k] = 1f;
            }
        }
        float[] penalty = new float[x.itemCount()];
        for (int j = 0; j < penalty.length; j++) {
            penalty[j] = (float) Math.pow(Math.max(1, x.degreeOfItem(j)), -beta);
        }
        return ItemGraph.build("rp3beta", x, left, right, (i, j, dot) -> dot * penalty[j], neighbours, ones,
                threads);
    }
}
