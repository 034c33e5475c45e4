package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process short of file descriptors (a service's too low {@code LimitNOFILE}, connections piling up) cannot open a
 * version, and must say so as an I/O failure, never as damage. Found by the twenty-fourth session's fault injection
 * with {@code ulimit -n}: a Chronicle Map file that could not be opened was reported as "corrupted" (an activation a
 * 422 "failed verification", and the watcher refused the version until its files changed), and the check for
 * unlisted files failed with an unchecked exception (a 500). Run in a second JVM whose limit is low, taking all but
 * k descriptors before each attempt.
 */
@IntegrationTest
class SnapshotFileLimitTest {
    private static final int ATTEMPTS = 40;

    @TempDir
    Path tmp;

    @Test
    void tooFewFileDescriptorsIsAnIoFailureNeverDamage() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        TestData data = TestData.small();
        SnapshotBuilder b = data.fill(store.newSnapshot());
        b.addDirectory("catalog", d -> {
            java.nio.file.Files.writeString(d.resolve("segments_1"), "index");
            java.nio.file.Files.writeString(d.resolve("_0.cfs"), "segment");
        });
        String version = b.publish();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Chronicle Map needs this JVM's --add-opens and --add-exports; "$@" passes them and the rest as given
        List<String> args = new java.util.ArrayList<>(List.of("bash", "-c", "ulimit -n 256 && exec \"$@\"", "java",
                javaBin));
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-")).forEach(args::add);
        args.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenUnderFileLimit.class.getName(),
                store.directory().toString(), version, Integer.toString(ATTEMPTS)));
        Process child = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.matches("\\d+ .*")).toList();
        assertEquals(ATTEMPTS, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.endsWith(" ok") || line.contains(" io "), "an I/O failure or an open version: " + line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(" io ") && l.contains("Too many open files")), out);
        assertTrue(lines.get(ATTEMPTS - 1).endsWith(" ok"), "with enough descriptors it opens: " + out);
    }
}
