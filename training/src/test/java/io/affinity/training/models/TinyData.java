package io.affinity.training.models;

/** Small hand-made purchase matrices for known-answer tests. */
final class TinyData {
    private TinyData() {
    }

    /** Binary matrix: one order per purchase, all bought 0 days before the reference time. */
    static Interactions of(int[][] rows, int items) {
        Interactions.Builder b = new Interactions.Builder(rows.length, items, 0);
        int order = 0;
        for (int u = 0; u < rows.length; u++) {
            for (int i : rows[u]) {
                b.add(u, i, order++, 0);
            }
        }
        return b.build();
    }

    /** 5 customers x 4 items. */
    static Interactions small() {
        return of(new int[][] {{0, 1}, {0, 1, 2}, {1, 2}, {2, 3}, {0, 3}}, 4);
    }

    static double[][] dense(Interactions x) {
        double[][] d = new double[x.userCount()][x.itemCount()];
        for (int u = 0; u < x.userCount(); u++) {
            for (int i : x.itemsOf(u)) {
                d[u][i] = 1;
            }
        }
        return d;
    }
}
