package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlendTest {
    @TempDir
    Path dir;

    /**
     * Every customer bought a "habit" item in three January orders and a "trial" item once at the end of January;
     * in February the customers for whom {@code buysHabit} holds (by customer number) buy the habit again, the
     * others the trial. Repeat frequency ranks the habit first, recent popularity the trial.
     */
    private Transactions data(java.util.function.IntPredicate buysHabit) throws Exception {
        StringBuilder csv = new StringBuilder("customer_id,order_id,timestamp,item_id,quantity,unit_price\n");
        int order = 0;
        for (int u = 0; u < 200; u++) {
            String habit = "H" + (u % 10);
            String trial = "T" + (u % 10);
            for (String day : new String[] {"02", "05", "08"}) {
                csv.append("c").append(u).append(",o").append(order++).append(",2024-01-").append(day)
                        .append("T10:00,").append(habit).append(",1,1\n");
            }
            csv.append("c").append(u).append(",o").append(order++).append(",2024-01-28T10:00,").append(trial)
                    .append(",1,1\n");
            csv.append("c").append(u).append(",o").append(order++).append(",2024-02-10T10:00,")
                    .append(buysHabit.test(u) ? habit : trial).append(",1,1\n");
        }
        Path f = dir.resolve("tx.csv");
        Files.writeString(f, csv, StandardCharsets.UTF_8);
        return TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions();
    }

    private Evaluation.Tuned tune(Transactions tx) {
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-03-01T00:00"), 20, 2,
                7, 100, 20);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        List<ModelSpec> specs = ModelSpec.all(settings).stream()
                .filter(s -> s.name().equals("repeat-frequency") || s.name().equals("popularity-recent")).toList();
        return Evaluation.tuneModels(specs, validation, settings, s -> { });
    }

    @Test
    void outOfFoldEqualsInSampleWhenBothHalvesBehaveAlike() throws Exception {
        Evaluation.Tuned t = tune(data(u -> false));
        assertEquals(1.0, t.blendValidation(), 1e-9, "the blend learns to put the trial first");
        assertEquals(t.blendValidation(), t.blendOutOfFold(), 1e-9);
    }

    @Test
    void outOfFoldIsNoBetterThanInSampleWhenTheHalvesDisagree() throws Exception {
        // Customers are numbered in input order: even ones buy the habit, odd ones the trial; no weighting fits both.
        Evaluation.Tuned t = tune(data(u -> u % 2 == 0));
        assertTrue(t.blendValidation() < 1, "in sample " + t.blendValidation());
        assertTrue(t.blendOutOfFold() <= t.blendValidation() + 1e-9,
                "in sample " + t.blendValidation() + " vs out of fold " + t.blendOutOfFold());
    }

    @Test
    void weightSearchObjectiveEqualsTheFullMetrics() throws Exception {
        Transactions tx = data(u -> u % 3 == 0);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        Evaluation.Tuned t = tune(tx);
        Blend.Table table = new Blend.Table(t.runs(), validation.testUsers().length);
        Blend.Objective o = new Blend.Objective(table, validation);
        List<String> names = t.runs().stream().map(r -> r.name).toList();
        double[][] weights = {{1, 0}, {0, 1}, {0.5, 2}, {4, 0.1}, {0, 0}};
        for (double[] rep : weights) {
            for (double[] fresh : weights) {
                Map<String, Double> m = new Blend(names, rep, fresh).metrics(table, validation);
                assertEquals(m.get("ndcg@10"), o.ndcg10(rep, fresh, Blend.Kind.ALL), 0.0);
                assertEquals(m.get("repeat.ndcg@10"), o.ndcg10(rep, fresh, Blend.Kind.REPEAT), 0.0);
                assertEquals(m.get("new.ndcg@10"), o.ndcg10(rep, fresh, Blend.Kind.NEW), 0.0);
            }
        }
    }
}
