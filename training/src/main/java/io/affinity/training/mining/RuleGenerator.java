package io.affinity.training.mining;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Association rules with a single-item consequent from frequent itemsets: for every frequent X with |X| &gt;= 2
 * and every c in X, the rule X\{c} =&gt; c. Single consequents are what cross-sell needs, and every subset of a
 * frequent itemset is frequent, so all measures are exact without going back to the transactions.
 */
public final class RuleGenerator {
    private RuleGenerator() {
    }

    /** All rules passing {@code parameters}, in itemset order. */
    public static List<MinedRule> generate(FrequentItemsets itemsets, RuleParameters parameters) {
        List<MinedRule> rules = new ArrayList<>();
        generate(itemsets, parameters, rules::add);
        return rules;
    }

    /**
     * Streams the rules passing {@code parameters} to {@code consumer}; returns how many there were.
     * Relative measures use {@link FrequentItemsets#transactionCount()} as the number of transactions.
     *
     * @throws IllegalStateException when a subset of a frequent itemset is missing, i.e. the itemsets were not
     *                               produced by one complete mining run
     */
    public static long generate(FrequentItemsets itemsets, RuleParameters parameters,
                                Consumer<? super MinedRule> consumer) {
        double n = itemsets.transactionCount();
        double minConfidence = parameters.minConfidence();
        double minLift = parameters.minLift();
        int[] single = new int[1];
        int[][] antecedent = {new int[16]};
        long[] produced = new long[1];
        itemsets.forEach((items, length, supportCount) -> {
            if (length < 2) {
                return;
            }
            if (antecedent[0].length < length) {
                antecedent[0] = new int[length * 2];
            }
            int[] ante = antecedent[0];
            for (int drop = 0; drop < length; drop++) {
                int consequent = items[drop];
                for (int i = 0, k = 0; i < length; i++) {
                    if (i != drop) {
                        ante[k++] = items[i];
                    }
                }
                long anteSupport = itemsets.supportOf(ante, length - 1);
                single[0] = consequent;
                long consequentSupport = itemsets.supportOf(single, 1);
                if (anteSupport == 0 || consequentSupport == 0) {
                    throw new IllegalStateException("a subset of a frequent itemset is missing: itemsets incomplete");
                }
                // Exact integer test, so that rounding can never turn a certain rule into a finite conviction.
                boolean certain = supportCount == anteSupport;
                double confidence = certain ? 1.0 : supportCount / (double) anteSupport;
                if (confidence < minConfidence) {
                    continue;
                }
                double pConsequent = consequentSupport / n;
                double lift = confidence / pConsequent;
                if (lift < minLift) {
                    continue;
                }
                double support = supportCount / n;
                double leverage = support - (anteSupport / n) * pConsequent;
                double conviction = certain ? Double.POSITIVE_INFINITY : (1 - pConsequent) / (1 - confidence);
                consumer.accept(new MinedRule(Arrays.copyOf(ante, length - 1), consequent, supportCount, support, confidence, lift,
                        leverage, conviction));
                produced[0]++;
            }
        });
        return produced[0];
    }
}
