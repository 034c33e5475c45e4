package io.affinity.recommender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.affinity.testing.UnitTest;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/**
 * How an item of a precomputed list is explained, in words, and that the shared caches behind those words never
 * answer with another combination's text: a repeat's summary is cached by order count, day and model in a bounded
 * table where combinations collide, and a collision answered from the table would tell a customer another
 * customer's purchase (its count and day).
 */
@UnitTest
class ModelExplanationTest {
    private static final LocalDate DAY = LocalDate.of(2011, 5, 1);

    @Test
    void theModelAndItsSourceAreNamedHonestly() {
        assertEquals("new to you; proposed by the tifu model",
                Explanation.ofModel("tifu", item(false, "tifu", null)).summary());
        assertEquals("new to you; proposed by the blend model, mostly tifu",
                Explanation.ofModel("blend", item(false, "tifu", null)).summary());
        assertEquals("new to you; proposed by the tifu model and ranked by the learned re-ranker",
                Explanation.ofModel("reranker", item(false, "tifu", null)).summary());
        assertEquals("a repeat purchase proposed by the blend model, mostly tifu; this model version has no purchase "
                + "details for it (retrain)", Explanation.ofModel("blend", item(true, "tifu", null)).summary());
        assertEquals("bought before in 3 order(s), last on 2011-05-01; proposed again by the blend model, mostly tifu",
                Explanation.ofModel("blend", item(true, "tifu", new PurchasedItem("A", 3, 5, DAY))).summary());
        // the same phrases again (now from the cache), and their evidence
        Explanation again = Explanation.ofModel("blend", item(false, "tifu", null));
        assertEquals("new to you; proposed by the blend model, mostly tifu", again.summary());
        assertEquals(new Explanation.ModelEvidence("blend", "tifu", "new"), again.model());
    }

    @Test
    void aCachedRepeatSummaryIsAlwaysThisPurchases() {
        // 20,000 combinations differing in one of the three only, for a table of 16,384 slots: by the pigeonhole
        // principle, combinations that differ in just that one share a slot
        for (int i = 1; i <= 20_000; i++) {
            summary(i, DAY, "blend model");
        }
        for (int i = 1; i <= 20_000; i++) {
            summary(7, DAY.plusDays(i), "blend model");
        }
        for (int i = 1; i <= 20_000; i++) {
            summary(7, DAY, "model " + i);
        }
        assertEquals("bought before in 2 order(s), last on 2011-05-01, 1 of 2 units returned; proposed again by the "
                + "blend model", Explanation.purchaseSummary(new PurchasedItem("A", 2, 2, DAY, 1), "blend model"));
    }

    /** Asks for a summary twice (computed or found, then found) and checks both are this purchase's. */
    private static void summary(int orders, LocalDate day, String by) {
        String expected = "bought before in " + orders + " order(s), last on " + day + "; proposed again by the " + by;
        PurchasedItem purchase = new PurchasedItem("A", orders, orders, day);
        assertEquals(expected, Explanation.purchaseSummary(purchase, by));
        assertEquals(expected, Explanation.purchaseSummary(purchase, by), "the cached answer");
    }

    private static PrecomputedItem item(boolean repeat, String source, PurchasedItem purchase) {
        return new PrecomputedItem("A", 0.5, repeat, source, purchase);
    }
}
