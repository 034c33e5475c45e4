package io.affinity.training.mining;

import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.Arrays;

/**
 * One FP-growth run: the working memory of {@link FpGrowth#mine}. Not thread-safe, used once.
 *
 * <p>Items are recoded to dense codes by descending frequency (0 = most frequent) so that shared prefixes, and
 * therefore tree compression, are maximal, and so that every per-item table is a plain array.
 */
final class FpMiner {
    private final int minSupport;
    private final int maxLength;
    private final ItemsetSink sink;

    private int[] codeToItem;
    /** The current itemset as codes; position d is set at recursion depth d. */
    private int[] prefix;
    /** The current itemset as original ids, sorted, handed to the sink. */
    private int[] out;
    /** Trees by recursion depth, reused. */
    private FpTree[] levels;

    // Scratch for building one conditional tree; a build finishes before the recursion into it starts.
    private int[] condCount;
    private int[] touched;
    private int[] pathItems = new int[1024];
    private int[] pathLen = new int[64];
    private int[] pathCount = new int[64];
    private int[] filtered;

    FpMiner(int minSupport, int maxLength, ItemsetSink sink) {
        this.minSupport = minSupport;
        this.maxLength = maxLength;
        this.sink = sink;
    }

    void mine(TransactionDatabase db) {
        int[] items = db.flatItems();
        int[] offsets = db.offsets();
        int n = db.size();

        int[] freq = new int[db.itemBound()];
        for (int i = 0, end = offsets[n]; i < end; i++) {
            freq[items[i]]++;
        }
        int codes = 0;
        for (int f : freq) {
            if (f >= minSupport) {
                codes++;
            }
        }
        if (codes == 0) {
            return;
        }
        codeToItem = new int[codes];
        for (int it = 0, k = 0; it < freq.length; it++) {
            if (freq[it] >= minSupport) {
                codeToItem[k++] = it;
            }
        }
        // Descending frequency, ties by id so that runs are deterministic.
        IntArrays.quickSort(codeToItem, (a, b) -> freq[a] != freq[b] ? Integer.compare(freq[b], freq[a])
                : Integer.compare(a, b));
        int[] itemToCode = new int[freq.length];
        Arrays.fill(itemToCode, -1);
        for (int c = 0; c < codes; c++) {
            itemToCode[codeToItem[c]] = c;
        }

        // Recode: keep frequent items, as ascending codes.
        int[] rItems = new int[offsets[n]];
        int[] rOffsets = new int[n + 1];
        int m = 0;
        int kept = 0;
        for (int t = 0; t < n; t++) {
            int start = kept;
            for (int i = offsets[t]; i < offsets[t + 1]; i++) {
                int c = itemToCode[items[i]];
                if (c >= 0) {
                    rItems[kept++] = c;
                }
            }
            if (kept > start) {
                sortSmall(rItems, start, kept);
                rOffsets[++m] = kept;
            }
        }
        // Lexicographic order of the recoded transactions: the tree is then built in pre-order without any
        // child look-ups, and nodes of one subtree sit next to each other in memory.
        int[] order = new int[m];
        for (int t = 0; t < m; t++) {
            order[t] = t;
        }
        final int[] ri = rItems;
        final int[] ro = rOffsets;
        IntArrays.quickSort(order, (a, b) -> {
            int i = ro[a];
            int ea = ro[a + 1];
            int j = ro[b];
            int eb = ro[b + 1];
            while (i < ea && j < eb) {
                int d = ri[i++] - ri[j++];
                if (d != 0) {
                    return d;
                }
            }
            return (ea - i) - (eb - j);
        });

        prefix = new int[codes + 1];
        out = new int[codes + 1];
        condCount = new int[codes];
        touched = new int[codes];
        filtered = new int[codes];
        levels = new FpTree[Math.min(codes, maxLength) + 1];
        FpTree root = new FpTree(codes, kept + 1);
        levels[0] = root;
        int[] path = new int[codes];
        for (int k = 0; k < m; k++) {
            int t = order[k];
            int len = rOffsets[t + 1] - rOffsets[t];
            System.arraycopy(rItems, rOffsets[t], path, 0, len);
            root.insert(path, len, 1, true);
        }
        for (int c = 0; c < codes; c++) {
            root.addPresent(c, freq[codeToItem[c]]);
        }
        mineTree(root, 0);
    }

    private void mineTree(FpTree tree, int depth) {
        if (!tree.branched) {
            enumerateChain(tree, 1, depth);
            return;
        }
        // Least frequent first: their conditional trees are the smallest, which keeps the scratch buffers small.
        for (int k = tree.presentSize - 1; k >= 0; k--) {
            int c = tree.present[k];
            prefix[depth] = c;
            emit(depth + 1, tree.headCount[c]);
            if (depth + 1 < maxLength) {
                FpTree cond = level(depth + 1);
                if (buildConditional(tree, c, cond)) {
                    mineTree(cond, depth + 1);
                }
            }
        }
    }

    /**
     * A tree without branches is a chain whose counts never increase downwards: every subset of its nodes is
     * frequent with the count of its deepest node, so the subsets are listed directly instead of recursing.
     */
    private void enumerateChain(FpTree tree, int from, int depth) {
        int last = tree.size - 1;
        int[] item = tree.item;
        int[] count = tree.count;
        for (int node = from; node <= last; node++) {
            prefix[depth] = item[node];
            emit(depth + 1, count[node]);
            if (node < last && depth + 1 < maxLength) {
                enumerateChain(tree, node + 1, depth + 1);
            }
        }
    }

    private FpTree level(int depth) {
        FpTree t = levels[depth];
        if (t == null) {
            t = new FpTree(condCount.length, 256);
            levels[depth] = t;
        } else {
            t.clear();
        }
        return t;
    }

    /**
     * Builds the tree of the prefix paths of {@code code} into {@code cond}, keeping only the items that are
     * frequent together with {@code code}. Returns false when no item is.
     */
    private boolean buildConditional(FpTree tree, int code, FpTree cond) {
        // Pass 1: copy each prefix path (leaf to root) into a flat buffer and count the items, so that the
        // scattered walk up the tree happens once.
        int[] parent = tree.parent;
        int[] item = tree.item;
        int[] cc = condCount;
        int nTouched = 0;
        int paths = 0;
        int pos = 0;
        for (int node = tree.headFirst[code]; node >= 0; node = tree.next[node]) {
            int cnt = tree.count[node];
            int start = pos;
            for (int a = parent[node]; a > 0; a = parent[a]) {
                if (pos == pathItems.length) {
                    pathItems = Arrays.copyOf(pathItems, pos * 2);
                }
                int x = item[a];
                pathItems[pos++] = x;
                if (cc[x] == 0) {
                    touched[nTouched++] = x;
                }
                cc[x] += cnt;
            }
            if (pos > start) {
                if (paths == pathLen.length) {
                    pathLen = Arrays.copyOf(pathLen, paths * 2);
                    pathCount = Arrays.copyOf(pathCount, paths * 2);
                }
                pathLen[paths] = pos - start;
                pathCount[paths++] = cnt;
            }
        }
        int frequent = 0;
        for (int i = 0; i < nTouched; i++) {
            int x = touched[i];
            if (cc[x] >= minSupport) {
                cond.addPresent(x, cc[x]);
                frequent++;
            }
        }
        if (frequent > 0) {
            // Pass 2: insert the paths root first (ascending codes) without the infrequent items.
            int[] f = filtered;
            int[] pi = pathItems;
            int end = 0;
            for (int p = 0; p < paths; p++) {
                int start = end;
                end += pathLen[p];
                int len = 0;
                for (int i = end - 1; i >= start; i--) {
                    int x = pi[i];
                    if (cc[x] >= minSupport) {
                        f[len++] = x;
                    }
                }
                if (len > 0) {
                    cond.insert(f, len, pathCount[p], false);
                }
            }
        }
        for (int i = 0; i < nTouched; i++) {
            cc[touched[i]] = 0;
        }
        return frequent > 0;
    }

    private void emit(int length, int support) {
        int[] o = out;
        for (int i = 0; i < length; i++) {
            int v = codeToItem[prefix[i]];
            int j = i;
            while (j > 0 && o[j - 1] > v) {
                o[j] = o[j - 1];
                j--;
            }
            o[j] = v;
        }
        sink.accept(o, length, support);
    }

    /** Insertion sort for the short runs typical of baskets, the library sort beyond. */
    private static void sortSmall(int[] a, int from, int to) {
        if (to - from > 24) {
            Arrays.sort(a, from, to);
            return;
        }
        for (int i = from + 1; i < to; i++) {
            int v = a[i];
            int j = i;
            while (j > from && a[j - 1] > v) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
    }
}
