package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Explanation;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.Recommendation;
import io.affinity.recommender.RecommendationSource;
import io.affinity.recommender.Recommendations;
import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streamed answer is byte for byte what data binding writes for the documented wire records. */
@UnitTest
class RecommendationsJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** One writer for all rounds: its cache of encoded strings fills up as on a server. */
    private static final RecommendationsJson WRITER = new RecommendationsJson(JSON.getFactory());

    private static void assertSame(Recommendations r, Set<String> previouslyBought) throws Exception {
        String expected = JSON.writeValueAsString(Bodies.RecommendationsBody.of(r, previouslyBought));
        String actual = new String(WRITER.write(r, previouslyBought), StandardCharsets.UTF_8);
        assertEquals(expected, actual);
    }

    @Test
    void encodedStringsAreTheirKeysEvenWhenSlotsCollide() throws Exception {
        RecommendationsJson.Encoded<String> strings = new RecommendationsJson.Encoded<>(2, String::hashCode);
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            String s = "s" + random.nextInt(50) + (random.nextBoolean() ? " \"\u00e9\n" : "");
            assertEquals(s, strings.get(s, v -> v).getValue());
            assertEquals(JSON.writeValueAsString(s), new String(strings.get(s, v -> v).asQuotedUTF8(), StandardCharsets.UTF_8)
                    .transform(q -> "\"" + q + "\""));
        }
    }

    @Test
    void itemStringsAreTheItemsOwnEvenWhenSlotsCollideOrDescriptionsChange() {
        RecommendationsJson.ItemStrings strings = new RecommendationsJson.ItemStrings(2);
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            String id = "I" + random.nextInt(40);
            // Another model version may describe the same item differently.
            String description = "D " + id + (random.nextBoolean() ? " v2 \"\u00e9" : "");
            RecommendationsJson.ItemStrings.Entry e = strings.get(id, description);
            assertEquals(id, e.itemId().getValue());
            assertEquals(description, e.description().getValue());
        }
    }

    @Test
    void valuesEncodedByLongAreTheirKeysEvenWhenSlotsCollide() {
        RecommendationsJson.EncodedByLong encoded = new RecommendationsJson.EncodedByLong(2);
        Random random = new Random(13);
        for (int i = 0; i < 2000; i++) {
            long key = random.nextInt(50) - 25;
            assertEquals("v" + key, encoded.get(key, k -> "v" + k).getValue());
        }
    }

    private static Explanation explanation(Random random, String itemId) {
        return switch (random.nextInt(5)) {
            case 0 -> new Explanation("rule \"quoted\" \u00e9\n", new AssociationRule(List.of("A1", "B\u00e92"), itemId,
                    random.nextInt(1000) + 1, random.nextDouble(), random.nextDouble(), 1 + random.nextDouble() * 5,
                    random.nextDouble() / 10, random.nextBoolean() ? Double.POSITIVE_INFINITY : 1 + random.nextDouble()),
                    null, null);
            case 1 -> {
                double quantity = random.nextDouble() * 100;
                double returned = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> quantity;
                    default -> random.nextDouble() * quantity;
                };
                yield new Explanation("bought before", null, new PurchasedItem(itemId, random.nextInt(9) + 1,
                        quantity, LocalDate.of(2011, 1, 1).plusDays(random.nextInt(300)), returned), null);
            }
            case 2 -> new Explanation("popular", null, null, new PopularItem(itemId, random.nextInt(5000) + 1,
                    random.nextInt(3000)));
            case 3 -> new Explanation("model", null, null, null,
                    new Explanation.ModelEvidence("blend", "ease", random.nextBoolean() ? "new" : "repeat"));
            default -> new Explanation("model repeat", null, new PurchasedItem(itemId, 2, 3.5, LocalDate.of(2011, 5, 1)),
                    null, new Explanation.ModelEvidence("blend", "blend", "repeat"));
        };
    }

    /** The units a customer returned of a repeat item are part of its purchase evidence; none, no field. */
    @Test
    void aPurchaseShowsTheUnitsReturnedWhenAnyWere() throws Exception {
        LocalDate day = LocalDate.of(2011, 5, 1);
        Recommendations r = new Recommendations("v1", List.of(
                new Recommendation("A1", "", 1, RecommendationSource.REPEAT, new Explanation("bought before", null,
                        new PurchasedItem("A1", 1, 12, day, 12), null)),
                new Recommendation("A2", "", 1, RecommendationSource.REPEAT, new Explanation("bought before", null,
                        new PurchasedItem("A2", 2, 3, day), null))), false, List.of());
        String json = new String(WRITER.write(r, null), StandardCharsets.UTF_8);
        assertEquals(12.0, JSON.readTree(json).at("/items/0/explanation/purchase/returnedQuantity").asDouble(), json);
        assertEquals(false, JSON.readTree(json).at("/items/1/explanation/purchase").has("returnedQuantity"), json);
        assertSame(r, null);
    }

    @Test
    void streamedAnswersEqualDataBindingOnSeededRandomAnswers() throws Exception {
        Random random = new Random(20261123L);
        for (int round = 0; round < 200; round++) {
            List<Recommendation> items = new ArrayList<>();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                String id = "I" + random.nextInt(100);
                double score = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextGaussian() * 1e3;
                items.add(new Recommendation(id, random.nextBoolean() ? "" : "DESC \u2603 " + id + " \\ \t",
                        score, RecommendationSource.values()[random.nextInt(RecommendationSource.values().length)],
                        explanation(random, id)));
            }
            List<String> unknown = random.nextBoolean() ? List.of() : List.of("X1", "Y\"2");
            Recommendations r = new Recommendations("v" + round, items, random.nextBoolean(), unknown);
            assertSame(r, null);
            assertSame(r, Set.of("I1", "I2", "I3", "I50"));
        }
    }
}
