package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions opened from private copies ({@link ModelStore#withLocalCopies}): what a store this process may not write
 * is served from. The permissions themselves are tested in {@link SnapshotAccessTest} (not as root).
 */
@UnitTest
class LocalCopiesTest {
    @TempDir
    Path tmp;
    ModelStore store;
    String version;

    @BeforeEach
    void publish() throws Exception {
        store = ModelStore.open(tmp.resolve("store"));
        version = TestData.small().fill(store.newSnapshot()).publish();
    }

    @Test
    void eachOpenHasItsOwnCopyRemovedWhenItCloses() throws Exception {
        ModelStore copying = store.withLocalCopies(tmp.resolve("copies"));
        Path mine = copying.localCopies().orElseThrow();
        assertTrue(mine.startsWith(tmp.resolve("copies")), mine.toString());
        Snapshot first = copying.open(version);
        Snapshot second = copying.openCurrent();
        assertTrue(first.directory().startsWith(mine), first.directory().toString());
        assertNotEquals(first.directory(), second.directory(), "two opens share no files");
        String item = first.popularItems().get(0).itemId();
        try (Snapshot inPlace = store.open(version)) {
            assertEquals(inPlace.item(item), first.item(item));
        }
        assertEquals(first.manifest(), second.manifest());

        first.close();
        assertFalse(Files.exists(first.directory()), "closed: its copy is gone");
        assertTrue(second.item(item).isPresent(), "the other copy still answers");
        first.close(); // idempotent
        second.close();
        assertEquals(List.of("owner.lock"), names(mine), "nothing left but the process's lock");
        assertTrue(store.localCopies().isEmpty(), "the store itself still opens in place");
        copying.closeLocalCopies();
        assertFalse(Files.exists(mine), "closed: the process's directory is gone");
        copying.closeLocalCopies(); // idempotent
    }

    /**
     * activate and startCanary by version id verify a copy and close it: no copy is left behind by them (a server
     * with local copies switches versions for months). Found by PIT: leaving the verified snapshot open went unnoticed.
     */
    @Test
    void activatingAndStartingACanaryLeaveNoCopy() throws Exception {
        String other = TestData.small().fill(store.newSnapshot()).publish(false);
        ModelStore copying = store.withLocalCopies(tmp.resolve("copies"));
        Path mine = copying.localCopies().orElseThrow();
        copying.startCanary(other, 10);
        copying.activate(other);
        copying.activate(version);
        assertEquals(List.of("owner.lock"), names(mine), "no copy left open");
        copying.closeLocalCopies();
    }

    @Test
    void damageInTheStoreIsReportedNamingTheStoresFileAndLeavesNoCopy() throws Exception {
        Path items = store.directory().resolve(version).resolve("items.cmap");
        try (RandomAccessFile raf = new RandomAccessFile(items.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            int b = raf.read();
            raf.seek(raf.length() - 1);
            raf.write(b ^ 0x5A);
        }
        ModelStore copying = store.withLocalCopies(tmp.resolve("copies"));
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> copying.open(version));
        assertEquals(items, e.file());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEquals(List.of("owner.lock"), names(copying.localCopies().orElseThrow()));
    }

    @Test
    void copiesThatADeadProcessLeftAreRemovedByTheNextOne() throws Exception {
        Path root = tmp.resolve("copies");
        // as a killed process leaves it: a copy and an owner lock nobody holds
        Path dead = Files.createDirectories(root.resolve("affinity-123").resolve(version + ".1"));
        Files.writeString(dead.resolve("items.cmap"), "stale");
        Files.writeString(root.resolve("affinity-123").resolve("owner.lock"), "");
        Path unrelated = Files.createDirectories(root.resolve("someone-elses"));
        ModelStore live = store.withLocalCopies(root);
        Path liveDir = live.localCopies().orElseThrow();
        try (Snapshot open = live.open(version)) {
            ModelStore next = store.withLocalCopies(root);
            assertFalse(Files.exists(root.resolve("affinity-123")), "the dead process's copies are removed");
            assertTrue(Files.exists(open.directory()), "a live process's copy is kept");
            assertTrue(Files.exists(unrelated), "only this software's directories are touched");
            assertNotEquals(liveDir, next.localCopies().orElseThrow());
        }
    }

    @Test
    void theCopyDirectoryMayNotLieInsideTheStore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.withLocalCopies(store.directory().resolve("copies")));
        assertTrue(e.getMessage().contains("inside the model store"), e.getMessage());
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
