package io.affinity.training.mining;

import java.util.Arrays;

/**
 * An FP-tree in parallel primitive arrays, node 0 being the root. Items are dense codes where a smaller code
 * means a more frequent item, and codes strictly increase from the root down, so the prefix path of a node
 * only holds smaller codes: that is what lets a conditional tree reuse the same code space.
 *
 * <p>One instance per recursion depth is reused for every conditional tree built at that depth, so mining
 * allocates only while arrays grow.
 */
final class FpTree {
    /**
     * Parent and item of each node, interleaved: {@code up[2n]} is the parent of node n, {@code up[2n + 1]} its
     * item. Building a conditional tree walks up from many nodes; with both in one cache line each step costs
     * one memory access instead of two, and that walk is most of the mining time on sparse data.
     */
    int[] up;
    int[] count;
    /**
     * Per node, the sum of the random weights of the transactions through it (wrapping): a hash of the node's
     * transaction set, kept only when closed or maximal itemsets are mined, else null. Two itemsets with the
     * same support and a superset relation have the same transactions, hence the same hash.
     */
    long[] weight;
    /**
     * Next node with the same item (header-table chain), -1 at the end. A tree built by {@link #insertSorted}
     * has no chains (null) until {@link #linkChains}.
     */
    int[] next;
    // Child lists are only needed while building, and not at all for sorted input (null then).
    int[] firstChild;
    int[] sibling;
    int size;

    /** Per code: first and last node of its chain, -1 when absent; support of the code in this tree. */
    final int[] headFirst;
    final int[] headLast;
    final int[] headCount;
    /** Per code: the transaction-set hash of the code in this tree (see {@link #weight}); null if unweighted. */
    final long[] headWeight;
    /** The codes present in this tree, all frequent. */
    int[] present;
    int presentSize;

    /** False while every node has at most one child: then the tree is the chain of nodes 1..size-1. */
    boolean branched;

    // The previously inserted path and its nodes: consecutive prefix paths often share a long prefix.
    private int[] lastPath;
    private int[] lastNodes;
    private int lastLen;

    FpTree(int codes, int initialNodes) {
        this(codes, initialNodes, false);
    }

    /** @param weighted keep transaction-set hashes ({@link #weight}) */
    FpTree(int codes, int initialNodes, boolean weighted) {
        this(codes, initialNodes, weighted, false);
    }

    /**
     * A tree that will only get paths in lexicographic order ({@link #insertSorted}): it needs neither child
     * lists nor, usually, header chains, which saves three int arrays the size of the global tree and the
     * scattered writes that link each new node into its item's chain.
     */
    static FpTree forSortedPaths(int codes, int initialNodes, boolean weighted) {
        return new FpTree(codes, initialNodes, weighted, true);
    }

    private FpTree(int codes, int initialNodes, boolean weighted, boolean sortedOnly) {
        int cap = Math.max(16, initialNodes);
        up = new int[2 * cap];
        count = new int[cap];
        weight = weighted ? new long[cap] : null;
        headWeight = weighted ? new long[codes] : null;
        next = sortedOnly ? null : new int[cap];
        firstChild = sortedOnly ? null : new int[cap];
        sibling = sortedOnly ? null : new int[cap];
        headFirst = new int[codes];
        headLast = new int[codes];
        headCount = new int[codes];
        Arrays.fill(headFirst, -1);
        Arrays.fill(headLast, -1);
        present = new int[Math.max(1, codes)];
        lastPath = new int[Math.max(1, codes)];
        lastNodes = new int[Math.max(1, codes)];
        clear();
    }

    /** Empties the tree; only touches what the previous use set, so reuse stays cheap for small trees. */
    void clear() {
        for (int i = 0; i < presentSize; i++) {
            int c = present[i];
            headFirst[c] = -1;
            headLast[c] = -1;
            headCount[c] = 0;
            if (headWeight != null) {
                headWeight[c] = 0;
            }
        }
        presentSize = 0;
        size = 1;
        up[0] = -1;
        up[1] = -1;
        count[0] = 0;
        if (weight != null) {
            weight[0] = 0;
        }
        if (next != null) {
            next[0] = -1;
            firstChild[0] = -1;
            sibling[0] = -1;
        }
        branched = false;
        lastLen = 0;
    }

    void addPresent(int code, int support) {
        present[presentSize++] = code;
        headCount[code] = support;
    }

    void addPresent(int code, int support, long hash) {
        addPresent(code, support);
        headWeight[code] = hash;
    }

    /**
     * Adds a path of ascending codes with a count. With {@code sortedInput} the caller promises paths arrive in
     * lexicographic order, so anything below the prefix shared with the previous path is new and child
     * lookups are skipped.
     */
    void insert(int[] path, int len, int cnt, boolean sortedInput) {
        insert(path, len, cnt, 0, sortedInput);
    }

    /** {@link #insert(int[], int, int, boolean)} adding {@code w} to the weight of every node of the path. */
    void insert(int[] path, int len, int cnt, long w, boolean sortedInput) {
        int p = 0;
        int lim = Math.min(len, lastLen);
        int[] lp = lastPath;
        while (p < lim && lp[p] == path[p]) {
            p++;
        }
        int node = 0;
        int[] ln = lastNodes;
        int[] cn = count;
        long[] wt = weight;
        for (int j = 0; j < p; j++) {
            node = ln[j];
            cn[node] += cnt;
            if (wt != null) {
                wt[node] += w;
            }
        }
        for (int j = p; j < len; j++) {
            int x = path[j];
            int child = -1;
            if (!sortedInput) {
                child = firstChild[node];
                while (child >= 0 && up[2 * child + 1] != x) {
                    child = sibling[child];
                }
            }
            if (child < 0) {
                child = newNode(node, x);
            }
            count[child] += cnt;
            if (weight != null) {
                weight[child] += w;
            }
            lp[j] = x;
            ln[j] = child;
            node = child;
        }
        lastLen = len;
    }

    /**
     * Adds a path of ascending codes with a count and weight; paths must come in lexicographic order (a proper
     * prefix first), so the path shares a prefix with the previous one and everything below it is new. Only
     * for trees made by {@link #forSortedPaths}.
     */
    void insertSorted(int[] path, int len, int cnt, long w) {
        int p = 0;
        int lim = Math.min(len, lastLen);
        int[] lp = lastPath;
        while (p < lim && lp[p] == path[p]) {
            p++;
        }
        int node = 0;
        int[] ln = lastNodes;
        long[] wt = weight;
        for (int j = 0; j < p; j++) {
            node = ln[j];
            count[node] += cnt;
            if (wt != null) {
                wt[node] += w;
            }
        }
        if (p < len && p < lastLen) {
            // The previous path went on below the shared prefix: this node gets a second child. (If the
            // previous path ended there, sorted order means no earlier path went further through it.)
            branched = true;
        }
        for (int j = p; j < len; j++) {
            if (size == count.length) {
                grow();
                wt = weight;
            }
            int n = size++;
            int x = path[j];
            up[2 * n] = node;
            up[2 * n + 1] = x;
            count[n] = cnt;
            if (wt != null) {
                wt[n] = w;
            }
            lp[j] = x;
            ln[j] = n;
            node = n;
        }
        lastLen = len;
    }

    /** Links every node into its item's header chain, in node order, as {@link #insert} would have. */
    void linkChains() {
        if (next == null) {
            next = new int[count.length];
        }
        next[0] = -1;
        for (int n = 1; n < size; n++) {
            int x = up[2 * n + 1];
            next[n] = -1;
            int last = headLast[x];
            if (last < 0) {
                headFirst[x] = n;
            } else {
                next[last] = n;
            }
            headLast[x] = n;
        }
    }

    private int newNode(int parentNode, int x) {
        if (size == count.length) {
            grow();
        }
        int n = size++;
        up[2 * n] = parentNode;
        up[2 * n + 1] = x;
        count[n] = 0;
        if (weight != null) {
            weight[n] = 0;
        }
        next[n] = -1;
        firstChild[n] = -1;
        int first = firstChild[parentNode];
        if (first >= 0) {
            branched = true;
        }
        sibling[n] = first;
        firstChild[parentNode] = n;
        int last = headLast[x];
        if (last < 0) {
            headFirst[x] = n;
        } else {
            next[last] = n;
        }
        headLast[x] = n;
        return n;
    }

    private void grow() {
        int cap = count.length + (count.length >> 1) + 16;
        up = Arrays.copyOf(up, 2 * cap);
        count = Arrays.copyOf(count, cap);
        if (weight != null) {
            weight = Arrays.copyOf(weight, cap);
        }
        if (next != null) {
            next = Arrays.copyOf(next, cap);
            firstChild = Arrays.copyOf(firstChild, cap);
            sibling = Arrays.copyOf(sibling, cap);
        }
    }
}
