package io.affinity.bench;

import static org.apache.spark.sql.functions.col;

import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.spark.AcceptedLines;
import io.affinity.spark.ListTuning;
import io.affinity.spark.SparkIngest;
import io.affinity.spark.SparkModelOptions;
import io.affinity.spark.SparkModelStage;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.evaluation.EvalSplit;
import io.affinity.training.evaluation.RankingMetrics;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The offline quality of what Spark training serves, by the evaluation's protocol ({@code affinity evaluate
 * --split time}): Spark ingestion of the exports, the model stage trained on the orders before the cutoff, and each
 * test customer's precomputed list (popular items for customers without one, as the service answers them) scored
 * against the distinct items they bought in the test days with the evaluation's own {@link RankingMetrics} and
 * {@link EvalSplit} (test customers and truth from the single-machine loader, whose accepted lines the Spark
 * ingestion reproduces exactly: SparkIngestParityTest). Prints ndcg/recall/hitrate at 10 for all test customers
 * and for those with and without training purchases; compare with the same run's {@code evaluate} report
 * ({@code benchmarks/spark-quality.sh} does both). The model stage tunes its half-life and weight on a validation
 * split carved from the training lines, as {@code spark-train} does ({@link ListTuning#DEFAULTS}); with
 * {@code -Dweights=a,b,...} it runs once per fixed {@code newItemWeight} on the same ingested data, and with
 * {@code -Dtune=false} it serves the options' defaults untuned; {@code -Dlists=auto|tifu-knn|als+repeat} is
 * {@code spark-train --lists} (default auto). The first line of the results names the served model.
 *
 * <pre>
 * java [Spark and Chronicle flags] [-Dweights=1,0.5] [-Dtune=false] [-Dlists=auto] -cp ... io.affinity.bench.SparkQuality CUTOFF TEST_DAYS FILE...
 * </pre>
 */
public final class SparkQuality {
    private SparkQuality() {
    }

    public static void main(String[] args) throws Exception {
        LocalDateTime cutoff = LocalDate.parse(args[0]).atStartOfDay();
        int testDays = Integer.parseInt(args[1]);
        List<String> files = List.of(args).subList(2, args.length);
        String weightList = System.getProperty("weights");
        double[] weights = weightList == null ? new double[] {Double.NaN}
                : Arrays.stream(weightList.split(",")).mapToDouble(Double::parseDouble).toArray();
        boolean tune = Boolean.parseBoolean(System.getProperty("tune", "true"));
        ListTuning.Lists lists = ListTuning.Lists.of(System.getProperty("lists", "auto"));
        SparkSession spark = SparkSession.builder().appName("affinity-spark-quality")
                .master(System.getProperty("spark.master", "local[*]"))
                .config("spark.sql.shuffle.partitions", Integer.toString(4 * Runtime.getRuntime().availableProcessors()))
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        Path work = Files.createTempDirectory("spark-quality");
        try {
            SparkIngest.Result loaded = SparkIngest.load(spark, files, IngestOptions.defaults(), StandardCharsets.UTF_8);
            Dataset<Row> train = loaded.accepted()
                    .filter(col(AcceptedLines.TIME).lt(cutoff.toEpochSecond(ZoneOffset.UTC)));
            train.persist(StorageLevel.MEMORY_AND_DISK());
            Transactions tx = TransactionLoader.load(files.stream().map(Path::of).toList(), IngestOptions.defaults())
                    .transactions();
            EvalSplit split = EvalSplit.time(tx, cutoff, testDays);
            ModelStore store = ModelStore.open(work.resolve("models"));
            for (double weight : weights) {
                long started = System.nanoTime();
                SnapshotBuilder builder = store.newSnapshot();
                SparkModelOptions options = Double.isNaN(weight) ? SparkModelOptions.DEFAULTS
                        : SparkModelOptions.DEFAULTS.withNewItemWeight(weight);
                ListTuning tuning = (!tune ? ListTuning.OFF
                        : Double.isNaN(weight) ? ListTuning.DEFAULTS : ListTuning.DEFAULTS.withNewItemWeight(weight))
                        .withLists(lists);
                SparkModelStage.Trained trained = SparkModelStage.train(train, options, tuning, builder,
                        System.out::println);
                trained.sections().forEach(builder::section);
                builder.publish();
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                try (Snapshot snapshot = store.openCurrent()) {
                    Map<?, ?> served = (Map<?, ?>) trained.sections().get("servedModel");
                    System.out.printf(Locale.ROOT, "spark lists: served %s%s (--lists %s), %s: model stage %.1f s%n",
                            served.get("name"), served.containsKey("tifu") ? " " + served.get("tifu") : "",
                            lists.option(), served.get("name").equals(SparkModelStage.MODEL_NAME)
                                    ? "half-life " + trained.served().repeatHalfLifeDays() + " days, newItemWeight "
                                    + trained.served().newItemWeight() : "ALS+repeat not served",
                            trainSeconds);
                    measure(tx, split, snapshot);
                }
            }
        } finally {
            spark.stop();
            try (var paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void measure(Transactions tx, EvalSplit split, Snapshot snapshot) {
        int[] popular = indices(tx, snapshot.popularItems().stream().map(PopularItem::itemId).toList());
        double[] noNovelty = new double[tx.itemCount()];
        RankingMetrics all = new RankingMetrics(noNovelty);
        RankingMetrics withList = new RankingMetrics(noNovelty);
        RankingMetrics withoutList = new RankingMetrics(noNovelty);
        for (int u : split.testUsers()) {
            PrecomputedRecommendations list = snapshot.precomputed(tx.customerId(u)).orElse(null);
            int[] ranked = list == null ? popular
                    : indices(tx, list.items().stream().map(PrecomputedItem::itemId).toList());
            all.add(ranked, split.truth()[u]);
            (list == null ? withoutList : withList).add(ranked, split.truth()[u]);
        }
        print("all test customers", all);
        print("with a precomputed list", withList);
        print("without (popular items)", withoutList);
    }

    private static void print(String who, RankingMetrics m) {
        Map<String, Double> v = m.values("");
        System.out.printf(Locale.ROOT, "  %-26s customers %5d  ndcg@10 %.4f  recall@10 %.4f  hitrate@10 %.4f%n", who,
                m.users(), v.get("ndcg@10"), v.get("recall@10"), v.get("hitrate@10"));
    }

    /** Item ids to the loader's item indices, in order; ids the loader does not know cannot be relevant: skipped. */
    private static int[] indices(Transactions tx, List<String> itemIds) {
        List<Integer> out = new ArrayList<>(itemIds.size());
        for (String id : itemIds) {
            int i = tx.itemIndex(id);
            if (i >= 0) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
