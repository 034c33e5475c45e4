package io.affinity.bench;

import io.affinity.training.evaluation.EvalSplit;
import io.affinity.training.evaluation.RankingMetrics;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What an unknown customer is served, measured: the snapshot's popular items ranked by order count (anonymous
 * orders too) against the same items ranked by distinct identified customers, scored on the customers of a time
 * split who had bought nothing before its cutoff (the "cold" customers of {@code affinity evaluate}), with the
 * evaluation's own {@link EvalSplit} and {@link RankingMetrics}. Run it on a validation cutoff to choose and on the
 * test cutoff to report:
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) io.affinity.bench.ColdStartQuality \
 *     2011-06-03,2011-09-01 90 FILE...
 * </pre>
 */
public final class ColdStartQuality {
    private ColdStartQuality() {
    }

    public static void main(String[] args) throws Exception {
        List<LocalDateTime> cutoffs = Arrays.stream(args[0].split(","))
                .map(d -> LocalDate.parse(d).atStartOfDay()).toList();
        int testDays = Integer.parseInt(args[1]);
        List<Path> files = Arrays.stream(args).skip(2).map(Path::of).toList();
        Transactions tx = TransactionLoader.load(files, IngestOptions.defaults()).transactions();
        for (LocalDateTime cutoff : cutoffs) {
            EvalSplit split = EvalSplit.time(tx, cutoff, testDays);
            long before = cutoff.toEpochSecond(ZoneOffset.UTC);
            long[] orders = new long[tx.itemCount()];
            long[] customers = new long[tx.itemCount()];
            boolean[][] seen = new boolean[tx.customerCount()][];
            for (int o = 0; o < tx.orderCount(); o++) {
                if (tx.localEpochSecondOf(o) >= before) {
                    continue;
                }
                int c = tx.customerOf(o);
                boolean[] mark = new boolean[tx.itemCount()];
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int i = tx.itemOfLine(l);
                    if (!mark[i]) {
                        mark[i] = true;
                        orders[i]++;
                    }
                    if (c >= 0) {
                        if (seen[c] == null) {
                            seen[c] = new boolean[tx.itemCount()];
                        }
                        if (!seen[c][i]) {
                            seen[c][i] = true;
                            customers[i]++;
                        }
                    }
                }
            }
            Comparator<Integer> byId = Comparator.comparing(tx::itemId);
            Map<String, Comparator<Integer>> rankings = Map.of(
                    "orders, then customers (served today)",
                    Comparator.<Integer>comparingLong(i -> -orders[i]).thenComparingLong(i -> -customers[i])
                            .thenComparing(byId),
                    "customers, then orders",
                    Comparator.<Integer>comparingLong(i -> -customers[i]).thenComparingLong(i -> -orders[i])
                            .thenComparing(byId));
            System.out.printf(Locale.ROOT, "%s: %d test customers, %d of them cold%n", split.description(),
                    split.testUsers().length, split.coldTestUsers());
            rankings.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                int[] ranked = IntStream.range(0, tx.itemCount()).filter(i -> orders[i] > 0).boxed()
                        .sorted(e.getValue()).limit(100).mapToInt(Integer::intValue).toArray();
                RankingMetrics cold = new RankingMetrics(new double[tx.itemCount()]);
                for (int u : split.testUsers()) {
                    if (split.train().degreeOfUser(u) == 0) {
                        cold.add(ranked, split.truth()[u]);
                    }
                }
                Map<String, Double> v = cold.values("");
                System.out.printf(Locale.ROOT, "  %-40s cold customers %4d  ndcg@10 %.4f  recall@10 %.4f  "
                        + "hitrate@10 %.4f%n", e.getKey(), cold.users(), v.get("ndcg@10"), v.get("recall@10"),
                        v.get("hitrate@10"));
            });
        }
    }
}
