package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.store.CatalogAnalysis;
import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot whose catalogue index was written before accent folding is served, with a warning saying its queries
 * match accents exactly (so an operator knows why `cafe` finds `café` on one version and not on another).
 */
@IntegrationTest
class CatalogBeforeFoldingWarningTest {
    @TempDir
    Path tmp;

    @Test
    void aSnapshotIndexedBeforeFoldingIsServedWithAWarningToRetrain() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("old"));
        store.activate(TestStores.publish(store, "old", Map.of(), CatalogAnalysis.LOWER_CASE));
        String log = CappedHistoryWarningTest.installLog(store);
        assertTrue(log.contains("installed"), log);
        assertTrue(log.contains("written before accent folding") && log.contains("match accents exactly")
                && log.contains("retrain"), log);
    }

    @Test
    void aCurrentSnapshotGetsNoSuchWarning() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("new"));
        store.activate(TestStores.publish(store, "new"));
        String log = CappedHistoryWarningTest.installLog(store);
        assertTrue(log.contains("installed"), log);
        assertFalse(log.contains("accent"), log);
    }
}
