package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CANARY pointer: written like CURRENT, verified first, promoted by activate, kept by prune, damage typed. */
@UnitTest
class ModelStoreCanaryTest {
    @TempDir
    Path tmp;

    private ModelStore store;

    /** {@code n} versions, oldest first; CURRENT names the first (so the others are candidates). */
    private List<String> publish(int n) throws Exception {
        store = ModelStore.open(tmp.resolve("store"));
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            versions.add(TestData.small().fill(store.newSnapshot()).publish(false));
        }
        store.activate(versions.get(0));
        return versions;
    }

    private Path canaryFile() {
        return store.directory().resolve("CANARY");
    }

    @Test
    void aCanaryIsWrittenAsOneLineReadBackAndStopped() throws Exception {
        List<String> v = publish(3);
        assertEquals(Optional.empty(), store.canary());
        assertEquals(Optional.empty(), store.startCanary(v.get(1), 10));
        assertEquals(v.get(1) + " 10\n", Files.readString(canaryFile()));
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 10)), store.canary());
        // re-weighting and replacing return what was there
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 10)), store.startCanary(v.get(1), 25));
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 25)), store.startCanary(v.get(2), 5));
        assertEquals(Optional.of(new ModelStore.Canary(v.get(2), 5)), store.stopCanary());
        assertFalse(Files.exists(canaryFile()));
        assertEquals(Optional.empty(), store.stopCanary(), "stopping twice is harmless");
        try (var files = Files.list(store.directory())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("CANARY.tmp")), "no temp file left");
        }
        assertEquals(Optional.of(v.get(0)), store.currentVersion(), "CURRENT untouched throughout");
    }

    @Test
    void aCanaryIsRefusedForCurrentUnknownOrDamagedVersionsAndOutOfRangePercents() throws Exception {
        List<String> v = publish(3);
        IllegalStateException current = assertThrows(IllegalStateException.class, () -> store.startCanary(v.get(0), 10));
        assertTrue(current.getMessage().contains("is CURRENT"), current.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.startCanary("20990101-000000-000000", 10));
        assertThrows(IllegalArgumentException.class, () -> store.startCanary("../store", 10));
        for (int percent : new int[] {0, 100, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.startCanary(v.get(1), percent));
            assertTrue(e.getMessage().contains("1 to 99"), e.getMessage());
        }
        Path rules = store.directory().resolve(v.get(2)).resolve("rules.cmap");
        try (RandomAccessFile f = new RandomAccessFile(rules.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x5A);
        }
        CorruptSnapshotException damaged = assertThrows(CorruptSnapshotException.class,
                () -> store.startCanary(v.get(2), 10), "verified before it is written, as activate does");
        assertTrue(damaged.getMessage().contains("rules.cmap"), damaged.getMessage());
        assertFalse(Files.exists(canaryFile()), "nothing written by a refusal");
    }

    @Test
    void aDamagedCanaryIsATypedErrorNamingTheFileAndStopRepairsIt() throws Exception {
        List<String> v = publish(2);
        for (String content : new String[] {"", "\n", "garbage", v.get(1), v.get(1) + " 0", v.get(1) + " 100",
                v.get(1) + " ten", v.get(1) + " 10 extra", "20990101-000000-zzzzzz 10", "\u0000\u00ff\n"}) {
            Files.writeString(canaryFile(), content, java.nio.charset.StandardCharsets.ISO_8859_1);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.canary(),
                    "'" + content + "'");
            assertTrue(e.getMessage().startsWith(canaryFile().toString() + ": "), e.getMessage());
            assertEquals(canaryFile(), e.file());
        }
        // prune and delete need to know the canary: a damaged one stops them, as an unreadable CURRENT does
        assertThrows(CorruptSnapshotException.class, () -> store.prune(1, true, false));
        assertThrows(CorruptSnapshotException.class, () -> store.delete(v.get(1)));
        assertEquals(v, store.versions());
        // activate leaves damage alone (and is not stopped by it); stop removes it
        assertEquals(Optional.empty(), store.activateReporting(v.get(1)).canary());
        assertTrue(Files.exists(canaryFile()));
        assertEquals(Optional.empty(), store.stopCanary());
        assertEquals(Optional.empty(), store.canary());

        Files.createDirectory(canaryFile());
        CorruptSnapshotException dir = assertThrows(CorruptSnapshotException.class, () -> store.canary());
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
        store.stopCanary();
        assertFalse(Files.exists(canaryFile()));
    }

    @Test
    void activatingTheCanarysVersionPromotesItAndActivatingAnotherLeavesIt() throws Exception {
        List<String> v = publish(3);
        store.startCanary(v.get(1), 20);
        ModelStore.Activation other = store.activateReporting(v.get(2));
        assertEquals(Optional.of(v.get(0)), other.previous());
        assertEquals(Optional.empty(), other.promotedCanary());
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 20)), other.canary(), "another version: it stays");
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 20)), store.canary());

        ModelStore.Activation promotion = store.activateReporting(v.get(1));
        assertEquals(Optional.of(v.get(2)), promotion.previous());
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 20)), promotion.promotedCanary());
        assertEquals(Optional.empty(), promotion.canary());
        assertEquals(Optional.of(v.get(1)), store.currentVersion());
        assertEquals(Optional.empty(), store.canary(), "cleared with the switch");
        assertFalse(Files.exists(canaryFile()));
    }

    @Test
    void pruneAndDeleteNeverRemoveTheCanary() throws Exception {
        List<String> v = publish(5);
        store.activate(v.get(4));
        store.startCanary(v.get(0), 10); // the oldest: a canary of an older version, e.g. to re-check a rollback
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> store.delete(v.get(0)));
        assertTrue(refused.getMessage().contains("is the canary"), refused.getMessage());

        ModelStore.PruneResult dry = store.prune(1, true, true);
        assertEquals(List.of(v.get(1), v.get(2), v.get(3)),
                dry.removed().stream().map(ModelStore.Removal::name).toList());
        ModelStore.PruneResult r = store.prune(1, true, false);
        assertEquals(dry.removed().stream().map(ModelStore.Removal::name).toList(),
                r.removed().stream().map(ModelStore.Removal::name).toList());
        assertEquals(List.of(new ModelStore.Kept(v.get(0), ModelStore.KeepReason.CANARY),
                new ModelStore.Kept(v.get(4), ModelStore.KeepReason.CURRENT)), r.kept());
        assertEquals(List.of(v.get(0), v.get(4)), store.versions());
        try (Snapshot s = store.open(v.get(0))) {
            assertEquals(v.get(0), s.version());
        }
    }

    @Test
    void aVersionMadeTheCanaryWhilePruneRunsIsSpared() throws Exception {
        List<String> v = publish(4);
        store.activate(v.get(3));
        store.beforePruneDelete = version -> {
            if (version.equals(v.get(1))) {
                try {
                    store.startCanary(v.get(1), 30); // another operator starts a canary of a version prune planned to delete
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        ModelStore.PruneResult r = store.prune(1, true, false);
        assertEquals(List.of(v.get(1)), r.spared());
        assertEquals(List.of(v.get(0), v.get(2)), r.removed().stream().map(ModelStore.Removal::name).toList());
        assertTrue(r.kept().contains(new ModelStore.Kept(v.get(1), ModelStore.KeepReason.CANARY)), r.kept().toString());
        assertEquals(List.of(v.get(1), v.get(3)), store.versions());
    }

    /**
     * 1 and 99 are the smallest and largest canaries: started, written and read back as such. Found by PIT: either
     * bound moved by one went unnoticed.
     */
    @Test
    void aCanaryOfOnePercentAndOneOfNinetyNineAreReadBack() throws Exception {
        List<String> v = publish(2);
        assertEquals(Optional.empty(), store.startCanary(v.get(1), 1));
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 1)), store.canary());
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 1)), store.startCanary(v.get(1), 99));
        assertEquals(Optional.of(new ModelStore.Canary(v.get(1), 99)), store.canary());
    }

    @Test
    void theCanaryRecordValidatesItself() {
        assertThrows(IllegalArgumentException.class, () -> new ModelStore.Canary("nope", 10));
        assertThrows(IllegalArgumentException.class, () -> new ModelStore.Canary(null, 10));
        assertThrows(IllegalArgumentException.class, () -> new ModelStore.Canary("20990101-000000-000000", 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelStore.Canary("20990101-000000-000000", 100));
        assertEquals(99, new ModelStore.Canary("20990101-000000-000000", 99).percent());
    }
}
