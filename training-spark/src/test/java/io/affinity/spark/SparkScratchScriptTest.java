package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local launcher's Spark scratch directories (spark-scratch.sh): a run killed with SIGKILL left Spark's shuffle
 * files and its copy of the job jar in /tmp for good; the next run removes them, and leaves live runs' alone.
 */
@IntegrationTest
class SparkScratchScriptTest {
    @TempDir
    Path root;

    @Test
    void aRunRemovesTheScratchOfKilledRunsAndKeepsLiveOnes() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(30, TimeUnit.SECONDS));
        Path killed = Files.createDirectories(root.resolve("run-" + ended.pid()).resolve("blockmgr-1"));
        Files.writeString(killed.resolve("shuffle_0_1_0.data"), "left by a killed run");
        Path live = Files.createDirectories(root.resolve("run-" + ProcessHandle.current().pid()));
        Path notARun = Files.createDirectories(root.resolve("run-x"));

        Process p = new ProcessBuilder("bash", "-c", "source \"$0\" && spark_scratch_dir \"$1\"",
                Path.of("spark-scratch.sh").toAbsolutePath().toString(), root.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);

        assertEquals(root.resolve("run-" + p.pid()).toString(), out);
        assertTrue(Files.isDirectory(Path.of(out)), out);
        assertFalse(Files.exists(killed.getParent()), "the killed run's scratch is removed");
        assertTrue(Files.isDirectory(live) && Files.isDirectory(notARun));
    }
}
