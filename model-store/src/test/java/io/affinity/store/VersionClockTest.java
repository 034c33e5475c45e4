package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version ids come from the clock, and everything that orders versions orders their ids: the listing, prune's
 * newest N and its "newer than CURRENT". Found by the twenty-fourth session's fault injection: a clock stepped
 * back between two runs (NTP correcting a clock that ran fast, a VM restored from a snapshot) gave the later version
 * an id sorting before the earlier ones, so prune took it for the oldest.
 */
@UnitTest
class VersionClockTest {
    private static final Instant NIGHT = Instant.parse("2026-11-25T03:00:00.250Z");

    @TempDir
    Path tmp;

    /** A store as a new process opens it, with the machine's clock at {@code now}. */
    private ModelStore runAt(Instant now) throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        store.clock = Clock.fixed(now, ZoneOffset.UTC);
        return store;
    }

    @Test
    void aVersionPublishedAfterTheClockSteppedBackSortsAfterEveryEarlierOne() throws Exception {
        String first = TestData.small().fill(runAt(NIGHT).newSnapshot()).publish();
        assertEquals("20261125-030000-0fa", first.substring(0, 19), "the publish time, as long as the clock is sane");
        String second = TestData.small().fill(runAt(NIGHT.plusSeconds(60)).newSnapshot()).publish(false);

        ModelStore stepped = runAt(NIGHT.minus(Duration.ofHours(1)));
        String third = TestData.small().fill(stepped.newSnapshot()).publish();
        assertTrue(third.compareTo(second) > 0, third + " sorts after " + second);
        assertEquals(List.of(first, second, third), stepped.versions(), "listed in publish order");
        assertEquals(Optional.of(third), stepped.currentVersion());
        assertEquals(NIGHT.minus(Duration.ofHours(1)).toString(), stepped.manifest(third).createdAt(),
                "the manifest keeps what the clock said");

        // retention: the newest is the last published, never the one the stepped clock dated earliest
        ModelStore.PruneResult pruned = stepped.prune(1, true, false);
        assertEquals(List.of(first, second), pruned.removed().stream().map(ModelStore.Removal::name).toList());
        assertEquals(List.of(third), stepped.versions());

        // and the next run, with the clock still behind, follows it again
        String fourth = TestData.small().fill(runAt(NIGHT.minus(Duration.ofMinutes(30))).newSnapshot()).publish();
        assertTrue(fourth.compareTo(third) > 0, fourth + " sorts after " + third);
    }

    /**
     * Without {@code --include-newer}, prune keeps what sorts after CURRENT (candidates, versions rolled back from):
     * with the stepped clock's ids, every version published before the step stayed, whatever N.
     */
    @Test
    void pruneWithoutIncludeNewerDoesNotKeepOlderVersionsAsNewerThanCurrent() throws Exception {
        for (int night = 0; night < 3; night++) {
            TestData.small().fill(runAt(NIGHT.plus(Duration.ofDays(night))).newSnapshot()).publish();
        }
        ModelStore stepped = runAt(NIGHT.minus(Duration.ofDays(1)));
        String afterStep = TestData.small().fill(stepped.newSnapshot()).publish();
        ModelStore.PruneResult pruned = stepped.prune(1, false, false);
        assertEquals(3, pruned.removed().size(), pruned.toString());
        assertEquals(List.of(afterStep), stepped.versions());
    }
}
