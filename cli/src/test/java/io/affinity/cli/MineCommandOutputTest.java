package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
class MineCommandOutputTest {
    @TempDir
    Path dir;

    @Test
    void printsCountsAsLastLineAndWritesItemsetsInFimiOutputFormat() throws Exception {
        // {1,2} in 3 of 4 transactions, {3} in 2: at min support 0.5 the frequent sets are 1, 2, 3, {1,2}.
        Path input = Files.write(dir.resolve("t.dat"), List.of("1 2", "2 1 3", "1 2", "3"));
        Path output = dir.resolve("out.txt");
        StringWriter out = new StringWriter();
        int code = AffinityCli.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "mine", "--input", input.toString(), "--format", "fimi", "--min-support", "0.5",
                "--min-confidence", "0.9", "--output", output.toString());
        assertEquals(0, code);
        List<String> lines = out.toString().lines().toList();
        // 1=>2 and 2=>1 both have confidence 3/3.
        assertEquals("itemsets=4 rules=2", lines.get(lines.size() - 1));
        List<String> written = Files.readAllLines(output).stream().sorted().toList();
        assertEquals(List.of("1 #SUP: 3", "1 2 #SUP: 3", "2 #SUP: 3", "3 #SUP: 2"), written);
    }

    @Test
    void malformedInputFailsWithFileAndLine() throws Exception {
        Path input = Files.write(dir.resolve("bad.dat"), List.of("1 2", "1 x"));
        StringWriter err = new StringWriter();
        int code = AffinityCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "mine", "--input", input.toString(), "--min-support", "0.5");
        assertEquals(1, code);
        assertTrue(err.toString().contains("bad.dat:2"), err.toString());
    }

    @Test
    void unsupportedFormatIsOneErrorLine() throws Exception {
        Path input = Files.write(dir.resolve("t.dat"), List.of("1 2"));
        StringWriter err = new StringWriter();
        assertEquals(1, AffinityCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "mine", "--input", input.toString(), "--format", "csv", "--min-support", "0.5"));
        assertEquals("affinity mine: error: --format 'csv' is not supported: fimi (item numbers) or basket (item labels)", err.toString().trim());
    }
}
