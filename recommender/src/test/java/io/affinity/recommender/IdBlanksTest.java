package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.affinity.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unicode white space and zero-width characters at an id's ends are blanks, as ASCII spaces are: Excel and web exports
 * write a no-break space before a number ({@code \u00a017850}), which {@link String#strip} keeps, so it was another
 * customer than {@code 17850}. Inside an id they are kept as written.
 */
@UnitTest
class IdBlanksTest {
    @Test
    void unicodeSpacesAndZeroWidthCharactersAtTheEndsAreBlanks() {
        for (String written : List.of("\u00a017850", "17850\u00a0", "\u202f17850\u2007", "\u300017850",
                "\u008517850", "\ufeff17850", "17850\u200b", "\u206017850", "\u00a0\u200b 17850.0\t\u202f",
                "\ufeff17850,0")) {
            assertEquals("17850", Ids.normaliseCustomerId(written), written.codePoints().boxed().toList().toString());
        }
        assertEquals("85123A", Ids.normaliseItemId("\u00a085123a\ufeff"));
        assertEquals("85123A", Ids.normaliseItemId("\u200b85123A "));
    }

    @Test
    void insideAnIdTheyAreKeptAsWritten() {
        for (String written : List.of("17\u00a0850", "17\u200b850", "A\u202fB", "17 850")) {
            assertEquals(written, Ids.normaliseCustomerId(written));
        }
        assertEquals("17\u00a0850", Ids.normaliseCustomerId("\u00a017\u00a0850\u00a0"));
    }

    @Test
    void anIdOfBlanksIsBlank() {
        for (String blank : List.of("\u00a0", "\u200b", "\ufeff", "\u202f\u2007\u00a0", "\u3000")) {
            assertEquals("", Ids.normaliseCustomerId(blank));
            assertEquals("", Ids.normaliseItemId(blank));
            assertThrows(IllegalArgumentException.class, () -> Ids.requireCustomerId(blank));
            assertThrows(IllegalArgumentException.class, () -> Ids.requireItemId(blank));
        }
    }
}
