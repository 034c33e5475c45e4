package io.affinity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** customer-recs.cmap: round trip, absence in older snapshots, and every kind of damage reported by type. */
@UnitTest
class CustomerRecsTest {
    @TempDir
    Path tmp;

    /** Per customer of the test data, a list mixing repeat (with and without history) and new items. */
    static Map<String, PrecomputedRecommendations> recsFor(TestData data, long seed) {
        Random rnd = new Random(seed);
        List<String> ids = new ArrayList<>(data.items.keySet());
        String[] sources = {"ease", "repeat-frequency", "als", "knn-bm25"};
        Map<String, PrecomputedRecommendations> out = new LinkedHashMap<>();
        data.customers.forEach((customer, history) -> {
            List<PrecomputedItem> items = new ArrayList<>();
            double score = 3;
            java.util.Set<String> used = new java.util.HashSet<>();
            for (PurchasedItem p : history.items()) {
                if (used.add(p.itemId())) {
                    score -= rnd.nextDouble() * 0.1;
                    items.add(new PrecomputedItem(p.itemId(), score, true, sources[rnd.nextInt(2)],
                            rnd.nextBoolean() ? p : null));
                }
            }
            for (int k = 0; k < 12; k++) {
                String id = ids.get(rnd.nextInt(ids.size()));
                if (used.add(id)) {
                    score -= rnd.nextDouble() * 0.1;
                    items.add(new PrecomputedItem(id, score, false, sources[rnd.nextInt(sources.length)], null));
                }
            }
            out.put(customer, new PrecomputedRecommendations("blend", items));
        });
        return out;
    }

    private String publishWithRecs(ModelStore store, Map<String, PrecomputedRecommendations> recs) throws Exception {
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        recs.forEach(b::putCustomerRecommendations);
        return b.publish();
    }

    @Test
    void roundTripsEveryList() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        Map<String, PrecomputedRecommendations> recs = recsFor(TestData.small(), 7);
        String version = publishWithRecs(store, recs);
        try (Snapshot s = store.open(version)) {
            assertTrue(s.hasPrecomputedRecommendations());
            recs.forEach((c, r) -> assertEquals(Optional.of(r), s.precomputed(c), c));
            recs.forEach((c, r) -> assertEquals(r.items().subList(0, Math.min(2, r.items().size())),
                    s.precomputed(c, 2).orElseThrow().items(), c));
            assertEquals(Optional.empty(), s.precomputed("C99999999"));
            var section = s.manifest().sections().get("customerRecommendations");
            assertEquals(recs.size(), section.get("entries").longValue());
            assertTrue(s.manifest().file("customer-recs.cmap").isPresent());
        }
    }

    /**
     * Filtered reads skip rejected items without building them: the answer must equal filtering the whole
     * decoded list, for filters that drop most items, none, or all, and for every limit.
     */
    @Test
    void filteredReadsEqualFilteringTheWholeList() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        Map<String, PrecomputedRecommendations> recs = recsFor(TestData.small(), 11);
        String version = publishWithRecs(store, recs);
        List<java.util.function.Predicate<String>> filters = List.of(
                id -> true, id -> false, id -> id.hashCode() % 5 == 0, id -> id.hashCode() % 2 != 0,
                id -> id.endsWith("1"));
        try (Snapshot s = store.open(version)) {
            int checked = 0;
            for (var e : recs.entrySet()) {
                for (var allowed : filters) {
                    List<PrecomputedItem> all = e.getValue().items().stream().filter(p -> allowed.test(p.itemId()))
                            .toList();
                    for (int limit : new int[] {0, 1, 2, 3, 10, 100}) {
                        List<PrecomputedItem> expected = all.subList(0, Math.min(limit, all.size()));
                        var got = s.precomputed(e.getKey(), limit, allowed).orElseThrow();
                        assertEquals(expected, got.items(), e.getKey() + " limit " + limit);
                        assertEquals(e.getValue().model(), got.model());
                        checked++;
                    }
                }
            }
            assertTrue(checked > 100, "checked " + checked);
            assertEquals(Optional.empty(), s.precomputed("C99999999", 10, id -> true));
        }
    }

    @Test
    void snapshotWithoutRecsHasNoFileAndAnswersEmpty() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = TestData.small().fill(store.newSnapshot()).publish();
        assertFalse(Files.exists(store.directory().resolve(version).resolve("customer-recs.cmap")));
        try (Snapshot s = store.open(version)) {
            assertFalse(s.hasPrecomputedRecommendations());
            TestData.small().customers.keySet().forEach(c -> assertEquals(Optional.empty(), s.precomputed(c)));
            assertFalse(s.manifest().sections().containsKey("customerRecommendations"));
        }
    }

    @Test
    void reservedSectionNameAndDuplicateCustomerAreRefused() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        assertThrows(IllegalArgumentException.class, () -> b.section("customerRecommendations", Map.of()));
        PrecomputedRecommendations r = new PrecomputedRecommendations("blend",
                List.of(new PrecomputedItem("A1", 1, false, "ease", null)));
        b.putCustomerRecommendations("C1", r);
        assertThrows(IllegalArgumentException.class, () -> b.putCustomerRecommendations("C1", r));
    }

    @Test
    void flippedByteIsACorruptSnapshot() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = publishWithRecs(store, recsFor(TestData.small(), 7));
        Path f = store.directory().resolve(version).resolve("customer-recs.cmap");
        long at = Files.size(f) / 2;
        CorruptionTest.flip(f, at);
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("customer-recs.cmap") && e.getMessage().contains("checksum mismatch"),
                e.getMessage());
        CorruptionTest.flip(f, at);
        store.open(version).close();
    }

    @Test
    void missingFileOrSectionOrWrongCountIsACorruptSnapshot() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = publishWithRecs(store, recsFor(TestData.small(), 7));
        Path dir = store.directory().resolve(version);
        Path manifest = dir.resolve("manifest.json");
        byte[] original = Files.readAllBytes(manifest);

        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(original);
        ((ObjectNode) m.get("sections").get("customerRecommendations")).put("entries", 3);
        Files.write(manifest, Snapshot.sealManifest(m));
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("customer-recs.cmap") && e.getMessage().contains("manifest says 3"),
                e.getMessage());

        m = (ObjectNode) Json.MAPPER.readTree(original);
        ((ObjectNode) m.get("sections")).remove("customerRecommendations");
        Files.write(manifest, Snapshot.sealManifest(m));
        e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("section customerRecommendations is missing"), e.getMessage());

        Files.write(manifest, original);
        Files.move(dir.resolve("customer-recs.cmap"), tmp.resolve("moved"));
        e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    /**
     * A repeat's purchase records the units the customer returned; a value of codec version 1 (format 6 and older)
     * still decodes, with none returned, also when its purchase is read past.
     */
    @Test
    void aPurchaseKeepsReturnedUnitsAndVersion1ValuesReadAsNoneReturned() {
        Path file = Path.of("customer-recs.cmap");
        LocalDate day = LocalDate.of(2011, 5, 3);
        PrecomputedRecommendations r = new PrecomputedRecommendations("blend", List.of(
                new PrecomputedItem("A1", 2.5, true, "repeat-frequency", new PurchasedItem("A1", 1, 12, day, 12)),
                new PrecomputedItem("A2", 1.25, true, "ease", new PurchasedItem("A2", 3, 24, day, 2.5)),
                new PrecomputedItem("A3", 1.0, false, "ease", null)));
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeRecommendations(r, w);
        byte[] v = w.toByteArray();
        assertEquals(r, ValueCodecs.decodeRecommendations("C1", v, file));
        assertEquals(List.of(r.items().get(2)), ValueCodecs.decodeRecommendations("C1", v, file, 10,
                "A3"::equals).items(), "purchases with returns are read past");

        ByteWriter v1 = new ByteWriter(64);
        v1.writeByte(1);
        v1.writeString("blend");
        v1.writeVarLong(1);
        v1.writeString("ease");
        v1.writeVarLong(2);
        for (String id : List.of("A1", "A2")) {
            v1.writeString(id);
            v1.writeDouble(1.0);
            v1.writeByte(3);
            v1.writeVarLong(0);
            v1.writeVarLong(2);
            v1.writeDouble(5);
            v1.writeZigZag(day.toEpochDay());
        }
        byte[] old = v1.toByteArray();
        assertEquals(List.of(new PrecomputedItem("A1", 1.0, true, "ease", new PurchasedItem("A1", 2, 5, day, 0)),
                new PrecomputedItem("A2", 1.0, true, "ease", new PurchasedItem("A2", 2, 5, day, 0))),
                ValueCodecs.decodeRecommendations("C1", old, file).items());
        assertEquals(List.of(new PrecomputedItem("A2", 1.0, true, "ease", new PurchasedItem("A2", 2, 5, day, 0))),
                ValueCodecs.decodeRecommendations("C1", old, file, 10, "A2"::equals).items());
    }

    @Test
    void codecRoundTripAndDamagedValues() {
        Path file = Path.of("customer-recs.cmap");
        PrecomputedRecommendations r = new PrecomputedRecommendations("blend", List.of(
                new PrecomputedItem("A2", 2.5, false, "ease", null),
                new PrecomputedItem("A1", 1.25, true, "repeat-frequency",
                        new PurchasedItem("A1", 3, 24, LocalDate.of(2011, 5, 3))),
                new PrecomputedItem("A3", 1.0, true, "ease", null)));
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeRecommendations(r, w);
        byte[] v = w.toByteArray();
        assertEquals(r, ValueCodecs.decodeRecommendations("C1", v, file));
        for (int k = 0; k <= 4; k++) {
            assertEquals(r.items().subList(0, Math.min(k, 3)), ValueCodecs.decodeRecommendations("C1", v, file, k).items(),
                    "the first " + k + " decoded alone");
        }

        assertEquals(List.of(r.items().get(1)), ValueCodecs.decodeRecommendations("C1", v, file, 10,
                "A1"::equals).items(), "a rejected item with a purchase is read past");
        assertEquals(List.of(r.items().get(0), r.items().get(2)), ValueCodecs.decodeRecommendations("C1", v, file,
                10, id -> !id.equals("A1")).items(), "the item after a skipped purchase decodes right");
        assertEquals(List.of(r.items().get(0)), ValueCodecs.decodeRecommendations("C1", v, file, 1,
                id -> !id.equals("A1")).items(), "stops at the limit");
        assertEquals(List.of(), ValueCodecs.decodeRecommendations("C1", v, file, 10, id -> false).items());

        byte[] newer = v.clone();
        newer[0] = (byte) (ValueCodecs.RECS_CODEC_VERSION + 1);
        SnapshotFormatException tooNew = assertThrows(SnapshotFormatException.class,
                () -> ValueCodecs.decodeRecommendations("C1", newer, file));
        assertTrue(tooNew.getMessage().contains("codec version"), tooNew.getMessage());

        byte[] truncated = java.util.Arrays.copyOf(v, v.length - 3);
        CorruptSnapshotException cut = assertThrows(CorruptSnapshotException.class,
                () -> ValueCodecs.decodeRecommendations("C1", truncated, file));
        assertTrue(cut.getMessage().contains("customer-recs.cmap"), cut.getMessage());

        byte[] trailing = java.util.Arrays.copyOf(v, v.length + 1);
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeRecommendations("C1", trailing, file));
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeRecommendations("C1", trailing, file,
                10, id -> false), "skipping to the end still notices trailing bytes");
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeRecommendations("C1", truncated, file,
                10, id -> false), "skipping still notices a cut value");
    }
}
