package io.affinity.cli;

import static io.affinity.cli.MineArgsTest.describe;
import static io.affinity.cli.MineArgsTest.picocli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.affinity.testing.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MineArgsTest}'s agreement with picocli on 800 seeded random command lines: known and unknown options, odd
 * values, {@code --name=value} and missing values, with and without {@code --input}. Each failure names its line.
 */
@FuzzTest
class MineArgsFuzzTest {
    private static final String[] OPTIONS = {"--input", "--format", "--min-support", "--min-confidence",
        "--min-lift", "--max-length", "--output", "--target", "--threads", "--max-itemsets", "--top-k", "--sort",
        "--rules-output", "--output-format", "--prune-redundant", "--help", "--bogus"};
    private static final String[] VALUES = {"0.5", "1", "0", "-1", "0.0002", "1e-3", "2.5E2", "007", "12",
        "99999999999", "x.dat", "closed", "lift", "", "0x10", "1_000", "NaN", "+1", ".5", "5.", "--input"};

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
}
