package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training lock across processes: a run in another JVM holds the store, and one killed with SIGKILL (the OOM
 * killer, a cron job's timeout) leaves nothing that blocks the next run, although its lock file stays.
 */
@IntegrationTest
class TrainingLockProcessTest {
    @TempDir
    Path tmp;

    /** Holds the training lock of the store named by its argument until it is killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            ModelStore.TrainingLock lock = ModelStore.open(Path.of(args[0])).lockForTraining("affinity train");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(120_000);
            lock.close();
        }
    }

    /** Tries the training lock of the store named by its argument once: prints {@code locked} or {@code busy}. */
    public static final class TryOnce {
        public static void main(String[] args) throws Exception {
            try (ModelStore.TrainingLock lock = ModelStore.open(Path.of(args[0])).lockForTraining("affinity train")) {
                System.out.println("locked");
            } catch (StoreBusyException e) {
                System.out.println("busy");
            }
        }
    }

    /**
     * A second run refused in the process that holds the lock leaves the lock held for every other process. The
     * refusal read the holder's line by opening and closing the lock file, and closing any descriptor of a file
     * releases the process's locks on it (POSIX): a run in another process then took the store while the first ran.
     */
    @Test
    void aRunRefusedInTheHoldingProcessLeavesTheLockHeld() throws Exception {
        Path dir = tmp.resolve("store");
        ModelStore store = ModelStore.open(dir);
        try (ModelStore.TrainingLock held = store.lockForTraining("affinity train")) {
            StoreBusyException busy = assertThrows(StoreBusyException.class,
                    () -> store.lockForTraining("affinity train"));
            assertTrue(busy.getMessage().contains("affinity train, pid " + ProcessHandle.current().pid()),
                    busy.getMessage());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process other = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    TryOnce.class.getName(), dir.toString())).redirectErrorStream(true).start();
            String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(other.waitFor(60, TimeUnit.SECONDS));
            assertEquals(List.of("busy"), out.lines().filter(l -> l.equals("busy") || l.equals("locked")).toList(),
                    out);
        }
    }

    @Test
    void aRunInAnotherProcessHoldsTheStoreAndAKilledOneReleasesIt() throws Exception {
        Path dir = tmp.resolve("store");
        ModelStore store = ModelStore.open(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), dir.toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            StoreBusyException busy = assertThrows(StoreBusyException.class,
                    () -> store.lockForTraining("affinity train"));
            assertTrue(busy.getMessage().contains("affinity train, pid " + holder.pid()), busy.getMessage());
        } finally {
            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, holder.exitValue());
        try (ModelStore.TrainingLock next = store.lockForTraining("affinity train")) {
            String v = TestData.small().fill(store.newSnapshot()).publish();
            assertEquals(List.of(v), store.versions());
        }
    }
}
