package io.affinity.bench;

import io.affinity.store.CatalogAnalysis;
import io.affinity.training.CatalogIndexWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue index write of {@link CatalogIndexBenchmark}, both analyses alternated in one process, timed by
 * the writing thread's CPU time: an A/B that other work on a shared machine disturbs far less than wall-clock runs
 * minutes apart (the index is small enough to be flushed and committed by the writing thread: no merge threads).
 * Prints the median and minimum per analysis after the warm-up rounds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.affinity.bench.CatalogIndexAb [items] [rounds] [warm-up rounds]
 * </pre>
 */
public final class CatalogIndexAb {
    private CatalogIndexAb() {
    }

    public static void main(String[] args) throws IOException {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (boolean accented : new boolean[] {true, false}) {
            Path work = Files.createTempDirectory("catalog-index-ab");
            try {
                CatalogIndexBenchmark.Catalogue catalogue = CatalogIndexBenchmark.catalogue(items, accented, work);
                Map<CatalogAnalysis, List<Long>> cpu = new EnumMap<>(CatalogAnalysis.class);
                int run = 0;
                for (int r = 0; r < warmUp + rounds; r++) {
                    for (CatalogAnalysis analysis : CatalogAnalysis.values()) {
                        Path dir = Files.createDirectory(work.resolve("index-" + run++));
                        long start = threads.getCurrentThreadCpuTime();
                        CatalogIndexWriter.write(dir, catalogue.facts(), catalogue.file(), analysis);
                        long used = threads.getCurrentThreadCpuTime() - start;
                        if (r >= warmUp) {
                            cpu.computeIfAbsent(analysis, a -> new ArrayList<>()).add(used);
                        }
                        CatalogIndexBenchmark.delete(dir);
                    }
                }
                for (Map.Entry<CatalogAnalysis, List<Long>> e : cpu.entrySet()) {
                    List<Long> t = e.getValue();
                    Collections.sort(t);
                    System.out.printf("items %d, accented %s, %-13s CPU median %6.1f ms, min %6.1f ms (%d runs)%n",
                            items, accented, e.getKey(), t.get(t.size() / 2) / 1e6, t.get(0) / 1e6, t.size());
                }
            } finally {
                CatalogIndexBenchmark.delete(work);
            }
        }
    }
}
