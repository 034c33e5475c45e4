package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.ItemFacts;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catalogue unit costs on items (format 4, item codec 2): round trip, reading older items and snapshots. */
@UnitTest
class ItemCostStoreTest {
    @TempDir
    Path tmp;

    @Test
    void costRoundTripsAndItemsWithoutCostStayWithout() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        SnapshotBuilder b = data.fill(store.newSnapshot());
        b.putItem(new ItemFacts("COSTED", "costed mug", "mug", 4.0, 0, 0, 0, 2.5));
        String version = b.publish();
        try (Snapshot s = store.open(version)) {
            assertEquals(Manifest.CURRENT_FORMAT_VERSION, s.manifest().formatVersion(), "written by this software");
            ItemFacts costed = s.item("COSTED").orElseThrow();
            assertEquals(2.5, costed.unitCost());
            assertEquals(1.5, costed.margin(0.3), 1e-12);
            String plain = data.items.keySet().iterator().next();
            assertFalse(s.item(plain).orElseThrow().hasCost());
            assertEquals(data.items.get(plain), s.item(plain).orElseThrow());
        }
    }

    @Test
    void itemCodecOneDecodesWithoutCost() {
        // Exactly what format 1-3 software wrote for an item.
        ByteWriter w = new ByteWriter(64);
        w.writeByte(1);
        w.writeString("teacup");
        w.writeString("cup");
        w.writeDouble(2.95);
        w.writeVarLong(7);
        w.writeVarLong(5);
        w.writeDouble(12);
        ItemFacts f = ValueCodecs.decodeItem("A1", w.toByteArray(), tmp.resolve("items.cmap"));
        assertEquals(new ItemFacts("A1", "teacup", "cup", 2.95, 7, 5, 12), f);
        assertTrue(Double.isNaN(f.unitCost()));
        assertEquals(2.95 * 0.3, f.margin(0.3), 1e-12);
    }

    @Test
    void itemCodecTwoRoundTripsAndRejectsDamage() {
        ItemFacts f = new ItemFacts("A1", "teacup", "cup", 2.95, 7, 5, 12, 1.2);
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeItem(f, w);
        byte[] bytes = w.toByteArray();
        Path file = tmp.resolve("items.cmap");
        assertEquals(f, ValueCodecs.decodeItem("A1", bytes, file));
        byte[] negativeCost = bytes.clone();
        // the cost is the last 8 bytes, little-endian: set its sign bit
        negativeCost[bytes.length - 1] |= (byte) 0x80;
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeItem("A1", negativeCost, file));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 8);
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeItem("A1", truncated, file));
    }

    @Test
    void formatThreeSnapshotStillOpens() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        String version = data.fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", 3);
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        try (Snapshot s = store.open(version)) {
            assertEquals(3, s.manifest().formatVersion());
            String id = data.items.keySet().iterator().next();
            assertEquals(data.items.get(id), s.item(id).orElseThrow());
        }
    }
}
