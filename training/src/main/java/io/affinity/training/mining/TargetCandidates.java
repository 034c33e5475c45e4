package io.affinity.training.mining;

import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Collects the closed/maximal candidates of a (possibly parallel) {@link FpMiner} run and reduces them to the
 * closed or maximal itemsets. Each task's candidates are closed within that task (see FpMiner); what is left is
 * a superset with the same support found by another task. The candidates are assembled in task order and
 * reduced by comparisons that do not depend on order, so the result is the same for any number of threads.
 *
 * <ul>
 *   <li>Closed: a candidate is dropped when another candidate strictly contains it with the same support. Every
 *       closed itemset is a candidate, and so is the closure of every candidate, so this is exact. Candidates
 *       are grouped by transaction-set hash (equal for such pairs) and compared exactly within a group.</li>
 *   <li>Maximal: a candidate is dropped when another candidate strictly contains it. Every maximal itemset is
 *       a candidate, and every non-maximal candidate lies in a maximal one. Compared via per-item lists,
 *       starting from the candidate's rarest item.</li>
 * </ul>
 */
final class TargetCandidates implements TaskSinks {
    /** What the miner feeds: an itemset (ascending ids) with its support and transaction-set hash. */
    interface Sink extends ItemsetSink {
        void accept(int[] items, int length, long supportCount, long hash);
    }

    private final FrequentItemsets.TaskCollectors tasks = new FrequentItemsets.TaskCollectors(true);

    @Override
    public ItemsetSink open(int task) {
        return tasks.open(task);
    }

    @Override
    public void close(int task, ItemsetSink sink) {
        tasks.close(task, sink);
    }

    /** The closed or maximal itemsets among the candidates, in task (mining) order. */
    FrequentItemsets select(ItemsetTarget target, int transactionCount) {
        FrequentItemsets.Collector all = tasks.inTaskOrder();
        int n = all.size;
        int[] items = all.items;
        int[] offsets = all.offsets;
        int[] supports = all.supports;
        long[] hashes = all.hashes;
        BitSet dropped = target == ItemsetTarget.CLOSED ? notClosed(items, offsets, supports, hashes, n)
                : notMaximal(items, offsets, n);
        FrequentItemsets.Collector out = new FrequentItemsets.Collector();
        for (int i = dropped.nextClearBit(0); i < n; i = dropped.nextClearBit(i + 1)) {
            out.accept(Arrays.copyOfRange(items, offsets[i], offsets[i + 1]), offsets[i + 1] - offsets[i],
                    supports[i]);
        }
        return out.build(transactionCount);
    }

    private static BitSet notClosed(int[] items, int[] offsets, int[] supports, long[] hashes, int n) {
        // Candidates sorted by hash: each group of equal hashes is a contiguous run.
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        IntArrays.quickSort(order, (a, b) -> Long.compare(hashes[a], hashes[b]));
        BitSet dropped = new BitSet(n);
        for (int g = 0; g < n; ) {
            int end = g + 1;
            while (end < n && hashes[order[end]] == hashes[order[g]]) {
                end++;
            }
            for (int x = g; x < end; x++) {
                int i = order[x];
                int len = offsets[i + 1] - offsets[i];
                for (int y = g; y < end; y++) {
                    int j = order[y];
                    int lenJ = offsets[j + 1] - offsets[j];
                    if (lenJ > len && supports[j] == supports[i]
                            && CandidateRepository.contains(items, offsets[j], lenJ, items, offsets[i], len)) {
                        dropped.set(i);
                        break;
                    }
                }
            }
            g = end;
        }
        return dropped;
    }

    private static BitSet notMaximal(int[] items, int[] offsets, int n) {
        int maxId = -1;
        for (int i = 0, end = offsets[n]; i < end; i++) {
            maxId = Math.max(maxId, items[i]);
        }
        // Per item id, the candidates containing it (CSR lists).
        int[] start = new int[maxId + 2];
        for (int i = 0, end = offsets[n]; i < end; i++) {
            start[items[i] + 1]++;
        }
        for (int id = 0; id <= maxId; id++) {
            start[id + 1] += start[id];
        }
        int[] fill = Arrays.copyOf(start, maxId + 1);
        int[] lists = new int[offsets[n]];
        for (int i = 0; i < n; i++) {
            for (int p = offsets[i]; p < offsets[i + 1]; p++) {
                lists[fill[items[p]]++] = i;
            }
        }
        BitSet dropped = new BitSet(n);
        for (int i = 0; i < n; i++) {
            int from = offsets[i];
            int len = offsets[i + 1] - from;
            int rarest = items[from];
            for (int p = from + 1; p < from + len; p++) {
                int id = items[p];
                if (start[id + 1] - start[id] < start[rarest + 1] - start[rarest]) {
                    rarest = id;
                }
            }
            for (int q = start[rarest], end = start[rarest + 1]; q < end; q++) {
                int j = lists[q];
                int lenJ = offsets[j + 1] - offsets[j];
                if (lenJ > len && CandidateRepository.contains(items, offsets[j], lenJ, items, from, len)) {
                    dropped.set(i);
                    break;
                }
            }
        }
        return dropped;
    }
}
