package io.affinity.api;

import static io.affinity.api.SwappableModelSourceTest.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.StressTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * {@link SwappableModelSourceTest}'s reference counting hammered: threads lease without pause while models are
 * swapped and canaries started, re-weighted, stopped and promoted under them, hundreds of times. Without HTTP.
 */
@StressTest
class SwappableModelSourceStressTest {

    @Test
    void concurrentLeasesAndSwapsCloseEveryRetiredModelExactlyOnce() throws Exception {
        SwappableModelSource source = new SwappableModelSource();
        List<AtomicInteger> closes = new ArrayList<>();
        AtomicInteger leasedAfterClose = new AtomicInteger();
        int swaps = 200;
        for (int i = 0; i <= swaps; i++) {
            closes.add(new AtomicInteger());
        }
        source.swap(model("v0"), closes.get(0)::incrementAndGet);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(leaser(new Random(7 + t), rnd -> source.lease().orElseThrow(), i -> i < 20_000, closes,
                    leasedAfterClose));
        }
        threads.forEach(Thread::start);
        for (int i = 1; i <= swaps; i++) {
            source.swap(model("v" + i), closes.get(i)::incrementAndGet);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, leasedAfterClose.get(), "a request used a closed model");
        for (int i = 0; i < swaps; i++) {
            assertEquals(1, closes.get(i).get(), "v" + i + " closed once");
        }
        assertEquals(0, closes.get(swaps).get());
        assertEquals(1, source.openGenerations());
        assertTrue(source.close(Duration.ofSeconds(5)));
        assertEquals(1, closes.get(swaps).get());
        assertFalse(source.lease().isPresent());
    }

    /**
     * Customer leases under concurrent canary starts, re-weightings, stops and promotions: no request ever uses a
     * closed generation, and every generation is closed exactly once.
     */
    @Test
    void concurrentCustomerLeasesAndCanaryChangesCloseEveryGenerationExactlyOnce() throws Exception {
        SwappableModelSource source = new SwappableModelSource();
        int versions = 120;
        List<AtomicInteger> closes = new ArrayList<>();
        for (int i = 0; i <= versions; i++) {
            closes.add(new AtomicInteger());
        }
        AtomicInteger leasedAfterClose = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        source.swap(model("v0"), closes.get(0)::incrementAndGet);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(leaser(new Random(11 + t), rnd -> source.lease("C" + rnd.nextInt(1000)).orElseThrow(),
                    i -> i < 5_000 || running.get(), closes, leasedAfterClose));
        }
        threads.forEach(Thread::start);
        Random rnd = new Random(5);
        for (int i = 1; i <= versions; i++) {
            source.startCanary(model("v" + i), closes.get(i)::incrementAndGet, 1 + rnd.nextInt(99));
            switch (rnd.nextInt(4)) {
                case 0 -> source.stopCanary();
                case 1 -> source.promoteCanary();
                case 2 -> source.setCanaryPercent(1 + rnd.nextInt(99));
                default -> { } // replaced by the next start
            }
        }
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, leasedAfterClose.get(), "a request used a closed model");
        source.close(Duration.ofSeconds(5));
        for (int i = 0; i <= versions; i++) {
            assertEquals(1, closes.get(i).get(), "v" + i + " closed once");
        }
        assertEquals(0, source.openGenerations());
    }

    /**
     * A thread that takes leases while {@code more} holds for its count, yielding now and then so swaps land inside
     * leases, and counts every lease of a model already closed (versions are "v" + the index into {@code closes}).
     */
    private static Thread leaser(Random rnd, Function<Random, ModelLease> lease, IntPredicate more,
                                 List<AtomicInteger> closes, AtomicInteger leasedAfterClose) {
        return new Thread(() -> {
            for (int i = 0; more.test(i); i++) {
                try (ModelLease leased = lease.apply(rnd)) {
                    int v = Integer.parseInt(leased.model().snapshot().version().substring(1));
                    if (rnd.nextInt(100) == 0) {
                        Thread.yield();
                    }
                    if (closes.get(v).get() != 0) {
                        leasedAfterClose.incrementAndGet();
                    }
                }
            }
        });
    }
}
