package io.affinity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code affinity train} with the blend recommender: every customer's list is in the snapshot, consistent. */
@IntegrationTest
class PrecomputedRecommendationsTest {
    @TempDir
    Path dir;

    /**
     * 40 customers over 120 days, each with 3 favourite items out of 30 bought again and again, plus random others:
     * repeat-heavy like the real data, seeded.
     */
    private Path export() throws Exception {
        Random rnd = new Random(7);
        List<String> lines = new ArrayList<>();
        lines.add("customer_id,order_id,timestamp,item_id,quantity,unit_price,description");
        int order = 0;
        for (int c = 0; c < 40; c++) {
            int[] favourites = {rnd.nextInt(30), rnd.nextInt(30), rnd.nextInt(30)};
            for (int day = rnd.nextInt(10); day < 120; day += 5 + rnd.nextInt(15)) {
                order++;
                String ts = java.time.LocalDate.of(2011, 1, 1).plusDays(day) + " 10:00";
                Set<Integer> basket = new HashSet<>();
                basket.add(favourites[rnd.nextInt(3)]);
                basket.add(favourites[rnd.nextInt(3)]);
                basket.add(rnd.nextInt(30));
                for (int i : basket) {
                    lines.add("c" + c + ",o" + order + "," + ts + ",item" + i + ",1,1.00,ITEM " + i);
                }
            }
        }
        return Files.write(dir.resolve("orders.csv"), lines);
    }

    private TrainingParameters params(Path input) {
        return new TrainingParameters(List.of(input), "generic", 0.05, 0.1, 1.0, 3, 100, 10, 0.01);
    }

    @Test
    void everyCustomerGetsAListLabelledAgainstTheirHistory() throws Exception {
        Path input = export();
        new TrainingPipeline(params(input), new RecommenderParameters("blend", 12, 30, 1, false), line -> { })
                .run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertTrue(s.hasPrecomputedRecommendations());
            JsonNode served = s.manifest().sections().get("servedModel");
            assertNotNull(served);
            String name = served.get("name").asText();
            assertTrue(served.get("validationNdcg@10").asDouble() > 0, served.toString());
            assertTrue(served.get("weights").has("repeat.repeat-frequency"), served.toString());
            assertEquals(40, served.get("customers").asInt());
            assertEquals(40, s.manifest().sections().get("customerRecommendations").get("entries").asInt());
            for (int c = 0; c < 40; c++) {
                String id = "c" + c;
                CustomerHistory history = s.customer(id).orElseThrow();
                Set<String> bought = new HashSet<>();
                history.items().forEach(p -> bought.add(p.itemId()));
                PrecomputedRecommendations recs = s.precomputed(id).orElseThrow();
                assertEquals(name, recs.model());
                assertEquals(12, recs.items().size());
                for (PrecomputedItem p : recs.items()) {
                    assertEquals(bought.contains(p.itemId()), p.repeat(), id + " " + p);
                    assertTrue(s.item(p.itemId()).isPresent());
                    if (p.repeat()) {
                        PurchasedItem h = history.items().stream().filter(i -> i.itemId().equals(p.itemId()))
                                .findFirst().orElseThrow();
                        assertEquals(h, p.purchase());
                    }
                }
                // repeat-heavy data: each customer's most bought item is among their candidates
                String top = history.items().get(0).itemId();
                assertTrue(recs.items().stream().anyMatch(p -> p.itemId().equals(top)), id);
            }
            assertFalse(s.precomputed("c999").isPresent());
        }
    }

    /**
     * What an auditor needs to refit the served model: the seed of its randomised parts, and the time purchase ages
     * (the recency decays) are counted from, which is the data's last order and never the clock of the run.
     */
    @Test
    void theManifestRecordsTheSeedAndTheTimeRecencyIsCountedFrom() throws Exception {
        Path input = export();
        Files.write(input, List.of("c1,o-last,2011-05-10 17:30,item1,1,1.00,ITEM 1"), StandardOpenOption.APPEND);
        new TrainingPipeline(params(input), new RecommenderParameters("blend", 12, 30, 1, true), line -> { })
                .run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            JsonNode served = s.manifest().sections().get("servedModel");
            assertEquals(42, served.at("/parameters/seed").asLong(), served.toString());
            assertEquals("2011-05-10T17:30", served.get("recencyAsOf").asText(), served.toString());
            // the blend's rules model mines at train's --min-support (0.05 here), as the snapshot's rules: it was a
            // fixed 0.005, which a large catalogue's pairs never reach
            assertEquals(0.05, served.at("/hyperParameters/rules/minSupport").asDouble(), served.toString());
        }
    }

    /**
     * The same orders exported customer by customer in another order (each order's lines as they were): every
     * customer's list is the same. Ties between equal scores (items ranked by popularity after those the model
     * knows something about) used to go to the item the export mentioned first, so the lists depended on the order
     * of the export's rows, which says nothing about the shop.
     */
    @Test
    void theOrderOfTheExportsRowsDecidesNoList() throws Exception {
        Random rnd = new Random(5);
        List<List<String>> byCustomer = new ArrayList<>();
        int order = 0;
        for (int c = 0; c < 40; c++) {
            List<String> rows = new ArrayList<>();
            int[] favourites = {rnd.nextInt(30), rnd.nextInt(30), rnd.nextInt(30)};
            for (int day = rnd.nextInt(10); day < 120; day += 5 + rnd.nextInt(15)) {
                order++;
                // every order at its own time: which of two simultaneous orders came first is the export's say
                String ts = java.time.LocalDate.of(2011, 1, 1).plusDays(day) + String.format(" %02d:%02d",
                        order / 60, order % 60);
                Set<Integer> basket = new java.util.LinkedHashSet<>(List.of(favourites[rnd.nextInt(3)],
                        rnd.nextInt(30), rnd.nextInt(30)));
                for (int i : basket) {
                    rows.add("c" + c + ",o" + order + "," + ts + ",item" + i + ",1,1.00,ITEM " + i);
                }
            }
            byCustomer.add(rows);
        }
        String header = "customer_id,order_id,timestamp,item_id,quantity,unit_price,description";
        List<String> forward = new ArrayList<>(List.of(header));
        byCustomer.forEach(forward::addAll);
        List<String> backward = new ArrayList<>(List.of(header));
        for (int c = byCustomer.size() - 1; c >= 0; c--) {
            backward.addAll(byCustomer.get(c));
        }
        List<String> lists = new ArrayList<>();
        for (List<String> export : List.of(forward, backward)) {
            Path input = Files.write(dir.resolve("orders-" + lists.size() + ".csv"), export);
            Path models = dir.resolve("models-" + lists.size());
            new TrainingPipeline(params(input), new RecommenderParameters("blend", 20, 30, 1, true), line -> { })
                    .run(models);
            StringBuilder b = new StringBuilder();
            try (Snapshot s = ModelStore.open(models).openCurrent()) {
                for (int c = 0; c < 40; c++) {
                    b.append(s.precomputed("c" + c).orElseThrow()).append('\n');
                }
            }
            lists.add(b.toString());
        }
        assertEquals(lists.get(0), lists.get(1));
    }

    @Test
    void theRulesRecommenderStoresNoLists() throws Exception {
        Path input = export();
        new TrainingPipeline(params(input), RecommenderParameters.RULES, line -> { }).run(dir.resolve("models"));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertFalse(s.hasPrecomputedRecommendations());
            assertFalse(s.precomputed("c1").isPresent());
            assertEquals("rules", s.manifest().sections().get("servedModel").get("name").asText());
        }
    }
}
