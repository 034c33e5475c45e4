package io.affinity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.PopularItem;
import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a snapshot can be damaged is reported as a typed exception naming the file. */
@UnitTest
class CorruptionTest {
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
    }

    private <T extends SnapshotException> T assertOpenFails(Class<T> type, String fileName, String... messageParts) {
        T e = assertThrows(type, () -> store.open(version).close());
        assertTrue(e.getMessage().contains(fileName), "message names " + fileName + ": " + e.getMessage());
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message contains '" + part + "': " + e.getMessage());
        }
        assertEquals(fileName, e.file().getFileName().toString());
        return e;
    }

    @Test
    void missingManifest() throws Exception {
        Files.delete(dir.resolve("manifest.json"));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "missing");
    }

    /** Found by SnapshotFuzzTest (seed 20261222): a directory named manifest.json was an IOException 'Is a directory'. */
    @Test
    void manifestIsADirectory() throws Exception {
        Files.delete(dir.resolve("manifest.json"));
        Files.createDirectory(dir.resolve("manifest.json"));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "is a directory");
        assertThrows(CorruptSnapshotException.class, () -> store.manifest(version));
        assertEquals(List.of(), store.versions());
    }

    @Test
    void manifestNotJson() throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "this is not { json");
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "not valid JSON");
    }

    @Test
    void manifestTruncated() throws Exception {
        byte[] m = Files.readAllBytes(dir.resolve("manifest.json"));
        Files.write(dir.resolve("manifest.json"), Arrays.copyOf(m, m.length / 2));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "truncated?");
        Files.write(dir.resolve("manifest.json"), new byte[0]);
        assertOpenFails(CorruptSnapshotException.class, "manifest.json");
    }

    /**
     * Found by SnapshotFuzzTest (seeds 20261155, 20261162, 20261210): the manifest carried no checksum, so an edited
     * value that no file contradicts (here the distinct rule count, served as ruleCount) opened and was served.
     */
    @Test
    void manifestContentChanged() throws Exception {
        Path file = dir.resolve("manifest.json");
        byte[] good = Files.readAllBytes(file);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(good);
        long rules = m.get("counts").get("rules").longValue();
        ((ObjectNode) m.get("counts")).put("rules", rules + 1);
        Json.MAPPER.writeValue(file.toFile(), m);
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "checksum mismatch, corrupted?");

        // a manifest published before manifests were checksummed opens as before
        m.remove(Manifest.CHECKSUM_FIELD);
        ((ObjectNode) m.get("counts")).put("rules", rules);
        Json.MAPPER.writeValue(file.toFile(), m);
        try (Snapshot s = store.open(version)) {
            assertEquals(rules, s.ruleCount());
        }
    }

    /**
     * A manifest whose counts disagree with the file they describe (sealed again, so its own checksum holds, as a
     * buggy writer's would): the open fails naming that file and both counts. Found by PIT: removing the popular
     * items' count check went unnoticed by the unit tests.
     */
    @ParameterizedTest
    @CsvSource({"items, items.cmap, entries", "ruleKeys, rules.cmap, entries", "customers, customers.cmap, entries",
            "popular, popular.bin, popular items", "profiles, profiles.cmap, entries",
            "consent, consent.cmap, entries", "upsell, upsell.cmap, entries"})
    void countThatDisagreesWithItsFile(String field, String fileName, String what) throws Exception {
        Path file = dir.resolve("manifest.json");
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        long actual = m.get("counts").get(field).longValue();
        assertTrue(actual > 0, "the fixture has " + field);
        ((ObjectNode) m.get("counts")).put(field, actual + 1);
        Files.write(file, Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, fileName,
                "holds " + actual + " " + what + ", manifest says " + (actual + 1));
    }

    /**
     * Each file is required from the format version that introduced it: a manifest of that version or newer that
     * does not list it is refused naming it, an older one is read without it. Found by PIT: moving any of these
     * version bounds went unnoticed.
     */
    @ParameterizedTest
    @CsvSource({"items.cmap, 1", "rules.cmap, 1", "customers.cmap, 1", "popular.bin, 1", "profiles.cmap, 2",
            "consent.cmap, 2", "upsell.cmap, 3", "profiles.keys, 5", "rules.keys, 5"})
    void fileRequiredFromTheFormatThatIntroducedIt(String fileName, int requiredFrom) throws Exception {
        Path file = dir.resolve("manifest.json");
        byte[] good = Files.readAllBytes(file);
        for (int format = 1; format <= Manifest.CURRENT_FORMAT_VERSION; format++) {
            ObjectNode m = (ObjectNode) Json.MAPPER.readTree(good);
            m.put("formatVersion", format);
            var files = m.withArray("files");
            int before = files.size();
            for (int i = files.size() - 1; i >= 0; i--) {
                if (files.get(i).get("name").asText().equals(fileName)) {
                    files.remove(i);
                }
            }
            assertEquals(before - 1, files.size(), fileName + " was listed");
            Files.write(file, Snapshot.sealManifest(m));
            if (format >= requiredFrom) {
                CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                        () -> Snapshot.readManifest(dir), "format " + format);
                assertTrue(e.getMessage().contains("manifest does not list required file " + fileName),
                        e.getMessage());
            } else {
                assertEquals(format, Snapshot.readManifest(dir).formatVersion());
            }
        }
    }

    /**
     * A listed name must stay inside the version's directory (a plain name, or one sub-directory and a plain name):
     * a manifest that also lists a path out of it (here with popular.bin's size and checksum, so that the version's
     * own popular.bin reached through its parent would verify) is refused before any file is read. Found by PIT:
     * accepting every name went unnoticed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"../VERSION/popular.bin", "./popular.bin", ".popular.bin", "catalog/../popular.bin",
            "a/b/popular.bin", "/tmp/popular.bin", "popular.bin/", "popular bin"})
    void listedNameOutsideTheVersionDirectory(String listed) throws Exception {
        String name = listed.replace("VERSION", version);
        Path file = dir.resolve("manifest.json");
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        var files = m.withArray("files");
        for (var node : files) {
            if (node.get("name").asText().equals("popular.bin")) {
                files.add(((ObjectNode) node).deepCopy().put("name", name));
                break;
            }
        }
        Files.write(file, Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "invalid file name in manifest: " + name);
    }

    /** Found by SnapshotFuzzTest (seed 20261201): a byte appended after the manifest's JSON object was ignored. */
    @Test
    void manifestWithBytesAppended() throws Exception {
        Path file = dir.resolve("manifest.json");
        Files.write(file, new byte[]{'x'}, java.nio.file.StandardOpenOption.APPEND);
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "not valid JSON");
    }

    @Test
    void formatTooNew() throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", Manifest.CURRENT_FORMAT_VERSION + 1);
        m.put("someFutureField", "x");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails(SnapshotFormatException.class, "manifest.json", "format too new");
    }

    @Test
    void manifestForAnotherVersion() throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("version", "20000101-000000-000000");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "20000101-000000-000000");
    }

    /** Found by SnapshotFuzzTest: a resealed manifest whose createdAt is no instant failed with an untyped error. */
    @Test
    void manifestCreatedAtThatIsNoInstant() throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("createdAt", "123456789012345678901234567890");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "createdAt is not an ISO-8601 instant");
    }

    @ParameterizedTest
    @ValueSource(strings = {"items.cmap", "rules.cmap", "customers.cmap", "profiles.cmap", "consent.cmap", "upsell.cmap", "popular.bin"})
    void missingFile(String name) throws Exception {
        Files.delete(dir.resolve(name));
        assertOpenFails(CorruptSnapshotException.class, name, "missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"items.cmap", "rules.cmap", "customers.cmap", "profiles.cmap", "consent.cmap", "upsell.cmap", "popular.bin"})
    void truncatedFile(String name) throws Exception {
        Path f = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() - 7);
        }
        assertOpenFails(CorruptSnapshotException.class, name, "truncated?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"items.cmap", "rules.cmap", "customers.cmap", "profiles.cmap", "consent.cmap", "upsell.cmap", "popular.bin"})
    void flippedByte(String name) throws Exception {
        Path f = dir.resolve(name);
        // +17: an 8 KiB map file's middle is exactly its (checksum-excluded) segment lock word at 4096.
        for (long at : new long[]{0, Files.size(f) / 2 + 17, Files.size(f) - 1}) {
            flip(f, at);
            assertOpenFails(CorruptSnapshotException.class, name, "checksum mismatch, corrupted?");
            flip(f, at);
        }
        store.open(version).close(); // restored: fine again
    }

    /** Even with the manifest checksum made to match, popular.bin checks its own magic, footer and CRC32. */
    @Test
    void popularFileSelfCheckThroughStore() throws Exception {
        Path f = dir.resolve("popular.bin");
        flip(f, 20);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        for (var node : m.withArray("files")) {
            if (node.get("name").asText().equals("popular.bin")) {
                ((ObjectNode) node).put("checksum", Checksums.crc32c(f, null));
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, "popular.bin", "CRC32 mismatch, corrupted?");
    }

    @Test
    void popularFileBadMagicBadCrcTruncatedTooNew() {
        Path f = Path.of("popular.bin");
        byte[] good = PopularFile.encode(List.of(new PopularItem("A1", 10, 3), new PopularItem("B2", 5, 0)));
        assertEquals(List.of(new PopularItem("A1", 10, 3), new PopularItem("B2", 5, 0)), PopularFile.decode(good, f));

        byte[] badMagic = good.clone();
        badMagic[0] ^= 0x55;
        assertMessage(() -> PopularFile.decode(badMagic, f), CorruptSnapshotException.class, "bad magic");

        byte[] badPayload = good.clone();
        badPayload[good.length - PopularFile.FOOTER_LENGTH - 2] ^= 1;
        assertMessage(() -> PopularFile.decode(badPayload, f), CorruptSnapshotException.class, "CRC32 mismatch");

        byte[] badCrc = good.clone();
        badCrc[good.length - 1] ^= 1;
        assertMessage(() -> PopularFile.decode(badCrc, f), CorruptSnapshotException.class, "CRC32 mismatch");

        for (int len : new int[]{0, 3, 10, good.length - 1, good.length - PopularFile.FOOTER_LENGTH}) {
            byte[] truncated = Arrays.copyOf(good, len);
            assertMessage(() -> PopularFile.decode(truncated, f), CorruptSnapshotException.class, "popular.bin");
        }
        assertMessage(() -> PopularFile.decode(Arrays.copyOf(good, good.length - 1), f),
                CorruptSnapshotException.class, "truncated?");

        // format version (right after magic + name) raised, CRC recomputed: a newer writer, not corruption
        byte[] newer = good.clone();
        int versionAt = 4 + 1 + PopularFile.FORMAT_NAME.length();
        newer[versionAt] = (byte) (PopularFile.FORMAT_VERSION + 1);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(newer, 0, newer.length - 8);
        java.nio.ByteBuffer.wrap(newer, newer.length - 8, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue());
        assertMessage(() -> PopularFile.decode(newer, f), SnapshotFormatException.class, "format too new");
    }

    @Test
    void valueWithNewerCodecVersion() {
        byte[] v = {(byte) (ValueCodecs.ITEM_CODEC_VERSION + 1), 0, 0};
        assertMessage(() -> ValueCodecs.decodeItem("A1", v, Path.of("items.cmap")), SnapshotFormatException.class,
                "format too new");
        byte[] truncated = {(byte) ValueCodecs.ITEM_CODEC_VERSION, 5, 'a'};
        assertMessage(() -> ValueCodecs.decodeItem("A1", truncated, Path.of("items.cmap")),
                CorruptSnapshotException.class, "truncated");
    }

    @Test
    void corruptCurrentFile() throws Exception {
        Files.writeString(store.directory().resolve("CURRENT"), "garbage\n");
        assertMessage(store::currentVersion, CorruptSnapshotException.class, "CURRENT");
    }

    /**
     * Found by SnapshotFuzzTest (seed 20261147): a byte of a segment lock word (excluded from the checksum) flipped
     * into the wait count passed verification, and every later lookup in that segment spun in Chronicle Map's lock.
     */
    @Test
    void lockWordHeldForWriting() throws Exception {
        Manifest.ChecksumExclusion x = store.manifest(version).file("consent.cmap").orElseThrow().checksumExcludes();
        Path f = dir.resolve("consent.cmap");
        xor(f, x.offset() + 4, 0x3d);
        assertOpenFails(CorruptSnapshotException.class, "consent.cmap", "lock word", "corrupted?");
        xor(f, x.offset() + 4, 0x3d);
        xor(f, x.offset() + 3, 0x80); // the write flag
        assertOpenFails(CorruptSnapshotException.class, "consent.cmap", "lock word");
        xor(f, x.offset() + 3, 0x80);
        // what readers leave (a read count, an update lock while iterating) opens, and lookups work
        xor(f, x.offset(), 0x3d);
        xor(f, x.offset() + 3, 0x40);
        try (Snapshot s = store.open(version)) {
            assertEquals(TestData.small().customers.size(), s.customerCount());
            s.consent("C12000", io.affinity.recommender.Consent.Channel.EMAIL);
        }
    }

    /**
     * Every segment's lock word is checked, not only the first: the write flag set in the last segment of a map of
     * several segments (20,000 items; the small fixture's maps have one) is refused naming that segment. Found by
     * PIT: computing the words' positions wrongly (every segment read at the first one's) went unnoticed.
     */
    @Test
    void lockWordOfTheLastSegmentHeldForWriting() throws Exception {
        SnapshotBuilder b = store.newSnapshot();
        for (int i = 0; i < 20_000; i++) {
            b.putItem(new io.affinity.recommender.ItemFacts(String.format("%05dI", i), "item " + i, "", 1.0, 1, 1, 1));
        }
        String large = b.publish(false);
        Manifest.ChecksumExclusion x = store.manifest(large).file(Snapshot.ITEMS).orElseThrow().checksumExcludes();
        assertTrue(x.count() > 1, "several segments: " + x);
        int last = x.count() - 1;
        Path items = store.directory().resolve(large).resolve(Snapshot.ITEMS);
        xor(items, x.offset() + (long) last * x.stride() + 3, 0x80); // the write flag
        SnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(large).close());
        assertTrue(e.getMessage().contains("segment " + last + " lock word"), e.getMessage());
        assertEquals(items, e.file());
    }

    /** Manifest ranges excluded from a checksum are bounded: a negative, overlapping or huge range is damage. */
    @Test
    void invalidChecksumExclusion() throws Exception {
        for (String[] edit : new String[][]{{"offset", "-1"}, {"length", "0"}, {"stride", "0"}, {"count", "-3"},
                {"count", "2147483647"}, {"offset", "9223372036854775807"}, {"length", "2147483647"}}) {
            ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
            for (var node : m.withArray("files")) {
                if (node.get("name").asText().equals("items.cmap")) {
                    ((ObjectNode) node.get("checksumExcludes")).put(edit[0], Long.parseLong(edit[1]));
                }
            }
            byte[] good = Files.readAllBytes(dir.resolve("manifest.json"));
            Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
            assertOpenFails(CorruptSnapshotException.class, "manifest.json");
            Files.write(dir.resolve("manifest.json"), good);
        }
        store.open(version).close();
    }

    /**
     * An exclusion may end exactly at its file's last byte, and not one byte further: its last range starts at
     * offset + (count - 1) * stride. Here two 4-byte ranges of popular.bin (not lock words, which are checked on
     * their own), the manifest's checksum taken without them as a writer's would be. Found by PIT: the bound moved by
     * one byte, or counted over count + 1 ranges, went unnoticed.
     */
    @Test
    void checksumExclusionMayEndAtItsFilesLastByte() throws Exception {
        Path popular = dir.resolve("popular.bin");
        long size = Files.size(popular);
        byte[] good = Files.readAllBytes(dir.resolve("manifest.json"));
        Manifest.ChecksumExclusion atTheEnd = new Manifest.ChecksumExclusion("test", size - 12, 8, 2, 4);
        String checksum = Checksums.crc32c(popular, atTheEnd);
        for (long offset : new long[]{size - 12, size - 11}) {
            Manifest.ChecksumExclusion x = new Manifest.ChecksumExclusion("test", offset, 8, 2, 4);
            ObjectNode m = (ObjectNode) Json.MAPPER.readTree(good);
            for (var node : m.withArray("files")) {
                if (node.get("name").asText().equals("popular.bin")) {
                    ((ObjectNode) node).set("checksumExcludes", Json.MAPPER.valueToTree(x));
                    ((ObjectNode) node).put("checksum", checksum);
                }
            }
            Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
            if (offset == size - 12) {
                try (Snapshot s = store.open(version)) {
                    assertEquals(TestData.small().popular.size(), s.popularItems().size());
                }
            } else {
                assertOpenFails(CorruptSnapshotException.class, "manifest.json",
                        "checksumExcludes of popular.bin reach beyond its " + size + " bytes");
            }
        }
    }

    /** Found by SnapshotFuzzTest (seed 20261675): a file entry without a name was a NullPointerException. */
    @Test
    void fileEntryWithoutName() throws Exception {
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        for (var node : m.withArray("files")) {
            if (node.get("name").asText().equals("customers.cmap")) {
                ((ObjectNode) node).remove("name");
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        assertOpenFails(CorruptSnapshotException.class, "manifest.json", "file entry without a name");
        assertThrows(CorruptSnapshotException.class, () -> store.manifest(version));
    }

    static void xor(Path f, long at, int mask) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ mask);
        }
    }

    /** Found by SnapshotFuzzTest (seed 20261124): bytes that are not UTF-8 were a MalformedInputException. */
    @Test
    void currentHoldingBytesThatAreNotUtf8() throws Exception {
        Files.write(store.directory().resolve("CURRENT"), new byte[]{(byte) 0xC3, 0x28, (byte) 0xFF, 0x07, 'x', '\n'});
        assertMessage(store::currentVersion, CorruptSnapshotException.class, "CURRENT: does not hold a version id: '\uFFFD(\uFFFD?x'");
        assertThrows(CorruptSnapshotException.class, store::openCurrent);
    }

    /** Found by SnapshotFuzzTest (seed 20261124): a directory named CURRENT was an IOException 'Is a directory'. */
    @Test
    void currentIsADirectory() throws Exception {
        Files.delete(store.directory().resolve("CURRENT"));
        Files.createDirectory(store.directory().resolve("CURRENT"));
        assertMessage(store::currentVersion, CorruptSnapshotException.class, "CURRENT: is a directory");
        assertThrows(CorruptSnapshotException.class, store::openCurrent);
    }

    @Test
    void activateRefusesCorruptVersionAndKeepsCurrent() throws Exception {
        String good = version;
        String second = TestData.small().fill(store.newSnapshot()).publish(false);
        assertEquals(Optional.of(good), store.currentVersion());
        flip(store.directory().resolve(second).resolve("rules.cmap"), 5000);
        assertMessage(() -> store.activate(second), CorruptSnapshotException.class, "rules.cmap");
        assertEquals(Optional.of(good), store.currentVersion());
    }

    private static void assertMessage(Executable e, Class<? extends Throwable> type, String part) {
        Throwable t = assertThrows(type, e);
        assertTrue(t.getMessage().contains(part), "message contains '" + part + "': " + t.getMessage());
    }

    static void flip(Path f, long at) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x01);
        }
    }
}
