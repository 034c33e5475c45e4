package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class MiningRunTest {
    @TempDir
    Path dir;

    @Test
    void writesOneLinePerItemsetInFimiResultFormat() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "39 38\n38 39 41\n38\n39 38 1000000\n");
        Path out = dir.resolve("out.txt");
        MiningRun.Result r = MiningRun.run(new MiningRun.Job(in, 0.5, 0, Optional.empty(), Optional.of(out)));
        assertEquals(4, r.transactions());
        assertEquals(2, r.minSupportCount());
        assertEquals(3, r.itemsets());
        assertEquals("itemsets=3", r.countsLine());
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("38 #SUP: 4", "38 39 #SUP: 3", "39 #SUP: 3"), lines.stream().sorted().toList());
        String raw = Files.readString(out);
        assertEquals('\n', raw.charAt(raw.length() - 1));
    }

    @Test
    void countsRulesWhenAskedAndWritesNothingWithoutOutput() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "1 2\n1 2\n1\n2 3\n");
        MiningRun.Result r = MiningRun.run(new MiningRun.Job(in, 0.25, 0,
                Optional.of(new RuleParameters(0.6, 0)), Optional.empty()));
        // Itemsets: 1, 2, 3, {1,2}, {2,3}. Rules: 1=>2 (2/3), 2=>1 (2/3), 2=>3 (1/3), 3=>2 (1).
        assertEquals(5, r.itemsets());
        assertEquals(OptionalLong.of(3), r.rules());
        assertEquals("itemsets=5 rules=3", r.countsLine());
    }

    @Test
    void maxLengthIsApplied() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "1 2 3\n1 2 3\n");
        assertEquals(3, MiningRun.run(new MiningRun.Job(in, 1, 1, Optional.empty(), Optional.empty())).itemsets());
    }

    @Test
    void jobValidates() {
        Path in = dir.resolve("x");
        assertThrows(IllegalArgumentException.class,
                () -> new MiningRun.Job(in, 0, 0, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new MiningRun.Job(in, 0.1, -1, Optional.empty(), Optional.empty()));
    }

    @Test
    void closedAndMaximalTargetsAreWrittenAndCounted() throws IOException {
        Path in = dir.resolve("tiny.dat");
        // {1,2} in 3 baskets, 1 also alone: closed = 1 (4), {1,2} (3); maximal = {1,2}.
        Files.writeString(in, "1 2\n1 2\n1 2\n1\n");
        Path out = dir.resolve("closed.txt");
        MiningRun.Result closed = MiningRun.run(new MiningRun.Job(in, 0.5, 0, ItemsetTarget.CLOSED, 2, 0,
                Optional.empty(), Optional.of(out), Optional.empty()));
        assertEquals(2, closed.itemsets());
        assertEquals(List.of("1 #SUP: 4", "1 2 #SUP: 3"), Files.readAllLines(out).stream().sorted().toList());
        MiningRun.Result maximal = MiningRun.run(new MiningRun.Job(in, 0.5, 0, ItemsetTarget.MAXIMAL, 1, 0,
                Optional.empty(), Optional.of(out), Optional.empty()));
        assertEquals(1, maximal.itemsets());
        assertEquals(List.of("1 2 #SUP: 3"), Files.readAllLines(out));
    }

    @Test
    void topKRulesAreWrittenBestFirstWithAllMeasures() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "1 2\n1 2\n1\n2 3\n");
        Path rulesOut = dir.resolve("rules.txt");
        MiningRun.Result r = MiningRun.run(new MiningRun.Job(in, 0.25, 0, ItemsetTarget.ALL, 1, 0,
                Optional.of(new RuleParameters(0, 0, 2, RuleMeasure.CONFIDENCE, false)), Optional.empty(),
                Optional.of(rulesOut)));
        assertEquals(OptionalLong.of(2), r.rules());
        List<String> lines = Files.readAllLines(rulesOut);
        // 3 => 2 has confidence 1 (Zhang (1 - 2/3) / 1: item 2 also occurs without 3); then 1 => 2 and 2 => 1 tie at 2/3 with equal support: smaller antecedent id.
        assertEquals(2, lines.size());
        assertEquals("3 => 2 #SUP: 1 conf=1.00000 lift=1.33333 leverage=0.0625000 conviction=inf zhang=0.333333",
                lines.get(0));
        assertTrue(lines.get(1).startsWith("1 => 2 #SUP: 2 conf=0.666667"), lines.get(1));
    }

    @Test
    void collectingRunsStopAtTheItemsetLimit() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "1 2 3 4\n1 2 3 4\n");
        // With a length limit closed itemsets are selected from all 15 frequent ones, which are kept.
        MiningRun.Job job = new MiningRun.Job(in, 1, 4, ItemsetTarget.CLOSED, 1, 14, Optional.empty(),
                Optional.empty(), Optional.empty());
        assertThrows(TooManyItemsetsException.class, () -> MiningRun.run(job));
        assertEquals(1, MiningRun.run(new MiningRun.Job(in, 1, 4, ItemsetTarget.CLOSED, 1, 15, Optional.empty(),
                Optional.empty(), Optional.empty())).itemsets());
        // Without one, the recursion keeps only candidates: {1, 2, 3, 4} (its subsets are merged into it).
        assertEquals(1, MiningRun.run(new MiningRun.Job(in, 1, 0, ItemsetTarget.CLOSED, 1, 1, Optional.empty(),
                Optional.empty(), Optional.empty())).itemsets());
        // Rules need all frequent itemsets, whatever the target.
        assertThrows(TooManyItemsetsException.class, () -> MiningRun.run(new MiningRun.Job(in, 1, 0,
                ItemsetTarget.CLOSED, 1, 14, Optional.of(new RuleParameters(0, 0)), Optional.empty(),
                Optional.empty())));
    }
}
