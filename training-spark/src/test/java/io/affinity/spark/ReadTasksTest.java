package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** How the load plans its read tasks: files spread over them ({@link SparkIngest#readTasks}), paths to open. */
@UnitTest
class ReadTasksTest {
    @Test
    void theLargestFilesGoFirstToTheLeastLoadedTaskEachTasksFilesInLoadOrder() {
        List<int[]> tasks = SparkIngest.readTasks(new long[]{100, 1, 1, 1, 50, 50}, 3);
        assertEquals(3, tasks.size());
        assertArrayEquals(new int[]{0}, tasks.get(0));
        assertArrayEquals(new int[]{1, 3, 4}, tasks.get(1));
        assertArrayEquals(new int[]{2, 5}, tasks.get(2));
    }

    @Test
    void fewerFilesThanSlotsGetATaskEach() {
        List<int[]> tasks = SparkIngest.readTasks(new long[]{5, 0, 7}, 12);
        assertEquals(List.of("[2]", "[0]", "[1]"), tasks.stream().map(Arrays::toString).toList());
    }

    @Test
    void everyFileIsReadOnceAndTheTasksAreBalanced() {
        Random random = new Random(42);
        long[] sizes = new long[1000];
        for (int f = 0; f < sizes.length; f++) {
            sizes[f] = 1 + random.nextInt(1_000_000);
        }
        List<int[]> tasks = SparkIngest.readTasks(sizes, 12);
        assertEquals(12, tasks.size());
        int[] all = tasks.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), all);
        long[] loads = tasks.stream().mapToLong(t -> Arrays.stream(t).mapToLong(f -> sizes[f]).sum()).toArray();
        long max = Arrays.stream(loads).max().orElseThrow();
        long min = Arrays.stream(loads).min().orElseThrow();
        assertTrue(max - min <= 1_000_000, "loads " + Arrays.toString(loads));
    }
    /**
     * Executors do not share the driver's working directory (a local-cluster run failed with "input file
     * data/sample/... does not exist (any more)"): a relative name is opened by its full path, and named as given.
     */
    @Test
    void aRelativeInputIsOpenedByItsFullPathAndNamedAsGiven(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path export = java.nio.file.Files.writeString(dir.resolve("orders.csv"),
                "customer_id,order_id,timestamp,item_id,quantity,unit_price\nc1,o1,2024-01-01,A,1,1\n");
        String relative = Path.of("").toAbsolutePath().relativize(export).toString();
        SparkIngest.Plan plan = SparkIngest.plan(List.of(relative), IngestOptions.defaults(), StandardCharsets.UTF_8,
                new Configuration(), 2, 128L << 20);
        assertEquals(List.of(relative), plan.files());
        assertEquals(1, plan.tasks().size());
        SparkIngest.ReadTask task = plan.tasks().get(0);
        assertArrayEquals(new String[]{relative}, task.labels());
        assertEquals("file:" + export, task.paths()[0]);
    }

    /**
     * A job starts before most executors are up (dynamic allocation): the read tasks follow the input's size too, one
     * per spark.files.maxPartitionBytes, so that a big load is not read by a few tasks.
     */
    @Test
    void aBigInputGetsATaskPerSliceOfBytesWhateverTheCoresSoFar(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        List<String> files = new java.util.ArrayList<>();
        for (int f = 0; f < 20; f++) {
            Path p = dir.resolve("day-" + f + ".csv");
            java.nio.file.Files.writeString(p, "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                    + ("c,o" + f + ",2024-01-01,A,1,1\n").repeat(40 + f));
            files.add(p.toString());
        }
        long total = files.stream().mapToLong(f -> Path.of(f).toFile().length()).sum();
        SparkIngest.Plan few = SparkIngest.plan(files, IngestOptions.defaults(), StandardCharsets.UTF_8,
                new Configuration(), 1, total);
        assertEquals(3, few.tasks().size(), "3 per core while the input is small");
        SparkIngest.Plan big = SparkIngest.plan(files, IngestOptions.defaults(), StandardCharsets.UTF_8,
                new Configuration(), 1, total / 10);
        assertTrue(big.tasks().size() >= 10, big.tasks().size() + " tasks");
    }
}
