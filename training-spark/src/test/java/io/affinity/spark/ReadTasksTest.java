package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How the load spreads export files over its read tasks ({@link SparkIngest#readTasks}). */
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
}
