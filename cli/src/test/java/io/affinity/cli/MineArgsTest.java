package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.affinity.testing.UnitTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fast mine parser sets exactly what picocli sets, and leaves to picocli what it does not handle. */
@UnitTest
class MineArgsTest {
    private static final String[] OPTIONS = {"--input", "--format", "--min-support", "--min-confidence",
        "--min-lift", "--max-length", "--output", "--target", "--threads", "--max-itemsets", "--top-k", "--sort",
        "--rules-output", "--prune-redundant", "--help", "--bogus"};
    private static final String[] VALUES = {"0.5", "1", "0", "-1", "0.0002", "1e-3", "2.5E2", "007", "12",
        "99999999999", "x.dat", "closed", "lift", "", "0x10", "1_000", "NaN", "+1", ".5", "5.", "--input"};

    @Test
    void plainCommandLinesParseAsPicocliParsesThem() {
        String[] args = {"--input", "in.dat", "--min-support", "0.05", "--target", "closed", "--output=o.txt",
            "--threads", "2", "--min-confidence", "0.5", "--prune-redundant", "--top-k", "10", "--sort", "zhang",
            "--max-itemsets", "123456789012", "--max-length", "3", "--min-lift", "1.5", "--rules-output", "r",
            "--format", "fimi"};
        MineCommand fast = MineArgs.parse(args);
        assertNotNull(fast);
        assertEquals(describe(picocli(args)), describe(fast));
        assertEquals("in.dat 0.05 closed", fast.input + " " + fast.minSupport + " " + fast.target);
    }

    @Test
    void randomCommandLinesEitherParseAsPicocliOrFallBack() {
        SplittableRandom rnd = new SplittableRandom(20261123);
        int accepted = 0;
        for (int n = 0; n < 800; n++) {
            List<String> args = new ArrayList<>(List.of("--input", "in.dat", "--min-support", "0.5"));
            for (int k = rnd.nextInt(6); k > 0; k--) {
                String option = OPTIONS[rnd.nextInt(OPTIONS.length)];
                String value = VALUES[rnd.nextInt(VALUES.length)];
                switch (rnd.nextInt(4)) {
                    case 0 -> args.add(option + "=" + value);
                    case 1 -> args.add(option);
                    default -> {
                        args.add(option);
                        args.add(value);
                    }
                }
            }
            if (rnd.nextInt(5) == 0) {
                args.subList(0, 2).clear(); // no --input
            }
            String[] a = args.toArray(String[]::new);
            MineCommand fast = MineArgs.parse(a);
            MineCommand slow = picocli(a);
            if (fast != null) {
                accepted++;
                assertNotNull(slow, () -> "picocli rejects what the fast parser accepted: " + Arrays.toString(a));
                assertEquals(describe(slow), describe(fast), Arrays.toString(a));
            }
        }
        // The fast path must actually be taken for ordinary lines (not only fall back).
        assertEquals(true, accepted > 80, "accepted " + accepted);
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
    private static MineCommand picocli(String[] args) {
        MineCommand c = new MineCommand();
        try {
            CommandLine.ParseResult r = new CommandLine(c).parseArgs(args);
            return r.isUsageHelpRequested() || r.isVersionHelpRequested() ? null : c;
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    private static String describe(MineCommand c) {
        return String.join("|", String.valueOf(c.input), c.format, String.valueOf(c.minSupport),
                String.valueOf(c.minConfidence), String.valueOf(c.minLift), String.valueOf(c.maxLength),
                String.valueOf(c.output), c.target, String.valueOf(c.threads), String.valueOf(c.maxItemsets),
                String.valueOf(c.topK), c.sort, String.valueOf(c.pruneRedundant), String.valueOf(c.rulesOutput));
    }
}
