package io.affinity.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The child process of {@link SnapshotFileLimitTest}: opens one version again and again with all but k of its file
 * descriptors taken, k = 0, 1, 2, ..., and prints one line per attempt: k, then how the open ended.
 */
public final class OpenUnderFileLimit {
    private OpenUnderFileLimit() {
    }

    public static void main(String[] args) throws Exception {
        ModelStore store = ModelStore.open(Path.of(args[0]));
        String version = args[1];
        int attempts = Integer.parseInt(args[2]);
        preloadClasses();
        try (Snapshot warm = store.open(version)) {
            warm.version(); // every class of a successful open is loaded now
        }
        List<String> outcomes = new ArrayList<>();
        Path devNull = Path.of("/dev/null");
        for (int k = 0; k < attempts; k++) {
            List<FileChannel> taken = new ArrayList<>();
            while (true) {
                try {
                    taken.add(FileChannel.open(devNull, StandardOpenOption.READ));
                } catch (IOException full) {
                    break;
                }
            }
            for (int i = 0; i < k && !taken.isEmpty(); i++) {
                taken.remove(taken.size() - 1).close();
            }
            String outcome;
            try (Snapshot s = store.open(version)) {
                outcome = "ok";
            } catch (SnapshotException e) {
                outcome = "snapshot " + e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (IOException e) {
                outcome = "io " + e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (RuntimeException | Error e) {
                outcome = "unexpected " + e.getClass().getName() + ": " + e.getMessage();
            }
            for (FileChannel c : taken) {
                c.close();
            }
            outcomes.add(k + " " + outcome.replace('\n', ' '));
        }
        outcomes.forEach(System.out::println);
    }

    /** Classes read from class directories need a descriptor to load: none may be left to load when none is free. */
    private static void preloadClasses() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path root = Path.of(entry);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = root.relativize(f).toString();
                    if (name.endsWith(".class") && !name.contains("module-info")) {
                        try {
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                                    OpenUnderFileLimit.class.getClassLoader());
                        } catch (ClassNotFoundException | LinkageError ignored) {
                            // a test class whose dependencies are absent: not on the open path
                        }
                    }
                }
            }
        }
    }
}
