package io.affinity.store;

import io.affinity.testing.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deleting versions and pruning a store: what is kept, what is freed, and what a crash or a race leaves. */
@IntegrationTest
class ModelStoreRetentionTest {
    @TempDir
    Path tmp;

    private ModelStore store;

    /** A store with {@code n} versions, oldest first; the last one is CURRENT. */
    private List<String> publish(int n) throws Exception {
        store = ModelStore.open(tmp.resolve("store"));
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            versions.add(TestData.small().fill(store.newSnapshot()).publish());
        }
        return versions;
    }

    private List<String> names() throws Exception {
        try (var files = Files.list(store.directory())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void pruneKeepsTheNewestAndFreesTheBytesOfTheRest() throws Exception {
        List<String> v = publish(4);
        long bytes0 = store.bytes(v.get(0));
        long bytes1 = store.bytes(v.get(1));
        assertTrue(bytes0 > 1000, "a version has files: " + bytes0);

        ModelStore.PruneResult r = store.prune(2, false, false);
        assertFalse(r.dryRun());
        assertEquals(List.of(new ModelStore.Removal(v.get(0), bytes0), new ModelStore.Removal(v.get(1), bytes1)),
                r.removed());
        assertEquals(bytes0 + bytes1, r.bytes());
        assertEquals(List.of(new ModelStore.Kept(v.get(2), ModelStore.KeepReason.NEWEST),
                new ModelStore.Kept(v.get(3), ModelStore.KeepReason.CURRENT)), r.kept());
        assertEquals(List.of(v.get(2), v.get(3)), store.versions());
        assertEquals(List.of(v.get(2), v.get(3), "CURRENT", "CURRENT.lock"), names(), "no .deleting- dir left");
        assertEquals(List.of(), store.skipped());
        try (Snapshot s = store.openCurrent()) {
            assertEquals(v.get(3), s.version());
        }
        assertEquals(List.of(), store.prune(2, false, false).removed(), "nothing more to do");
    }

    @Test
    void pruneKeepsCurrentEvenWhenItIsTheOldestAndTheVersionsNewerThanItUnlessAsked() throws Exception {
        List<String> v = publish(4);
        assertEquals(Optional.of(v.get(3)), store.activate(v.get(0)), "activate returns the previous CURRENT");

        ModelStore.PruneResult r = store.prune(1, false, false);
        assertEquals(List.of(), r.removed(), "after a rollback, the versions rolled back from stay");
        assertEquals(List.of(new ModelStore.Kept(v.get(0), ModelStore.KeepReason.CURRENT),
                new ModelStore.Kept(v.get(1), ModelStore.KeepReason.NEWER_THAN_CURRENT),
                new ModelStore.Kept(v.get(2), ModelStore.KeepReason.NEWER_THAN_CURRENT),
                new ModelStore.Kept(v.get(3), ModelStore.KeepReason.NEWEST)), r.kept());

        r = store.prune(1, true, false);
        assertEquals(List.of(v.get(1), v.get(2)), r.removed().stream().map(ModelStore.Removal::name).toList());
        assertEquals(List.of(v.get(0), v.get(3)), store.versions());
        assertEquals(Optional.of(v.get(0)), store.currentVersion());
    }

    @Test
    void aDryRunReportsTheSameAndDeletesNothing() throws Exception {
        List<String> v = publish(3);
        List<String> before = names();
        ModelStore.PruneResult dry = store.prune(1, false, true);
        assertTrue(dry.dryRun());
        assertEquals(List.of(v.get(0), v.get(1)), dry.removed().stream().map(ModelStore.Removal::name).toList());
        assertTrue(dry.bytes() > 0);
        assertEquals(before, names());
        ModelStore.PruneResult real = store.prune(1, false, false);
        assertEquals(dry.removed(), real.removed());
        assertEquals(dry.kept(), real.kept());
    }

    @Test
    void deleteRefusesCurrentAndUnknownVersions() throws Exception {
        List<String> v = publish(2);
        IllegalStateException current = assertThrows(IllegalStateException.class, () -> store.delete(v.get(1)));
        assertTrue(current.getMessage().contains("is CURRENT"), current.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.delete("20990101-000000-000000"));
        assertThrows(IllegalArgumentException.class, () -> store.delete("../store"));
        assertEquals(v, store.versions());

        ModelStore.Removal r = store.delete(v.get(0));
        assertEquals(v.get(0), r.name());
        assertEquals(List.of(v.get(1)), store.versions());
        assertThrows(IllegalArgumentException.class, () -> store.delete(v.get(0)), "deleted once");
        assertThrows(IllegalArgumentException.class, () -> store.activate(v.get(0)));
        assertEquals(Optional.of(v.get(1)), store.currentVersion());
    }

    @Test
    void aCurrentThatHoldsNoVersionIdStopsDeletionAndPrune() throws Exception {
        List<String> v = publish(2);
        Files.writeString(store.directory().resolve("CURRENT"), "garbage\n");
        assertThrows(CorruptSnapshotException.class, () -> store.delete(v.get(0)));
        assertThrows(CorruptSnapshotException.class, () -> store.prune(1, false, false));
        Files.delete(store.directory().resolve("CURRENT"));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> store.prune(1, false, false));
        assertTrue(none.getMessage().contains("no CURRENT"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.prune(0, false, false));
        assertEquals(v, store.versions());
    }

    @Test
    void leftoversOfAnInterruptedDeletionAreNeverListedAndTheNextPruneRemovesThem() throws Exception {
        List<String> v = publish(2);
        Path d = store.directory();
        // What a crash after the rename leaves: a whole version's files under a .deleting- name.
        Path leftover = d.resolve(ModelStore.DELETING_PREFIX + v.get(0) + "-abcdef");
        Files.move(d.resolve(v.get(0)), leftover);
        Path freshTmp = Files.createDirectory(d.resolve(ModelStore.TMP_PREFIX + "fresh"));
        Files.writeString(freshTmp.resolve("items.cmap"), "a publish in progress");
        Path staleTmp = Files.createDirectory(d.resolve(ModelStore.TMP_PREFIX + "stale"));
        Files.writeString(staleTmp.resolve("items.cmap"), "abandoned");
        Files.setLastModifiedTime(staleTmp, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        Files.createDirectory(d.resolve("20990101-000000-abcdef")); // named like a version, no manifest

        assertEquals(List.of(v.get(1)), store.versions());
        assertEquals(List.of(new ModelStore.Skipped(ModelStore.TMP_PREFIX + "fresh", ModelStore.SkippedKind.PUBLISHING),
                new ModelStore.Skipped(ModelStore.TMP_PREFIX + "stale", ModelStore.SkippedKind.PUBLISHING),
                new ModelStore.Skipped(leftover.getFileName().toString(), ModelStore.SkippedKind.DELETING),
                new ModelStore.Skipped("20990101-000000-abcdef", ModelStore.SkippedKind.INCOMPLETE)),
                store.skipped().stream().sorted(java.util.Comparator.comparing(ModelStore.Skipped::kind)).toList());

        long leftoverBytes;
        try (var walk = Files.walk(leftover)) {
            leftoverBytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        ModelStore.PruneResult dry = store.prune(5, false, true);
        assertEquals(List.of(new ModelStore.Removal(leftover.getFileName().toString(), leftoverBytes),
                new ModelStore.Removal(ModelStore.TMP_PREFIX + "stale", 9)), dry.leftovers(), "by name");
        assertTrue(Files.isDirectory(leftover), "dry run");

        ModelStore.PruneResult r = store.prune(5, false, false);
        assertEquals(dry.leftovers(), r.leftovers());
        assertEquals(List.of(), r.removed());
        assertEquals(9 + leftoverBytes, r.bytes());
        assertFalse(Files.exists(leftover));
        assertFalse(Files.exists(staleTmp));
        assertTrue(Files.isDirectory(freshTmp), "a recent publish may still be running");
        assertTrue(Files.isDirectory(d.resolve("20990101-000000-abcdef")), "not prune's to judge");
    }

    /**
     * A pointer write killed between its write and its rename leaves {@code CURRENT.tmp-*} (or {@code CANARY.tmp-*}):
     * nothing removed them (the pipeline audit's leftover). Prune and the next publish remove those over 6 hours old,
     * and leave a recent one (a pointer write may be running).
     */
    @Test
    void staleTempFilesOfPointerWritesAreRemovedByPruneAndByTheNextPublish() throws Exception {
        List<String> v = publish(1);
        Path d = store.directory();
        Path staleCurrent = Files.writeString(d.resolve("CURRENT.tmp-0a1b2c3d4e5f"), v.get(0) + "\n");
        Path staleCanary = Files.writeString(d.resolve("CANARY.tmp-0a1b2c3d4e5f"), v.get(0) + " 10\n");
        Path fresh = Files.writeString(d.resolve("CURRENT.tmp-ffffffffffff"), v.get(0) + "\n");
        for (Path p : List.of(staleCurrent, staleCanary)) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        }
        ModelStore.PruneResult dry = store.prune(5, false, true);
        assertEquals(java.util.Set.of("CURRENT.tmp-0a1b2c3d4e5f", "CANARY.tmp-0a1b2c3d4e5f"), dry.leftovers().stream()
                .map(ModelStore.Removal::name).collect(java.util.stream.Collectors.toSet()));
        assertTrue(Files.exists(staleCurrent), "dry run");
        store.prune(5, false, false);
        assertFalse(Files.exists(staleCurrent) || Files.exists(staleCanary));
        assertTrue(Files.exists(fresh), "a recent pointer write may still be running");

        Path again = Files.writeString(d.resolve("CURRENT.tmp-0123456789ab"), v.get(0) + "\n");
        Files.setLastModifiedTime(again, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        publish(1);
        assertFalse(Files.exists(again), "the next publish removes it too");
        assertTrue(Files.exists(fresh));
    }

    @Test
    void aVersionActivatedWhilePruneRunsIsSpared() throws Exception {
        List<String> v = publish(4);
        // Another process rolls back to the oldest version after prune planned to delete it.
        store.beforePruneDelete = version -> {
            if (version.equals(v.get(0))) {
                try {
                    Files.writeString(store.directory().resolve("CURRENT"), v.get(0) + "\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        ModelStore.PruneResult r = store.prune(1, true, false);
        assertEquals(List.of(v.get(0)), r.spared());
        assertEquals(List.of(v.get(1), v.get(2)), r.removed().stream().map(ModelStore.Removal::name).toList());
        assertEquals(List.of(v.get(0), v.get(3)), store.versions());
        assertEquals(new ModelStore.Kept(v.get(0), ModelStore.KeepReason.CURRENT), r.kept().get(0));
        try (Snapshot s = store.openCurrent()) {
            assertEquals(v.get(0), s.version());
        }
    }

    @Test
    void anOpenSnapshotKeepsReadingAfterItsVersionIsDeleted() throws Exception {
        List<String> v = publish(2);
        try (Snapshot s = store.open(v.get(0))) {
            store.delete(v.get(0));
            assertFalse(Files.exists(store.directory().resolve(v.get(0))));
            assertEquals(TestData.small().items.size(), s.itemCount());
            assertTrue(s.item(TestData.small().items.keySet().iterator().next()).isPresent());
        }
    }

    /**
     * The store lock works across processes: while another JVM holds {@code CURRENT.lock}, a delete waits (the
     * version stays listed) and completes once the lock is released.
     */
    @Test
    void deleteWaitsForAnotherProcessHoldingTheStoreLock() throws Exception {
        List<String> v = publish(2);
        Path lockFile = store.directory().resolve(ModelStore.LOCK);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            CompletableFuture<ModelStore.Removal> deletion = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.delete(v.get(0));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(1000);
            assertFalse(deletion.isDone(), "delete waits for the lock");
            assertEquals(v, store.versions());
            holder.getOutputStream().close(); // the holder releases the lock and exits
            assertEquals(v.get(0), deletion.get(60, TimeUnit.SECONDS).name());
            assertEquals(List.of(v.get(1)), store.versions());
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Holds the lock on the file given until its standard input closes (run in a child JVM). */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var lock = ch.lock()) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
            }
        }
    }
}
