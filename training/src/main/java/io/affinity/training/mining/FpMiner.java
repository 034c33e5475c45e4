package io.affinity.training.mining;

import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One FP-growth run: builds the global tree once, then mines it as independent tasks, one per frequent item
 * (that item's conditional tree), on one or more threads. The global tree is read-only while tasks run; each
 * thread has its own {@link Worker} with all the scratch memory of the recursion.
 *
 * <p>For closed and maximal itemsets the same recursion runs in candidate mode (see {@code candidateItem}): trees
 * also carry a hash of each node's transaction set, and candidates go to a {@link TargetCandidates}.
 *
 * <p>Items are recoded to dense codes by descending frequency (0 = most frequent) so that shared prefixes, and
 * therefore tree compression, are maximal, and so that every per-item table is a plain array.
 */
final class FpMiner {
    /** Emits a worker counts on its own before adding them to the shared total and checking the limit. */
    private static final int LIMIT_CHECK_EVERY = 1024;

    private final int minSupport;
    private final int maxLength;
    private final long maxItemsets;
    /**
     * ALL streams every frequent itemset. CLOSED and MAXIMAL emit candidates with transaction-set hashes to a
     * {@link TargetCandidates.Sink}: a superset of the wanted itemsets, which {@link TargetCandidates} reduces.
     */
    private final ItemsetTarget target;
    /** Trees keep transaction-set hashes (closed/maximal). */
    private final boolean weighted;
    private final AtomicLong emitted = new AtomicLong();

    private int[] codeToItem;
    private FpTree root;
    /** The global tree's prefix paths grouped by item (see {@link #collectFirstLevelPaths}); null if too big. */
    private int[] flItems;
    private int[] flItemStart;
    private int[] flPathStart;
    private int[] flPathCount;
    private long[] flPathWeight;
    /** Largest prefix-path copy kept for the first level (ints); beyond it the tree is walked instead. */
    private static final long MAX_FIRST_LEVEL_INTS = 1L << 25;
    private long maxFirstLevelInts = MAX_FIRST_LEVEL_INTS;
    private int codes;

    /** @param maxItemsets fail with {@link TooManyItemsetsException} beyond this many itemsets; 0 = no limit */
    FpMiner(int minSupport, int maxLength, long maxItemsets) {
        this(minSupport, maxLength, maxItemsets, ItemsetTarget.ALL);
    }

    /** For CLOSED and MAXIMAL, maxLength must be unlimited (the candidates' pruning assumes it). */
    FpMiner(int minSupport, int maxLength, long maxItemsets, ItemsetTarget target) {
        if (target != ItemsetTarget.ALL && maxLength != Integer.MAX_VALUE) {
            throw new IllegalArgumentException("closed/maximal mining in the recursion needs unlimited length");
        }
        this.minSupport = minSupport;
        this.maxLength = maxLength;
        this.maxItemsets = maxItemsets <= 0 ? Long.MAX_VALUE : maxItemsets;
        this.target = target;
        this.weighted = target != ItemsetTarget.ALL;
    }

    /**
     * A transaction's random weight (SplitMix64 of its position): the hash of a transaction set is the
     * wrapping sum of its members' weights. Fixed, so that runs are reproducible.
     */
    private static long transactionWeight(int t) {
        long z = (t + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** For tests: the first level always walks the global tree, as for trees too big to copy paths from. */
    FpMiner walkingFirstLevel() {
        maxFirstLevelInts = -1;
        return this;
    }

    /** Builds the global tree; returns the number of tasks (0 when nothing is frequent). */
    int prepare(TransactionDatabase db) {
        int[] items = db.flatItems();
        int[] offsets = db.offsets();
        int n = db.size();

        int[] freq = new int[db.itemBound()];
        for (int i = 0, end = offsets[n]; i < end; i++) {
            freq[items[i]]++;
        }
        for (int f : freq) {
            if (f >= minSupport) {
                codes++;
            }
        }
        if (codes == 0) {
            return 0;
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
        new LexSort(rItems, rOffsets, codes).sort(order);

        root = FpTree.forSortedPaths(codes, kept + 1, weighted);
        int[] path = new int[codes];
        long[] codeWeight = weighted ? new long[codes] : null;
        for (int k = 0; k < m; k++) {
            int t = order[k];
            int len = rOffsets[t + 1] - rOffsets[t];
            System.arraycopy(rItems, rOffsets[t], path, 0, len);
            if (weighted) {
                long w = transactionWeight(t);
                for (int i = 0; i < len; i++) {
                    codeWeight[path[i]] += w;
                }
                root.insertSorted(path, len, 1, w);
            } else {
                root.insertSorted(path, len, 1, 0);
            }
        }
        for (int c = 0; c < codes; c++) {
            if (weighted) {
                root.addPresent(c, freq[codeToItem[c]], codeWeight[c]);
            } else {
                root.addPresent(c, freq[codeToItem[c]]);
            }
        }
        // A chain is enumerated directly, as one task.
        if (!root.branched) {
            return 1;
        }
        collectFirstLevelPaths();
        if (flItems == null) {
            root.linkChains(); // the first level walks the tree (see buildConditional)
        }
        return root.presentSize;
    }

    /**
     * Copies every node's prefix path into one array grouped by the node's item, in a single pre-order pass
     * over the global tree. Building a first-level conditional tree then reads its paths sequentially
     * instead of chasing parent links across a tree far larger than the CPU caches (which is where most
     * time went on sparse data such as retail). The global tree was built in pre-order (sorted transactions),
     * so while visiting node n the ancestors of n are exactly the current root path, kept in a small stack.
     * The copy costs the sum of the node depths in ints; above {@link #MAX_FIRST_LEVEL_INTS} it is skipped.
     */
    private void collectFirstLevelPaths() {
        int size = root.size;
        int[] up = root.up;
        int[] depth = new int[size];
        int[] itemInts = new int[codes + 1];
        int[] itemPaths = new int[codes + 1];
        long total = 0;
        int maxDepth = 0;
        for (int n = 1; n < size; n++) {
            int d = depth[up[2 * n]] + 1;
            depth[n] = d;
            if (d > 1) {
                int c = up[2 * n + 1];
                itemInts[c + 1] += d - 1;
                itemPaths[c + 1]++;
                total += d - 1;
            }
            maxDepth = Math.max(maxDepth, d);
        }
        if (total > maxFirstLevelInts) {
            return;
        }
        for (int c = 0; c < codes; c++) {
            itemInts[c + 1] += itemInts[c];
            itemPaths[c + 1] += itemPaths[c];
        }
        int pathsTotal = itemPaths[codes];
        int[] items = new int[(int) total];
        int[] pathStart = new int[pathsTotal + 1];
        int[] pathCount = new int[pathsTotal];
        long[] pathWeight = weighted ? new long[pathsTotal] : null;
        int[] nextInt = Arrays.copyOf(itemInts, codes);
        int[] nextPath = Arrays.copyOf(itemPaths, codes);
        int[] stack = new int[maxDepth + 1];
        int[] count = root.count;
        for (int n = 1; n < size; n++) {
            int d = depth[n];
            int c = up[2 * n + 1];
            stack[d - 1] = c;
            if (d > 1) {
                int at = nextInt[c];
                System.arraycopy(stack, 0, items, at, d - 1);
                nextInt[c] = at + d - 1;
                int p = nextPath[c]++;
                pathStart[p] = at;
                pathCount[p] = count[n];
                if (weighted) {
                    pathWeight[p] = root.weight[n];
                }
            }
        }
        pathStart[pathsTotal] = (int) total;
        flItems = items;
        flItemStart = itemPaths; // paths of code c: [itemPaths[c], itemPaths[c + 1])
        flPathStart = pathStart;
        flPathCount = pathCount;
        flPathWeight = pathWeight;
    }

    /**
     * Runs every task on {@code threads} threads (the caller's included). Tasks are taken in ascending order
     * from a shared counter; an exception in any of them stops the others from starting new tasks and is
     * rethrown here once all threads have stopped.
     */
    /** Itemsets emitted by the last {@link #run}. */
    long emitted() {
        return emitted.get();
    }

    void run(int tasks, int threads, TaskSinks sinks) {
        AtomicInteger nextTask = new AtomicInteger();
        Throwable[] failure = new Throwable[1];
        List<Thread> started = new ArrayList<>();
        for (int i = 1; i < Math.min(threads, tasks); i++) {
            Thread t = new Thread(() -> new Worker().runTasks(tasks, nextTask, sinks, failure), "fp-growth-" + i);
            t.setDaemon(true);
            t.start();
            started.add(t);
        }
        new Worker().runTasks(tasks, nextTask, sinks, failure);
        boolean interrupted = false;
        for (Thread t : started) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    nextTask.set(tasks); // no new tasks; the running ones finish
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f;
        synchronized (failure) {
            f = failure[0];
        }
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** The recursion and its scratch memory; one per thread. */
    private final class Worker {
        private ItemsetSink sink;
        /**
         * The sink when it takes prepared text (the output file), else null: then text[d] holds the line text of
         * sorted[d], kept up to date by {@link #push} one item at a time, so a line costs one copy.
         */
        private FormattedItemsetSink textSink;
        private byte[][] text;
        private int[] textLen;
        /** "id " per code. */
        private byte[][] codeText;
        /** Target all with a text sink: peText[i] is the text of peItems[i]. */
        private byte[][] peText;
        private int unchecked;
        /** The current itemset as codes; position d is set at recursion depth d. */
        private final int[] prefix = new int[codes + 1];
        /** sorted[d]: the original ids of prefix[0, d), ascending; what the sink receives. */
        private final int[][] sorted = new int[codes + 2][];
        /** Trees by recursion depth, reused; level 0 is the shared global tree. */
        private final FpTree[] levels = new FpTree[Math.min(codes, maxLength) + 1];

        // Scratch for building one conditional tree; a build finishes before the recursion into it starts.
        private final int[] condCount = new int[codes];
        private final int[] touched = new int[codes];
        private int[] pathItems = new int[1024];
        private int[] pathLen = new int[64];
        private int[] pathCount = new int[64];
        private long[] pathWeight = new long[64];
        private final long[] condWeight = weighted ? new long[codes] : null;
        /** Perfect extensions of the current branch, as codes (see mineItem and candidateItem). */
        private final int[] peStack = new int[codes];
        private int peTop;
        /** Target all: peItems[i] holds an itemset with the perfect extensions peStack[0, i] inserted. */
        private final int[][] peItems = new int[codes][];
        /** Closed/maximal: the candidates of the current task, for pruning subsumed branches. */
        private final CandidateRepository repo = weighted ? new CandidateRepository() : null;
        private TargetCandidates.Sink candidates;
        private final int[] filtered = new int[codes];

        Worker() {
            levels[0] = root;
            sorted[0] = new int[0];
        }

        void runTasks(int tasks, AtomicInteger nextTask, TaskSinks sinks, Throwable[] failure) {
            try {
                for (int t; (t = nextTask.getAndIncrement()) < tasks; ) {
                    sink = sinks.open(t);
                    textSink = !weighted && sink instanceof FormattedItemsetSink f ? withText(f) : null;
                    if (weighted) {
                        candidates = (TargetCandidates.Sink) sink;
                        repo.clear();
                        if (root.branched) {
                            candidateItem(root, root.presentSize - 1 - t, 0, 0);
                        } else {
                            candidateChain(root, 0);
                        }
                    } else if (root.branched) {
                        mineItem(root, root.presentSize - 1 - t, 0);
                    } else {
                        enumerateChain(root, 1, 0);
                    }
                    checkLimit();
                    sinks.close(t, sink);
                    sink = null;
                    textSink = null;
                }
            } catch (Throwable e) {
                nextTask.set(tasks);
                synchronized (failure) {
                    if (failure[0] == null) {
                        failure[0] = e;
                    } else if (failure[0] != e) {
                        failure[0].addSuppressed(e);
                    }
                }
            }
        }

        private FormattedItemsetSink withText(FormattedItemsetSink f) {
            if (codeText == null) {
                codeText = new byte[codes][];
                for (int c = 0; c < codes; c++) {
                    codeText[c] = ItemsetText.item(codeToItem[c]);
                }
                text = new byte[codes + 2][];
                text[0] = new byte[0];
                textLen = new int[codes + 2];
                peText = new byte[codes][];
            }
            return f;
        }

        private void mineTree(FpTree tree, int depth) {
            if (!tree.branched) {
                enumerateChain(tree, 1, depth);
                return;
            }
            // Least frequent first: their conditional trees are the smallest, which keeps scratch buffers small.
            for (int k = tree.presentSize - 1; k >= 0; k--) {
                mineItem(tree, k, depth);
            }
        }

        private void mineItem(FpTree tree, int k, int depth) {
            int c = tree.present[k];
            push(depth, c);
            if (maxLength == Integer.MAX_VALUE) {
                // Perfect extensions (items in every transaction of the prefix) are not branched on: each
                // itemset of this branch is reported with every subset of them, at the same support. On dense
                // data that removes most tree building. Needs unlimited length (the subsets add items).
                int support = tree.headCount[c];
                FpTree cond = level(depth + 1);
                int peFrom = peTop;
                boolean any = depth == 0 && flItems != null ? buildFirstLevel(c, cond, support)
                        : buildConditional(tree, c, cond, support);
                emit(depth + 1, support);
                if (any) {
                    mineTree(cond, depth + 1);
                }
                peTop = peFrom;
                return;
            }
            emit(depth + 1, tree.headCount[c]);
            if (depth + 1 < maxLength) {
                FpTree cond = level(depth + 1);
                boolean any = depth == 0 && flItems != null ? buildFirstLevel(c, cond, -1)
                        : buildConditional(tree, c, cond, -1);
                if (any) {
                    mineTree(cond, depth + 1);
                }
            }
        }

        /**
         * A tree without branches is a chain whose counts never increase downwards: every subset of its nodes
         * is frequent with the count of its deepest node, so the subsets are listed directly.
         */
        private void enumerateChain(FpTree tree, int from, int depth) {
            int last = tree.size - 1;
            int[] up = tree.up;
            int[] count = tree.count;
            for (int node = from; node <= last; node++) {
                push(depth, up[2 * node + 1]);
                emit(depth + 1, count[node]);
                if (node < last && depth + 1 < maxLength) {
                    enumerateChain(tree, node + 1, depth + 1);
                }
            }
        }

        /**
         * Closed/maximal: the node for item k of {@code tree} below the current itemset of {@code len} items
         * (FPclose/FPmax style). Its perfect extensions, the items in every transaction of the new prefix, join
         * the prefix directly instead of being branched on: no itemset without them can be closed. If an
         * itemset found earlier in this task is a superset with the same transactions, then nothing in this
         * branch is closed (each of its itemsets misses an item of all its transactions), so the branch is cut.
         * The candidates left are each closed within this task; supersets found by other tasks are checked
         * afterwards in {@link TargetCandidates}, which keeps the run independent of the thread count. For
         * maximal itemsets only leaves are candidates, and a chain's only candidate is the whole chain.
         */
        private void candidateItem(FpTree tree, int k, int depth, int len) {
            int c = tree.present[k];
            int support = tree.headCount[c];
            long hash = tree.headWeight[c];
            push(len, c);
            int length = len + 1;
            FpTree cond = level(depth + 1);
            int peFrom = peTop;
            boolean any = depth == 0 && flItems != null ? buildFirstLevel(c, cond, support)
                    : buildConditional(tree, c, cond, support);
            for (int i = peFrom; i < peTop; i++) {
                push(length++, peStack[i]);
            }
            peTop = peFrom;
            int[] itemset = sorted[length];
            if (repo.subsumed(itemset, length, support, hash)) {
                return;
            }
            repo.add(itemset, length, support, hash);
            if (!any) {
                emitCandidate(length, support, hash);
            } else if (target == ItemsetTarget.CLOSED) {
                emitCandidate(length, support, hash);
                mineCandidates(cond, depth + 1, length);
            } else {
                mineCandidates(cond, depth + 1, length);
            }
        }

        private void mineCandidates(FpTree tree, int depth, int len) {
            if (!tree.branched) {
                candidateChain(tree, len);
                return;
            }
            for (int k = tree.presentSize - 1; k >= 0; k--) {
                candidateItem(tree, k, depth, len);
            }
        }

        /**
         * A chain below the current itemset: every subset has the support of its deepest node, so the closed
         * ones are the prefixes that end just above a drop in count, and the maximal one is the whole chain.
         */
        private void candidateChain(FpTree tree, int len) {
            int last = tree.size - 1;
            int[] up = tree.up;
            int[] count = tree.count;
            long[] w = tree.weight;
            int length = len;
            for (int node = 1; node <= last; node++) {
                push(length++, up[2 * node + 1]);
                boolean wanted = target == ItemsetTarget.CLOSED ? node == last || count[node + 1] < count[node]
                        : node == last;
                if (wanted && !repo.subsumed(sorted[length], length, count[node], w[node])) {
                    repo.add(sorted[length], length, count[node], w[node]);
                    emitCandidate(length, count[node], w[node]);
                }
            }
        }

        private void emitCandidate(int length, int support, long hash) {
            if (++unchecked == LIMIT_CHECK_EVERY) {
                checkLimit();
            }
            candidates.accept(sorted[length], length, support, hash);
        }

        /**
         * Sets prefix[depth] and derives the sorted ids of prefix[0, depth] from those of prefix[0, depth) by
         * inserting one id: O(depth) per itemset instead of sorting every itemset again.
         */
        private void push(int depth, int code) {
            prefix[depth] = code;
            int v = codeToItem[code];
            int[] below = sorted[depth];
            int[] s = sorted[depth + 1];
            if (s == null) {
                s = new int[depth + 1];
                sorted[depth + 1] = s;
            }
            int i = 0;
            while (i < depth && below[i] < v) {
                s[i] = below[i];
                i++;
            }
            s[i] = v;
            if (i < depth) {
                System.arraycopy(below, i, s, i + 1, depth - i);
            }
            if (textSink != null) {
                pushText(depth, code, i);
            }
        }

        /** text[depth + 1]: text[depth] with the code's text inserted before item {@code at}. */
        private void pushText(int depth, int code, int at) {
            int[] s = sorted[depth + 1];
            int off = 0;
            for (int j = 0; j < at; j++) {
                off += ItemsetText.itemLength(s[j]);
            }
            byte[] below = text[depth];
            int belowLen = textLen[depth];
            byte[] ct = codeText[code];
            int len = belowLen + ct.length;
            byte[] t = text[depth + 1];
            if (t == null || t.length < len) {
                t = new byte[Math.max(64, 2 * len)];
                text[depth + 1] = t;
            }
            System.arraycopy(below, 0, t, 0, off);
            System.arraycopy(ct, 0, t, off, ct.length);
            System.arraycopy(below, off, t, off + ct.length, belowLen - off);
            textLen[depth + 1] = len;
        }

        private void emit(int length, int support) {
            if (peTop == 0) {
                if (++unchecked == LIMIT_CHECK_EVERY) {
                    checkLimit();
                }
                if (textSink != null) {
                    textSink.acceptFormatted(text[length], textLen[length], length, support);
                } else {
                    sink.accept(sorted[length], length, support);
                }
            } else if (textSink != null) {
                emitFormattedWithExtensions(sorted[length], length, text[length], textLen[length], 0, support);
            } else {
                emitWithExtensions(sorted[length], length, 0, support);
            }
        }

        /** {@link #emitWithExtensions} for a text sink: the text of each itemset is derived like its ids. */
        private void emitFormattedWithExtensions(int[] items, int length, byte[] txt, int txtLen, int i,
                                                 int support) {
            if (i == peTop) {
                if (++unchecked == LIMIT_CHECK_EVERY) {
                    checkLimit();
                }
                textSink.acceptFormatted(txt, txtLen, length, support);
                return;
            }
            emitFormattedWithExtensions(items, length, txt, txtLen, i + 1, support);
            int v = codeToItem[peStack[i]];
            int j = 0;
            int off = 0;
            while (j < length && items[j] < v) {
                off += ItemsetText.itemLength(items[j]);
                j++;
            }
            int[] with = items;
            if (i + 1 < peTop) { // the last level needs only the text
                with = peItems[i];
                if (with == null || with.length <= length) {
                    with = new int[Math.max(length + 1, 2 * (with == null ? 8 : with.length))];
                    peItems[i] = with;
                }
                System.arraycopy(items, 0, with, 0, j);
                with[j] = v;
                System.arraycopy(items, j, with, j + 1, length - j);
            }
            byte[] ct = codeText[peStack[i]];
            int len = txtLen + ct.length;
            byte[] wt = peText[i];
            if (wt == null || wt.length < len) {
                wt = new byte[Math.max(64, 2 * len)];
                peText[i] = wt;
            }
            System.arraycopy(txt, 0, wt, 0, off);
            System.arraycopy(ct, 0, wt, off, ct.length);
            System.arraycopy(txt, off, wt, off + ct.length, txtLen - off);
            emitFormattedWithExtensions(with, length + 1, wt, len, i + 1, support);
        }

        /** {@code items[0, length)} with every subset of the perfect extensions {@code peStack[i, peTop)}. */
        private void emitWithExtensions(int[] items, int length, int i, int support) {
            if (i == peTop) {
                if (++unchecked == LIMIT_CHECK_EVERY) {
                    checkLimit();
                }
                sink.accept(items, length, support);
                return;
            }
            emitWithExtensions(items, length, i + 1, support);
            int[] with = peItems[i];
            if (with == null || with.length <= length) {
                with = new int[Math.max(length + 1, 2 * (with == null ? 8 : with.length))];
                peItems[i] = with;
            }
            int v = codeToItem[peStack[i]];
            int j = 0;
            while (j < length && items[j] < v) {
                with[j] = items[j];
                j++;
            }
            with[j] = v;
            System.arraycopy(items, j, with, j + 1, length - j);
            emitWithExtensions(with, length + 1, i + 1, support);
        }

        /** Exact in the end: every emit is added before its task closes, and each addition is checked. */
        private void checkLimit() {
            long total = emitted.addAndGet(unchecked);
            unchecked = 0;
            if (total > maxItemsets) {
                throw new TooManyItemsetsException(maxItemsets);
            }
        }

        private FpTree level(int depth) {
            FpTree t = levels[depth];
            if (t == null) {
                t = new FpTree(codes, 256, weighted);
                levels[depth] = t;
            } else {
                t.clear();
            }
            return t;
        }

        /**
         * {@link #buildConditional} for the global tree, from the paths collected up front.
         */
        private boolean buildFirstLevel(int code, FpTree cond, int peSupport) {
            int[] items = flItems;
            int[] pathStart = flPathStart;
            int[] pathCount = flPathCount;
            long[] pathWeight = flPathWeight;
            int from = flItemStart[code];
            int to = flItemStart[code + 1];
            int[] cc = condCount;
            long[] cw = condWeight;
            int nTouched = 0;
            for (int p = from; p < to; p++) {
                int cnt = pathCount[p];
                for (int i = pathStart[p], end = pathStart[p + 1]; i < end; i++) {
                    int x = items[i];
                    if (cc[x] == 0) {
                        touched[nTouched++] = x;
                    }
                    cc[x] += cnt;
                }
                if (cw != null) {
                    long w = pathWeight[p];
                    for (int i = pathStart[p], end = pathStart[p + 1]; i < end; i++) {
                        cw[items[i]] += w;
                    }
                }
            }
            int frequent = selectItems(cond, nTouched, peSupport);
            if (frequent > 0) {
                int[] f = filtered;
                for (int p = from; p < to; p++) {
                    int len = 0;
                    for (int i = pathStart[p], end = pathStart[p + 1]; i < end; i++) {
                        int x = items[i];
                        if (cc[x] >= minSupport) {
                            f[len++] = x;
                        }
                    }
                    if (len > 0) {
                        cond.insert(f, len, pathCount[p], cw != null ? pathWeight[p] : 0, false);
                    }
                }
            }
            resetCounts(nTouched);
            return frequent > 0;
        }

        /**
         * Adds the frequent touched items to {@code cond}, except those with {@code peSupport} (perfect
         * extensions: in every transaction of the prefix), which go to {@link #peStack} and are then marked
         * infrequent (count 0) so that the paths skip them. Returns the number of items added to the tree.
         */
        private int selectItems(FpTree cond, int nTouched, int peSupport) {
            int[] cc = condCount;
            long[] cw = condWeight;
            int frequent = 0;
            for (int i = 0; i < nTouched; i++) {
                int x = touched[i];
                int n = cc[x];
                if (n == peSupport) {
                    peStack[peTop++] = x;
                    cc[x] = 0;
                } else if (n >= minSupport) {
                    if (cw != null) {
                        cond.addPresent(x, n, cw[x]);
                    } else {
                        cond.addPresent(x, n);
                    }
                    frequent++;
                }
            }
            return frequent;
        }

        private void resetCounts(int nTouched) {
            int[] cc = condCount;
            long[] cw = condWeight;
            for (int i = 0; i < nTouched; i++) {
                int x = touched[i];
                cc[x] = 0;
                if (cw != null) {
                    cw[x] = 0;
                }
            }
        }

        /**
         * Builds the tree of the prefix paths of {@code code} into {@code cond}, keeping only the items that
         * are frequent together with {@code code}; items with count {@code peSupport} are perfect extensions
         * (see {@link #selectItems}); -1 keeps them in the tree. Returns false when the tree is empty.
         */
        private boolean buildConditional(FpTree tree, int code, FpTree cond, int peSupport) {
            // Pass 1: copy each prefix path (leaf to root) into a flat buffer and count the items, so that the
            // scattered walk up the tree happens once.
            int[] up = tree.up;
            int[] cc = condCount;
            long[] cw = condWeight;
            int nTouched = 0;
            int paths = 0;
            int pos = 0;
            for (int node = tree.headFirst[code]; node >= 0; node = tree.next[node]) {
                int cnt = tree.count[node];
                long w = cw != null ? tree.weight[node] : 0;
                int start = pos;
                for (int a = up[2 * node]; a > 0; a = up[2 * a]) {
                    if (pos == pathItems.length) {
                        pathItems = Arrays.copyOf(pathItems, pos * 2);
                    }
                    int x = up[2 * a + 1];
                    pathItems[pos++] = x;
                    if (cc[x] == 0) {
                        touched[nTouched++] = x;
                    }
                    cc[x] += cnt;
                    if (cw != null) {
                        cw[x] += w;
                    }
                }
                if (pos > start) {
                    if (paths == pathLen.length) {
                        pathLen = Arrays.copyOf(pathLen, paths * 2);
                        pathCount = Arrays.copyOf(pathCount, paths * 2);
                        pathWeight = Arrays.copyOf(pathWeight, paths * 2);
                    }
                    pathLen[paths] = pos - start;
                    pathWeight[paths] = w;
                    pathCount[paths++] = cnt;
                }
            }
            int frequent = selectItems(cond, nTouched, peSupport);
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
                        cond.insert(f, len, pathCount[p], pathWeight[p], false);
                    }
                }
            }
            resetCounts(nTouched);
            return frequent > 0;
        }
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
