package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export with an order sequence instead of timestamps: the customer value models need a calendar and are
 * skipped, saying so; the same purchases with dates do get profiles (so the skip is not just thin data).
 */
@IntegrationTest
class SequenceInputTrainingTest {
    @TempDir
    Path dir;

    /** 40 customers with 2 to 6 orders each over 8 items; the time column is the order's sequence number. */
    private Path export(String timeColumn, boolean dates) throws Exception {
        Random random = new Random(7);
        List<String> rows = new ArrayList<>();
        rows.add("customer_id,order_id," + timeColumn + ",item_id,quantity,unit_price");
        for (int c = 0; c < 40; c++) {
            int orders = 2 + random.nextInt(5);
            for (int n = 1; n <= orders; n++) {
                String when = dates ? "2024-" + String.format("%02d-%02d", 1 + (n * 2 + c % 3) % 12, 1 + c % 28)
                        : String.valueOf(n);
                for (int k = 0; k < 2; k++) {
                    rows.add("c" + c + ",o" + c + "-" + n + "," + when + ",I" + ((c + n + k * 3) % 8) + ",1,"
                            + (2 + k));
                }
            }
        }
        return Files.write(dir.resolve(timeColumn + ".csv"), rows);
    }

    private JsonNode train(Path input, String name, List<String> progress) throws Exception {
        Path models = dir.resolve(name);
        new TrainingPipeline(TrainingParameters.defaults(List.of(input)),
                new RecommenderParameters("rules", 10, 90, 1, true, false), progress::add).run(models);
        try (Snapshot s = ModelStore.open(models).openCurrent()) {
            assertEquals(input.toString().endsWith("sequence.csv"), s.manifest().parameters().containsKey("orderSequence"));
            return s.manifest().sections().get("customerModels");
        }
    }

    @Test
    void customerValueModelsAreSkippedForSequenceInputWithALineAndAManifestNote() throws Exception {
        List<String> progress = new ArrayList<>();
        JsonNode models = train(export("sequence", false), "seq", progress);
        assertEquals(0, models.get("profiles").asInt());
        assertTrue(models.get("skipped").asText().startsWith("the input has an order sequence, not timestamps"),
                models.toString());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("customer models: skipped, the input has an order "
                + "sequence")), progress.toString());

        List<String> dated = new ArrayList<>();
        JsonNode withDates = train(export("timestamp", true), "dated", dated);
        assertTrue(withDates.get("profiles").asInt() > 0, withDates.toString());
        assertFalse(dated.stream().anyMatch(l -> l.startsWith("customer models: skipped")), dated.toString());
    }
}
