package io.affinity.training;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.TradeUp;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.FrequentItemsets;
import io.affinity.training.mining.MinedRule;
import io.affinity.training.mining.RuleGenerator;
import io.affinity.training.mining.RuleParameters;
import io.affinity.training.mining.TransactionDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-machine results the Spark stage must reproduce, computed by the package-private classes of
 * {@code TrainingPipeline} themselves (this helper lives in their package for that), not by a copy of them.
 */
public final class SingleMachine {
    private SingleMachine() {
    }

    public static List<ItemFacts> items(Transactions tx) {
        return CatalogFacts.of(tx).items();
    }

    public static List<PopularItem> popular(Transactions tx, int n) {
        return CatalogFacts.of(tx).popular(n);
    }

    public static Map<String, CustomerHistory> histories(Transactions tx) {
        Map<String, CustomerHistory> m = new LinkedHashMap<>();
        CustomerHistories.build(tx, m::put);
        return m;
    }

    /** What {@code TradeUps.find} hands out: each source item's trade-ups in the order given, and its summary. */
    public record TradeUpsFound(Map<String, List<TradeUp>> bySource, TradeUps.Summary summary) {
    }

    /** {@code TrainingPipeline.upsell}'s trade-ups of {@code items} (facts of the items of {@code tx}). */
    public static TradeUpsFound tradeUps(Transactions tx, List<ItemFacts> items, Map<String, CustomerProfile> profiles,
                                         TradeUpParameters parameters) {
        Map<String, List<TradeUp>> m = new LinkedHashMap<>();
        TradeUps.Summary summary = TradeUps.find(tx, items, profiles, parameters, m::put);
        return new TradeUpsFound(m, summary);
    }

    /**
     * The frequent itemsets {@code TrainingPipeline.mine} finds at that support count, each as its items' ids
     * (sorted, space-separated) with its count.
     */
    public static Map<String, Long> itemsets(Transactions tx, long minSupportCount, int maxLength) {
        FrequentItemsets itemsets = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(maxLength)
                .threads(1).build().mineAll(TrainingPipeline.baskets(tx));
        Map<String, Long> m = new java.util.HashMap<>();
        for (int x = 0; x < itemsets.size(); x++) {
            m.put(java.util.Arrays.stream(itemsets.itemset(x)).mapToObj(tx::itemId).sorted()
                    .collect(java.util.stream.Collectors.joining(" ")), itemsets.supportCount(x));
        }
        return m;
    }

    /** What {@code TrainingPipeline.mine} mines: the frequent itemset count and the capped rule index. */
    public record Mined(int frequentItemsets, long minSupportCount, RuleIndex rules) {
    }

    public static Mined rules(Transactions tx, double minSupport, double minConfidence, double minLift,
                              int maxLength, int maxRulesPerItem) {
        TransactionDatabase baskets = TrainingPipeline.baskets(tx);
        long minCount = Math.max(TrainingParameters.MIN_SUPPORT_COUNT,
                FpGrowth.minSupportCount(minSupport, baskets.size()));
        FrequentItemsets itemsets = FpGrowth.builder().minSupportCount(minCount).maxLength(maxLength).threads(1)
                .build().mineAll(baskets);
        List<MinedRule> mined = RuleGenerator.generate(itemsets, new RuleParameters(minConfidence, minLift));
        return new Mined(itemsets.size(), minCount, RuleIndex.build(mined, tx, maxRulesPerItem));
    }
}
