package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One training run per store at a time. Found by the twenty-fourth session's fault injection: two {@code train}
 * runs started together both passed the consent and exclusion carry-over checks against the same CURRENT, and the
 * one that finished last activated a version without the other's consent list and with a customer it had excluded;
 * both exited 0.
 */
@UnitTest
class TrainingLockTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondRunIsRefusedNamingTheOneThatHoldsTheStoreUntilItEnds() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        try (ModelStore.TrainingLock first = store.lockForTraining("affinity train")) {
            StoreBusyException busy = assertThrows(StoreBusyException.class,
                    () -> ModelStore.open(tmp.resolve("store")).lockForTraining("affinity spark-train"));
            String m = busy.getMessage();
            assertTrue(m.contains("another training run holds the model store " + store.directory()), m);
            assertTrue(m.contains("affinity train, pid " + ProcessHandle.current().pid()), m);
            assertTrue(m.contains("started "), m);
            assertTrue(m.contains(ModelStore.TRAIN_LOCK), m);
            assertTrue(m.contains("wait for it to end"), m);
            assertEquals(List.of(), store.versions(), "nothing published by the refused run");
        }
        try (ModelStore.TrainingLock again = store.lockForTraining("affinity train")) {
            assertTrue(Files.exists(store.directory().resolve(ModelStore.TRAIN_LOCK)));
        }
    }

    @Test
    void theLockFileIsNotAVersionNorALeftoverAndAnotherStoreIsNotHeldByIt() throws Exception {
        ModelStore a = ModelStore.open(tmp.resolve("a"));
        ModelStore b = ModelStore.open(tmp.resolve("b"));
        try (ModelStore.TrainingLock la = a.lockForTraining("affinity train");
             ModelStore.TrainingLock lb = b.lockForTraining("affinity train")) {
            String v = TestData.small().fill(a.newSnapshot()).publish();
            assertEquals(List.of(v), a.versions());
            assertEquals(List.of(), a.skipped());
            ModelStore.PruneResult pruned = a.prune(1, true, false);
            assertEquals(List.of(), pruned.leftovers());
        }
        assertTrue(Files.exists(a.directory().resolve(ModelStore.TRAIN_LOCK)), "kept: it holds no state");
    }
}
