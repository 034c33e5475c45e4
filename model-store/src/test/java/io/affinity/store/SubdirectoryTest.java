package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories added by a writer callback are published, listed with checksums and verified like the maps. */
@UnitTest
class SubdirectoryTest {
    @TempDir
    Path tmp;

    private String publishWithIndex(ModelStore store) throws Exception {
        return TestData.small().fill(store.newSnapshot())
                .addDirectory("catalog", dir -> {
                    Files.writeString(dir.resolve("segments_1"), "segment list");
                    Files.write(dir.resolve("_0.cfs"), new byte[4096]);
                })
                .publish();
    }

    @Test
    void filesOfAnAddedDirectoryAreListedAndReadable() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = publishWithIndex(store);
        try (Snapshot s = store.open(version)) {
            Path catalog = s.subdirectory("catalog").orElseThrow();
            assertEquals("segment list", Files.readString(catalog.resolve("segments_1")));
            List<String> names = s.manifest().files().stream().map(Manifest.FileEntry::name).toList();
            assertTrue(names.containsAll(List.of("catalog/_0.cfs", "catalog/segments_1")), names.toString());
            assertTrue(s.subdirectory("other").isEmpty());
        }
    }

    @Test
    void aDamagedFileInAnAddedDirectoryFailsVerification() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = publishWithIndex(store);
        Path file = store.directory().resolve(version).resolve("catalog").resolve("_0.cfs");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(100);
            f.write(7);
        }
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEquals(file, e.file());
    }

    /**
     * A file the manifest does not list, put into a version by hand (another version's index merged in by a copy):
     * every listed file still verified, but Lucene opens the newest segments_N it finds, so the server would have
     * searched an index no checksum vouched for. Such a snapshot is refused, naming the file.
     */
    @Test
    void aFileTheManifestDoesNotListIsRefused() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = publishWithIndex(store);
        Path stray = store.directory().resolve(version).resolve("catalog").resolve("segments_2");
        Files.writeString(stray, "another commit");
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertEquals(stray, e.file());
        assertTrue(e.getMessage().contains("not listed in the manifest"), e.getMessage());
        Files.delete(stray);
        store.open(version).close();
        Path top = store.directory().resolve(version).resolve("notes.txt");
        Files.writeString(top, "x");
        assertEquals(top, assertThrows(CorruptSnapshotException.class, () -> store.open(version).close()).file());
    }

    @Test
    void invalidNamesAndNestedDirectoriesAreRefused() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        assertThrows(IllegalArgumentException.class, () -> store.newSnapshot().addDirectory("../x", d -> { }));
        assertThrows(IllegalArgumentException.class, () -> store.newSnapshot().addDirectory(".hidden", d -> { }));
        assertThrows(IllegalArgumentException.class, () -> store.newSnapshot().addDirectory("items.cmap", d -> { }));
        SnapshotBuilder nested = TestData.small().fill(store.newSnapshot())
                .addDirectory("catalog", d -> Files.createDirectory(d.resolve("sub")));
        IllegalStateException e = assertThrows(IllegalStateException.class, nested::publish);
        assertTrue(e.getMessage().contains("sub"), e.getMessage());
        assertTrue(store.versions().isEmpty(), "nothing published");
    }
}
