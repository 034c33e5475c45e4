package io.affinity.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The case loop of a seeded fuzz test: every case has its own seed, so that one failing case reruns alone
 * ({@code -Daffinity.fuzz.case=SEED}), and every case runs even after one fails, so that a report names them all
 * with what went wrong: an assertion's message (a broken contract) or any other throwable's stack trace (an untyped
 * failure, which the contracts of the code under test never allow).
 */
public final class FuzzCases {
    private FuzzCases() {
    }

    /** One case, drawing everything it does from {@code caseSeed}. */
    @FunctionalInterface
    public interface Case {
        void check(long caseSeed) throws Exception;
    }

    /**
     * The seeds of a run: {@code oneCase} alone when it is set (the system property's rerun of a failing case),
     * else {@code count} seeds drawn from {@code streamSeed}.
     */
    public static long[] seeds(Long oneCase, long streamSeed, int count) {
        if (oneCase != null) {
            return new long[] {oneCase};
        }
        Random seeds = new Random(streamSeed);
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = seeds.nextLong();
        }
        return out;
    }

    /** Runs every seed's case; the failures, each as {@code case seed S: ...}, empty when all passed. */
    public static List<String> run(long[] seeds, Case c) {
        List<String> failures = new ArrayList<>();
        for (long caseSeed : seeds) {
            try {
                c.check(caseSeed);
            } catch (AssertionError e) {
                failures.add("case seed " + caseSeed + ": " + e.getMessage());
            } catch (Throwable t) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                failures.add("case seed " + caseSeed + ": untyped failure " + w);
            }
        }
        return failures;
    }

    /** Fails with the number of failing cases and the first three of them, when there are any. */
    public static void failIfAny(List<String> failures) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " failing case(s), e.g.\n" + String.join("\n\n",
                    failures.subList(0, Math.min(3, failures.size()))));
        }
    }
}
