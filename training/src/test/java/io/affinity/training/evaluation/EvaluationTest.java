package io.affinity.training.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.testing.UnitTest;
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

@UnitTest
class EvaluationTest {
    @TempDir
    Path dir;

    private Transactions load(String csv) throws Exception {
        Path f = dir.resolve("tx.csv");
        Files.writeString(f, "customer_id,order_id,timestamp,item_id,quantity,unit_price\n" + csv,
                StandardCharsets.UTF_8);
        return TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions();
    }

    private static final String SMALL = String.join("\n",
            "c1,o1,2024-01-01T10:00,P1,1,1", "c1,o1,2024-01-01T10:00,P2,1,1",
            "c1,o2,2024-02-01T10:00,P1,1,1", "c1,o3,2024-03-05T10:00,P3,1,1", "c1,o3,2024-03-05T10:00,P1,1,1",
            "c2,o4,2024-01-10T10:00,P2,1,1", "c2,o5,2024-03-10T10:00,P2,1,1",
            "c3,o6,2024-03-02T10:00,P4,1,1", ",o7,2024-01-03T10:00,P1,1,1", ",o7,2024-01-03T10:00,P4,1,1", "");

    @Test
    void timeSplitSeparatesPeriodsAndCollectsTestItems() throws Exception {
        Transactions tx = load(SMALL);
        EvalSplit s = EvalSplit.time(tx, LocalDateTime.parse("2024-03-01T00:00"), 30);
        int c1 = tx.customerIndex("c1");
        int c3 = tx.customerIndex("c3");
        assertArrayEquals(new int[] {tx.itemIndex("P1"), tx.itemIndex("P2")}, s.train().itemsOf(c1));
        assertArrayEquals(new int[] {tx.itemIndex("P1"), tx.itemIndex("P3")}, s.truth()[c1]);
        assertEquals(3, s.testUsers().length);
        assertEquals(1, s.coldTestUsers(), "c3 has no training history");
        assertEquals(0, s.train().degreeOfUser(c3));
        assertEquals(4, s.trainBaskets().size(), "o1, o2, o4 and the anonymous o7");
    }

    @Test
    void lastBasketHoldsOutEachCustomersLastOrder() throws Exception {
        Transactions tx = load(SMALL);
        EvalSplit s = EvalSplit.lastBasket(tx, 0);
        int c1 = tx.customerIndex("c1");
        assertArrayEquals(new int[] {tx.itemIndex("P1"), tx.itemIndex("P3")}, s.truth()[c1]);
        assertNull(s.truth()[tx.customerIndex("c3")], "one order only: training only");
        EvalSplit v = EvalSplit.lastBasket(tx, 1);
        assertArrayEquals(new int[] {tx.itemIndex("P1")}, v.truth()[c1]);
        assertEquals(1, v.testUsers().length);
    }

    @Test
    void sameSeasonWindowIsTheSamePeriodAYearEarlierWhenTheDataReachesBack() throws Exception {
        // c1 buys in March 2023 and 2024 (history before the window a year back: January 2023); c2 only in 2024
        Transactions tx = load(String.join("\n", "c1,o1,2023-01-10T10:00,P1,1,1", "c1,o2,2023-03-10T10:00,P2,1,1",
                "c2,o3,2024-01-10T10:00,P1,1,1", "c1,o4,2024-03-10T10:00,P2,1,1", ""));
        List<EvalSplit> w = Evaluation.sameSeasonWindow(tx, LocalDateTime.parse("2024-03-01T00:00"), 30);
        assertEquals(1, w.size());
        assertEquals(EvalSplit.time(tx, LocalDateTime.parse("2023-03-02T00:00"), 30).description(),
                w.get(0).description(), "365 days before 2024-03-01 (a leap year) is 2023-03-02");
        assertArrayEquals(new int[] {tx.itemIndex("P2")}, w.get(0).truth()[tx.customerIndex("c1")]);
        assertTrue(Evaluation.sameSeasonWindow(tx, LocalDateTime.parse("2024-01-05T00:00"), 30).isEmpty(),
                "nobody with history bought in 2023-01-05 .. 2023-02-04");
        assertTrue(Evaluation.sameSeasonWindow(tx, LocalDateTime.parse("2023-03-01T00:00"), 30).isEmpty(),
                "the data does not reach back to 2022");
    }

    /** 60 customers buying every 30 days from January 2023 to April 2024, two items per order. */
    private static String sixteenMonths() {
        StringBuilder sb = new StringBuilder();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        int order = 0;
        for (int c = 0; c < 60; c++) {
            for (int o = 0; o < 16; o++) {
                String ts = LocalDateTime.parse("2023-01-01T10:00").plusDays(o * 30L + c % 7).toString();
                order++;
                for (int l = 0; l < 2; l++) {
                    sb.append("c").append(c).append(",o").append(order).append(',').append(ts).append(",P")
                            .append((c % 3) * 5 + rnd.nextInt(5)).append(",1,1\n");
                }
            }
        }
        return sb.toString();
    }

    @Test
    void reRankerLearnsFromTheSameSeasonAYearEarlierUnlessSwitchedOff() throws Exception {
        Transactions tx = load(sixteenMonths());
        for (boolean season : List.of(true, false)) {
            EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-03-01T00:00"), 30,
                    2, 7, 30, 20, season);
            List<String> lines = new java.util.ArrayList<>();
            EvaluationReport report = new Evaluation(settings, lines::add).run(tx);
            assertEquals(season ? 1 : 0, ((List<?>) report.facts().get("rerankerExtraTrainingWindows")).size());
            String fitted = lines.stream().filter(l -> l.startsWith("reranker fitted")).findFirst().orElseThrow();
            assertTrue(fitted.startsWith("reranker fitted on " + (season ? 2 : 1) + " window(s)"), fitted);
            assertNull(report.model("popularity-season").note(), "March 2023 is in the data");
            assertEquals("no first-time buyer a year before the predicted period: equals popularity-season",
                    report.model("popularity-season-new").note(), "every customer first bought in January 2023");
        }
    }

    /**
     * evaluate makes the re-ranker's tables and features a block of customers at a time (validation and season
     * windows, its out-of-fold figure, the test): holding every customer's at once took about 50 KB a customer at 11
     * models. Blocks of 7 give every figure, validation and test, the same value as one block.
     */
    @Test
    void evaluationFiguresDoNotDependOnTheBlock() throws Exception {
        Transactions tx = load(sixteenMonths());
        LocalDateTime cutoff = LocalDateTime.parse("2024-03-01T00:00");
        EvaluationReport whole = new Evaluation(new EvaluationSettings("time", cutoff, 30, 2, 7, 30, 20, true,
                EvaluationSettings.DEFAULT_RULES_MIN_SUPPORT, EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE,
                EvaluationSettings.DEFAULT_RULES_MIN_LIFT, 1_000_000), line -> { }).run(tx);
        List<String> lines = new java.util.ArrayList<>();
        EvaluationReport blocked = new Evaluation(new EvaluationSettings("time", cutoff, 30, 2, 7, 30, 20, true,
                EvaluationSettings.DEFAULT_RULES_MIN_SUPPORT, EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE,
                EvaluationSettings.DEFAULT_RULES_MIN_LIFT, 7),
                lines::add).run(tx);
        assertTrue(((Number) whole.facts().get("validationCustomers")).intValue() > 7 * 3, "several blocks");
        assertTrue(((Number) whole.facts().get("testCustomers")).intValue() > 7 * 3, "several blocks");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("reranker fitted on 2 window(s)")), "both windows");
        assertEquals(whole.served(), blocked.served());
        assertTrue(whole.model(Evaluation.RERANKER) != null, "the re-ranker is measured");
        for (ModelResult m : whole.models()) {
            assertEquals(m.validationNdcg10(), blocked.model(m.name()).validationNdcg10(), m.name());
            assertEquals(m.metrics(), blocked.model(m.name()).metrics(), m.name());
            for (String metric : RankingMetrics.PER_CUSTOMER) {
                assertArrayEquals(whole.perCustomer().values(m.name(), metric),
                        blocked.perCustomer().values(m.name(), metric), m.name() + " " + metric);
            }
        }
    }

    @Test
    void servedReRankerLearnsFromTheServedPeriodsSeasonAYearEarlierUnlessSwitchedOff() throws Exception {
        Transactions tx = load(sixteenMonths());
        for (boolean season : List.of(true, false)) {
            List<String> lines = new java.util.ArrayList<>();
            int[] lists = {0};
            List<String> disordered = new java.util.ArrayList<>();
            ServedBlend.Result r = ServedBlend.fit(tx, new ServedBlend.Settings(30, 5, 2, 7, true, season), lines::add,
                    (served, c, items, scores, repeat, sources) -> {
                        lists[0]++;
                        boolean reranked = "reranker".equals(served);
                        boolean ordered = scores.length == 0 || !reranked || scores[0] == 1f;
                        for (int i = 1; i < scores.length; i++) {
                            ordered &= scores[i] <= scores[i - 1] && (!reranked || scores[i] > 0);
                        }
                        if (!ordered) {
                            disordered.add(java.util.Arrays.toString(scores));
                        }
                    });
            assertEquals(List.of(), disordered, "scores in list order, the re-ranker's first 1");
            String fitted = lines.stream().filter(l -> l.startsWith("reranker fitted")).findFirst().orElseThrow();
            assertTrue(fitted.startsWith("reranker fitted on " + (season ? 2 : 1) + " window(s)"), fitted);
            assertEquals(r.customers(), lists[0], "every customer with a purchase gets a list");
        }
    }

    /**
     * Served re-ranked lists are made per block of customers (all at once held every candidate's features of every
     * customer: more than the default heap at 176,000 customers), and so are the tuning windows' tables and
     * features (the re-ranker's fits and its out-of-fold validation): blocks of 7 give every customer the same
     * list and every validation figure the same value as one block.
     */
    @Test
    void servedReRankerListsAndTuningDoNotDependOnTheBlock() throws Exception {
        Transactions tx = load(sixteenMonths());
        Map<Integer, String> lists = new java.util.TreeMap<>();
        ServedBlend.Result whole = servedLists(tx, 1_000_000, lists);
        Map<Integer, String> blocked = new java.util.TreeMap<>();
        ServedBlend.Result seven = servedLists(tx, 7, blocked);
        assertEquals(lists, blocked);
        assertTrue(lists.size() > 7 * 3, "several blocks: " + lists.size());
        assertTrue(whole.validationCustomers() > 7 * 3, "several tuning blocks: " + whole.validationCustomers());
        assertEquals(whole.rerankerValidationNdcg(), seven.rerankerValidationNdcg());
        assertEquals(whole.reranker(), seven.reranker());
        assertEquals(whole.blendOutOfFoldNdcg(), seven.blendOutOfFoldNdcg());
        assertEquals(whole.weights(), seven.weights());
    }

    /**
     * A heap too small for the recommender step stops it before the long steps with the size to give (a large
     * shop's run ran out of memory after 17 minutes); a heap large enough says what the step needs and goes on.
     */
    @Test
    void aHeapTooSmallStopsTheRecommenderBeforeItsLongStepsNamingTheSize() throws Exception {
        Transactions tx = load(sixteenMonths());
        List<String> lines = new java.util.ArrayList<>();
        List<Integer> served = new java.util.ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServedBlend.fit(tx,
                new ServedBlend.Settings(30, 5, 2, 7, true, true), lines::add,
                (name, c, items, scores, repeat, sources) -> served.add(c), null, 1L << 20));
        assertTrue(e.getMessage().startsWith("the heap is too small for the recommender step: it needs about "),
                e.getMessage());
        assertTrue(e.getMessage().matches(".*JVM may use 1 MiB; give it AFFINITY_JAVA_OPTS=-Xmx[0-9]+g, .*"),
                e.getMessage());
        assertEquals(List.of(), lines, "stopped before the models' validation");
        assertEquals(List.of(), served);

        ServedBlend.fit(tx, new ServedBlend.Settings(30, 5, 2, 7, true, true), lines::add,
                (name, c, items, scores, repeat, sources) -> served.add(c), null, Long.MAX_VALUE);
        assertTrue(lines.get(0).startsWith("memory: the recommender step needs about "), lines.get(0));
        assertTrue(lines.get(1).startsWith("validate "), "then the long steps: " + lines.get(1));
        assertTrue(!served.isEmpty());
    }

    /**
     * evaluate has the same check as train's recommender step: a heap too small stops it after the splits, before
     * the models' validation, naming the size to give (it ran out of memory after many minutes on a large shop);
     * a heap large enough says what it needs and goes on.
     */
    @Test
    void aHeapTooSmallStopsEvaluateBeforeItsLongStepsNamingTheSize() throws Exception {
        Transactions tx = load(sixteenMonths());
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-03-01T00:00"), 30, 2,
                7, 30, 20);
        List<String> lines = new java.util.ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Evaluation(settings, lines::add).run(tx, 1L << 20));
        assertTrue(e.getMessage().startsWith("the heap is too small for evaluate: it needs about "), e.getMessage());
        assertTrue(e.getMessage().matches(".*test customers, .*JVM may use 1 MiB; give it AFFINITY_JAVA_OPTS=-Xmx[0-9]+g"
                + ".*"), e.getMessage());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("validate ")), "stopped before the models' validation: "
                + lines);

        lines.clear();
        new Evaluation(settings, lines::add).run(tx, Long.MAX_VALUE);
        int memory = lines.indexOf(lines.stream().filter(l -> l.startsWith("memory: ")).findFirst().orElseThrow());
        assertTrue(lines.get(memory).startsWith("memory: evaluate needs about "), lines.get(memory));
        assertTrue(lines.get(memory + 1).startsWith("validate "), "then the long steps: " + lines.get(memory + 1));
    }

    private static ServedBlend.Result servedLists(Transactions tx, int customersPerBlock, Map<Integer, String> lists) {
        ServedBlend.Result r = ServedBlend.fit(tx, new ServedBlend.Settings(30, 5, 2, 7, true, true,
                        EvaluationSettings.DEFAULT_RULES_MIN_SUPPORT, EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE,
                        EvaluationSettings.DEFAULT_RULES_MIN_LIFT, customersPerBlock), line -> { },
                (served, c, items, scores, repeat, sources) -> lists.put(c, served + " "
                        + java.util.Arrays.toString(items) + java.util.Arrays.toString(scores)
                        + java.util.Arrays.toString(repeat) + java.util.Arrays.toString(sources)),
                Evaluation.RERANKER, Long.MAX_VALUE);
        assertEquals("reranker", r.served(), "the path under test");
        return r;
    }

    /**
     * The served re-ranker's scores are the weights NDCG gives the positions: ordered, 1 for the first, never
     * saturated. Through the logistic function, as before, outputs of 40, 39 and 30 were all 1.0 in a float, and
     * next-best offers (which weigh items by score over the list's best) ranked them by margin alone.
     */
    @Test
    void servedReRankerScoresKeepTheirOrderAtTheTop() {
        float[] s = ServedBlend.positionWeights(new float[] {40f, 39f, 30f, 5f, 5f, -2f});
        assertEquals(1f, s[0]);
        assertEquals(1 / (Math.log(3) / Math.log(2)), s[1], 1e-6);
        assertEquals(0.5f, s[2]);
        assertEquals(1 / (Math.log(5) / Math.log(2)), s[3], 1e-6);
        assertEquals(s[3], s[4], "equal outputs, equal scores");
        assertEquals(1 / (Math.log(7) / Math.log(2)), s[5], 1e-6, "the position after a tie counts the tied items");
        assertEquals(1f, ServedBlend.positionWeights(new float[] {-3f})[0], "a list of one, or of negative outputs");
        assertEquals(0, ServedBlend.positionWeights(new float[0]).length);
    }

    /** Seeded synthetic shop: 120 customers with taste for one of 4 item groups and some repeat buying. */
    private static String synthetic() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        StringBuilder sb = new StringBuilder();
        int order = 0;
        for (int c = 0; c < 120; c++) {
            int group = c % 4;
            for (int o = 0; o < 6; o++) {
                String ts = LocalDateTime.parse("2024-01-01T10:00").plusDays(o * 15L + rnd.nextInt(10)).toString();
                order++;
                for (int l = 0; l < 4; l++) {
                    int item = rnd.nextInt(10) < 7 ? group * 10 + rnd.nextInt(10) : rnd.nextInt(40);
                    sb.append("c").append(c).append(",o").append(order).append(',').append(ts).append(",P")
                            .append(item).append(",1,1\n");
                }
            }
        }
        return sb.toString();
    }

    /**
     * The rows of {@code csv} newest first, as some shop systems export them, and the same rows with those from
     * {@code from} on moved to the end in time order: loaded, the two differ only in where the rows of the period from
     * {@code from} stand. Each order's lines stay together.
     */
    private List<Transactions> newestFirstAndWithTheLaterRowsMoved(String csv, LocalDateTime from) throws Exception {
        List<String> rows = new java.util.ArrayList<>(csv.lines().toList());
        rows.sort(java.util.Comparator.comparing(r -> r.split(",")[2]));
        List<String> later = rows.stream().filter(r -> !LocalDateTime.parse(r.split(",")[2]).isBefore(from)).toList();
        java.util.Collections.reverse(rows);
        List<String> moved = new java.util.ArrayList<>(rows);
        moved.removeAll(later);
        moved.addAll(later);
        List<Transactions> out = new java.util.ArrayList<>();
        for (List<String> file : List.of(rows, moved)) {
            Path f = dir.resolve("rows-" + out.size() + ".csv");
            Files.writeString(f, "customer_id,order_id,timestamp,item_id,quantity,unit_price\n"
                    + String.join("\n", file) + "\n", StandardCharsets.UTF_8);
            out.add(TransactionLoader.load(List.of(f), IngestOptions.defaults()).transactions());
        }
        return out;
    }

    /**
     * Shop systems often export newest first. Items and customers were numbered in order of first appearance in the
     * input, and every ranking breaks ties by number, so read newest first the items bought in the test period had
     * the lowest numbers and won the ties: on the bundled sample repeat-frequency's NDCG@10 rose from 0.1970 to
     * 0.2015 with the rows reversed. Now where the test period's rows stand in the file changes no figure.
     */
    @Test
    void theTestPeriodsRowsMoveNoFigureWhereverTheyStand() throws Exception {
        LocalDateTime cutoff = LocalDateTime.parse("2024-03-01T00:00");
        List<Transactions> both = newestFirstAndWithTheLaterRowsMoved(synthetic(), cutoff);
        EvaluationSettings settings = new EvaluationSettings("time", cutoff, 25, 2, 7, 30, 20);
        EvaluationReport a = new Evaluation(settings, line -> { }).run(both.get(0));
        EvaluationReport b = new Evaluation(settings, line -> { }).run(both.get(1));
        assertEquals(a.served(), b.served());
        for (ModelResult m : a.models()) {
            for (Map.Entry<String, Double> e : m.metrics().entrySet()) {
                assertEquals(e.getValue(), b.model(m.name()).metrics().get(e.getKey()), m.name() + " " + e.getKey()
                        + " moved with the test period's rows");
            }
            for (String metric : RankingMetrics.PER_CUSTOMER) {
                assertArrayEquals(a.perCustomer().values(m.name(), metric), b.perCustomer().values(m.name(), metric),
                        m.name() + " " + metric);
            }
        }
    }

    /**
     * Orders after the test period are in no split, yet three figures counted them: coverage's catalogue was every item
     * of the export (new items sold after the test period included), knn-bm25's weights took the log of that item
     * count, and ALS drew its starting factors from one stream whose items came after one draw per customer of the
     * export (a new customer shifted every item's start) and gave a customer without purchases a random list. On
     * the bundled sample, leaving out the one day after its 14-day test period moved ALS's NDCG@10 from 0.1726 to
     * 0.1738, the re-ranker's from 0.2167 to 0.2129 and every model's coverage.
     */
    @Test
    void ordersAfterTheTestPeriodMoveNoFigure() throws Exception {
        String csv = synthetic();
        StringBuilder later = new StringBuilder(csv);
        for (int c = 0; c < 30; c++) { // new customers buying new and old items after the test period
            later.append("late").append(c).append(",L").append(c).append(",2024-03-24T10:00,P").append(100 + c % 7)
                    .append(",1,1\n").append("late").append(c).append(",L").append(c).append(",2024-03-24T10:00,P")
                    .append(c % 40).append(",1,1\n");
        }
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-03-01T00:00"), 20, 2,
                7, 30, 20);
        List<String> inPeriod = csv.lines().filter(r -> r.split(",")[2].compareTo("2024-03-21") < 0).toList();
        EvaluationReport a = new Evaluation(settings, line -> { }).run(load(String.join("\n", inPeriod) + "\n"));
        EvaluationReport b = new Evaluation(settings, line -> { }).run(load(later.toString()));
        assertEquals(a.served(), b.served());
        for (ModelResult m : a.models()) {
            for (Map.Entry<String, Double> e : m.metrics().entrySet()) {
                assertEquals(e.getValue(), b.model(m.name()).metrics().get(e.getKey()), m.name() + " " + e.getKey()
                        + " moved with orders after the test period");
            }
        }
        assertEquals(a.facts().get("catalogueItems"), b.facts().get("catalogueItems"));
        assertEquals(40, ((Number) a.facts().get("catalogueItems")).intValue(), "the items sold before the cutoff");
    }

    /**
     * train tunes on its last days as evaluate does on its validation period: read newest first, the items of those
     * days had the lowest numbers and won the ties there, which moved every validation figure (the re-ranker's from
     * 0.5200 to 0.5454) and could pick another served model. Where those days' rows stand now changes nothing.
     */
    @Test
    void theRowsOfTrainsValidationPeriodMoveNothingWhereverTheyStand() throws Exception {
        List<ServedBlend.Result> results = new java.util.ArrayList<>();
        // the synthetic orders span 84 days: train validates on the last 21, from 2024-03-05
        LocalDateTime validationFrom = LocalDateTime.parse("2024-03-05T00:00");
        for (Transactions tx : newestFirstAndWithTheLaterRowsMoved(synthetic(), validationFrom)) {
            results.add(ServedBlend.fit(tx, new ServedBlend.Settings(25, 10, 2, 7, true, false), line -> { },
                    (served, c, items, scores, repeat, sources) -> { }));
        }
        ServedBlend.Result a = results.get(0);
        ServedBlend.Result b = results.get(1);
        assertEquals(a.served(), b.served());
        assertEquals(a.validationNdcg(), b.validationNdcg(), 0);
        assertEquals(a.bestSingle(), b.bestSingle());
        assertEquals(a.bestSingleValidationNdcg(), b.bestSingleValidationNdcg(), 0);
        assertEquals(a.blendOutOfFoldNdcg(), b.blendOutOfFoldNdcg(), 0);
        assertEquals(a.rerankerValidationNdcg(), b.rerankerValidationNdcg());
        assertEquals(a.weights(), b.weights());
        assertEquals(a.hyperParameters(), b.hyperParameters());
    }

    @Test
    void runIsReproducibleAndReportsEveryModel() throws Exception {
        Transactions tx = load(synthetic());
        for (String split : List.of("time", "last-basket")) {
            // the synthetic orders end on 2024-03-25: a 25-day test period from 2024-03-01 ends with them
            EvaluationSettings settings = new EvaluationSettings(split, LocalDateTime.parse("2024-03-01T00:00"), 25,
                    2, 7, 30, 20);
            List<String> lines = new java.util.ArrayList<>();
            EvaluationReport a = new Evaluation(settings, lines::add).run(tx);
            EvaluationReport b = new Evaluation(settings, line -> { }).run(tx);
            assertEquals(15, a.models().size(), "11 blended models, 2 baselines, the blend and the re-ranker");
            for (ModelResult m : a.models()) {
                assertEquals(m.metrics(), b.model(m.name()).metrics(), m.name() + " differs between runs");
                assertTrue(m.metrics().get("ndcg@10") >= 0 && m.metrics().get("ndcg@10") <= 1);
                assertEquals(m.metrics().get("users"), m.metrics().getOrDefault("cold.users", 0.0)
                        + m.metrics().get("warm.users"), "every test customer is either cold or warm");
            }
            assertTrue(a.model("knn-bm25").metrics().get("ndcg@10") > a.model("popularity").metrics().get("ndcg@10"),
                    "customers buy within their group: a personal model must beat popularity");
            ReportWriter.write(a, dir.resolve("report"));
            Map<?, ?> json = new ObjectMapper().readValue(dir.resolve("report/report.json").toFile(), Map.class);
            assertEquals(a.served(), json.get("served"));
            Map<?, ?> ease = (Map<?, ?>) ((Map<?, ?>) json.get("models")).get("ease");
            assertTrue(((Map<?, ?>) ease.get("metrics")).containsKey("recall@10"));
            String html = Files.readString(dir.resolve("report/report.html"));
            assertTrue(html.contains("<svg") && html.contains("blend"));
            Map<?, ?> jsonSettings = (Map<?, ?>) json.get("settings");
            assertTrue(jsonSettings.containsKey("testDays"));
            assertEquals(split.equals("time") ? 25 : null, jsonSettings.get("testDays"),
                    "--test-days applies to the time split only");

            // Every customer with a last basket has earlier orders: no cold figures, not zeros.
            int cold = ((Number) a.facts().get("testCustomersWithoutHistory")).intValue();
            if (split.equals("last-basket")) {
                assertEquals(0, cold);
            }
            for (ModelResult m : a.models()) {
                assertEquals(cold > 0, m.metrics().containsKey("cold.ndcg@10"), m.name());
                Map<?, ?> metrics = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) json.get("models")).get(m.name()))
                        .get("metrics");
                assertEquals(cold > 0, metrics.containsKey("cold.ndcg@10"), m.name());
            }
            assertEquals(cold == 0, html.contains("There are no test customers without history"));
            assertEquals(cold == 0, html.contains("<td>n/a</td>"));
            assertEquals(cold == 0, ReportWriter.table(a).contains(" n/a"));

            // The data start in 2024: the seasonal baselines have nothing a year back and say they equal popularity.
            for (String seasonal : List.of("popularity-season", "popularity-season-new")) {
                String note = "no data a year before the predicted period: equals popularity";
                assertEquals(note, a.model(seasonal).note());
                assertEquals(note, ((Map<?, ?>) ((Map<?, ?>) json.get("models")).get(seasonal)).get("note"));
                assertTrue(html.contains(seasonal + "</b>: " + note), html);
                assertTrue(ReportWriter.table(a).contains(seasonal + ": " + note));
                assertTrue(lines.stream().anyMatch(l -> l.contains(seasonal) && l.contains(note)), lines.toString());
            }
            assertNull(a.model("popularity").note());
            assertTrue(!((Map<?, ?>) ((Map<?, ?>) json.get("models")).get("popularity")).containsKey("note"));

            // the evaluation numbers items and customers by first purchase: its test-user positions are these
            Transactions numbered = tx.numberedByFirstPurchase();
            EvalSplit test = split.equals("time")
                    ? EvalSplit.time(numbered, settings.cutoff(), settings.testDays())
                    : EvalSplit.lastBasket(numbered, 0);
            perCustomerMetricsAreTheValuesTheAggregatesAverage(numbered, test, a, b, json, dir.resolve("report"));
        }
    }

    private void perCustomerMetricsAreTheValuesTheAggregatesAverage(Transactions tx, EvalSplit test,
                                                                    EvaluationReport a, EvaluationReport b,
                                                                    Map<?, ?> json, Path reportDir) throws Exception {
        int n = test.testUsers().length;
        String[] ids = new String[n];
        for (int p = 0; p < n; p++) {
            ids[p] = tx.customerId(test.testUsers()[p]);
        }
        List<String> sorted = java.util.Arrays.stream(ids).sorted().toList();
        PerCustomerMetrics pc = a.perCustomer();
        assertEquals(n, pc.customers());
        assertEquals(((Number) a.facts().get("testCustomers")).intValue(), pc.customers());
        assertEquals(PerCustomerMetrics.fingerprint(sorted), pc.testCustomersFingerprint());
        assertEquals(a.models().stream().map(ModelResult::name).toList(), List.copyOf(pc.byModel().keySet()));
        // Read back from the file report.json points to, checked against the SHA-256 it records.
        Map<?, ?> entry = (Map<?, ?>) json.get("perCustomer");
        assertEquals(pc.testCustomersFingerprint(), json.get("testCustomersFingerprint"));
        PerCustomerMetrics file = PerCustomerMetrics.read(reportDir.resolve((String) entry.get("file")),
                (String) json.get("testCustomersFingerprint"), (String) entry.get("csvSha256"));
        for (ModelResult m : a.models()) {
            for (String metric : RankingMetrics.PER_CUSTOMER) {
                double[] v = file.values(m.name(), metric);
                assertArrayEquals(pc.values(m.name(), metric), v, m.name() + " " + metric);
                // Summed in the evaluation's order (test-user positions) the mean is the aggregate to the last bit;
                // in the file's order (by id) the rounding of the sum differs at most in the last bits.
                double sum = 0;
                for (int p = 0; p < n; p++) {
                    sum += v[sorted.indexOf(ids[p])];
                }
                assertEquals(m.metrics().get(metric), sum / n, 0, m.name() + " " + metric);
                assertEquals(m.metrics().get(metric), Significance.mean(v), 1e-12, m.name() + " " + metric);
            }
            Significance.Interval i = a.ndcgIntervals().get(m.name());
            assertEquals(i, b.ndcgIntervals().get(m.name()), "seeded: the same interval on rerun");
            assertTrue(i.low() <= m.metrics().get("ndcg@10") && m.metrics().get("ndcg@10") <= i.high(),
                    m.name() + " " + i);
            List<?> written = (List<?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) json.get("models"))
                    .get(m.name())).get("intervals95"))).get("ndcg@10");
            assertEquals(List.of(i.low(), i.high()), written);
        }
        // The rankings kept for --rankings are the lists the figures came from: measured again, the same metrics.
        Rankings rankings = a.rankings();
        assertEquals(List.copyOf(pc.byModel().keySet()), List.copyOf(rankings.byModel().keySet()));
        for (ModelResult m : a.models()) {
            int[][][] rows = rankings.byModel().get(m.name());
            int[][][] byPosition = new int[3][n][];
            for (int p = 0; p < n; p++) {
                for (int k = 0; k < 3; k++) {
                    byPosition[k][p] = rows[k][sorted.indexOf(ids[p])];
                }
            }
            assertEquals(m.metrics(), ModelRun.metrics(test, byPosition[0], byPosition[1], byPosition[2]), m.name());
        }
        // The served model against the best other single model on test, and against repeat-frequency.
        String best = a.models().stream().map(ModelResult::name)
                .filter(x -> !x.equals("blend") && !x.equals("reranker") && !x.equals(a.served()))
                .reduce((x, y) -> a.model(y).metrics().get("ndcg@10") > a.model(x).metrics().get("ndcg@10") ? y : x)
                .orElseThrow();
        assertEquals(best, a.servedVersus().get(0).model(), a.servedVersus().toString());
        assertEquals(a.served().equals("repeat-frequency") || best.equals("repeat-frequency") ? 1 : 2,
                a.servedVersus().size());
        for (EvaluationReport.Versus v : a.servedVersus()) {
            double gap = a.model(a.served()).metrics().get("ndcg@10") - a.model(v.model()).metrics().get("ndcg@10");
            assertEquals(gap, v.ndcg10().difference(), 1e-12, v.toString());
            assertEquals(n, v.ndcg10().customers());
            assertTrue(ReportWriter.table(a).contains(a.served() + " minus " + v.model()));
        }
        assertEquals(a.servedVersus(), b.servedVersus());
        assertEquals(a.servedVersus().size(), ((List<?>) json.get("servedDifferences")).size());
        // Rerun into another directory: the same per-customer file, byte for byte.
        ReportWriter.write(b, reportDir.resolveSibling("again"));
        assertArrayEquals(Files.readAllBytes(reportDir.resolve(PerCustomerMetrics.FILE)),
                Files.readAllBytes(reportDir.resolveSibling("again").resolve(PerCustomerMetrics.FILE)));
    }

    @Test
    void anEmptySideOfTheSplitIsNamedWithWhatItNeeds() throws Exception {
        // two customers with 2 orders each, one with 1: the test side has customers, the validation side none
        Transactions tx = load(String.join("\n", "a,o1,2024-01-05,A1,1,1", "a,o5,2024-05-05,A1,1,1",
                "b,o2,2024-02-05,A1,1,1", "c,o3,2024-03-05,B1,1,1", "c,o4,2024-04-05,C1,1,1", ""));
        EvaluationSettings settings = new EvaluationSettings("last-basket", LocalDateTime.parse("2024-03-01T00:00"),
                25, 2, 7, 30, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Evaluation(settings, line -> { }).run(tx));
        assertEquals("the last-basket split leaves no validation customers (2 test customers): validation holds out "
                + "each customer's second-to-last order, so it needs customers with at least 3 orders, and none has",
                e.getMessage());
        assertEquals("the time split leaves no test customers (4 validation customers): no identified customer "
                + "bought in the test period (--test-days from --cutoff); use an earlier --cutoff or more --test-days",
                Evaluation.emptySide("time", 4, 0));
        assertEquals("the last-basket split leaves no validation and no test customers: the test holds out each "
                + "customer's last order, so it needs customers with at least 2 orders, and none has",
                Evaluation.emptySide("last-basket", 0, 0));
    }

    @Test
    void aValidationSplitWithFarLessHistoryThanTheTestSplitIsWarnedAbout() {
        // The bundled sample with --cutoff 2011-06-01 --test-days 30: its data start in May, so the validation
        // period has almost no history before it while the test period has a month.
        String w = Evaluation.historyMismatch(1_043, 1_036, 990, 580).orElseThrow();
        assertEquals("7 of 1,043 validation customers (0.7%) bought anything before the validation period, against "
                + "410 of 990 test customers (41.4%) before the test period: models are chosen and the re-ranker "
                + "trained mostly on customers without history, so the served choice may not carry over to "
                + "customers with history; leave more history before the validation period (a later --cutoff, or "
                + "fewer --test-days)", w);
        // The same sample with --cutoff 2011-06-16 --test-days 14, and the UCI data at 2011-09-01: comparable.
        assertTrue(Evaluation.historyMismatch(582, 327, 533, 253).isEmpty());
        assertTrue(Evaluation.historyMismatch(1_919, 307, 2_833, 597).isEmpty());
        // The rule's edge: half the test split's share is still comparable, below it is not.
        assertTrue(Evaluation.historyMismatch(100, 80, 100, 60).isEmpty(), "20% against 40%");
        assertTrue(Evaluation.historyMismatch(100, 81, 100, 60).isPresent(), "19% against 40%");
        // More history in validation than in test is no reason to doubt the choice.
        assertTrue(Evaluation.historyMismatch(100, 0, 100, 99).isEmpty());
    }

    /**
     * The rules model mines at the support given (train's --min-support, evaluate's), with train's floor of 2
     * baskets: it used a fixed 0.005, which on a large catalogue no pair reaches, so validation saw no rule and the
     * blend weighed the rules at 0 whatever support the user had chosen. 300 pairs bought together in 3 baskets each
     * and 50 pairs in one basket each: 950 baskets, so 0.005 is a support count of 5.
     */
    @Test
    void theRulesModelMinesAtTheGivenSupportWithTrainsFloorOfTwoBaskets() throws Exception {
        StringBuilder csv = new StringBuilder();
        int order = 0;
        for (int c = 0; c < 300; c++) {
            for (int month = 1; month <= 3; month++) {
                order++;
                for (String item : List.of("A" + c, "B" + c)) {
                    csv.append("c").append(c).append(",o").append(order).append(",2024-0").append(month)
                            .append("-10T10:00,").append(item).append(",1,1\n");
                }
            }
        }
        for (int c = 0; c < 50; c++) {
            order++;
            for (String item : List.of("X" + c, "Y" + c)) {
                csv.append("d").append(c).append(",o").append(order).append(",2024-02-10T10:00,").append(item)
                        .append(",1,1\n");
            }
        }
        EvalSplit all = EvalSplit.serving(load(csv.toString()));
        assertEquals(950, all.trainBaskets().size());
        assertEquals(0, rulesAt(EvaluationSettings.DEFAULT_RULES_MIN_SUPPORT, all), "a support count of 5: none");
        assertEquals(600, rulesAt(0.002, all), "a support count of 2: both directions of the 300 pairs");
        assertEquals(600, rulesAt(0.0001, all), "a support count of 1 raised to 2: no rule from a single basket");
    }

    private static int rulesAt(double minSupport, EvalSplit split) {
        return rulesAt(minSupport, EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE,
                EvaluationSettings.DEFAULT_RULES_MIN_LIFT, split);
    }

    private static int rulesAt(double minSupport, double minConfidence, double minLift, EvalSplit split) {
        EvaluationSettings settings = new EvaluationSettings("time", LocalDateTime.parse("2024-03-01T00:00"), 30, 2,
                7, 30, 20, true, minSupport, minConfidence, minLift, EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK);
        ModelSpec rules = ModelSpec.all(settings).stream().filter(m -> m.name().equals("rules")).findFirst()
                .orElseThrow();
        assertEquals(minSupport, rules.grid().get(0).get("minSupport"), "the report records the support used");
        assertEquals(minConfidence, rules.grid().get(0).get("minConfidence"), "and the confidence");
        assertEquals(minLift, rules.grid().get(0).get("minLift"), "and the lift");
        return ((io.affinity.training.models.RuleCandidates) rules.fit(split, rules.grid().get(0))).ruleCount();
    }

    /**
     * The rules model keeps the rules of the confidence and lift given (train's --min-confidence and --min-lift),
     * not a fixed 0.05 and 1.0: the validation that weighs the blend saw other rules than the user asked for.
     * 10 baskets {A, B}, 10 {A, C}, 30 {C, D} (items PA, PB, ...: a lone "D" is a discount line): A=>B 0.5 (lift 2.5), B=>A 1.0 (2.5), A=>C 0.5 (0.625),
     * C=>A 0.25 (0.625), C=>D 0.75 (1.25), D=>C 1.0 (1.25).
     */
    @Test
    void theRulesModelKeepsTheConfidenceAndLiftGiven() throws Exception {
        StringBuilder csv = new StringBuilder();
        int order = 0;
        for (String[] basket : new String[][] {{"PA", "PB"}, {"PA", "PC"}, {"PC", "PD"}}) {
            for (int k = 0; k < ("PC".equals(basket[0]) ? 30 : 10); k++) {
                order++;
                for (String item : basket) {
                    csv.append("c").append(order).append(",o").append(order).append(",2024-02-10T10:00,")
                            .append(item).append(",1,1\n");
                }
            }
        }
        EvalSplit all = EvalSplit.serving(load(csv.toString()));
        assertEquals(4, rulesAt(0.04, 0.05, 1.0, all), "train's defaults: lift above 1, A=>B, B=>A, C=>D, D=>C");
        assertEquals(3, rulesAt(0.04, 0.6, 1.0, all), "confidence 0.6: B=>A, C=>D, D=>C");
        assertEquals(2, rulesAt(0.04, 0.05, 2.0, all), "lift 2: A=>B and B=>A");
        assertEquals(6, rulesAt(0.04, 0.05, 0.0, all), "lift 0: every pair both ways");
    }

    /** train's served blend carries them to its validation's rules model, as it carries the support. */
    @Test
    void theServedBlendsRulesModelHasTrainsConfidenceAndLift() throws Exception {
        Transactions tx = load(sixteenMonths());
        ServedBlend.Result r = ServedBlend.fit(tx, new ServedBlend.Settings(30, 5, 2, 7, true, false, 0.01, 0.3, 1.5,
                EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK), line -> { }, (served, c, items, scores, repeat,
                sources) -> { }, null, Long.MAX_VALUE);
        assertEquals(Map.of("minSupport", 0.01, "minConfidence", 0.3, "minLift", 1.5),
                r.hyperParameters().get("rules"));
    }

    @Test
    void theRulesConfidenceAndLiftAreCheckedAsTrainChecksThem() {
        for (double[] bad : new double[][] {{-0.1, 1}, {1.5, 1}, {Double.NaN, 1}, {0.05, -1}, {0.05, Double.NaN},
                {0.05, Double.POSITIVE_INFINITY}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EvaluationSettings(
                    "time", LocalDateTime.parse("2024-03-01T00:00"), 30, 2, 7, 30, 20, true, 0.005, bad[0], bad[1],
                    EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK));
            IllegalArgumentException train = assertThrows(IllegalArgumentException.class,
                    () -> io.affinity.training.TrainingParameters.checkRuleThresholds(0.005, bad[0], bad[1]));
            assertEquals(train.getMessage(), e.getMessage());
            assertTrue(e.getMessage().startsWith(bad[0] == 0.05 ? "--min-lift must be finite and >= 0, was "
                    : "--min-confidence must be in [0, 1], was "), e.getMessage());
        }
    }

    @Test
    void theRulesSupportMustBeAShare() {
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EvaluationSettings(
                    "time", LocalDateTime.parse("2024-03-01T00:00"), 30, 2, 7, 30, 20, true, bad,
                    EvaluationSettings.DEFAULT_RULES_MIN_CONFIDENCE, EvaluationSettings.DEFAULT_RULES_MIN_LIFT,
                    EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK));
            assertEquals("--min-support must be in (0, 1], was " + bad, e.getMessage());
        }
    }
}
