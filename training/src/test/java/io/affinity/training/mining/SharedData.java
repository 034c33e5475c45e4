package io.affinity.training.mining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared real data folder: the {@code affinity.shared.data} system property (set by surefire), else
 * {@code ../shared/data} next to the repository root, found by walking up to the aggregator pom.
 */
final class SharedData {
    private SharedData() {
    }

    static Optional<Path> fimiFile(String name) {
        return dataDir().map(d -> d.resolve("fimi").resolve(name)).filter(Files::isRegularFile);
    }

    static Optional<Path> dataDir() {
        String prop = System.getProperty("affinity.shared.data");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Optional.of(Path.of(prop).normalize());
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path pom = d.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
                    Path data = d.resolve("../shared/data").normalize();
                    return Files.isDirectory(data) ? Optional.of(data) : Optional.empty();
                }
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
