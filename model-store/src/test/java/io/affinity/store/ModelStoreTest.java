package io.affinity.store;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class ModelStoreTest {
    /** The manifest's software version: the project version and the commit of the build, when there is one. */
    @Test
    void theSoftwareVersionNamesTheCommitOfTheBuild() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("version", "0.1.0-SNAPSHOT");
        p.setProperty("commit", "1f569fa");
        p.setProperty("dirty", "false");
        assertEquals("0.1.0-SNAPSHOT+1f569fa", ModelStore.softwareVersion(p));
        p.setProperty("dirty", "true");
        assertEquals("0.1.0-SNAPSHOT+1f569fa.dirty", ModelStore.softwareVersion(p));
        p.setProperty("commit", "${git.commit.id.abbrev}"); // built outside a git checkout: not filled in
        assertEquals("0.1.0-SNAPSHOT", ModelStore.softwareVersion(p));
        assertEquals("unknown", ModelStore.softwareVersion(new java.util.Properties()));
        // and the build this test runs in filled in what it had
        assertTrue(ModelStore.affinityVersion().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+[0-9a-f]{7}(\\.dirty)?)?"),
                ModelStore.affinityVersion());
    }

    /**
     * In a git checkout, the commit stamped is the checkout's own HEAD: a build in a linked worktree ({@code git
     * worktree add}) stamped the main checkout's HEAD while the plugin read the repository through JGit. Skipped
     * where git cannot tell (a source archive, no git on the PATH).
     */
    @Test
    void theCommitStampedIsTheCheckoutsHead() throws Exception {
        Process git;
        try {
            git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
        } catch (IOException noGit) {
            Assumptions.abort("no git on the PATH: " + noGit.getMessage());
            return;
        }
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Assumptions.assumeTrue(git.waitFor() == 0 && head.matches("[0-9a-f]{7}"),
                "not a git checkout: " + head);
        String version = ModelStore.affinityVersion();
        assertTrue(version.matches(".*\\+" + head + "(\\.dirty)?"), version + " is not of HEAD " + head);
    }

    @TempDir
    Path tmp;

    @Test
    void emptyStore() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("a/b/store"));
        assertTrue(Files.isDirectory(tmp.resolve("a/b/store")));
        assertEquals(Optional.empty(), store.currentVersion());
        assertEquals(List.of(), store.versions());
        assertThrows(IllegalStateException.class, store::openCurrent);
    }

    @Test
    void currentSwitchingAndActivate() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        String v1 = data.fill(store.newSnapshot()).publish();
        String v2 = data.fill(store.newSnapshot()).publish();
        assertTrue(v1.compareTo(v2) < 0, v1 + " < " + v2);
        assertEquals(List.of(v1, v2), store.versions());
        assertEquals(Optional.of(v2), store.currentVersion());

        String v3 = data.fill(store.newSnapshot()).publish(false);
        assertEquals(Optional.of(v2), store.currentVersion(), "publish(false) does not activate");
        assertEquals(List.of(v1, v2, v3), store.versions());

        assertEquals(v3, store.manifest(v3).version());
        assertEquals(data.items.size(), store.manifest(v3).counts().items());
        assertThrows(IllegalArgumentException.class, () -> store.manifest("20990101-000000-000000"));
        store.activate(v1);
        assertEquals(Optional.of(v1), store.currentVersion());
        try (Snapshot s = store.openCurrent()) {
            assertEquals(v1, s.version());
        }
        assertThrows(IllegalArgumentException.class, () -> store.activate("20990101-000000-000000"));
        assertThrows(IllegalArgumentException.class, () -> store.activate("../etc"));
        assertThrows(IllegalArgumentException.class, () -> store.open("20990101-000000-000000"));
        assertEquals(Optional.of(v1), store.currentVersion());
        assertEquals(v1 + "\n", Files.readString(store.directory().resolve("CURRENT")));
        try (var files = Files.list(store.directory())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("CURRENT.tmp")));
        }
    }

    /**
     * A store whose directory went away (an unmounted volume) or was replaced by a file fails as a store does, with
     * the file system's exception (the server's 503, to retry), not as an unknown version (its 404, which sends the
     * operator looking for a typo in a version the store still holds).
     */
    @Test
    void aStoreThatCannotBeReadIsAFailureNotAnUnknownVersion() throws Exception {
        Path dir = tmp.resolve("store");
        ModelStore store = ModelStore.open(dir);
        String v = TestData.small().fill(store.newSnapshot()).publish();
        Files.move(dir, tmp.resolve("unmounted"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> store.open(v));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> store.activate(v));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> store.manifest(v));
        Files.writeString(dir, "a file where the store was");
        assertThrows(java.nio.file.NotDirectoryException.class, () -> store.open(v));
        assertThrows(java.nio.file.NotDirectoryException.class, () -> store.startCanary(v, 10));
        Files.delete(dir);
        Files.move(tmp.resolve("unmounted"), dir);
        assertThrows(IllegalArgumentException.class, () -> store.open("20990101-000000-000000"), "still unknown");
        store.open(v).close();
    }

    @Test
    void versionsIgnoreTempAndIncompleteDirs() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v = TestData.small().fill(store.newSnapshot()).publish();
        Path d = store.directory();
        Files.createDirectories(d.resolve(".tmp-abandoned"));
        Files.writeString(d.resolve(".tmp-abandoned/manifest.json"), "{}");
        Files.createDirectories(d.resolve("20990101-000000-abcdef")); // looks like a version, no manifest
        Files.createDirectories(d.resolve("not-a-version"));
        Files.writeString(d.resolve("not-a-version/manifest.json"), "{}");
        Files.writeString(d.resolve("20990101-000000-000001"), "a file, not a dir");
        assertEquals(List.of(v), store.versions());
        assertThrows(IllegalArgumentException.class, () -> store.activate(".tmp-abandoned"));
        assertThrows(CorruptSnapshotException.class, () -> store.activate("20990101-000000-abcdef"));
        assertEquals(Optional.of(v), store.currentVersion());
    }

    @Test
    void versionIdsAreUniqueAndSortedWithinOneSecond() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        Instant now = Instant.parse("2026-11-23T10:15:00.123Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(store.newVersionId(now));
        }
        assertEquals(200, new HashSet<>(ids).size());
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(sorted, ids);
        assertTrue(ids.get(0).matches("20261123-101500-07b[0-9a-f]{3}"), ids.get(0));
    }

    /**
     * Found by the twenty-second session's pipeline audit: a disk filling up while a version was written failed
     * train with "error: No space left on device" (Lucene writing the catalogue) or "Not enough space to fallocate 2
     * MiB to / unallocated was 2 MiB" (Chronicle Map): neither named the store, so a nightly job's log did not say
     * which disk to free. Failures that name no file now name the store and what was being written.
     */
    @Test
    void aWriteFailureThatNamesNoFileNamesTheStoreAndWhatWasBeingWritten() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        b.addDirectory("catalog", d -> {
            Files.writeString(d.resolve("_0.cfs"), "partial");
            throw new java.io.IOException("No space left on device");
        });
        java.io.IOException e = assertThrows(java.io.IOException.class, b::publish);
        assertEquals("cannot publish a version into " + store.directory() + ": writing catalog failed: No space "
                + "left on device", e.getMessage());
        assertEquals(Optional.of(v1), store.currentVersion());
        try (var files = Files.list(store.directory())) {
            assertEquals(List.of(v1, "CURRENT"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "temp dir removed");
        }
    }

    /**
     * Found by the twenty-fourth session's fault injection (a full disk by the time CURRENT was written): the version
     * directory was in place, complete and verified, but the run failed with only "CURRENT.tmp-... -> CURRENT: No
     * space left on device", naming neither the version nor that it was published, so the operator could not tell
     * what the store now held, nor activate it once room was made.
     */
    @Test
    void aPublishWhoseCurrentCannotBeWrittenNamesTheVersionItPublished() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        store.beforePointerWrite = name -> {
            throw new java.io.IOException("No space left on device");
        };
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        PublishedNotActivatedException e = assertThrows(PublishedNotActivatedException.class, b::publish);
        String v2 = e.version();
        assertEquals(List.of(v1, v2), store.versions(), "the version is published");
        assertEquals(Optional.of(v1), store.currentVersion(), "CURRENT unchanged");
        assertEquals("published version " + v2 + " into " + store.directory() + ", but CURRENT could not be switched "
                + "to it (No space left on device): CURRENT still names " + v1 + "; the version is complete and "
                + "verified: once that is repaired, ./affinity models activate " + v2 + " --models " + store.directory(),
                e.getMessage());
        store.beforePointerWrite = name -> { };
        try (Snapshot s = store.open(v2)) {
            assertEquals(v2, s.version());
        }
        store.activate(v2);
        assertEquals(Optional.of(v2), store.currentVersion());
    }

    /**
     * A switch of CURRENT or CANARY that fails after its temp file was written (here the rename onto a directory
     * someone left under the pointer's name) changes nothing and leaves no CURRENT.tmp-* or CANARY.tmp-* behind.
     * Found while triaging PIT's survivors (PIT has no mutant for it): leaving the temp file went unnoticed.
     */
    @Test
    void aPointerSwitchThatFailsAfterWritingItsTempFileLeavesNoTempFile() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        String v2 = TestData.small().fill(store.newSnapshot()).publish(false);
        Path d = store.directory();
        Files.createDirectories(d.resolve("CANARY/in-the-way"));
        assertThrows(IOException.class, () -> store.startCanary(v2, 10));
        Files.delete(d.resolve(ModelStore.CURRENT));
        Files.createDirectories(d.resolve("CURRENT/in-the-way"));
        assertThrows(IOException.class, () -> store.activate(v2));
        try (var files = Files.list(d)) {
            assertEquals(List.of(v1, v2, "CANARY", "CURRENT", "CURRENT.lock"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no pointer temp file left");
        }
        FileSync.deleteRecursively(d.resolve("CURRENT"));
        store.activate(v2);
        assertEquals(Optional.of(v2), store.currentVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {"items", "rules", "customers", "profiles", "consent", "upsell", "keys", "popular",
            "manifest", "verify", "commit"})
    void failedPublishLeavesStoreUntouched(String failingStep) throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        b.onStep(step -> {
            if (step.equals(failingStep)) {
                throw new IllegalStateException("injected failure at " + step);
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, b::publish);
        assertTrue(e.getMessage().contains(failingStep));
        assertEquals(Optional.of(v1), store.currentVersion());
        assertEquals(List.of(v1), store.versions());
        try (var files = Files.list(store.directory())) {
            assertEquals(List.of(v1, "CURRENT"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "temp dir removed");
        }
        try (Snapshot s = store.openCurrent()) {
            assertEquals(v1, s.version());
        }
        assertThrows(IllegalStateException.class, b::publish, "a builder is single use");
    }

    /**
     * A version whose files are damaged after they were written and before the rename (a disk, another process) is
     * not published: the builder reads it back through the checks a reader makes, and the store keeps what it held.
     * Found by PIT: publishing without that read-back went unnoticed.
     */
    @Test
    void aVersionDamagedBetweenWritingAndCommitIsNeverPublished() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        b.onStep(step -> {
            if (step.equals("verify")) {
                try (var temps = Files.list(store.directory())) {
                    Path written = temps.filter(p -> p.getFileName().toString().startsWith(ModelStore.TMP_PREFIX)
                            && Files.isDirectory(p)).findFirst().orElseThrow();
                    CorruptionTest.flip(written.resolve(Snapshot.ITEMS), 20);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, b::publish);
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEquals(List.of(v1), store.versions());
        assertEquals(Optional.of(v1), store.currentVersion());
    }

    /**
     * A builder that has published takes nothing more: every put fails rather than being silently dropped (the
     * version is immutable). Found by PIT: dropping that check went unnoticed for every put but the publish itself.
     */
    @Test
    void aBuilderThatHasPublishedRefusesEveryPut() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        ItemFacts item = TestData.small().items.values().iterator().next();
        SnapshotBuilder b = store.newSnapshot();
        assertEquals(b, b.putItem(item).popularItems(List.of()), "puts chain");
        b.publish();
        List<org.junit.jupiter.api.function.Executable> puts = List.of(
                () -> b.putItem(item),
                () -> b.putRules(item.itemId(), List.of()),
                () -> b.putCustomer("C1", null),
                () -> b.putProfile("C1", null),
                () -> b.putConsent("C1", Map.of()),
                () -> b.putListedConsent("C1", Map.of()),
                () -> b.putCustomerRecommendations("C1", null),
                () -> b.putTradeUps(item.itemId(), List.of()),
                () -> b.popularItems(List.of()),
                () -> b.addInput(tmp.resolve("none.csv")),
                () -> b.parameters(Map.of()),
                () -> b.section("t", 1),
                () -> b.addDirectory("e", dir -> { }));
        org.junit.jupiter.api.Assertions.assertAll(puts.stream().map(put -> () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, put);
            assertTrue(e.getMessage().contains("already published"), e.getMessage());
        }));
    }

    /**
     * activate answers the version CURRENT named before (what a rollback prints, to undo it), and delete refuses a
     * name that is not a version id as such, before it looks at the file system: "../outside" names a directory
     * outside the store, which it otherwise tried to rename into the store, failing with an I/O error (a store
     * failure, not a wrong argument). Found by PIT: both went unnoticed.
     */
    @Test
    void activateAnswersThePreviousVersionAndDeleteRefusesANameOutsideTheStore() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v1 = TestData.small().fill(store.newSnapshot()).publish();
        String v2 = TestData.small().fill(store.newSnapshot()).publish();
        assertEquals(Optional.of(v2), store.activate(v1));
        assertEquals(Optional.of(v1), store.activate(v2));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "not the store's");
        assertThrows(IllegalArgumentException.class, () -> store.delete("../outside"));
        assertEquals("not the store's", Files.readString(outside.resolve("keep.txt")));
        ModelStore.Removal removed = store.delete(v1);
        assertEquals(v1, removed.name());
        assertTrue(removed.bytes() > 0, removed.toString());
        assertEquals(List.of(v2), store.versions());
    }

    /**
     * A publish started while another publish of this process holds its temp dir gets a temp dir of its own (a
     * fresh random name) and completes. Found by PIT: a temp name that never changed went unnoticed, and made the
     * second publish retry the same name forever.
     */
    @Test
    void aPublishWhileAnotherHoldsItsTempDirGetsItsOwn() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        try (PublishLock held = store.newTempDir()) {
            String v = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> TestData.small().fill(store.newSnapshot()).publish());
            assertEquals(List.of(v), store.versions());
            assertTrue(Files.isDirectory(held.dir()), "the other publish's directory is left alone");
        }
    }

    @Test
    void builderValidatesInput() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        ItemFacts item = new ItemFacts("A1", "x", "", 1, 1, 1, 1);
        b.putItem(item);
        assertThrows(IllegalArgumentException.class, () -> b.putItem(item));
        assertThrows(NullPointerException.class, () -> b.putItem(null));

        AssociationRule ab = rule(List.of("A1"), "B2", 0.9, 2);
        AssociationRule ab2 = rule(List.of("A1"), "C3", 0.5, 2);
        assertThrows(IllegalArgumentException.class, () -> b.putRules("A1", List.of(ab2, ab)), "not best first");
        assertThrows(IllegalArgumentException.class, () -> b.putRules("A1", List.of(ab, ab)), "duplicate rule");
        assertThrows(IllegalArgumentException.class, () -> b.putRules("Z9", List.of(ab)), "key not in antecedent");
        assertThrows(IllegalArgumentException.class, () -> b.putRules("A1", List.of()));
        assertThrows(IllegalArgumentException.class, () -> b.putRules(" ", List.of(ab)));
        b.putRules("A1", List.of(ab, ab2));
        assertThrows(IllegalArgumentException.class, () -> b.putRules("A1", List.of(ab)), "key twice");

        assertThrows(IllegalArgumentException.class,
                () -> b.popularItems(List.of(new PopularItem("A1", 2, 1), new PopularItem("A1", 1, 1))));
        b.popularItems(List.of(new PopularItem("A1", 2, 1)));
        assertThrows(IllegalStateException.class, () -> b.popularItems(List.of()));

        assertThrows(IllegalArgumentException.class, () -> b.addInput(tmp.resolve("missing.csv")));
        Path in = Files.writeString(tmp.resolve("in.csv"), "x");
        b.addInput(in);
        assertThrows(IllegalArgumentException.class, () -> b.addInput(in));
        assertThrows(IllegalArgumentException.class, () -> b.section("report", new Object()), "not serialisable");
        b.section("report", Map.of("ok", true));
        assertThrows(IllegalArgumentException.class, () -> b.section("report", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> b.parameters(Map.of("x", new Object())));

        // a multi-item rule put under only one of its antecedent items cannot be published
        b.putRules("B2", List.of(rule(List.of("B2", "C3"), "A1", 0.7, 1.5)));
        IllegalStateException e = assertThrows(IllegalStateException.class, b::publish);
        assertTrue(e.getMessage().contains("[B2, C3] => A1"), e.getMessage());
        assertEquals(List.of(), store.versions());
    }

    private static AssociationRule rule(List<String> antecedent, String consequent, double confidence, double lift) {
        return new AssociationRule(antecedent, consequent, 3, 0.01, confidence, lift, 0.001, 2.0);
    }
}
