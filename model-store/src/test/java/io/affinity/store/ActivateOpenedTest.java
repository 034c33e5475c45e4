package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activating a version the caller has open ({@link ModelStore#activateReporting(Snapshot)}): the server's activate
 * opens (and so fully verifies) the version it is about to serve, and the store verified it a second time before
 * writing CURRENT, which doubled the time page views shared the cores with reading and checksumming every file
 * (benchmarks/RESULTS.md, "latency around model swaps"). A snapshot this store opened is not verified again; any
 * other is. Each test damages popular.bin after the open to tell the two apart: a verification would refuse it.
 */
@UnitTest
class ActivateOpenedTest {
    @TempDir
    Path tmp;
    ModelStore store;
    String first;
    String second;

    @BeforeEach
    void twoVersions() throws Exception {
        store = ModelStore.open(tmp.resolve("store"));
        first = TestData.small().fill(store.newSnapshot()).publish();
        second = TestData.small().fill(store.newSnapshot()).publish(false);
    }

    private void damageSecond() throws Exception {
        CorruptionTest.flip(store.directory().resolve(second).resolve("popular.bin"), 20);
    }

    @Test
    void aVersionThisStoreOpenedIsActivatedWithoutASecondVerification() throws Exception {
        try (Snapshot opened = store.open(second)) {
            damageSecond();
            ModelStore.Activation a = store.activateReporting(opened);
            assertEquals(Optional.of(first), a.previous());
            assertEquals(Optional.of(second), store.currentVersion());
        }
        // by its id, the version is verified as before: the damage is found
        assertThrows(CorruptSnapshotException.class, () -> store.activateReporting(second));
    }

    @Test
    void aCanaryThisStoreOpenedIsStartedWithoutASecondVerificationAndItsPercentIsChecked() throws Exception {
        try (Snapshot opened = store.open(second)) {
            damageSecond();
            assertThrows(IllegalArgumentException.class, () -> store.startCanary(opened, 100));
            assertEquals(Optional.empty(), store.startCanary(opened, 10));
            assertEquals(Optional.of(new ModelStore.Canary(second, 10)), store.canary());
            assertEquals(Optional.of(new ModelStore.Canary(second, 10)), store.startCanary(opened, 30),
                    "re-weighting answers the canary it replaced");
        }
        assertThrows(CorruptSnapshotException.class, () -> store.startCanary(second, 20));
    }

    @Test
    void aSnapshotAnotherStoreObjectOpenedIsVerifiedAgain() throws Exception {
        ModelStore other = ModelStore.open(store.directory());
        try (Snapshot opened = other.open(second)) {
            damageSecond();
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> store.activateReporting(opened));
            assertTrue(e.getMessage().contains("popular.bin"), e.getMessage());
        }
        assertEquals(Optional.of(first), store.currentVersion(), "CURRENT unchanged");
    }

    @Test
    void aClosedSnapshotIsVerifiedAgain() throws Exception {
        Snapshot opened = store.open(second);
        opened.close();
        damageSecond();
        assertThrows(CorruptSnapshotException.class, () -> store.activateReporting(opened));
        assertEquals(Optional.of(first), store.currentVersion());
    }

    @Test
    void aVersionDeletedSinceItWasOpenedIsRefused() throws Exception {
        try (Snapshot opened = store.open(second)) {
            store.delete(second);
            assertThrows(IllegalArgumentException.class, () -> store.activateReporting(opened));
        }
        assertEquals(Optional.of(first), store.currentVersion());
    }
}
