package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The derived product category of catalogues without one. */
class CatalogIndexWriterTest {
    @Test
    void theHeadNounOfTheDescriptionSkippingColourPatternAndSizeWords() {
        assertEquals("holder", CatalogIndexWriter.categoryOf("WHITE HANGING HEART T-LIGHT HOLDER"));
        assertEquals("bag", CatalogIndexWriter.categoryOf("JUMBO BAG RED RETROSPOT"));
        assertEquals("saucer", CatalogIndexWriter.categoryOf("GREEN REGENCY TEACUP AND SAUCER"));
        assertEquals("tin", CatalogIndexWriter.categoryOf("SET OF 3 CAKE TINS PANTRY DESIGN"));
        assertEquals("glass", CatalogIndexWriter.categoryOf("DRINKING GLASS"));
        assertEquals("t-light", CatalogIndexWriter.categoryOf("PINK T-LIGHTS"));
        assertEquals("other", CatalogIndexWriter.categoryOf(""));
        assertEquals("other", CatalogIndexWriter.categoryOf("RED 12"));
    }
}
