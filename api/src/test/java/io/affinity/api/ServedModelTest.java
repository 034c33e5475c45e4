package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.recommender.InMemoryModelSnapshot;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.testing.UnitTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ServedModel#minorDigits()}: the decimals offer explanations print amounts with, from the manifest's currency. */
@UnitTest
class ServedModelTest {
    private static int digits(String currency) {
        InMemoryModelSnapshot model = InMemoryModelSnapshot.builder("v1")
                .item(new ItemFacts("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "", 2.95, 20, 8, 50))
                .build();
        Map<String, Object> summary = new HashMap<>();
        summary.put("version", "v1");
        summary.put("currency", currency);
        return new ServedModel(model, new Recommender(model, RecommenderSettings.DEFAULTS), summary).minorDigits();
    }

    @Test
    void digitsAreTheCurrencysMinorUnitAndTwoWhenUnknown() {
        assertEquals(0, digits("JPY"));
        assertEquals(2, digits("GBP"));
        assertEquals(3, digits("KWD"));
        assertEquals(2, digits(null)); // the manifest does not know the currency
        assertEquals(2, digits("XAU")); // gold has no minor unit
        assertEquals(2, digits("NOPE")); // not an ISO 4217 code: as if unknown
    }
}
