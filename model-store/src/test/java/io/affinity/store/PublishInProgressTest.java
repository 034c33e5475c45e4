package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish writes into a {@code .tmp-} directory, and the next train or prune removed such directories once they
 * were 6 hours old by the clock. A forward clock step of more than 6 hours during a publish (a virtual machine resumed,
 * NTP correcting a clock that ran slow) made a live publish's directory look abandoned, and a concurrent prune deleted
 * it under the publish's feet. Each publish now holds a lock on {@code .tmp-X.lock} beside its directory, released by
 * the operating system when its process dies: cleaners remove the directories of dead publishers only, at once and
 * whatever the clock says, and leave live ones alone however old they look.
 */
@IntegrationTest
class PublishInProgressTest {
    /** What a forward clock step of 7 hours makes of a directory created just before it. */
    private static final Duration STEP = Duration.ofHours(7);

    @TempDir
    Path tmp;

    @Test
    void aPublishThatLooksHoursOldIsLeftAloneByPruneAndTheNextPublishInTheSameProcess() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String first = TestData.small().fill(store.newSnapshot()).publish();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        SnapshotBuilder builder = TestData.small().fill(store.newSnapshot());
        builder.onStep(step -> {
            if (step.equals("popular")) {
                writing.countDown();
                await(resume);
            }
        });
        CompletableFuture<String> publish = CompletableFuture.supplyAsync(() -> {
            try {
                return builder.publish();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertTrue(writing.await(30, TimeUnit.SECONDS));
            Path live = only(tempDirs(store.directory()));
            Files.setLastModifiedTime(live, FileTime.from(Instant.now().minus(STEP)));

            ModelStore other = ModelStore.open(store.directory()); // another instance, as another thread would open
            assertEquals(List.of(), other.prune(1, false, true).leftovers(), "dry run");
            assertEquals(List.of(), other.prune(1, false, false).leftovers());
            other.newSnapshot(); // what the next publish cleans up first
            assertTrue(Files.isDirectory(live), "the live publish's directory");
        } finally {
            resume.countDown();
        }
        String second = publish.get(60, TimeUnit.SECONDS);
        assertEquals(List.of(first, second), store.versions());
        assertEquals(List.of(), tempDirs(store.directory()));
        assertEquals(List.of(), lockFiles(store.directory()), "the lock file goes with its publish");
    }

    @Test
    void aPublishInAnotherProcessIsLeftAloneHoweverOldItLooksAndAKilledOnesDirectoryGoesAtOnce() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String first = TestData.small().fill(store.newSnapshot()).publish();
        Process publisher = start(store.directory());
        String second;
        try {
            BufferedReader out = reader(publisher);
            Writer in = new java.io.OutputStreamWriter(publisher.getOutputStream(), StandardCharsets.UTF_8);
            String writing = next(out, "writing ");
            Path live = store.directory().resolve(writing.substring("writing ".length()));
            assertTrue(Files.isDirectory(live), live.toString());
            Files.setLastModifiedTime(live, FileTime.from(Instant.now().minus(STEP)));

            // a prune in the publisher's own process, then in this one
            in.write("prune\n");
            in.flush();
            assertEquals("pruned []", next(out, "pruned "));
            assertEquals(List.of(), store.prune(1, false, false).leftovers());
            store.newSnapshot();
            assertTrue(Files.isDirectory(live), "the live publish's directory");

            in.write("go\n");
            in.flush();
            second = next(out, "published ").substring("published ".length());
        } finally {
            publisher.destroyForcibly();
            assertTrue(publisher.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(List.of(first, second), store.versions());

        // killed mid-publish (SIGKILL: the OOM killer, a cron job's timeout): nothing to wait 6 hours for
        Process killed = start(store.directory());
        Path abandoned;
        try {
            String writing = next(reader(killed), "writing ");
            abandoned = store.directory().resolve(writing.substring("writing ".length()));
        } finally {
            killed.destroyForcibly();
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.isDirectory(abandoned));
        List<ModelStore.Removal> leftovers = store.prune(5, false, false).leftovers();
        assertEquals(List.of(abandoned.getFileName().toString()),
                leftovers.stream().map(ModelStore.Removal::name).toList());
        assertFalse(Files.exists(abandoned));
        assertEquals(List.of(), lockFiles(store.directory()));
        assertEquals(List.of(first, second), store.versions());
    }

    /**
     * Publishes {@link TestData#small()} into the store named by its argument, stopping when the data files are
     * written: prints {@code writing .tmp-...}, then runs a prune for each {@code prune} line read, and finishes on
     * {@code go} ({@code published VERSION}).
     */
    public static final class Publisher {
        public static void main(String[] args) throws Exception {
            ModelStore store = ModelStore.open(Path.of(args[0]));
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            PrintStream out = System.out;
            SnapshotBuilder builder = TestData.small().fill(store.newSnapshot());
            builder.onStep(step -> {
                if (!step.equals("popular")) {
                    return;
                }
                try {
                    out.println("writing " + only(tempDirs(store.directory())).getFileName());
                    out.flush();
                    for (String c = commands.readLine(); c != null && !c.equals("go"); c = commands.readLine()) {
                        out.println("pruned " + store.prune(1, false, false).leftovers());
                        out.flush();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            out.println("published " + builder.publish());
            out.flush();
        }
    }

    private static Process start(Path store) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Chronicle Map needs this JVM's --add-opens and --add-exports
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-")).forEach(args::add);
        args.addAll(List.of("-cp", System.getProperty("java.class.path"), Publisher.class.getName(),
                store.toString()));
        return new ProcessBuilder(args).redirectErrorStream(true).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The publisher's next line starting with {@code word}; its log lines (Chronicle's start-up) are skipped. */
    private static String next(BufferedReader out, String word) throws Exception {
        StringBuilder skipped = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(word)) {
                return line;
            }
            skipped.append(line).append('\n');
        }
        throw new AssertionError("the publisher ended without '" + word + "...':\n" + skipped);
    }

    private static List<Path> tempDirs(Path store) throws Exception {
        try (Stream<Path> s = Files.list(store)) {
            return s.filter(p -> p.getFileName().toString().startsWith(ModelStore.TMP_PREFIX) && Files.isDirectory(p))
                    .toList();
        }
    }

    private static List<Path> lockFiles(Path store) throws Exception {
        try (Stream<Path> s = Files.list(store)) {
            return s.filter(p -> p.getFileName().toString().startsWith(ModelStore.TMP_PREFIX)
                    && p.getFileName().toString().endsWith(".lock")).toList();
        }
    }

    private static Path only(List<Path> paths) {
        assertEquals(1, paths.size(), paths.toString());
        return paths.get(0);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not resumed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
