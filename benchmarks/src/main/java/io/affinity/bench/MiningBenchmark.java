package io.affinity.bench;

import io.affinity.training.mining.FimiReader;
import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.TransactionDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import smile.association.FPGrowth;
import smile.association.FPTree;

/**
 * In-process frequent-itemset mining on the FIMI benchmark files, Affinity's FP-growth against Smile 2.6.0's
 * FPGrowth in the same run. Each operation mines one dataset completely (tree building included, file reading
 * excluded) and counts the itemsets, so output cost is not measured.
 *
 * <p>Run (needs {@code ../shared/data/fimi}, or {@code -Daffinity.shared.data=DIR} via {@code -jvmArgs}):
 * <pre>
 * mvn -B -q -o -DskipTests -pl benchmarks -am package
 * java -jar benchmarks/target/benchmarks.jar MiningBenchmark
 * java -jar benchmarks/target/benchmarks.jar MiningBenchmark -p dataset=mushroom:0.05 -f 1 -wi 3 -i 5
 * </pre>
 * {@code dataset} is {@code file-stem:minSupport}. {@code affinity} is the single-threaded miner,
 * {@code affinityTwoThreads} mines independent conditional trees on two threads (same itemsets; on a machine
 * shared with other work the second core may not be free), {@code smile} is the peer. Smile's API hands out every
 * itemset as a new {@code ItemSet} (its items copied into a new array), where Affinity's sink lends a reused
 * buffer: {@code affinityMaterialised} makes Affinity do the same output work (a new array per itemset and an
 * object holding it and the support, given to a {@link Blackhole}), the like-for-like figure against {@code
 * smile}; it matters where there are millions of itemsets (mushroom), hardly on retail or T10I4D100K.
 * Smile took 2.7-3.7 s per operation on retail (RESULTS), longer than a 2 s iteration, so there each iteration is one
 * operation and its error bars are wide: add {@code -w 6 -r 6} for a steadier figure. JMH's
 * {@code -jvmArgsAppend} replaces the {@code @Fork} JVM options, so repeat {@code -Xmx4g} when you use it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class MiningBenchmark {
    @Param({"retail:0.0002", "T10I4D100K:0.0005", "mushroom:0.05"})
    public String dataset;

    private TransactionDatabase db;
    private int[][] transactions;
    private int minSupportCount;

    @Setup
    public void load() throws IOException {
        String[] parts = dataset.split(":");
        db = FimiReader.read(fimiFile(parts[0] + ".dat.gz"));
        minSupportCount = Math.toIntExact(FpGrowth.minSupportCount(Double.parseDouble(parts[1]), db.size()));
        transactions = new int[db.size()][];
        for (int t = 0; t < db.size(); t++) {
            transactions[t] = db.transaction(t);
        }
    }

    @Benchmark
    public long affinity() {
        long[] count = new long[1];
        FpGrowth.builder().minSupportCount(minSupportCount).build().mine(db, (items, length, support) -> count[0]++);
        return count[0];
    }

    /** Both cores: first-level conditional trees mined on two threads, each counting into its own counter. */
    @Benchmark
    public long affinityTwoThreads() {
        AtomicLong total = new AtomicLong();
        FpGrowth.builder().minSupportCount(minSupportCount).threads(2).build().mineParallel(db, () -> {
            long[] local = new long[1];
            return (items, length, support) -> {
                if (++local[0] % 4096 == 0) {
                    total.addAndGet(4096);
                }
            };
        });
        return total.get();
    }

    /** As {@link #affinity}, each itemset copied out as Smile's API hands it out: a new array and a holder. */
    @Benchmark
    public void affinityMaterialised(Blackhole out) {
        FpGrowth.builder().minSupportCount(minSupportCount).build().mine(db,
                (items, length, support) -> out.consume(new Itemset(Arrays.copyOf(items, length), support)));
    }

    /** The shape of Smile's {@code ItemSet}: the items and the support. */
    private record Itemset(int[] items, long support) {
    }

    @Benchmark
    public long smile() {
        return FPGrowth.apply(FPTree.of(minSupportCount, transactions)).count();
    }

    static Path fimiFile(String name) {
        String dir = System.getProperty("affinity.shared.data");
        Path base = dir != null ? Path.of(dir) : Path.of("..", "shared", "data");
        Path file = base.resolve("fimi").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " not found: run from the repository root with "
                    + "../shared/data present, or pass -jvmArgsAppend -Daffinity.shared.data=DIR");
        }
        return file;
    }
}
