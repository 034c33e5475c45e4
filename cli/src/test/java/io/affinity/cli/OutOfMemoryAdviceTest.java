package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** The heap an out-of-memory error suggests: more than the run had, so following it is not a second failure. */
@UnitTest
class OutOfMemoryAdviceTest {
    @Test
    void twiceTheHeapThatRanOutInWholeGibibytesAndAtLeastEight() {
        assertEquals("-Xmx8g", AffinityCli.largerHeap(32), "a small heap: the old advice stands");
        assertEquals("-Xmx8g", AffinityCli.largerHeap(4096));
        // the default heap on this 24 GiB machine (a quarter): the fashion-shaped shop needed 14 GiB
        assertEquals("-Xmx12g", AffinityCli.largerHeap(6028));
        assertEquals("-Xmx28g", AffinityCli.largerHeap(14 * 1024));
        assertEquals("-Xmx20g", AffinityCli.largerHeap(10_000), "19.5 GiB rounded up, never below twice");
    }
}
