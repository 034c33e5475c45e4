package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.IntegrationTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity mine} options: messages and files as a user sees them. */
@IntegrationTest
class MineCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return AffinityCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path tiny() throws IOException {
        Path in = dir.resolve("tiny.dat");
        Files.writeString(in, "1 2 3\n1 2 3\n1 2\n2 3 4\n");
        return in;
    }

    @Test
    void tooManyItemsetsFailsWithAdviceInsteadOfRunningOutOfMemory() throws IOException {
        int code = run("mine", "--input", tiny().toString(), "--min-support", "0.25", "--target", "closed",
                "--max-itemsets", "3");
        assertEquals(1, code);
        assertTrue(err.toString().contains("more than 3 frequent itemsets at --min-support 0.25"), err.toString());
        assertTrue(err.toString().contains("Use a higher --min-support"), err.toString());
    }

    @Test
    void topKRulesGoToTheRulesFileBestFirst() throws IOException {
        Path rules = dir.resolve("rules.txt");
        Path itemsets = dir.resolve("itemsets.txt");
        int code = run("mine", "--input", tiny().toString(), "--min-support", "0.25", "--min-confidence", "0",
                "--top-k", "3", "--sort", "zhang", "--rules-output", rules.toString(), "--output",
                itemsets.toString(), "--threads", "2");
        assertEquals(0, code, err.toString());
        List<String> lines = Files.readAllLines(rules);
        assertEquals(3, lines.size());
        assertTrue(out.toString().trim().endsWith("rules=3"), out.toString());
        assertTrue(lines.get(0).contains("zhang=1.00000"), lines.get(0));
        assertEquals(Files.readAllLines(itemsets).size() + "",
                out.toString().trim().replaceAll("(?s).*itemsets=(\\d+).*", "$1"));
    }

    @Test
    void unknownMeasureOrTargetIsOneErrorLineNamingTheOption() throws IOException {
        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.5", "--min-confidence", "0",
                "--top-k", "2", "--sort", "beauty"));
        assertTrue(err.toString().contains("affinity mine: error: --sort: unknown rule measure 'beauty'"), err.toString());
        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.5", "--target", "open"));
        assertTrue(err.toString().contains("--target: unknown target 'open'"), err.toString());
        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.5", "--top-k", "2"));
        assertTrue(err.toString().contains("give --min-confidence too"), err.toString());
        assertFalse(err.toString().contains("Usage:"), "no usage for bad values: " + err);
    }

    /**
     * Found by the seventeenth session's audit: {@code --sort} without {@code --top-k} was accepted and did nothing
     * (all rules are written in itemset order, streamed), so a user asking for rules by confidence got them unsorted.
     */
    @Test
    void sortWithoutTopKIsRefusedInsteadOfIgnored() throws IOException {
        Path rules = dir.resolve("rules.txt");
        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.25", "--min-confidence", "0",
                "--sort", "confidence", "--rules-output", rules.toString()));
        assertTrue(err.toString().contains("--sort ranks the rules --top-k keeps"), err.toString());
        assertFalse(Files.exists(rules), "nothing written");
        assertEquals(0, run("mine", "--input", tiny().toString(), "--min-support", "0.25", "--min-confidence", "0",
                "--rules-output", rules.toString()), err.toString());
    }

    /**
     * The help said closed/maximal keep all frequent itemsets in memory, which stopped being true when they were
     * mined inside FP-growth (only candidates kept, unless --max-length); a user would pick a lower support than
     * needed, or avoid closed itemsets, to spare memory they would not use.
     */
    @Test
    void helpSaysWhatClosedAndMaximalKeepInMemory() {
        assertEquals(0, run("mine", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertFalse(help.contains("closed/maximal keep all frequent itemsets in memory"), help);
        assertTrue(help.contains("Without --max-length closed/maximal keep only candidates in memory"), help);
        assertTrue(help.contains("beyond N itemsets kept in memory (closed/maximal: candidates)"), help);
    }

    @Test
    void basketFilesAreMinedWithTheirLabels() throws IOException {
        Path in = dir.resolve("baskets.csv");
        Files.writeString(in, "whole milk,yogurt\nwhole milk,yogurt,rolls/buns\nwhole milk\n");
        Path rules = dir.resolve("rules.txt");
        assertEquals(0, run("mine", "--input", in.toString(), "--format", "basket", "--min-support", "0.6",
                "--min-confidence", "0.9", "--rules-output", rules.toString()), err.toString());
        assertTrue(out.toString().trim().endsWith("itemsets=3 rules=1"), out.toString());
        assertTrue(Files.readString(rules).startsWith("{yogurt} => {whole milk} #SUP: 2 conf=1.00000"),
                Files.readString(rules));
        assertEquals(1, run("mine", "--input", in.toString(), "--encoding", "windows-1252", "--min-support", "0.5"));
        assertTrue(err.toString().contains("--encoding applies to --format basket"), err.toString());
        assertEquals(1, run("mine", "--input", in.toString(), "--format", "arff", "--min-support", "0.5"));
        assertTrue(err.toString().contains("fimi (item numbers) or basket (item labels)"), err.toString());
    }

    /**
     * {@code --output-format csv} writes the same itemsets and rules as the text lines, one CSV record each, with
     * the item sets as arules writes them (a label holding a comma quoted inside the braces) and the measures at
     * full precision; both of mine's paths and both input formats.
     */
    @Test
    void csvOutputHoldsTheSameItemsetsAndRulesAsTheTextLines() throws IOException {
        Path baskets = dir.resolve("baskets.csv");
        Files.writeString(baskets, "whole milk,yogurt,\"rolls, buns\"\nwhole milk,yogurt\nwhole milk,\"rolls, buns\"\n"
                + "yogurt,\"rolls, buns\"\n");
        for (String[] input : new String[][] {{"--input", baskets.toString(), "--format", "basket"},
                                              {"--input", tiny().toString()}}) {
            Path itemsText = dir.resolve("items.txt");
            Path rulesText = dir.resolve("rules.txt");
            Path itemsCsv = dir.resolve("items.csv");
            Path rulesCsv = dir.resolve("rules.csv");
            List<String> common = new java.util.ArrayList<>(List.of(input));
            common.addAll(List.of("--min-support", "0.25", "--min-confidence", "0.1"));
            List<String> text = new java.util.ArrayList<>(common);
            text.addAll(List.of("--output", itemsText.toString(), "--rules-output", rulesText.toString()));
            List<String> csv = new java.util.ArrayList<>(common);
            csv.addAll(List.of("--output", itemsCsv.toString(), "--rules-output", rulesCsv.toString(),
                    "--output-format", "csv"));
            text.add(0, "mine");
            assertEquals(0, run(text.toArray(String[]::new)), err.toString());
            assertEquals(0, AffinityCli.mine(new PrintWriter(out, true), new PrintWriter(err, true),
                    csv.toArray(String[]::new)), err.toString());

            List<List<String>> itemsets = readCsv(itemsCsv);
            assertEquals(List.of("items", "size", "support_count", "support"), itemsets.get(0));
            List<String> itemLines = Files.readAllLines(itemsText);
            assertEquals(itemLines.size(), itemsets.size() - 1);
            java.util.Set<String> fromText = new java.util.HashSet<>();
            for (String line : itemLines) { // "{a,b} #SUP: n" or "1 2 #SUP: n"
                String items = line.substring(0, line.indexOf(" #SUP: "));
                fromText.add((items.startsWith("{") ? items : "{" + items.replace(' ', ',') + "}") + " "
                        + line.substring(line.indexOf(" #SUP: ") + 7));
            }
            java.util.Set<String> fromCsv = new java.util.HashSet<>();
            for (List<String> r : itemsets.subList(1, itemsets.size())) {
                fromCsv.add(r.get(0) + " " + r.get(2));
                assertEquals(Long.parseLong(r.get(2)) / 4.0, Double.parseDouble(r.get(3)), 0, r.toString());
                assertEquals(r.get(0).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").length, Integer.parseInt(r.get(1)),
                        r.toString());
            }
            assertEquals(fromText, fromCsv);

            List<List<String>> rules = readCsv(rulesCsv);
            assertEquals(List.of("lhs", "rhs", "support_count", "support", "confidence", "lift", "leverage",
                    "conviction", "zhang"), rules.get(0));
            List<String> ruleLines = Files.readAllLines(rulesText);
            assertTrue(ruleLines.size() > 3, ruleLines.toString());
            assertEquals(ruleLines.size(), rules.size() - 1);
            for (int i = 0; i < ruleLines.size(); i++) { // both streamed in the same order
                String line = ruleLines.get(i);
                List<String> r = rules.get(i + 1);
                String lhs = line.substring(0, line.indexOf(" => "));
                String rhs = line.substring(line.indexOf(" => ") + 4, line.indexOf(" #SUP: "));
                assertEquals(lhs.startsWith("{") ? lhs : "{" + lhs.replace(' ', ',') + "}", r.get(0), line);
                assertEquals(rhs.startsWith("{") ? rhs : "{" + rhs + "}", r.get(1), line);
                assertTrue(line.contains(" #SUP: " + r.get(2) + " "), line);
                double confidence = Double.parseDouble(line.replaceAll(".* conf=(\\S+) .*", "$1"));
                assertEquals(confidence, Double.parseDouble(r.get(4)), 1e-5 * confidence, line);
                String conviction = line.replaceAll(".* conviction=(\\S+) .*", "$1");
                assertEquals(conviction.equals("inf") ? "inf" : "finite",
                        r.get(7).equals("inf") ? "inf" : "finite", line);
                for (String cell : r.subList(3, r.size())) {
                    assertFalse(cell.contains("E"), cell);
                }
            }
        }
        assertTrue(Files.readString(dir.resolve("items.csv")).contains("\"{1,2,3}\""), "FIMI item numbers in braces");

        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.5", "--output-format", "xml",
                "--output", dir.resolve("o.csv").toString()));
        assertTrue(err.toString().contains("--output-format 'xml' is not supported: text or csv"), err.toString());
        assertEquals(1, run("mine", "--input", tiny().toString(), "--min-support", "0.5", "--output-format", "csv"));
        assertTrue(err.toString().contains("--output-format applies to --output and --rules-output"), err.toString());
    }

    private static List<List<String>> readCsv(Path file) throws IOException {
        try (de.siegmar.fastcsv.reader.CsvReader<de.siegmar.fastcsv.reader.CsvRecord> reader =
                     de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(file)) {
            return reader.stream().map(de.siegmar.fastcsv.reader.CsvRecord::getFields).toList();
        }
    }

    /** main's shortcut for mine (fast parser, else only mine's model built) behaves as the full command line. */
    @Test
    void mineShortcutGivesTheSameResultsAndErrorsAsTheFullCommandLine() throws IOException {
        String in = tiny().toString();
        String[][] cases = {
            {"--input", in, "--min-support", "0.25", "--target", "closed"},
            {"--input", in, "--min-support", "0.5", "--target", "open"},
            {"--input", in, "--min-support", "0.25", "--max-itemsets", "3", "--min-confidence", "0"},
            {"--input", dir.resolve("missing.dat").toString(), "--min-support", "0.5"},
            {"--min-support", "0.5"},
            {"--input", in, "--min-support=0.5", "--output", dir.resolve("o.txt").toString(), "--threads", "2"},
            {"--input", in, "--min-support", "0.5", "--min-lift", "2"},
            {"--input", in, "--min-support", "1.5"},
            {"--input", in, "--min-support", "0.5", "--help"},
        };
        for (String[] args : cases) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            String[] full = new String[args.length + 1];
            full[0] = "mine";
            System.arraycopy(args, 0, full, 1, args.length);
            int fullCode = run(full);
            String fullOut = out.toString();
            String fullErr = err.toString().replaceAll("\\d+\\.\\d{3} s", "T s");
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            int code = AffinityCli.mine(new PrintWriter(o, true), new PrintWriter(e, true), args);
            String what = String.join(" ", args);
            assertEquals(fullCode, code, what);
            assertEquals(fullOut, o.toString(), what);
            assertEquals(fullErr, e.toString().replaceAll("\\d+\\.\\d{3} s", "T s"), what);
        }
    }
}
