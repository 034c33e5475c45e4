package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.store.CorruptSnapshotException;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An activation reads and checksums the version once: {@link ModelAdmin#activate} opens (so verifies) the version
 * it will serve and hands that snapshot to the store's switch of CURRENT, which verified it a second time before
 * (twice the time page views shared the cores with it, benchmarks/RESULTS.md, "latency around model swaps"). Told
 * apart by damaging the version's popular.bin right after the admin's open: a second verification would refuse it.
 */
@IntegrationTest
class ActivateVerifiesOnceTest {
    @TempDir
    Path dir;
    private ModelStore store;
    private SwappableModelSource source;
    private ModelAdmin admin;
    private String first;
    private String second;
    private final AtomicInteger opens = new AtomicInteger();

    @BeforeEach
    void twoVersions() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        first = TestStores.publish(store, "first");
        second = TestStores.publish(store, "second");
        store.activate(first);
        source = new SwappableModelSource();
        admin = new ModelAdmin(store, source, TestStores::serve);
        admin.reload();
    }

    @AfterEach
    void close() {
        admin.close();
        source.close(Duration.ofSeconds(5));
    }

    /** The admin's opener, damaging the second version's files once it has opened (and verified) them. */
    private Snapshot openThenDamage(String version) throws java.io.IOException {
        Snapshot s = store.open(version);
        opens.incrementAndGet();
        if (version.equals(second)) {
            TestStores.corrupt(store.directory().resolve(second).resolve("popular.bin"));
        }
        return s;
    }

    @Test
    void theVersionTheAdminOpenedIsNotVerifiedAgainBeforeCurrentMoves() throws Exception {
        admin.opener = this::openThenDamage;
        ModelAdmin.Change c = admin.activate(second);
        assertEquals(second, c.activeVersion());
        assertEquals(second, store.currentVersion().orElseThrow());
        assertEquals(second, source.current().orElseThrow().snapshot().version());
        assertEquals(1, opens.get(), "opened once, and served from that open");
        // a later open reads the damage: verification itself still refuses it
        assertThrows(CorruptSnapshotException.class, () -> store.open(second).close());
    }

    @Test
    void aCanaryTheAdminOpenedIsNotVerifiedAgainBeforeCanaryIsWritten() throws Exception {
        admin.opener = this::openThenDamage;
        admin.startCanary(second, 10);
        assertEquals(second, source.canary().orElseThrow().version());
        assertEquals(second, store.canary().orElseThrow().version());
        assertEquals(1, opens.get(), "opened once, and served from that open");
    }
}
