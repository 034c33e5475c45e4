package io.affinity.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.CustomerProfile;
import io.affinity.testing.IntegrationTest;
import net.openhft.chronicle.hash.impl.BigSegmentHeader;
import net.openhft.chronicle.hash.locks.InterProcessDeadLockException;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listing profiles and rules never needs a Chronicle Map update lock (format 5 key lists), so a lock a killed
 * process left held in the shared map file cannot block it; older snapshots still list, and such a lock there is a
 * typed error. A held lock is simulated by setting the update bit of segment lock words in the file, exactly what
 * an iterating process leaves behind when killed ({@link #aKilledIteratorLeavesTheUpdateBitAndFormat5ListsAnyway}
 * shows it with a real SIGKILLed child).
 */
@IntegrationTest
class KeyListIterationTest {
    /** Bit 30 of a lock word (little-endian): Chronicle Map's update lock. */
    private static final long UPDATE_BIT = 1L << 30;
    /** Hang guard for listings that must not wait for a lock: far above their milliseconds, far below 60 s. */
    private static final Duration PROMPTLY = Duration.ofSeconds(20);

    @TempDir
    static Path shared;
    static Path pristine;
    static String version;
    @TempDir
    Path tmp;
    ModelStore store;
    Path dir;
    int savedLockTimeout;

    @BeforeAll
    static void publish() throws Exception {
        ModelStore store = ModelStore.open(shared.resolve("pristine"));
        // Big enough for several map segments in both maps; ids beyond ASCII test the documented order.
        TestData data = new TestData(3000, 8000, 3000, 7);
        SnapshotBuilder b = data.fill(store.newSnapshot());
        for (String id : List.of("\uD83D\uDE00x", "\uFFFDz", "Ça", "zz")) {
            b.putProfile(id, ProfileStoreTest.profile(CustomerProfile.Tier.GOLD, 0.5));
        }
        version = b.publish();
        pristine = store.directory();
    }

    /** Each test damages its own copy of the published store. */
    @BeforeEach
    void copy() throws Exception {
        savedLockTimeout = BigSegmentHeader.LOCK_TIMEOUT_SECONDS;
        Path copy = tmp.resolve("store");
        try (var files = Files.walk(pristine)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                Files.copy(p, copy.resolve(pristine.relativize(p).toString()));
            }
        }
        store = ModelStore.open(copy);
        dir = copy.resolve(version);
    }

    @AfterEach
    void restoreLockTimeout() {
        BigSegmentHeader.LOCK_TIMEOUT_SECONDS = savedLockTimeout;
    }

    @Test
    void format5ListsWithoutUpdateLocksWhileEverySegmentIsLockedByADeadProcess() throws Exception {
        List<String> profiles;
        List<String> rules;
        try (Snapshot s = store.open(version)) {
            assertTrue(s.manifest().formatVersion() >= 5, "written with key files");
            assertTrue(s.rulesMap().segments() > 1, "the test needs several segments");
            profiles = profiles(s);
            rules = rules(s);
        }
        // The listing is global customer id order, in code points: U+FFFD before U+1F600 (String order has them
        // the other way round, by their UTF-16 surrogates).
        List<String> ids = profiles.stream().map(p -> p.substring(0, p.indexOf('='))).toList();
        assertEquals(3000 / 2 + 4, ids.size());
        List<String> byCodePoint = new ArrayList<>(ids);
        byCodePoint.sort(Comparator.comparing(id -> id.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        assertEquals(byCodePoint, ids);
        assertTrue(ids.indexOf("\uFFFDz") < ids.indexOf("\uD83D\uDE00x"), ids.subList(ids.size() - 3, ids.size()).toString());
        assertEquals(8000, new HashSet<>(rules).size());

        int profileSegments = setUpdateBits(Snapshot.PROFILES, -1);
        int ruleSegments = setUpdateBits(Snapshot.RULES, -1);
        BigSegmentHeader.LOCK_TIMEOUT_SECONDS = 1;
        // The simulated locks are real: Chronicle Map's own iteration of these files now times out ...
        for (String map : List.of(Snapshot.PROFILES, Snapshot.RULES)) {
            try (ChronicleMap<CharSequence, byte[]> m = MapFiles.open(dir.resolve(map))) {
                assertThrows(InterProcessDeadLockException.class, () -> m.forEachEntry(e -> { }), map);
            }
        }
        // ... while the snapshot lists everything, with lookups only (a stale update lock does not block reads).
        try (Snapshot s = store.open(version)) {
            List<String> lockedProfiles = assertTimeoutPreemptively(PROMPTLY, () -> profiles(s));
            List<String> lockedRules = assertTimeoutPreemptively(PROMPTLY, () -> rules(s));
            assertEquals(profiles, lockedProfiles);
            assertEquals(rules, lockedRules);
            assertTrue(profileSegments > 1 && ruleSegments > 1, profileSegments + " " + ruleSegments);
        }
    }

    @Test
    void keyFilesAreVerifiedAtOpen() throws Exception {
        for (String name : List.of(Snapshot.PROFILES_KEYS, Snapshot.RULES_KEYS)) {
            Path f = dir.resolve(name);
            byte[] good = Files.readAllBytes(f);
            CorruptionTest.flip(f, good.length / 2);
            assertOpenFails(name, "checksum mismatch", "corrupted?");
            Files.write(f, Arrays.copyOf(good, good.length - 5));
            assertOpenFails(name, "truncated?");
            Files.delete(f);
            assertOpenFails(name, "missing");
            Files.write(f, good);
            store.open(version).close();
        }
        // A manifest of format 5 must list them.
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        byte[] goodManifest = Files.readAllBytes(dir.resolve("manifest.json"));
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = ((ArrayNode) m.get("files")).iterator(); it.hasNext(); ) {
            if (it.next().get("name").asText().equals(Snapshot.RULES_KEYS)) {
                it.remove();
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails("manifest.json", "does not list required file rules.keys");
        Files.write(dir.resolve("manifest.json"), goodManifest);
    }

    /**
     * A key file that checks out but lists other keys than its map holds (as many, so the counts agree): what a
     * writer bug would publish. Listing stops with an error naming the key file instead of skipping the key.
     */
    @Test
    void aListedKeyTheMapDoesNotHoldIsAnErrorNotASkip() throws Exception {
        List<String> keys = new ArrayList<>();
        try (Snapshot s = store.open(version)) {
            s.forEachProfile((id, p) -> keys.add(id));
        }
        keys.set(keys.size() / 2, keys.get(keys.size() / 2) + "-not-there");
        Path f = dir.resolve(Snapshot.PROFILES_KEYS);
        KeyFile.write(f, Snapshot.PROFILES, keys);
        reseal(Snapshot.PROFILES_KEYS);
        try (Snapshot s = store.open(version)) {
            List<String> seen = new ArrayList<>();
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                    () -> s.forEachProfile((id, p) -> seen.add(id)));
            assertEquals(Snapshot.PROFILES_KEYS, e.file().getFileName().toString());
            assertTrue(e.getMessage().contains("lists a key that profiles.cmap does not hold"), e.getMessage());
            assertTrue(!e.getMessage().contains("-not-there"), "no customer id in the message: " + e.getMessage());
            assertEquals(keys.size() / 2, seen.size());
        }
        // the other map's list, or a list of another length, is refused at open
        KeyFile.write(f, Snapshot.RULES, keys);
        reseal(Snapshot.PROFILES_KEYS);
        assertOpenFails(Snapshot.PROFILES_KEYS, "lists the keys of 'rules.cmap', expected profiles.cmap");
        KeyFile.write(f, Snapshot.PROFILES, keys.subList(1, keys.size()));
        reseal(Snapshot.PROFILES_KEYS);
        assertOpenFails(Snapshot.PROFILES_KEYS, "lists " + (keys.size() - 1) + " keys, profiles.cmap holds " + keys.size());
    }

    /** The file's own checks, as a reader without the manifest sees them. */
    @Test
    void keyFileChecksItself() throws Exception {
        Path f = tmp.resolve("x.keys");
        List<String> keys = List.of("b", "a", "c\u00e9");
        KeyFile.write(f, "x.cmap", keys);
        byte[] good = Files.readAllBytes(f);
        try (KeyFile k = KeyFile.open(f, "x.cmap", 3)) {
            List<String> seen = new ArrayList<>();
            k.forEach(seen::add);
            assertEquals(List.of("a", "b", "c\u00e9"), seen);
        }
        for (int cut : new int[]{0, 5, 20, good.length - 17, good.length - 1}) {
            Files.write(f, Arrays.copyOf(good, cut));
            assertKeyFileFails(f, "truncated?");
        }
        for (int at = 0; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(f, bad);
            assertThrows(CorruptSnapshotException.class, () -> KeyFile.open(f, "x.cmap", 3).close(), "flip at " + at);
        }
        // well-formed files with a valid CRC but a wrong content
        Files.write(f, craft(1, "x.cmap", 3, "a", "c", "b"));
        assertKeyFileFails(f, "key 2 at byte", "not strictly ascending");
        Files.write(f, craft(1, "x.cmap", 3, "a", "a", "b"));
        assertKeyFileFails(f, "not strictly ascending");
        Files.write(f, craft(1, "x.cmap", 2, "a", "b", "c"));
        assertKeyFileFails(f, "lists 2 keys, x.cmap holds 3");
        Files.write(f, craft(2, "x.cmap", 3, "a", "b", "c"));
        SnapshotFormatException newer = assertThrows(SnapshotFormatException.class, () -> KeyFile.open(f, "x.cmap", 3));
        assertTrue(newer.getMessage().contains("format too new"), newer.getMessage());
        KeyFile.write(f, "x.cmap", List.of());
        KeyFile.open(f, "x.cmap", 0).close();
        assertThrows(IllegalArgumentException.class, () -> KeyFile.write(f, "x.cmap", List.of("")));
    }

    /** Many keys of every length across the 64 KiB read pieces: all of them, in order, once. */
    @Test
    void largeKeyFileStreamsExactly() throws Exception {
        Random rnd = new Random(20261124);
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(
                Comparator.comparing((String k) -> k.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        while (keys.size() < 40_000) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 128 : 12);
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(20);
                sb.appendCodePoint(kind == 0 ? 0x1F600 + rnd.nextInt(50) : kind == 1 ? 0xE9 + rnd.nextInt(200)
                        : kind == 2 ? 0x4E00 + rnd.nextInt(500) : '0' + rnd.nextInt(75));
            }
            keys.add(sb.toString());
        }
        Path f = tmp.resolve("many.keys");
        List<String> shuffled = new ArrayList<>(keys);
        java.util.Collections.shuffle(shuffled, rnd);
        KeyFile.write(f, "many.cmap", shuffled);
        assertTrue(Files.size(f) > 4 * 65536, "spans several read pieces: " + Files.size(f));
        try (KeyFile k = KeyFile.open(f, "many.cmap", keys.size())) {
            List<String> seen = new ArrayList<>(keys.size());
            k.forEach(seen::add);
            assertEquals(new ArrayList<>(keys), seen);
        }
    }

    @Test
    void olderFormatStillListsAndAStaleLockThereIsATypedError() throws Exception {
        List<String> profiles;
        List<String> rules;
        try (Snapshot s = store.open(version)) {
            profiles = profiles(s);
            rules = rules(s);
        }
        rewriteAsFormat4();
        try (Snapshot s = store.open(version)) {
            assertEquals(4, s.manifest().formatVersion());
            // listed by map segment there: the same entries, in another order
            assertEquals(sorted(profiles), sorted(profiles(s)));
            assertEquals(sorted(rules), sorted(rules(s)));
        }
        // that iteration released its locks: every lock word is zero again
        for (String map : List.of(Snapshot.PROFILES, Snapshot.RULES)) {
            Manifest.ChecksumExclusion x = store.manifest(version).file(map).orElseThrow().checksumExcludes();
            assertTrue(Checksums.excludedRangesAreZero(dir.resolve(map), x), map);
        }
        BigSegmentHeader.LOCK_TIMEOUT_SECONDS = 1;
        for (String map : List.of(Snapshot.PROFILES, Snapshot.RULES)) {
            setUpdateBits(map, 1);
            for (int restart = 0; restart < 2; restart++) { // a restart does not clear a lock kept in the file
                try (Snapshot s = store.open(version)) {
                    SnapshotLockedException e = assertThrows(SnapshotLockedException.class,
                            () -> assertTimeoutPreemptively(PROMPTLY, () -> {
                                if (map.equals(Snapshot.PROFILES)) {
                                    s.forEachProfile((id, p) -> { });
                                } else {
                                    s.forEachRule(r -> { });
                                }
                            }));
                    assertEquals(map, e.file().getFileName().toString());
                    assertEquals(1, e.segment());
                    for (String part : List.of(map, "segment 1's update lock", "killed", "iterating",
                            "publish and activate a new snapshot", "restarting does not clear")) {
                        assertTrue(e.getMessage().contains(part), "message contains '" + part + "': " + e.getMessage());
                    }
                    assertTrue(e.getCause() instanceof InterProcessDeadLockException, String.valueOf(e.getCause()));
                    // lookups do not need the lock
                    String id = profiles.get(profiles.size() - 1);
                    assertTrue(s.profile(id.substring(0, id.indexOf('='))).isPresent());
                }
            }
            setUpdateBits(map, -2); // clears them again
        }
    }

    /**
     * The real thing: a child JVM iterates {@code profiles.cmap} with Chronicle Map and is SIGKILLed while it holds
     * the segment's update lock. The bit stays set in the file; format 5 lists everything regardless, and the same
     * file in a format 4 snapshot gives the typed error.
     */
    @Test
    void aKilledIteratorLeavesTheUpdateBitAndFormat5ListsAnyway() throws Exception {
        List<String> profiles;
        try (Snapshot s = store.open(version)) {
            profiles = profiles(s);
        }
        Path map = dir.resolve(Snapshot.PROFILES);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IteratingChild.class.getName(),
                map.toString()));
        Process child = new ProcessBuilder(command).redirectError(tmp.resolve("child.err").toFile()).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("iterating"));
            assertEquals("iterating", line, () -> "child: " + readQuietly(tmp.resolve("child.err")));
        } finally {
            child.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs in the child
            child.waitFor();
        }
        Manifest.ChecksumExclusion x = store.manifest(version).file(Snapshot.PROFILES).orElseThrow().checksumExcludes();
        long held = 0;
        for (int i = 0; i < x.count(); i++) {
            long word = lockWord(map, x.offset() + (long) i * x.stride());
            assertTrue(word == 0 || word == UPDATE_BIT, "segment " + i + " lock word " + Long.toHexString(word));
            held += word == UPDATE_BIT ? 1 : 0;
        }
        assertEquals(1, held, "the killed child left one segment's update bit set");
        BigSegmentHeader.LOCK_TIMEOUT_SECONDS = 1;
        try (Snapshot s = store.open(version)) {
            assertEquals(profiles, assertTimeoutPreemptively(PROMPTLY, () -> profiles(s)));
        }
        rewriteAsFormat4();
        try (Snapshot s = store.open(version)) {
            assertThrows(SnapshotLockedException.class, () -> s.forEachProfile((id, p) -> { }));
        }
    }

    /** Run by {@link #aKilledIteratorLeavesTheUpdateBitAndFormat5ListsAnyway} in a child JVM. */
    public static final class IteratingChild {
        public static void main(String[] args) throws Exception {
            try (ChronicleMap<CharSequence, byte[]> map = MapFiles.open(Path.of(args[0]))) {
                for (int segment = 0; segment < map.segments(); segment++) {
                    try (var c = map.segmentContext(segment)) {
                        c.forEachSegmentEntry(e -> {
                            System.out.println("iterating");
                            System.out.flush();
                            try {
                                Thread.sleep(600_000);
                            } catch (InterruptedException ignored) {
                                Thread.currentThread().interrupt();
                            }
                            System.exit(3);
                        });
                    }
                }
            }
        }
    }

    /** What a campaign export resumes by: the same order from a position, the profiles before it left out. */
    @Test
    void listingFromAPositionLeavesOutExactlyTheOnesBeforeIt() throws Exception {
        for (int format : new int[] {Manifest.CURRENT_FORMAT_VERSION, 4}) {
            if (format == 4) {
                rewriteAsFormat4();
            }
            try (Snapshot s = store.open(version)) {
                List<String> all = profiles(s);
                for (int position : new int[] {0, 1, all.size() / 3, all.size() - 1, all.size(), all.size() + 5}) {
                    List<String> from = new ArrayList<>();
                    s.forEachProfile(position, (id, p) -> from.add(id + "=" + p));
                    assertEquals(all.subList(Math.min(position, all.size()), all.size()), from,
                            "format " + format + ", from " + position);
                }
                assertThrows(IllegalArgumentException.class, () -> s.forEachProfile(-1, (id, p) -> { }));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> profiles(Snapshot s) {
        List<String> out = new ArrayList<>();
        s.forEachProfile((id, p) -> out.add(id + "=" + p));
        return out;
    }

    private static List<String> rules(Snapshot s) {
        List<String> out = new ArrayList<>();
        s.forEachRule(r -> out.add(r.toString()));
        return out;
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    /**
     * Sets (or, with {@code segment} -2, clears) the update bit of one segment's lock word in a map file of the
     * snapshot, or of every segment with -1; returns the number of segments.
     */
    private int setUpdateBits(String map, int segment) throws Exception {
        Manifest.ChecksumExclusion x = store.manifest(version).file(map).orElseThrow().checksumExcludes();
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(map).toFile(), "rw")) {
            for (int i = 0; i < x.count(); i++) {
                if (segment == -1 || segment == -2 || segment == i) {
                    long at = x.offset() + (long) i * x.stride() + 3;
                    raf.seek(at);
                    int b = raf.read();
                    raf.seek(at);
                    raf.write(segment == -2 ? b & ~0x40 : b | 0x40);
                }
            }
        }
        return x.count();
    }

    private static long lockWord(Path file, long at) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[8];
            raf.seek(at);
            raf.readFully(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    /** As format 4 software wrote the snapshot: no key files, format 4 in the manifest. */
    private void rewriteAsFormat4() throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", 4);
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = ((ArrayNode) m.get("files")).iterator(); it.hasNext(); ) {
            if (it.next().get("name").asText().endsWith(".keys")) {
                it.remove();
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        Files.delete(dir.resolve(Snapshot.PROFILES_KEYS));
        Files.delete(dir.resolve(Snapshot.RULES_KEYS));
    }

    /** Records a rewritten file's size and checksum in the manifest, as a writer would have. */
    private void reseal(String name) throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        for (var node : m.withArray("files")) {
            if (node.get("name").asText().equals(name)) {
                Path f = dir.resolve(name);
                ((ObjectNode) node).put("bytes", Files.size(f));
                ((ObjectNode) node).put("checksum", Checksums.crc32c(f, null));
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
    }

    private void assertOpenFails(String fileName, String... parts) {
        SnapshotException e = assertThrows(SnapshotException.class, () -> store.open(version).close());
        assertEquals(fileName, e.file().getFileName().toString(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message contains '" + part + "': " + e.getMessage());
        }
    }

    private static void assertKeyFileFails(Path f, String... parts) {
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> KeyFile.open(f, "x.cmap", 3).close());
        assertEquals(f, e.file());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message contains '" + part + "': " + e.getMessage());
        }
    }

    /** A key file with exactly these keys in this order (unchecked), and a valid CRC. */
    private static byte[] craft(int formatVersion, String mapFile, long count, String... keys) {
        ByteWriter w = new ByteWriter(256);
        w.writeInt(KeyFile.MAGIC);
        w.writeString(KeyFile.FORMAT_NAME);
        w.writeInt(formatVersion);
        w.writeString(mapFile);
        w.writeLong(count);
        for (String k : keys) {
            w.writeString(k);
        }
        w.writeInt(KeyFile.FOOTER_MAGIC);
        w.writeInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(w.toByteArray());
        w.writeLong(crc.getValue());
        return w.toByteArray();
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }
}
