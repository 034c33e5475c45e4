package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.TradeUp;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Observed trade-ups (format 3): round trip, reading format 2 snapshots, and damage detection. */
@UnitTest
class TradeUpStoreTest {
    @TempDir
    Path tmp;

    @Test
    void tradeUpsRoundTripAndAreCounted() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        String version = data.fill(store.newSnapshot()).publish();
        List<String> ids = new ArrayList<>(data.items.keySet());
        try (Snapshot s = store.open(version)) {
            assertEquals(Manifest.CURRENT_FORMAT_VERSION, s.manifest().formatVersion());
            assertEquals(TestData.tradeUps(5, ids), s.tradeUps(ids.get(5)));
            assertEquals(List.of(), s.tradeUps(ids.get(6)));
            assertEquals(12, s.manifest().counts().upsell());
        }
    }

    @Test
    void builderRejectsSelfDuplicateAndEmpty() throws Exception {
        SnapshotBuilder b = ModelStore.open(tmp.resolve("store")).newSnapshot();
        assertThrows(IllegalArgumentException.class, () -> b.putTradeUps("A", List.of()));
        assertThrows(IllegalArgumentException.class, () -> b.putTradeUps("A",
                List.of(new TradeUp("A", TradeUp.ALL, 1, 2, true))));
        assertThrows(IllegalArgumentException.class, () -> b.putTradeUps("A", List.of(
                new TradeUp("B", TradeUp.ALL, 1, 2, true), new TradeUp("B", TradeUp.ALL, 1, 3, true))));
        b.putTradeUps("A", List.of(new TradeUp("B", TradeUp.ALL, 1, 2, true), new TradeUp("B", "tier:gold", 1, 1, true)));
        assertThrows(IllegalArgumentException.class, () -> b.putTradeUps("A",
                List.of(new TradeUp("C", TradeUp.ALL, 1, 2, true))));
    }

    @Test
    void formatTwoSnapshotOpensWithoutTradeUps() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        String version = data.fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        // Rewrite it as the previous software wrote it: format 2, no upsell file, no upsell count.
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", 2);
        ((ObjectNode) m.get("counts")).remove("upsell");
        removeFile(m, "upsell.cmap");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        Files.delete(dir.resolve("upsell.cmap"));
        List<String> ids = new ArrayList<>(data.items.keySet());
        try (Snapshot s = store.open(version)) {
            assertEquals(2, s.manifest().formatVersion());
            assertEquals(List.of(), s.tradeUps(ids.get(0)));
            assertTrue(s.profile(data.customers.keySet().iterator().next()).isPresent());
        }
    }

    @Test
    void formatThreeWithoutUpsellFileIsCorrupt() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = TestData.small().fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        removeFile(m, "upsell.cmap");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("upsell.cmap"), e.getMessage());
    }

    @Test
    void upsellCountMismatchIsCorrupt() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = TestData.small().fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        ((ObjectNode) m.get("counts")).put("upsell", 11);
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("upsell.cmap") && e.getMessage().contains("manifest says 11"), e.getMessage());
    }

    @Test
    void damagedTradeUpValueIsReportedNotGuessed() {
        List<TradeUp> ups = List.of(new TradeUp("B", TradeUp.ALL, 3, 9, true), new TradeUp("C", "tier:gold", 1, 2, false));
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeTradeUps(ups, w);
        byte[] bytes = w.toByteArray();
        Path file = tmp.resolve("upsell.cmap");
        assertEquals(ups, ValueCodecs.decodeTradeUps("A", bytes, file));
        byte[] newer = bytes.clone();
        newer[0] = (byte) (ValueCodecs.UPSELL_CODEC_VERSION + 1);
        assertThrows(SnapshotFormatException.class, () -> ValueCodecs.decodeTradeUps("A", newer, file));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 2);
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeTradeUps("A", truncated, file));
        byte[] badFlags = bytes.clone();
        badFlags[bytes.length - 1] = 4;
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeTradeUps("A", badFlags, file));
        byte[] moreMoversThanBuyers = bytes.clone();
        moreMoversThanBuyers[bytes.length - 3] = 5; // movers 5 of 2 buyers
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeTradeUps("A", moreMoversThanBuyers, file));
    }

    private static void removeFile(ObjectNode manifest, String name) {
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = ((ArrayNode) manifest.get("files")).iterator(); it.hasNext(); ) {
            if (it.next().get("name").asText().equals(name)) {
                it.remove();
            }
        }
    }
}
