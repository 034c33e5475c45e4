package io.affinity.store;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PurchasedItem;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** A small but complete synthetic model: items, pair and multi-item rules, customers, popular items. */
final class TestData {
    final Map<String, ItemFacts> items = new LinkedHashMap<>();
    /** Rules by antecedent item, best first (each multi-item rule under each of its antecedent items). */
    final Map<String, List<AssociationRule>> rulesByItem = new TreeMap<>();
    final List<AssociationRule> distinctRules = new ArrayList<>();
    final Map<String, CustomerHistory> customers = new LinkedHashMap<>();
    final List<PopularItem> popular = new ArrayList<>();

    static final Comparator<AssociationRule> BEST_FIRST = Comparator.comparingDouble(AssociationRule::confidence)
            .thenComparingDouble(AssociationRule::lift).reversed();

    TestData(int itemCount, int ruleCount, int customerCount, long seed) {
        Random rnd = new Random(seed);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < itemCount; i++) {
            String id = String.format("%05dX", i);
            ids.add(id);
            String description = i % 7 == 0 ? "" : "Item " + i + (i % 5 == 0 ? " crème brûlée ☕" : " white hanging heart");
            items.put(id, new ItemFacts(id, description, i % 3 == 0 ? "" : "cat" + (i % 11),
                    Math.round(rnd.nextDouble() * 2000) / 100.0, 1 + rnd.nextInt(500), rnd.nextInt(300), 1 + rnd.nextInt(5000)));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (distinctRules.size() < ruleCount) {
            int size = rnd.nextInt(10) < 7 ? 1 : 2 + rnd.nextInt(2);
            java.util.TreeSet<String> antecedent = new java.util.TreeSet<>();
            // skewed: low item numbers appear in many rules
            while (antecedent.size() < size) {
                antecedent.add(ids.get((int) (Math.pow(rnd.nextDouble(), 2) * itemCount)));
            }
            String consequent = ids.get(rnd.nextInt(itemCount));
            if (antecedent.contains(consequent) || !seen.add(antecedent + "=>" + consequent)) {
                continue;
            }
            double confidence = 0.05 + rnd.nextDouble() * 0.95;
            double conviction = rnd.nextInt(50) == 0 ? Double.POSITIVE_INFINITY : rnd.nextDouble() * 5;
            distinctRules.add(new AssociationRule(List.copyOf(antecedent), consequent, 1 + rnd.nextInt(100),
                    0.001 + rnd.nextDouble() * 0.1, confidence, 0.5 + rnd.nextDouble() * 20, rnd.nextDouble() * 0.01 - 0.002,
                    conviction));
        }
        for (AssociationRule r : distinctRules) {
            for (String a : r.antecedent()) {
                rulesByItem.computeIfAbsent(a, k -> new ArrayList<>()).add(r);
            }
        }
        rulesByItem.values().forEach(l -> l.sort(BEST_FIRST));
        LocalDate base = LocalDate.of(2010, 12, 1);
        for (int c = 0; c < customerCount; c++) {
            int n = 1 + rnd.nextInt(12);
            List<PurchasedItem> bought = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                bought.add(new PurchasedItem(ids.get(rnd.nextInt(itemCount)), 1 + rnd.nextInt(5), 1 + rnd.nextInt(40),
                        base.plusDays(rnd.nextInt(365))));
            }
            customers.put("C" + (12000 + c), new CustomerHistory(1 + rnd.nextInt(30), bought, n + rnd.nextInt(3)));
        }
        for (int i = 0; i < Math.min(50, itemCount); i++) {
            popular.add(new PopularItem(ids.get(i), 1000 - i, 500 - i));
        }
    }

    static TestData small() {
        return new TestData(60, 200, 40, 42);
    }

    /** The trade-ups {@link #fill} puts under the {@code i}-th item. */
    static List<io.affinity.recommender.TradeUp> tradeUps(int i, List<String> ids) {
        return List.of(new io.affinity.recommender.TradeUp(ids.get(i + 1), io.affinity.recommender.TradeUp.ALL, 3 + i, 10 + 2 * i, true),
                new io.affinity.recommender.TradeUp(ids.get(i + 2), io.affinity.recommender.TradeUp.ALL, 3, 10 + 2 * i, false),
                new io.affinity.recommender.TradeUp(ids.get(i + 1), "tier:gold", 2, 4, true));
    }

    SnapshotBuilder fill(SnapshotBuilder b) {
        items.values().forEach(b::putItem);
        rulesByItem.forEach(b::putRules);
        customers.forEach(b::putCustomer);
        // Half of the customers have a value profile (training profiles only customers seen by the calibration end).
        int k = 0;
        for (String id : customers.keySet()) {
            if (k++ % 2 == 0) {
                b.putProfile(id, ProfileStoreTest.profile(io.affinity.recommender.CustomerProfile.Tier.values()[k % 4],
                        (k % 10) / 10.0));
            }
            if (k % 4 == 1) { // a quarter have training-time consent
                b.putConsent(id, java.util.Map.of(io.affinity.recommender.Consent.Channel.EMAIL,
                        io.affinity.recommender.Consent.State.CONFIRMED, io.affinity.recommender.Consent.Channel.SMS,
                        io.affinity.recommender.Consent.State.OPTED_OUT));
            }
        }
        // Trade-ups from every fifth item to the next two items, for all customers and one segment.
        List<String> ids = new ArrayList<>(items.keySet());
        for (int i = 0; i + 2 < ids.size(); i += 5) {
            b.putTradeUps(ids.get(i), tradeUps(i, ids));
        }
        b.popularItems(popular);
        return b;
    }
}
