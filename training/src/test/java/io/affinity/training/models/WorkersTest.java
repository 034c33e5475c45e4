package io.affinity.training.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@UnitTest
class WorkersTest {
    @Test
    void callGivesResultsInTaskOrder() {
        List<Callable<Integer>> tasks = IntStream.range(0, 9).<Callable<Integer>>mapToObj(i -> () -> i * i).toList();
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49, 64), Workers.call(2, tasks));
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49, 64), Workers.call(1, tasks));
        assertEquals(List.of(), Workers.call(4, List.<Callable<Integer>>of()));
    }

    @Test
    void aTasksUncheckedFailureReachesTheCallerAsItWas() {
        IllegalArgumentException cause = new IllegalArgumentException("too few rows");
        List<Callable<Integer>> tasks = List.of(() -> 1, () -> {
            throw cause;
        });
        assertSame(cause, assertThrows(IllegalArgumentException.class, () -> Workers.call(2, tasks)));
        assertSame(cause, assertThrows(IllegalArgumentException.class, () -> Workers.runAll(2, t -> () -> {
            if (t == 1) {
                throw cause;
            }
        })));
    }

    @Test
    void aCheckedFailureIsWrappedWithItsCause() {
        IOException cause = new IOException("disk");
        List<Callable<Integer>> tasks = List.of(() -> {
            throw cause;
        });
        assertSame(cause, assertThrows(IllegalStateException.class, () -> Workers.call(2, tasks)).getCause());
    }

    @Test
    void runAllRunsEveryWorkerOnce() {
        for (int threads : new int[] {1, 2, 5}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(threads);
            Workers.runAll(threads, t -> () -> runs.incrementAndGet(t));
            for (int t = 0; t < threads; t++) {
                assertEquals(1, runs.get(t), "worker " + t + " of " + threads);
            }
        }
    }
}
