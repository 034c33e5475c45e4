package io.affinity.training.models;

/**
 * Selection of the k best entries of a score array without sorting the catalogue. Ties go to the lower index,
 * so rankings are reproducible.
 */
public final class TopK {
    private TopK() {
    }

    /**
     * The indices of the {@code k} highest scores, best first, skipping indices where {@code skip} is non-null
     * and true. Fewer than k when fewer are eligible. NaN scores are never selected.
     */
    public static int[] select(float[] scores, int k, boolean[] skip) {
        int[] heap = new int[k]; // min-heap by (score, -index): the root is the worst kept
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            if ((skip == null || !skip[i]) && !Float.isNaN(scores[i])) {
                n = offer(heap, n, i, scores);
            }
        }
        return bestFirst(heap, n, scores);
    }

    /**
     * {@link #select} restricted to the distinct indices {@code among} (a customer's history): the same answer as
     * skipping every other index, in time of {@code among}'s length instead of the catalogue's, which matters when
     * it runs once per customer over a catalogue of 100,000 items.
     */
    public static int[] selectAmong(float[] scores, int k, int[] among) {
        return selectAmong(scores, k, among, among.length);
    }

    /** {@link #selectAmong(float[], int, int[])} among the first {@code count} entries of {@code among}. */
    public static int[] selectAmong(float[] scores, int k, int[] among, int count) {
        int[] heap = new int[k];
        int n = 0;
        for (int a = 0; a < count; a++) {
            int i = among[a];
            if (!Float.isNaN(scores[i])) {
                n = offer(heap, n, i, scores);
            }
        }
        return bestFirst(heap, n, scores);
    }

    /** Offers index {@code i} to the min-heap of {@code n} kept (capacity {@code heap.length}); returns the new n. */
    private static int offer(int[] heap, int n, int i, float[] scores) {
        if (n < heap.length) {
            heap[n] = i;
            siftUp(heap, n, scores);
            return n + 1;
        }
        if (n > 0 && better(i, heap[0], scores)) {
            heap[0] = i;
            siftDown(heap, n, scores);
        }
        return n;
    }

    /** Empties the heap of {@code n} kept into an array, best first. */
    private static int[] bestFirst(int[] heap, int n, float[] scores) {
        int[] out = new int[n];
        for (int m = n - 1; m >= 0; m--) {
            out[m] = heap[0];
            heap[0] = heap[m];
            siftDown(heap, m, scores);
        }
        return out;
    }

    /** a ranks before b. */
    static boolean better(int a, int b, float[] s) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(int[] h, int pos, float[] s) {
        int x = h[pos];
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            if (!better(h[parent], x, s)) {
                break;
            }
            h[pos] = h[parent];
            pos = parent;
        }
        h[pos] = x;
    }

    private static void siftDown(int[] h, int n, float[] s) {
        if (n == 0) {
            return;
        }
        int pos = 0;
        int x = h[0];
        while (true) {
            int c = 2 * pos + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && better(h[c], h[c + 1], s)) {
                c++;
            }
            if (!better(x, h[c], s)) {
                break;
            }
            h[pos] = h[c];
            pos = c;
        }
        h[pos] = x;
    }
}
