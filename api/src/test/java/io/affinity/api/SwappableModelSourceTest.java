package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.UnitTest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reference counting of model generations, without HTTP; {@link SwappableModelSourceStressTest} hammers it. */
@UnitTest
class SwappableModelSourceTest {

    static ServedModel model(String version) {
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

    /** The version a request about {@code customerId} is answered by (the lease closed again). */
    private static String versionFor(SwappableModelSource source, String customerId) {
        try (ModelLease lease = source.lease(customerId).orElseThrow()) {
            return lease.model().snapshot().version();
        }
    }

    /** A customer id the canary of {@code version} at {@code percent} takes ({@code in}) or leaves. */
    private static String customer(String version, int percent, boolean in) {
        int salt = CanaryAssignment.salt(version);
        for (int i = 0; ; i++) {
            if (CanaryAssignment.bucket("C" + i, salt) < percent == in) {
                return "C" + i;
            }
        }
    }

    @Test
    void aCanaryAnswersItsSliceAndClosesAfterItsLastLeaseWhenStopped() {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closedCanary = new AtomicInteger();
        source.swap(model("v1"), () -> { });
        String in = customer("v2", 10, true);
        String out = customer("v2", 10, false);
        assertEquals("v1", versionFor(source, in), "no canary yet");
        source.startCanary(model("v2"), closedCanary::incrementAndGet, 10);
        assertEquals(2, source.openGenerations());
        assertEquals("v2", source.canary().orElseThrow().version());
        assertEquals(10, source.canary().orElseThrow().percent());
        ModelLease running = source.lease(in).orElseThrow();
        assertEquals("v2", running.model().snapshot().version());
        try (ModelLease other = source.lease(out).orElseThrow(); ModelLease anonymous = source.lease(null).orElseThrow()) {
            assertEquals("v1", other.model().snapshot().version());
            assertEquals("v1", anonymous.model().snapshot().version(), "no customer: the active model");
        }
        assertEquals(1, source.canaryAnswers());
        assertEquals(1, source.currentAnswersBesideCanary(), "the anonymous lease is not a canary assignment");

        assertEquals(java.util.Optional.of("v2"), source.stopCanary());
        assertEquals("v1", versionFor(source, in), "stopped: back to v1");
        assertEquals(0, closedCanary.get(), "still answering the running request");
        assertEquals(2, source.openGenerations());
        running.close();
        assertEquals(1, closedCanary.get());
        assertEquals(1, source.openGenerations());
        assertEquals(java.util.Optional.empty(), source.stopCanary());
    }

    @Test
    void reweightingKeepsTheGenerationAndReplacingClosesTheOldCanary() {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closedV2 = new AtomicInteger();
        source.swap(model("v1"), () -> { });
        source.startCanary(model("v2"), closedV2::incrementAndGet, 10);
        ServedModel v2 = source.canary().orElseThrow().model();
        String tenPercent = customer("v2", 10, true);
        source.setCanaryPercent(50);
        assertSame(v2, source.canary().orElseThrow().model(), "the same open generation");
        assertEquals(50, source.canary().orElseThrow().percent());
        assertEquals("v2", versionFor(source, tenPercent), "raising keeps the slice");
        assertEquals(0, closedV2.get());
        source.startCanary(model("v3"), () -> { }, 50);
        assertEquals(1, closedV2.get(), "replaced, nothing leased: closed at once");
        assertEquals(2, source.openGenerations());
        assertEquals("v3", versionFor(source, customer("v3", 50, true)));
    }

    @Test
    void promotingMovesTheCanarysGenerationToEveryCustomer() {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closedV1 = new AtomicInteger();
        AtomicInteger closedV2 = new AtomicInteger();
        source.swap(model("v1"), closedV1::incrementAndGet);
        source.startCanary(model("v2"), closedV2::incrementAndGet, 10);
        ServedModel v2 = source.canary().orElseThrow().model();
        ModelLease onV1 = source.lease(customer("v2", 10, false)).orElseThrow();
        assertEquals(java.util.Optional.of("v1"), source.promoteCanary());
        assertSame(v2, source.current().orElseThrow(), "promoted without opening it again");
        assertTrue(source.canary().isEmpty());
        assertEquals("v2", versionFor(source, customer("v2", 10, false)));
        assertEquals(0, closedV1.get(), "v1 still answers a running request");
        onV1.close();
        assertEquals(1, closedV1.get());
        assertEquals(0, closedV2.get());
        assertEquals(1, source.openGenerations());
        assertTrue(source.close(Duration.ofSeconds(1)));
        assertEquals(1, closedV2.get());
    }

    @Test
    void closingTheSourceRetiresTheCanaryToo() {
        SwappableModelSource source = new SwappableModelSource();
        AtomicInteger closedCanary = new AtomicInteger();
        source.swap(model("v1"), () -> { });
        source.startCanary(model("v2"), closedCanary::incrementAndGet, 99);
        assertTrue(source.close(Duration.ofSeconds(1)));
        assertEquals(1, closedCanary.get());
        assertEquals(0, source.openGenerations());
        assertFalse(source.lease("C1").isPresent());
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
