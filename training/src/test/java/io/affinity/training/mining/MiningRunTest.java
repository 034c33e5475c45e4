package io.affinity.training.mining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
