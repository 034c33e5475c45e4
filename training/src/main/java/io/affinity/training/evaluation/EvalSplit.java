package io.affinity.training.evaluation;

import io.affinity.training.ingest.Transactions;
import io.affinity.training.mining.TransactionDatabase;
import io.affinity.training.models.Interactions;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * One train / test division of the transactions: the training interactions and baskets, and for each test
 * customer the distinct items bought in the test part ({@code truth[c]}, ascending; null for customers outside
 * the test).
 *
 * @param description human-readable, for reports
 */
public record EvalSplit(String description, Interactions train, TransactionDatabase trainBaskets, int[][] truth,
                        int[] testUsers, int coldTestUsers) {
    public EvalSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(truth, "truth");
    }

    /**
     * The catalogue a model trained on this split can know, per item number: the items of its training orders, guests'
     * included. Items first sold later are in the vocabulary, but no model has seen them: they are not ranked (a model
     * scoring them 0, as ALS does, would otherwise put them above the known items it scores below 0), and how many
     * of them the export holds after the test period must not move a figure.
     */
    public boolean[] known() {
        boolean[] sold = new boolean[train.itemCount()];
        if (trainBaskets == null) {
            for (int i = 0; i < sold.length; i++) {
                sold[i] = train.degreeOfItem(i) > 0;
            }
            return sold;
        }
        for (int t = 0; t < trainBaskets.size(); t++) {
            for (int j = 0; j < trainBaskets.length(t); j++) {
                sold[trainBaskets.item(t, j)] = true;
            }
        }
        return sold;
    }

    /** How many items {@link #known()} holds: coverage's denominator. */
    public int catalogue() {
        int n = 0;
        for (boolean k : known()) {
            n += k ? 1 : 0;
        }
        return n;
    }

    /**
     * Trains on orders before {@code cutoff}, tests on each customer's purchases in
     * {@code [cutoff, cutoff + testDays)}.
     */
    public static EvalSplit time(Transactions tx, LocalDateTime cutoff, int testDays) {
        if (testDays < 1) {
            throw new IllegalArgumentException("testDays must be >= 1, was " + testDays);
        }
        long from = cutoff.toEpochSecond(ZoneOffset.UTC);
        long to = cutoff.plusDays(testDays).toEpochSecond(ZoneOffset.UTC);
        boolean[] train = new boolean[tx.orderCount()];
        boolean[] test = new boolean[tx.orderCount()];
        for (int o = 0; o < tx.orderCount(); o++) {
            long t = tx.localEpochSecondOf(o);
            train[o] = t < from;
            test[o] = t >= from && t < to && tx.customerOf(o) >= 0;
        }
        return build(tx, "time split: train before " + cutoff + ", test " + testDays + " days from it", train, test,
                from);
    }

    /**
     * Holds out each customer's last order (by time, then order of appearance) after dropping their
     * {@code skipLast} final orders altogether (1 carves a validation split out of the training part); customers
     * with fewer than {@code skipLast + 2} orders are only in training. Anonymous baskets always train.
     */
    public static EvalSplit lastBasket(Transactions tx, int skipLast) {
        int n = tx.orderCount();
        Integer[] order = new Integer[n];
        for (int o = 0; o < n; o++) {
            order[o] = o;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Integer.compare(tx.customerOf(a), tx.customerOf(b));
            if (c != 0) {
                return c;
            }
            c = Long.compare(tx.localEpochSecondOf(a), tx.localEpochSecondOf(b));
            return c != 0 ? c : Integer.compare(a, b);
        });
        boolean[] train = new boolean[n];
        boolean[] test = new boolean[n];
        long reference = Long.MIN_VALUE;
        int p = 0;
        while (p < n) {
            int c = tx.customerOf(order[p]);
            int q = p;
            while (q < n && tx.customerOf(order[q]) == c) {
                q++;
            }
            if (c < 0) {
                for (int r = p; r < q; r++) {
                    train[order[r]] = true;
                }
            } else {
                int kept = (q - p) - skipLast;
                for (int r = 0; r < kept; r++) {
                    boolean last = r == kept - 1 && kept >= 2;
                    int o = order[p + r];
                    if (last) {
                        test[o] = true;
                    } else {
                        train[o] = true;
                    }
                }
            }
            p = q;
        }
        for (int o = 0; o < n; o++) {
            if (train[o]) {
                reference = Math.max(reference, tx.localEpochSecondOf(o));
            }
        }
        return build(tx, "last-basket split" + (skipLast > 0 ? " (validation: last " + skipLast + " order(s) dropped)"
                : ""), train, test, reference == Long.MIN_VALUE ? 0 : reference);
    }

    /**
     * Every order trains; the "test users" are all identified customers with a purchase, with no truth (empty):
     * for scoring everyone once the models are refitted on all data, as served.
     */
    public static EvalSplit serving(Transactions tx) {
        boolean[] train = new boolean[tx.orderCount()];
        Arrays.fill(train, true);
        long reference = Long.MIN_VALUE;
        for (int o = 0; o < tx.orderCount(); o++) {
            reference = Math.max(reference, tx.localEpochSecondOf(o));
        }
        EvalSplit all = build(tx, "all orders (serving)", train, new boolean[tx.orderCount()],
                reference == Long.MIN_VALUE ? 0 : reference);
        int[] users = IntStream.range(0, tx.customerCount()).filter(c -> all.train().degreeOfUser(c) > 0).toArray();
        int[][] truth = new int[tx.customerCount()][];
        for (int c : users) {
            truth[c] = new int[0];
        }
        return new EvalSplit(all.description(), all.train(), all.trainBaskets(), truth, users, 0);
    }

    private static EvalSplit build(Transactions tx, String description, boolean[] train, boolean[] test,
                                   long reference) {
        Interactions x = Interactions.of(tx, o -> train[o], reference);
        TransactionDatabase.Builder baskets = TransactionDatabase.builder();
        IntAVLTreeSet[] truthSets = new IntAVLTreeSet[tx.customerCount()];
        int[] buf = new int[64];
        for (int o = 0; o < tx.orderCount(); o++) {
            int len = tx.lineEnd(o) - tx.lineStart(o);
            if (train[o]) {
                if (buf.length < len) {
                    buf = new int[len * 2];
                }
                for (int k = 0; k < len; k++) {
                    buf[k] = tx.itemOfLine(tx.lineStart(o) + k);
                }
                baskets.add(buf, 0, len);
            } else if (test[o]) {
                int c = tx.customerOf(o);
                if (truthSets[c] == null) {
                    truthSets[c] = new IntAVLTreeSet();
                }
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    truthSets[c].add(tx.itemOfLine(l));
                }
            }
        }
        int[][] truth = new int[tx.customerCount()][];
        int users = 0;
        int cold = 0;
        for (int c = 0; c < truth.length; c++) {
            if (truthSets[c] != null) {
                truth[c] = truthSets[c].toIntArray();
                users++;
                if (x.degreeOfUser(c) == 0) {
                    cold++;
                }
            }
        }
        int[] testUsers = new int[users];
        int m = 0;
        for (int c = 0; c < truth.length; c++) {
            if (truth[c] != null) {
                testUsers[m++] = c;
            }
        }
        return new EvalSplit(description, x, baskets.build(), truth, testUsers, cold);
    }
}
