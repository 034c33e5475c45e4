package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published version on disk that this user may not read or write as opening it needs: a read-only mount, or a
 * store written by another user. Not damage: refused with a {@link SnapshotAccessException} naming the file and
 * what access is missing, never reported as corruption ("missing", "cannot open Chronicle Map file"), and what
 * needs no write access opens read-only.
 *
 * <p>Runs where file permissions hold for this user; a user who writes read-only files anyway (root) skips it
 * (under root, {@code unshare --user mvn ...} runs it).
 */
@UnitTest
class SnapshotAccessTest {
    @TempDir
    Path tmp;
    ModelStore store;
    String version;
    Path dir;

    @BeforeEach
    void publish() throws Exception {
        store = ModelStore.open(tmp.resolve("store"));
        version = TestData.small().fill(store.newSnapshot()).publish();
        dir = store.directory().resolve(version);
        Path probe = Files.writeString(tmp.resolve("probe"), "x");
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("r--r--r--"));
        assumeFalse(Files.isWritable(probe), "this user writes read-only files (root): permissions cannot be tested");
    }

    @AfterEach
    void restorePermissions() throws IOException {
        restore(tmp); // @TempDir must be able to delete everything again
    }

    /** A directory's permissions before its entries', which it may hide until then. */
    private static void restore(Path p) throws IOException {
        boolean directory = Files.isDirectory(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
        if (directory) {
            try (Stream<Path> entries = Files.list(p)) {
                for (Path e : entries.toList()) {
                    restore(e);
                }
            }
        }
    }

    private static void readOnly(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x"
                : "r--r--r--"));
    }

    @Test
    void aMapFileThisUserCannotWriteIsRefusedSayingWhyNotAsCorruption() throws Exception {
        readOnly(dir.resolve("items.cmap"));
        SnapshotAccessException e = assertThrows(SnapshotAccessException.class, () -> store.open(version).close());
        assertEquals("items.cmap", e.file().getFileName().toString());
        assertTrue(e.getMessage().contains("not writable by this user"), e.getMessage());
        assertTrue(e.getMessage().contains("segment locks"), "says why a reader writes: " + e.getMessage());
    }

    @Test
    void aFileThisUserCannotReadIsRefusedSayingSo() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("popular.bin"), PosixFilePermissions.fromString("-w-------"));
        SnapshotAccessException e = assertThrows(SnapshotAccessException.class, () -> store.open(version).close());
        assertEquals("popular.bin", e.file().getFileName().toString());
        assertTrue(e.getMessage().contains("not readable by this user"), e.getMessage());
    }

    /** A directory the user may not search hid its files: they were reported "missing", as if deleted. */
    @Test
    void aDirectoryThisUserCannotSearchIsNotReportedAsMissingFiles() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rw-------"));
        SnapshotException e = assertThrows(SnapshotException.class, () -> store.open(version).close());
        assertFalse(e instanceof CorruptSnapshotException, e.getMessage());
        assertFalse(e.getMessage().contains("missing"), e.getMessage());
        assertTrue(e.getMessage().contains("by this user"), e.getMessage());
    }

    /** Everything but the map files read-only, the directories too: the manifest, key files and the rest. */
    @Test
    void aVersionWhoseOnlyWritableFilesAreItsMapFilesOpensAndAnswers() throws Exception {
        List<Path> all;
        try (Stream<Path> files = Files.walk(store.directory())) {
            all = files.toList();
        }
        for (Path p : all) {
            if (!p.getFileName().toString().endsWith(".cmap")) {
                readOnly(p);
            }
        }
        try (Snapshot s = store.open(version)) {
            assertTrue(s.itemCount() > 0);
            String item = s.popularItems().get(0).itemId();
            assertTrue(s.item(item).isPresent());
        }
    }

    /** A read-only store (every file and directory), as a volume replicas share: served from local copies. */
    @Test
    void aStoreThisUserCannotWriteAtAllOpensFromLocalCopies() throws Exception {
        List<Path> all;
        try (Stream<Path> files = Files.walk(store.directory())) {
            all = files.toList();
        }
        for (Path p : all) {
            readOnly(p);
        }
        assertThrows(SnapshotAccessException.class, () -> store.open(version).close(), "in place: refused");
        ModelStore copying = ModelStore.open(store.directory()).withLocalCopies(tmp.resolve("copies"));
        try (Snapshot s = copying.open(version)) {
            assertTrue(s.directory().startsWith(tmp.resolve("copies")), s.directory().toString());
            String item = s.popularItems().get(0).itemId();
            assertTrue(s.item(item).isPresent());
        }
        // A file it cannot read is still refused, naming the store's file.
        Files.setPosixFilePermissions(dir.resolve("rules.cmap"), PosixFilePermissions.fromString("-w-------"));
        SnapshotAccessException e = assertThrows(SnapshotAccessException.class, () -> copying.open(version).close());
        assertEquals(dir.resolve("rules.cmap"), e.file());
    }
}
