package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class RerankerTest {
    @TempDir
    Path dir;

    /**
     * Every customer bought a "habit" item in three old orders and a "trial" item once, recently; in the next
     * period they buy the trial item again and never the habit. Frequency ranks the habit first; the re-ranker has
     * the times-bought feature and must learn the opposite from the validation labels alone.
     */
    private Transactions data() throws Exception {
        StringBuilder csv = new StringBuilder("customer_id,order_id,timestamp,item_id,quantity,unit_price\n");
        int order = 0;
        for (int u = 0; u < 300; u++) {
            String habit = "H" + (u % 15);
            String trial = "T" + ((u * 7) % 15);
            for (String period : new String[] {"2024-01", "2024-04"}) { // validation history / test history
                for (String day : new String[] {"-02", "-05", "-08"}) {
                    csv.append("c").append(u).append(",o").append(order++).append(',').append(period).append(day)
                            .append("T10:00,").append(habit).append(",1,1\n");
                }
                csv.append("c").append(u).append(",o").append(order++).append(',').append(period)
                        .append("-25T10:00,").append(trial).append(",1,1\n");
            }
            // the labelled periods: validation February, test May
            for (String when : new String[] {"2024-02-10T10:00", "2024-05-10T10:00"}) {
                csv.append("c").append(u).append(",o").append(order++).append(',').append(when).append(',')
                        .append(trial).append(",1,1\n");
            }
        }
        Path f = dir.resolve("tx.csv");
        Files.writeString(f, csv, StandardCharsets.UTF_8);
        return TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions();
    }

    @Test
    void perCustomerNdcgAtTenMatchesADirectComputation() {
        double log2of3 = Math.log(3) / Math.log(2);
        double log2of5 = Math.log(5) / Math.log(2);
        // bought items 2 and 9, ranked 2nd and 4th: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
        assertEquals((1 / log2of3 + 1 / log2of5) / (1 + 1 / log2of3),
                Reranker.ndcg10(new int[] {7, 2, 5, 9, 1}, new int[] {2, 9}), 1e-12);
        assertEquals(1.0, Reranker.ndcg10(new int[] {4, 3}, new int[] {3, 4}), 1e-12);
        // a hit below rank 10 does not count
        assertEquals(0.0, Reranker.ndcg10(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new int[] {10}), 1e-12);
    }

    @Test
    void learnsWhatTheValidationLabelsSayAndBeatsFrequencyOutOfFold() throws Exception {
        Transactions tx = data();
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-05-01T00:00"), 20, 2,
                7, 100, 20);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        List<ModelSpec> specs = ModelSpec.all(settings).stream()
                .filter(s -> s.name().equals("repeat-frequency") || s.name().equals("popularity")).toList();
        Evaluation.Tuned tuned = Evaluation.tune(specs, validation, List.of(), settings, s -> { });

        assertTrue(tuned.reranker() != null, "fitted");
        int rf = specs.stream().map(ModelSpec::name).toList().indexOf("repeat-frequency");
        assertTrue(tuned.validationNdcg().get(rf) < 0.7, "frequency puts the habit first");
        assertEquals(1.0, tuned.rerankerValidation(), 1e-9, "out of fold, the trial item comes first for everyone");
        assertEquals(Evaluation.RERANKER, tuned.served(specs));

        // Applied to the later period (models refitted on everything before May), it still ranks the trial first.
        EvalSplit test = EvalSplit.time(tx, settings.cutoff(), 20);
        List<ModelRun> runs = new java.util.ArrayList<>();
        for (int m = 0; m < specs.size(); m++) {
            runs.add(ModelRun.score(specs.get(m).fit(test, tuned.chosen().get(m)), test, 20, 1));
        }
        Reranker.Window w = Reranker.Window.of(test, runs, 20);
        float[][] scores = tuned.reranker().score(w.features(1), Reranker.range(test.testUsers().length), 2);
        assertEquals(1.0, Blend.metricsBy(w.table(), scores, test).get("ndcg@10"), 1e-9);
    }

    @Test
    void reproducible() throws Exception {
        Transactions tx = data();
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-05-01T00:00"), 20, 2,
                7, 100, 20);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        List<ModelSpec> specs = ModelSpec.all(settings).stream()
                .filter(s -> s.name().equals("repeat-frequency")).toList();
        Evaluation.Tuned a = Evaluation.tune(specs, validation, List.of(), settings, s -> { });
        Evaluation.Tuned b = Evaluation.tune(specs, validation, List.of(), settings, s -> { });
        Reranker.Window w = Reranker.Window.of(validation, a.runs(), 20);
        int[] all = Reranker.range(validation.testUsers().length);
        float[][] sa = a.reranker().score(w.features(1), all, 2);
        float[][] sb = b.reranker().score(w.features(1), all, 1);
        for (int p = 0; p < all.length; p++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(sa[p], sb[p]);
        }
    }

    @Test
    void aFitLearnsFromAtMostMaxQueriesCustomersASeededSampleOfThem() throws Exception {
        Transactions tx = data();
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-05-01T00:00"), 20, 2,
                7, 100, 20);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        List<ModelSpec> specs = ModelSpec.all(settings).stream()
                .filter(s -> s.name().equals("repeat-frequency") || s.name().equals("popularity")).toList();
        Evaluation.Tuned tuned = Evaluation.tune(specs, validation, List.of(), settings, s -> { });
        Reranker.Window w = Reranker.Window.of(validation, tuned.runs(), 20);
        List<int[]> all = List.of(Reranker.range(validation.testUsers().length));
        Reranker.Params params = Reranker.Params.defaults(42);
        assertEquals(Reranker.Params.DEFAULT_MAX_QUERIES, params.maxQueries());

        Reranker uncapped = Reranker.fit(List.of(w), all, params);
        Reranker roomy = Reranker.fit(List.of(w), all, new Reranker.Params(params.boost(), params.negativeRate(), 42,
                validation.testUsers().length));
        assertEquals(uncapped.rows, roomy.rows, "a cap above the customers changes nothing");
        float[][] a = uncapped.score(w.features(1), all.get(0), 1);
        float[][] b = roomy.score(w.features(1), all.get(0), 1);
        for (int p = 0; p < a.length; p++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(a[p], b[p]);
        }

        Reranker.Params capped = new Reranker.Params(params.boost(), params.negativeRate(), 42, 60);
        Reranker small = Reranker.fit(List.of(w), all, capped);
        assertTrue(small.rows < uncapped.rows / 3, small.rows + " rows of " + uncapped.rows);
        assertEquals(small.rows, Reranker.fit(List.of(w), all, capped).rows, "the same sample each time");
        // 60 of 300 customers who all behave alike still teach the trial-first order.
        float[][] s = small.score(w.features(1), all.get(0), 1);
        assertEquals(1.0, Blend.metricsBy(w.table(), s, validation).get("ndcg@10"), 1e-9);
    }

    /**
     * The fits gather their rows a block of customers at a time, all fits in one pass (every customer's features at
     * once held about 50 KB a customer): blocks of 7 and fits made together give the same trees, so the same scores,
     * as one block and fits made one by one; a sample cap below the customers draws the same sample either way.
     */
    @Test
    void fitsMadeTogetherInBlocksEqualFitsMadeAloneInOnePiece() throws Exception {
        Transactions tx = data();
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-05-01T00:00"), 20, 2,
                7, 100, 20);
        EvalSplit validation = EvalSplit.time(tx, LocalDateTime.parse("2024-02-01T00:00"), 20);
        List<ModelSpec> specs = ModelSpec.all(settings).stream()
                .filter(s -> s.name().equals("repeat-frequency") || s.name().equals("popularity")).toList();
        Evaluation.Tuned tuned = Evaluation.tune(specs, validation, List.of(), settings, s -> { });
        Reranker.Window w = Reranker.Window.of(validation, tuned.runs(), 20);
        int users = validation.testUsers().length;
        int[] all = Reranker.range(users);
        int[] even = java.util.stream.IntStream.range(0, users).filter(p -> p % 2 == 0).toArray();
        Reranker.Params capped = new Reranker.Params(Reranker.Params.defaults(42).boost(), 0.2, 42, 60);
        List<List<int[]>> fits = List.of(List.of(all), List.of(even));
        List<Reranker> together = Reranker.fitAll(List.of(w), fits, capped, 2, 7);
        for (int i = 0; i < fits.size(); i++) {
            Reranker alone = Reranker.fitAll(List.of(w), List.of(fits.get(i)), capped, 1, 1_000_000).get(0);
            assertEquals(alone.rows, together.get(i).rows);
            assertEquals(alone.queries, together.get(i).queries);
            float[][] a = alone.score(w.features(1), all, 1);
            float[][] b = together.get(i).score(w.features(1), all, 1);
            for (int p = 0; p < users; p++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a[p], b[p]);
            }
            float[][] blocked = together.get(i).score(w.features(1), all, 1);
            float[][] byBlocks = w.score(together.get(i), 2, 7);
            for (int p = 0; p < users; p++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(blocked[p], byBlocks[p]);
            }
        }
        assertTrue(users > 60 && users > 7 * 3, "a sample, several blocks: " + users);
        assertThrows(IllegalArgumentException.class, () -> Reranker.fitAll(List.of(w),
                List.of(List.of(new int[] {3, 1})), capped, 1, 7), "positions out of order");
    }

    @Test
    void theQuerySampleIsASortedSeededSubsetOfTheRequestedSize() {
        long[] queries = new long[1000];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = (long) (i % 2) << 32 | i;
        }
        java.util.Arrays.sort(queries);
        assertTrue(Reranker.sample(queries, 1000, 7) == queries, "nothing to sample");
        long[] a = Reranker.sample(queries, 100, 7);
        assertEquals(100, a.length);
        assertEquals(100, java.util.Arrays.stream(a).distinct().count());
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i - 1] < a[i], "in order");
        }
        for (long q : a) {
            assertTrue(java.util.Arrays.binarySearch(queries, q) >= 0);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, Reranker.sample(queries, 100, 7));
        assertTrue(!java.util.Arrays.equals(a, Reranker.sample(queries, 100, 8)), "the seed decides");
    }
}
