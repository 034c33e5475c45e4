package io.affinity.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class FuzzCasesTest {
    @Test
    void seedsAreTheStreamsOrTheOneCaseAsked() {
        long[] a = FuzzCases.seeds(null, 42, 5);
        assertEquals(5, a.length);
        assertArrayEquals(a, FuzzCases.seeds(null, 42, 5), "the same stream, the same cases");
        assertNotEquals(a[0], FuzzCases.seeds(null, 43, 5)[0]);
        assertArrayEquals(new long[] {-7L}, FuzzCases.seeds(-7L, 42, 5));
    }

    @Test
    void everyCaseRunsAndEachFailureNamesItsSeed() {
        List<Long> ran = new ArrayList<>();
        List<String> failures = FuzzCases.run(new long[] {1, 2, 3, 4}, seed -> {
            ran.add(seed);
            if (seed == 2) {
                throw new AssertionError("contract broken");
            }
            if (seed == 3) {
                throw new IllegalStateException("boom");
            }
        });
        assertEquals(List.of(1L, 2L, 3L, 4L), ran, "cases after a failing one still run");
        assertEquals(2, failures.size());
        assertEquals("case seed 2: contract broken", failures.get(0));
        assertTrue(failures.get(1).startsWith("case seed 3: untyped failure java.lang.IllegalStateException: boom"),
                failures.get(1));
    }

    @Test
    void failIfAnyFailsOnlyWithFailuresAndShowsTheFirstThree() {
        FuzzCases.failIfAny(List.of());
        List<String> four = List.of("case seed 1: a", "case seed 2: b", "case seed 3: c", "case seed 4: d");
        AssertionError e = assertThrows(AssertionError.class, () -> FuzzCases.failIfAny(four));
        assertTrue(e.getMessage().startsWith("4 failing case(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("case seed 3: c"), e.getMessage());
        assertTrue(!e.getMessage().contains("case seed 4"), e.getMessage());
    }
}
