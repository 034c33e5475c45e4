package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Ids#normaliseCustomerId} on numbers a spreadsheet wrote as decimals ({@code 17850,0}, {@code 17850.0}) and on
 * text that only looks like one. Moved here from training's {@code DecimalCommaCustomerIdsTest} (which keeps the
 * readers' side): PIT mutates this module against its own tests, and found every branch of the rule unchecked here.
 */
@UnitTest
class CustomerIdDecimalsTest {
    @Test
    void zeroDecimalsAfterACommaAreDroppedAndTextIsKept() {
        assertEquals("17850", Ids.normaliseCustomerId("17850,0"));
        assertEquals("17850", Ids.normaliseCustomerId(" 17850,00 "));
        assertEquals("0", Ids.normaliseCustomerId("0,0"));
        assertEquals("17850", Ids.normaliseCustomerId("17850.0"), "as before");
        assertEquals("17850", Ids.normaliseCustomerId("17850."), "as before");
        assertEquals("1", Ids.normaliseCustomerId("1.000"), "as before: ids stored and journalled keep their meaning");
        // text, or a number that is not a whole one, or one with a thousands separator: kept as written
        for (String text : List.of("A17850,0", "17850,5", "17,850", "1,000", "999,000", "1,000,000", "17850,",
                ",0", "k-1001", "17850,0x", "1.5,0")) {
            assertEquals(text, Ids.normaliseCustomerId(text), text);
        }
        assertEquals("1000", Ids.normaliseCustomerId("1000,000"), "four digits before it: no thousands separator");
    }
}
