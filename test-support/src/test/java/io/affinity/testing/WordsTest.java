package io.affinity.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@UnitTest
class WordsTest {
    @Test
    void anIdInsideHexIsNoWord() {
        assertFalse(Words.containsWord("published 20261126-163012-8ac3f1 (sha256 0c3d)", "c3"));
        assertFalse(Words.containsWord("customers c30 and xc3", "c3"));
    }

    @Test
    void anIdStandingAloneIsFound() {
        assertTrue(Words.containsWord("c3", "c3"));
        assertTrue(Words.containsWord("customer c3 objects", "c3"));
        assertTrue(Words.containsWord("{\"id\":\"c3\"}", "c3"));
        assertTrue(Words.containsWord("c3,2011-01-01", "c3"));
        assertTrue(Words.containsWord("a.b", "a.b"));
        assertFalse(Words.containsWord("axb", "a.b"), "the word is literal text, not a pattern");
    }
}
