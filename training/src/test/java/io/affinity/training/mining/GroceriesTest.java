package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groceries (arules' data set, in its basket format; shared/data/README.md) read and mined as an arules user would:
 * the published counts and supports, and the rule count of arules' introduction (Hahsler et al., "Introduction to
 * arules"): {@code apriori(Groceries, parameter = list(support = 0.001, confidence = 0.5))} gives a set of 5,668
 * rules. Skipped where the shared data is absent.
 */
@IntegrationTest
class GroceriesTest {
    @TempDir
    Path dir;

    private static Path groceries() {
        Path file = SharedData.dataDir().map(d -> d.resolve("groceries").resolve("groceries_basket.csv"))
                .filter(Files::isRegularFile).orElse(null);
        assumeTrue(file != null, "groceries_basket.csv not found; skipping");
        return file;
    }

    @Test
    void readsThePublishedCountsAndSupports() throws IOException {
        BasketReader.Labelled l = BasketReader.read(groceries(), StandardCharsets.UTF_8, "--encoding");
        TransactionDatabase db = l.transactions();
        assertEquals(9835, db.size());
        assertEquals(169, l.labels().size());
        assertEquals(43367, db.totalItems());
        long[] count = new long[l.labels().size()];
        for (int t = 0; t < db.size(); t++) {
            for (int item : db.transaction(t)) {
                count[item]++;
            }
        }
        // README: whole milk 0.2555, other vegetables 0.1935, rolls/buns 0.1839, soda 0.1744, yogurt 0.1395
        List<String> names = List.of("whole milk", "other vegetables", "rolls/buns", "soda", "yogurt");
        double[] support = {0.2555, 0.1935, 0.1839, 0.1744, 0.1395};
        for (int i = 0; i < names.size(); i++) {
            assertEquals(support[i], (double) count[l.labels().indexOf(names.get(i))] / db.size(), 5e-5, names.get(i));
        }
    }

    @Test
    void minesTheRuleCountArulesPublishes() throws IOException {
        Path rules = dir.resolve("rules.txt");
        MiningRun.Result r = MiningRun.run(new MiningRun.Job(groceries(), 0.001, 0, ItemsetTarget.ALL, 2, 0,
                Optional.of(new RuleParameters(0.5, 0)), Optional.empty(), Optional.of(rules),
                MiningRun.InputFormat.BASKET, StandardCharsets.UTF_8));
        assertEquals(OptionalLong.of(5668), r.rules());
        assertEquals(5668, Files.readAllLines(rules).size());
    }
}
