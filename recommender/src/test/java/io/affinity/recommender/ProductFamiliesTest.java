package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** Product families: descriptions without their colour words. */
@UnitTest
class ProductFamiliesTest {
    @Test
    void colourWordsAreRemoved() {
        assertEquals("RETROSPOT MUG", ProductFamilies.familyOf("1", "RED RETROSPOT MUG"));
        assertEquals("#X9", ProductFamilies.familyOf("X9", "PINK"));
    }

    /**
     * "BLACK AND WHITE DOG BOWL" was the family "and dog bowl" (shown in search, typed in {@code family:}), and
     * "FELTCRAFT HAIRBAND PINK AND BLUE" "feltcraft hairband and": the word joining two colours is part of the
     * colour, and goes with it.
     */
    @Test
    void theWordJoiningTwoColoursGoesWithThem() {
        assertEquals("DOG BOWL", ProductFamilies.familyOf("22700", "BLACK AND WHITE DOG BOWL"));
        assertEquals("FELTCRAFT HAIRBAND", ProductFamilies.familyOf("22586", "FELTCRAFT HAIRBAND PINK AND BLUE"));
        assertEquals("BREAKFAST TRAY", ProductFamilies.familyOf("84563A", "PINK & WHITE BREAKFAST TRAY"));
        assertEquals("LARGE HANGING WOOD BIRD",
                ProductFamilies.familyOf("85199L", "LARGE HANGING IVORY & RED WOOD BIRD"));
        assertEquals("CUP AND SAUCER", ProductFamilies.familyOf("1", "RED CUP AND SAUCER"));
        assertEquals("BOWL AND", ProductFamilies.familyOf("2", "BOWL AND PINK"));
    }

    /** LIGHT is a shade before a colour, the product at the end: "RED TOADSTOOL LED NIGHT LIGHT" was "... NIGHT". */
    @Test
    void lightAsTheLastWordIsTheProduct() {
        assertEquals("TOADSTOOL LED NIGHT LIGHT", ProductFamilies.familyOf("21731", "RED TOADSTOOL LED NIGHT LIGHT"));
        assertEquals("BISCUITS SMALL BOWL", ProductFamilies.familyOf("1", "BISCUITS SMALL BOWL LIGHT BLUE"));
    }
}
