package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.store.Invocation;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An auditor months later: which command published a version ({@code models show --command}), and does running it
 * again give the same model? Compared through the reader API, not by bytes (the Lucene catalogue's files carry a
 * random segment id and the time they were written).
 */
@IntegrationTest
class ReproducibleTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 40;
    private static final int ITEMS = 30;

    @TempDir
    Path dir;

    /** 40 customers over 120 days, each with 3 favourites out of 30 items plus random others; seeded. */
    private List<String> rows() {
        Random rnd = new Random(11);
        List<String> rows = new ArrayList<>();
        int order = 0;
        for (int c = 0; c < CUSTOMERS; c++) {
            int[] favourites = {rnd.nextInt(ITEMS), rnd.nextInt(ITEMS), rnd.nextInt(ITEMS)};
            for (int day = rnd.nextInt(10); day < 120; day += 5 + rnd.nextInt(15)) {
                order++;
                String ts = LocalDate.of(2011, 1, 1).plusDays(day) + " 1" + rnd.nextInt(10) + ":00";
                TreeSet<Integer> basket = new TreeSet<>(List.of(favourites[rnd.nextInt(3)],
                        favourites[rnd.nextInt(3)], rnd.nextInt(ITEMS)));
                for (int i : basket) {
                    rows.add("c" + c + ",o" + order + "," + ts + ",item" + i + "," + (1 + rnd.nextInt(3)) + ","
                            + (1 + i % 7) + ".25,ITEM " + i);
                }
            }
        }
        return rows;
    }

    private Path export(String name, List<String> rows) throws Exception {
        List<String> lines = new ArrayList<>(List.of("customer_id,order_id,timestamp,item_id,quantity,unit_price,"
                + "description"));
        lines.addAll(rows);
        return Files.write(dir.resolve(name), lines);
    }

    private static String trainedVersion(Path models, String... args) throws Exception {
        CommandErrorsTest.Run r = CommandErrorsTest.run(args);
        assertEquals(0, r.code(), r.err());
        return ModelStore.open(models).currentVersion().orElseThrow();
    }

    @Test
    void modelsShowCommandPrintsTheCommandThatPublishedTheVersion() throws Exception {
        Path orders = export("orders.csv", rows());
        Path models = dir.resolve("models");
        String v = trainedVersion(models, "train", "--input", orders.toString(), "--format", "generic",
                "--min-support", "0.05", "--recommender", "rules", "--models", models.toString());
        CommandErrorsTest.Run show = CommandErrorsTest.run("models", "show", v, "--command", "--models",
                models.toString());
        assertEquals(0, show.code(), show.err());
        Invocation expected = new Invocation("train", List.of("--input", orders.toString(), "--format", "generic",
                "--min-support", "0.05", "--recommender", "rules", "--models", models.toString()),
                Path.of("").toAbsolutePath().toString());
        assertEquals(expected.commandLine() + System.lineSeparator(), show.out());
        assertTrue(show.out().startsWith("cd "), show.out());
        // without --command: the manifest, which holds it
        JsonNode manifest = JSON.readTree(CommandErrorsTest.run("models", "show", v, "--models", models.toString())
                .out());
        assertEquals(expected, Invocation.of(manifest.at("/sections/invocation")).orElseThrow());
    }

    @Test
    void aVersionPublishedWithoutTheCommandRecordedSaysSoInsteadOfGuessing() throws Exception {
        Path orders = export("orders.csv", rows());
        Path models = dir.resolve("models");
        // as a version from before the twenty-seventh session: no invocation section
        new TrainingPipeline(new TrainingParameters(List.of(orders), "generic", 0.05, 0.05, 1.0, 3, 100, 10, 0.01),
                io.affinity.training.RecommenderParameters.RULES, line -> { }).run(models);
        String v = ModelStore.open(models).currentVersion().orElseThrow();
        CommandErrorsTest.run("models", "show", v, "--command", "--models", models.toString())
                .failsWith("affinity models show: error: version " + v + " does not record the command that "
                        + "published it", "models show " + v);
    }

    /**
     * The recorded command, run again, publishes a model equal in every served answer, and so do one thread
     * instead of two and the same rows split over two files in the order they were written.
     */
    @Test
    void theRecordedCommandRunAgainPublishesTheSameModelAndSoDoOtherThreadCountsAndSplitFiles() throws Exception {
        List<String> rows = rows();
        Path orders = export("orders.csv", rows);
        Path models = dir.resolve("models");
        String first = trainedVersion(models, "train", "--input", orders.toString(), "--format", "generic",
                "--min-support", "0.02", "--top-n", "12", "--validation-days", "30", "--reduced-grid",
                "--models", models.toString());
        Invocation recorded = Invocation.of(JSON.readTree(ModelStore.open(models).directory().resolve(first)
                .resolve("manifest.json").toFile()).at("/sections/invocation")).orElseThrow();
        List<String> rerun = new ArrayList<>(List.of(recorded.verb()));
        rerun.addAll(recorded.arguments());
        String again = trainedVersion(models, rerun.toArray(String[]::new));
        assertNotEquals(first, again);

        // the same rows in two files, split between orders (an order in two files is loaded from the first only)
        int half = rows.size() / 2;
        while (rows.get(half).split(",")[1].equals(rows.get(half - 1).split(",")[1])) {
            half++;
        }
        Path part1 = export("part1.csv", rows.subList(0, half));
        Path part2 = export("part2.csv", rows.subList(half, rows.size()));
        String split = trainedVersion(models, "train", "--input", part1.toString(), part2.toString(), "--format",
                "generic", "--min-support", "0.02", "--top-n", "12", "--validation-days", "30", "--reduced-grid",
                "--threads", "1", "--models", models.toString());

        ModelStore store = ModelStore.open(models);
        String expected = contents(store, first);
        assertEquals(expected, contents(store, again));
        assertEquals(expected, contents(store, split));
        assertEquals(sectionsWithoutTimings(store, first), sectionsWithoutTimings(store, again));
    }

    /** Every answer a snapshot gives, item by item and customer by customer, as text. */
    private static String contents(ModelStore store, String version) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Snapshot s = store.open(version)) {
            b.append(s.itemCount()).append(' ').append(s.ruleCount()).append(' ').append(s.customerCount())
                    .append('\n').append(s.popularItems()).append('\n');
            for (int i = 0; i < ITEMS; i++) {
                String item = "item" + i;
                b.append(s.item(item)).append(s.rulesWithAntecedentItem(item)).append(s.tradeUps(item)).append('\n');
            }
            for (int c = 0; c < CUSTOMERS; c++) {
                String customer = "c" + c;
                b.append(s.customer(customer)).append(s.profile(customer)).append(s.precomputed(customer))
                        .append('\n');
            }
            s.forEachRule(r -> b.append(r).append('\n'));
            b.append(s.profilesAsOf());
        }
        return b.toString();
    }

    /** The manifest's sections but for the fitting time, which is the machine's, not the model's. */
    private static JsonNode sectionsWithoutTimings(ModelStore store, String version) throws Exception {
        ObjectNode sections = (ObjectNode) JSON.readTree(store.directory().resolve(version).resolve("manifest.json")
                .toFile()).get("sections");
        ((ObjectNode) sections.get("servedModel")).remove("fitSeconds");
        return sections;
    }
}
