package io.affinity.store;

import io.affinity.testing.StressTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Quick size/time measurement at a realistic scale (5k items, 100k rules, 6k customers); not part of the normal run:
 * {@code mvn -o -pl model-store -am verify -Daffinity.perf=true -Dtest=SnapshotSizeAndTimeTest -Dsurefire.failIfNoSpecifiedTests=false}
 */
@StressTest
@EnabledIfSystemProperty(named = "affinity.perf", matches = "true")
class SnapshotSizeAndTimeTest {
    @TempDir
    Path tmp;

    @Test
    void measure() throws Exception {
        long t0 = System.nanoTime();
        TestData data = new TestData(5_000, 100_000, 6_000, 7);
        long t1 = System.nanoTime();
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        // warm-up: Chronicle Map compiles classes on first use
        TestData.small().fill(store.newSnapshot()).publish(false);
        long t2 = System.nanoTime();
        SnapshotBuilder b = data.fill(store.newSnapshot());
        long t3 = System.nanoTime();
        String v = b.publish();
        long t4 = System.nanoTime();
        Path dir = store.directory().resolve(v);
        StringBuilder sizes = new StringBuilder();
        long total = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                sizes.append(String.format("  %-16s %,12d bytes%n", p.getFileName(), Files.size(p)));
                total += Files.size(p);
            }
        }
        long[] openMs = new long[3];
        long lookups = 0;
        long lookupNs = 0;
        for (int i = 0; i < 3; i++) {
            long o0 = System.nanoTime();
            try (Snapshot s = store.openCurrent()) {
                openMs[i] = (System.nanoTime() - o0) / 1_000_000;
                assertEquals(100_000, s.ruleCount());
                long l0 = System.nanoTime();
                for (String id : data.rulesByItem.keySet()) {
                    s.rulesWithAntecedentItem(id);
                    lookups++;
                }
                for (String id : data.items.keySet()) {
                    s.item(id);
                    lookups++;
                }
                lookupNs += System.nanoTime() - l0;
            }
        }
        System.out.printf("PERF generate %d ms, warm-up publish %d ms, fill builder (encode) %d ms, publish %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
        System.out.printf("PERF rule keys %d, open (verify+map) ms: %d %d %d, avg lookup+decode %d ns%n",
                data.rulesByItem.size(), openMs[0], openMs[1], openMs[2], lookupNs / lookups);
        System.out.printf("PERF snapshot %,d bytes total:%n%s", total, sizes);
    }
}
