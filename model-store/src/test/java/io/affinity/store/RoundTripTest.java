package io.affinity.store;

import io.affinity.recommender.AssociationRule;
import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class RoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void publishedSnapshotReadsBackEverything() throws Exception {
        TestData data = TestData.small();
        Path input = Files.writeString(tmp.resolve("orders.csv"), "InvoiceNo,StockCode\n1,A\n");
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = data.fill(store.newSnapshot())
                .addInput(input)
                .parameters(Map.of("minSupport", 0.01, "maxRules", 200))
                .section("ingestReport", Map.of("rowsRead", 541909, "rowsRejected", 12));
        String version = b.publish();

        assertEquals(Optional.of(version), store.currentVersion());
        assertEquals(List.of(version), store.versions());
        try (Snapshot s = store.openCurrent()) {
            assertEquals(version, s.version());
            data.items.forEach((id, facts) -> assertEquals(Optional.of(facts), s.item(id)));
            data.rulesByItem.forEach((id, rules) -> assertEquals(rules, s.rulesWithAntecedentItem(id)));
            data.customers.forEach((id, h) -> assertEquals(Optional.of(h), s.customer(id)));
            assertEquals(data.popular, s.popularItems());
            assertEquals(Optional.empty(), s.item("NOPE"));
            assertEquals(List.of(), s.rulesWithAntecedentItem("NOPE"));
            assertEquals(Optional.empty(), s.customer("NOPE"));

            List<AssociationRule> visited = new ArrayList<>();
            s.forEachRule(visited::add);
            assertEquals(data.distinctRules.size(), visited.size(), "each rule once");
            assertEquals(new HashSet<>(data.distinctRules), new HashSet<>(visited));
            assertTrue(data.distinctRules.stream().anyMatch(r -> r.antecedent().size() > 1), "test data has multi-item rules");

            assertEquals(data.items.size(), s.itemCount());
            assertEquals(data.distinctRules.size(), s.ruleCount());
            assertEquals(data.customers.size(), s.customerCount());

            Manifest m = s.manifest();
            assertEquals(Manifest.CURRENT_FORMAT_VERSION, m.formatVersion());
            assertEquals(version, m.version());
            assertNotNull(m.createdAtInstant());
            assertEquals(System.getProperty("java.version"), m.software().javaVersion());
            assertFalse(m.software().affinityVersion().contains("${"), m.software().affinityVersion());
            // the project version, and the commit of the build where it was built in a git checkout
            assertTrue(m.software().affinityVersion().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+[0-9a-f]{7}(\\.dirty)?)?"),
                    m.software().affinityVersion());
            assertEquals(1, m.inputs().size());
            assertEquals(input.toAbsolutePath().toString(), m.inputs().get(0).path());
            assertEquals(Files.size(input), m.inputs().get(0).bytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(input))),
                    m.inputs().get(0).sha256());
            assertEquals(0.01, m.parameters().get("minSupport"));
            assertEquals(541909, m.sections().get("ingestReport").get("rowsRead").intValue());
            assertEquals(new Manifest.Counts(data.items.size(), data.distinctRules.size(), data.rulesByItem.size(),
                    data.customers.size(), data.popular.size(), data.customers.size() / 2, data.customers.size() / 4,
                    java.util.stream.IntStream.iterate(0, i -> i + 2 < data.items.size(), i -> i + 5).count()), m.counts());
            assertEquals(Set.of("items.cmap", "rules.cmap", "customers.cmap", "profiles.cmap", "consent.cmap", "upsell.cmap",
                    "popular.bin", "profiles.keys", "rules.keys"),
                    new HashSet<>(m.files().stream().map(Manifest.FileEntry::name).toList()));
            for (Manifest.FileEntry f : m.files()) {
                assertEquals("CRC32C", f.checksumAlgorithm());
                assertEquals(Files.size(s.directory().resolve(f.name())), f.bytes());
            }
        }
        String json = Files.readString(store.directory().resolve(version).resolve("manifest.json"));
        assertTrue(json.contains("\n  \"formatVersion\" : " + Manifest.CURRENT_FORMAT_VERSION), json);
        assertFalse(json.contains("createdAtInstant"), "only record components are serialised");
        assertTrue(json.contains("\"checksumExcludes\""), json);

    }

    /**
     * Customer histories are stored whole, and real data is skewed (the full UCI export: 82 distinct items per
     * customer on average, 2,550 for the largest): a value hundreds of times the average must still fit.
     */
    @Test
    void aHistoryFarLargerThanTheAverageFitsAndReadsBack() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        java.util.Random rnd = new java.util.Random(11);
        java.time.LocalDate day = java.time.LocalDate.of(2011, 5, 1);
        Map<String, io.affinity.recommender.CustomerHistory> written = new HashMap<>();
        for (int c = 0; c < 3000; c++) {
            int n = c == 1234 ? 6000 : 1 + rnd.nextInt(3);
            List<io.affinity.recommender.PurchasedItem> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(new io.affinity.recommender.PurchasedItem("ITEM" + i, 1 + rnd.nextInt(5),
                        1 + rnd.nextInt(50), day.minusDays(rnd.nextInt(300))));
            }
            io.affinity.recommender.CustomerHistory h = new io.affinity.recommender.CustomerHistory(5, items, n);
            written.put("C" + c, h);
            b.putCustomer("C" + c, h);
        }
        b.publish();
        try (Snapshot s = store.openCurrent()) {
            written.forEach((id, h) -> assertEquals(Optional.of(h), s.customer(id)));
            assertEquals(6000, s.customer("C1234").orElseThrow().items().size());
            assertTrue(s.customer("C1234").orElseThrow().complete());
        }
    }

    /**
     * A history item records the units the customer returned, so that an explanation can say so; a value of codec
     * version 1 (format 6 and older, which did not record returns) still decodes, with none returned.
     */
    @Test
    void aHistoryKeepsReturnedUnitsAndVersion1ValuesReadAsNoneReturned() {
        Path file = Path.of("customers.cmap");
        java.time.LocalDate day = java.time.LocalDate.of(2011, 5, 1);
        io.affinity.recommender.CustomerHistory h = new io.affinity.recommender.CustomerHistory(4, List.of(
                new io.affinity.recommender.PurchasedItem("A1", 3, 32, day, 8),
                new io.affinity.recommender.PurchasedItem("A2", 1, 12, day.minusDays(9), 12),
                new io.affinity.recommender.PurchasedItem("A3", 1, 2.5, day.minusDays(20))), 3);
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeCustomer(h, w);
        assertEquals(h, ValueCodecs.decodeCustomer("C1", w.toByteArray(), file));

        ByteWriter v1 = new ByteWriter(64);
        v1.writeByte(1);
        v1.writeVarLong(4);
        v1.writeDouble(99.5);
        v1.writeZigZag(day.minusDays(60).toEpochDay());
        v1.writeZigZag(day.toEpochDay());
        v1.writeVarLong(1);
        v1.writeVarLong(1);
        v1.writeString("A1");
        v1.writeVarLong(3);
        v1.writeDouble(32);
        v1.writeZigZag(day.toEpochDay());
        assertEquals(new io.affinity.recommender.CustomerHistory(4,
                        List.of(new io.affinity.recommender.PurchasedItem("A1", 3, 32, day, 0)), 1),
                ValueCodecs.decodeCustomer("C1", v1.toByteArray(), file));
    }

    /**
     * Data minimisation: a customer's total spend and first and last purchase dates were stored with their history,
     * and no version of the serving code ever read them (the profile carries what the customer kept, the items their
     * last purchase). Their slots stay, so that the layout (customer codec 2, format 8) is unchanged and servers of
     * format 8 keep opening new snapshots, but hold zeros: a spend of 0 and day 0 twice, which those servers decode
     * as a valid history they never look at. A value written before still reads.
     */
    @Test
    void aHistoryHoldsNoSpendOrPurchaseDatesNothingReads() {
        Path file = Path.of("customers.cmap");
        java.time.LocalDate day = java.time.LocalDate.of(2011, 5, 1);
        List<io.affinity.recommender.PurchasedItem> items = List.of(
                new io.affinity.recommender.PurchasedItem("A1", 3, 32, day, 8));
        io.affinity.recommender.CustomerHistory h = new io.affinity.recommender.CustomerHistory(4, items, 1);
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeCustomer(h, w);
        byte[] stored = w.toByteArray();
        ByteReader r = new ByteReader(stored, file, "C1");
        assertEquals(2, r.readByte(), "customer codec 2, as before");
        assertEquals(4, r.readVarInt(), "orders: the repeat rate of a bought item divides by them");
        assertEquals(0.0, r.readDouble(), "no total spend");
        assertEquals(0, r.readZigZag(), "no first purchase date");
        assertEquals(0, r.readZigZag(), "no last purchase date");
        assertEquals(1, r.readVarInt());

        ByteWriter before = new ByteWriter(64); // as written until now, the three values in their slots
        before.writeByte(2);
        before.writeVarLong(4);
        before.writeDouble(99.5);
        before.writeZigZag(day.minusDays(60).toEpochDay());
        before.writeZigZag(day.toEpochDay());
        before.writeVarLong(1);
        before.writeVarLong(1);
        before.writeString("A1");
        before.writeVarLong(3);
        before.writeDouble(32);
        before.writeZigZag(day.toEpochDay());
        before.writeDouble(8);
        assertEquals(ValueCodecs.decodeCustomer("C1", stored, file),
                ValueCodecs.decodeCustomer("C1", before.toByteArray(), file));
        assertEquals(items, ValueCodecs.decodeCustomer("C1", stored, file).items());
    }

    @Test
    void emptySnapshotPublishesAndOpens() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v = store.newSnapshot().publish();
        try (Snapshot s = store.open(v)) {
            assertEquals(0, s.itemCount());
            assertEquals(List.of(), s.popularItems());
            s.forEachRule(r -> { throw new AssertionError(r); });
        }
    }

    /**
     * Chronicle Map must not leave changed bytes behind after open/read/close (checked here with SHA-256 of the
     * whole files), so the checksum verification works on every later open.
     */
    @Test
    void reopeningAndReadingLeavesFilesUnchanged() throws Exception {
        TestData data = TestData.small();
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v = data.fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(v);
        Map<String, String> before = hashes(dir);
        for (int round = 0; round < 3; round++) {
            try (Snapshot s = store.open(v)) {
                data.rulesByItem.forEach((id, rules) -> assertEquals(rules, s.rulesWithAntecedentItem(id)));
                data.items.keySet().forEach(s::item);
                s.customer("NOPE");
                s.forEachRule(r -> { });
            }
            assertEquals(before, hashes(dir), "round " + round);
        }
    }

    /** Two replicas in one process share a published snapshot; a third opens while another holds a map lock. */
    @Test
    void sameSnapshotOpenTwiceConcurrently() throws Exception {
        TestData data = TestData.small();
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v = data.fill(store.newSnapshot()).publish();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Snapshot a = store.open(v); Snapshot b = store.openCurrent()) {
            List<Future<?>> futures = new ArrayList<>();
            for (Snapshot s : List.of(a, b, a, b)) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        data.rulesByItem.forEach((id, rules) -> assertEquals(rules, s.rulesWithAntecedentItem(id)));
                        data.customers.forEach((id, h) -> assertEquals(Optional.of(h), s.customer(id)));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            // a reader in the middle of a lookup holds a segment lock, which is written into the mapped file:
            // verification of another opener must not mistake that for corruption
            String someKey = data.rulesByItem.keySet().iterator().next();
            try (var ctx = a.rulesMap().queryContext(someKey)) {
                Path rulesFile = a.directory().resolve("rules.cmap");
                String rawBefore = Checksums.crc32c(rulesFile, null);
                ctx.readLock().lock();
                assertFalse(rawBefore.equals(Checksums.crc32c(rulesFile, null)), "a held lock changes the file's bytes");
                try (Snapshot c = store.open(v)) {
                    assertEquals(data.rulesByItem.get(someKey), c.rulesWithAntecedentItem(someKey));
                }
            }
            a.close();
            assertEquals(data.rulesByItem.get(someKey), b.rulesWithAntecedentItem(someKey), "b unaffected by a.close()");
        } finally {
            pool.shutdownNow();
        }
    }

    /** The checksum exclusions cover the lock word of every segment (multi-segment map, locks taken in each). */
    @Test
    void verificationToleratesHeldLocksInEverySegment() throws Exception {
        TestData data = new TestData(3000, 6000, 10, 3);
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String v = data.fill(store.newSnapshot()).publish();
        try (Snapshot s = store.open(v)) {
            Manifest.ChecksumExclusion x = s.manifest().file("rules.cmap").orElseThrow().checksumExcludes();
            assertTrue(x.count() > 1, "several segments: " + x);
            Path rulesFile = s.directory().resolve("rules.cmap");
            String raw = Checksums.crc32c(rulesFile, null);
            Set<String> rawWhileLocked = new HashSet<>();
            for (String key : data.rulesByItem.keySet()) {
                try (var ctx = s.rulesMap().queryContext(key)) {
                    ctx.readLock().lock();
                    if (rawWhileLocked.add(Checksums.crc32c(rulesFile, null))) { // a segment not locked before
                        Snapshot.verifyFiles(s.directory(), s.manifest());
                    }
                }
            }
            assertFalse(rawWhileLocked.contains(raw));
            assertEquals(x.count(), rawWhileLocked.size(), "one distinct raw state per segment lock");
        }
    }

    private static Map<String, String> hashes(Path dir) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }
}
