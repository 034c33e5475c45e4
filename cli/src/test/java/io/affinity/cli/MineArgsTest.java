package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fast mine parser sets exactly what picocli sets, and leaves to picocli what it does not handle. */
@UnitTest
class MineArgsTest {
    @Test
    void plainCommandLinesParseAsPicocliParsesThem() {
        String[] args = {"--input", "in.dat", "--min-support", "0.05", "--target", "closed", "--output=o.txt",
            "--threads", "2", "--min-confidence", "0.5", "--prune-redundant", "--top-k", "10", "--sort", "zhang",
            "--max-itemsets", "123456789012", "--max-length", "3", "--min-lift", "1.5", "--rules-output", "r",
            "--format", "fimi", "--output-format", "csv"};
        MineCommand fast = MineArgs.parse(args);
        assertNotNull(fast);
        assertEquals(describe(picocli(args)), describe(fast));
        assertEquals("in.dat 0.05 closed", fast.input + " " + fast.minSupport + " " + fast.target);
    }

    @Test
    void helpRepeatsUnknownOptionsAndMissingValuesGoToPicocli() {
        assertNull(MineArgs.parse(new String[] {"--input", "a", "--min-support", "0.5", "--help"}));
        assertNull(MineArgs.parse(new String[] {"--input", "a", "--input", "b", "--min-support", "0.5"}));
        assertNull(MineArgs.parse(new String[] {"--input", "a", "--min-support"}));
        assertNull(MineArgs.parse(new String[] {"--input", "a", "--min-support", "0.5", "extra"}));
        assertNull(MineArgs.parse(new String[] {"--input", "a"}));
        assertNull(MineArgs.parse(new String[] {"--input", "a", "--min-support", "0x1"}));
    }

    /** Picocli's parse into a fresh command, or null when picocli rejects the line (or it asks for help). */
    static MineCommand picocli(String[] args) {
        MineCommand c = new MineCommand();
        try {
            CommandLine.ParseResult r = new CommandLine(c).parseArgs(args);
            return r.isUsageHelpRequested() || r.isVersionHelpRequested() ? null : c;
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    static String describe(MineCommand c) {
        return String.join("|", String.valueOf(c.input), c.format, String.valueOf(c.minSupport),
                String.valueOf(c.minConfidence), String.valueOf(c.minLift), String.valueOf(c.maxLength),
                String.valueOf(c.output), c.target, String.valueOf(c.threads), String.valueOf(c.maxItemsets),
                String.valueOf(c.topK), c.sort, String.valueOf(c.pruneRedundant), String.valueOf(c.rulesOutput),
                c.outputFormat);
    }
}
