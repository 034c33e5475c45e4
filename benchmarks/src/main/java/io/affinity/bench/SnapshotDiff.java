package io.affinity.bench;

import io.affinity.recommender.PrecomputedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Whether two published snapshots serve the same: for every item of the exports, its facts, its rules and its
 * trade-ups; for every customer, the history, the profile and the precomputed list (items in order, and the
 * scores); the popular items and the counts. Used by {@code benchmarks/spark-cluster.sh} to compare what the Spark
 * job publishes in local mode with what it publishes with executors in separate JVMs. Exits 1 when anything
 * differs, printing the first differences of each kind.
 *
 * <pre>
 * java -cp ... io.affinity.bench.SnapshotDiff STORE_A STORE_B EXPORT...
 * </pre>
 */
public final class SnapshotDiff {
    private static final int SHOWN = 3;

    private SnapshotDiff() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> exports = Arrays.stream(args).skip(2).map(Path::of).toList();
        Transactions tx = TransactionLoader.load(exports, IngestOptions.defaults()).transactions();
        int differences = 0;
        try (Snapshot a = ModelStore.open(Path.of(args[0])).openCurrent();
             Snapshot b = ModelStore.open(Path.of(args[1])).openCurrent()) {
            System.out.printf(Locale.ROOT, "%s (%s) vs %s (%s): %,d items, %,d customers of the exports%n", a.version(),
                    args[0], b.version(), args[1], tx.itemCount(), tx.customerCount());
            List<String> items = new ArrayList<>();
            for (int i = 0; i < tx.itemCount(); i++) {
                items.add(tx.itemId(i));
            }
            List<String> customers = new ArrayList<>();
            for (int c = 0; c < tx.customerCount(); c++) {
                customers.add(tx.customerId(c));
            }
            differences += compare("counts", List.of("items", "rules", "customers"), k -> switch (k) {
                case "items" -> a.itemCount();
                case "rules" -> a.ruleCount();
                default -> a.customerCount();
            }, k -> switch (k) {
                case "items" -> b.itemCount();
                case "rules" -> b.ruleCount();
                default -> b.customerCount();
            });
            differences += compare("popular items", List.of("popular"), k -> a.popularItems(), k -> b.popularItems());
            differences += compare("item facts", items, a::item, b::item);
            differences += compare("rules", items, a::rulesWithAntecedentItem, b::rulesWithAntecedentItem);
            differences += compare("trade-ups", items, a::tradeUps, b::tradeUps);
            differences += compare("histories", customers, true, a::customer, b::customer);
            differences += compare("profiles", customers, true, a::profile, b::profile);
            differences += compare("list items, in order", customers, true, c -> listIds(a, c), c -> listIds(b, c));
            differences += compare("list scores", customers, true, a::precomputed, b::precomputed);
        }
        System.out.println(differences == 0 ? "identical" : differences + " keys differ");
        System.exit(differences == 0 ? 0 : 1);
    }

    private static List<String> listIds(Snapshot s, String customer) {
        return s.precomputed(customer).map(p -> p.items().stream().map(PrecomputedItem::itemId).toList())
                .orElse(null);
    }

    private static <T> int compare(String what, List<String> keys, Function<String, T> a, Function<String, T> b) {
        return compare(what, keys, false, a, b);
    }

    private static <T> int compare(String what, List<String> keys, boolean personal, Function<String, T> a,
                                   Function<String, T> b) {
        int differ = 0;
        for (String k : keys) {
            T x = a.apply(k);
            T y = b.apply(k);
            if (!Objects.equals(x, y)) {
                if (differ < SHOWN) {
                    // customer ids are personal data: a customer is named by its number in the exports
                    String key = personal ? "customer #" + keys.indexOf(k) : k;
                    String shownX = personal ? String.valueOf(x).replace(k, key) : String.valueOf(x);
                    String shownY = personal ? String.valueOf(y).replace(k, key) : String.valueOf(y);
                    System.out.printf(Locale.ROOT, "  %s differ for %s:%n    %s%n    %s%n", what, key, shownX, shownY);
                }
                differ++;
            }
        }
        System.out.printf(Locale.ROOT, "%-22s %,7d compared, %,d differ%n", what, keys.size(), differ);
        return differ;
    }
}
