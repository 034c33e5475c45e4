package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reference counting of model generations, without HTTP. */
class SwappableModelSourceTest {

    private static ServedModel model(String version) {
        InMemoryModelSnapshot s = InMemoryModelSnapshot.builder(version)
                .item(new ItemFacts("A", "a", "", 1, 1, 1, 1)).build();
        return new ServedModel(s, new Recommender(s, RecommenderSettings.DEFAULTS), Map.of());
    }

    @Test
    void emptyUntilAModelIsInstalled() {
        SwappableModelSource source = new SwappableModelSource();
        assertEquals(Optional.empty(), source.lease());
        assertEquals(Optional.empty(), source.current());
    }

    @Test
    void aRetiredModelIsClosedOnlyWhenItsLastLeaseIsReleased() {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closedV1 = new AtomicInteger();
        AtomicInteger closedV2 = new AtomicInteger();
        source.swap(model("v1"), closedV1::incrementAndGet);
        ModelLease first = source.lease().orElseThrow();
        ModelLease second = source.lease().orElseThrow();

        assertEquals(Optional.of("v1"), source.swap(model("v2"), closedV2::incrementAndGet));
        try (ModelLease fresh = source.lease().orElseThrow()) {
            assertEquals("v2", fresh.model().snapshot().version(), "new leases see v2");
        }
        assertEquals("v1", first.model().snapshot().version(), "running requests keep v1");
        assertEquals(2, source.openGenerations());

        first.close();
        first.close(); // idempotent: must not release twice
        assertEquals(0, closedV1.get(), "still leased by the second request");
        second.close();
        assertEquals(1, closedV1.get());
        assertEquals(1, source.openGenerations());

        ModelLease late = source.lease().orElseThrow();
        assertFalse(source.close(Duration.ZERO), "v2 is still leased");
        assertEquals(Optional.empty(), source.lease(), "no new leases after close");
        assertEquals(0, closedV2.get());
        late.close();
        assertEquals(1, closedV2.get());
        assertEquals(0, source.openGenerations());
        assertEquals(1, closedV1.get(), "closed exactly once");
    }

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
            Random rnd = new Random(7 + t);
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    try (ModelLease lease = source.lease().orElseThrow()) {
                        int v = Integer.parseInt(lease.model().snapshot().version().substring(1));
                        if (rnd.nextInt(100) == 0) {
                            Thread.yield();
                        }
                        if (closes.get(v).get() != 0) {
                            leasedAfterClose.incrementAndGet();
                        }
                    }
                }
            }));
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

    @Test
    void fixedSourceLeasesAreUnmanaged() {
        ServedModel m = model("f");
        ModelSource fixed = ModelSource.fixed(m);
        try (ModelLease lease = fixed.lease().orElseThrow()) {
            assertSame(m, lease.model());
        }
        assertSame(m, fixed.current().orElseThrow());
    }
}
