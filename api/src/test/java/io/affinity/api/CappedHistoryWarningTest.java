package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.store.ModelStore;
import io.affinity.testing.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot trained when histories were capped is served, with a warning to retrain; a current one without. */
@IntegrationTest
class CappedHistoryWarningTest {
    @TempDir
    Path tmp;

    /** What installing the store's current version logs. */
    static String installLog(ModelStore store) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // slf4j-simple (the tests' binding) writes to System.err as it is at each call.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        // The source closes the installed model (snapshot and catalogue): left to the Cleaner, Chronicle Map logs an
        // ERROR later, into whichever test is capturing the log then.
        try (SwappableModelSource source = new SwappableModelSource();
             ModelAdmin admin = new ModelAdmin(store, source, TestStores::serve)) {
            admin.reload();
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSnapshotWithCappedHistoriesIsServedWithAWarningToRetrain() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("old"));
        store.activate(TestStores.publish(store, "old", Map.of("historyItems", 200)));
        String log = installLog(store);
        assertTrue(log.contains("installed"), log);
        assertTrue(log.contains("cut to 200 items") && log.contains("retrain"), log);
    }

    @Test
    void aCurrentSnapshotGetsNoSuchWarning() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("new"));
        store.activate(TestStores.publish(store, "new"));
        String log = installLog(store);
        assertTrue(log.contains("installed"), log);
        assertFalse(log.contains("cut to"), log);
    }
}
