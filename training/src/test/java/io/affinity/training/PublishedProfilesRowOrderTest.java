package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.testing.RowOrderExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} publishes the same customer profiles, to the last bit and byte for byte, from the same export in
 * another row order (an export sorted by item, newest line first, or by another query plan): the money figures were
 * summed in row order and the value models fitted over customers in the order of their first row.
 */
@IntegrationTest
class PublishedProfilesRowOrderTest {
    @TempDir
    Path dir;

    private Path trained(String name, List<String> rows) throws Exception {
        Path input = RowOrderExport.write(dir.resolve(name + ".csv"), rows);
        Path models = dir.resolve(name);
        new TrainingPipeline(new TrainingParameters(List.of(input), "generic", 0.05, 0.1, 1.0, 3, 100, 10, 0.01),
                RecommenderParameters.RULES, line -> { }).run(models);
        ModelStore store = ModelStore.open(models);
        return store.directory().resolve(store.currentVersion().orElseThrow());
    }

    @Test
    void theSameExportInAnotherRowOrderPublishesByteIdenticalProfiles() throws Exception {
        Path a = trained("forward", RowOrderExport.rows());
        Path b = trained("shuffled", RowOrderExport.shuffled(9));
        StringBuilder profilesA = new StringBuilder();
        StringBuilder profilesB = new StringBuilder();
        try (Snapshot sa = ModelStore.open(a.getParent()).openCurrent();
             Snapshot sb = ModelStore.open(b.getParent()).openCurrent()) {
            for (int c = 0; c < 80; c++) {
                profilesA.append(sa.profile("c" + c)).append(sa.customer("c" + c)).append('\n');
                profilesB.append(sb.profile("c" + c)).append(sb.customer("c" + c)).append('\n');
            }
        }
        assertEquals(profilesA.toString(), profilesB.toString());
        assertArrayEquals(Files.readAllBytes(a.resolve("profiles.cmap")), Files.readAllBytes(b.resolve("profiles.cmap")),
                "profiles.cmap");
        assertArrayEquals(Files.readAllBytes(a.resolve("customers.cmap")),
                Files.readAllBytes(b.resolve("customers.cmap")), "customers.cmap");
    }
}
