package io.affinity.training;

import io.affinity.recommender.AssociationRule;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.mining.MinedRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Rules grouped by each item of their antecedent, best first: per item at most {@code maxPerItem} pair rules and
 * {@code maxPerItem} rules with larger antecedents. A rule is kept or dropped as a whole, so every kept rule is
 * reachable from each of its antecedent items and the rule count means the same in every view of the snapshot.
 */
public final class RuleIndex {
    /** {@link AssociationRule#BEST_FIRST}, with the antecedent as the last tie-break so training is deterministic. */
    public static final Comparator<AssociationRule> BEST_FIRST = AssociationRule.BEST_FIRST
            .thenComparing(r -> String.join(" ", r.antecedent()));

    private final Map<String, List<AssociationRule>> byItem;
    private final long kept;
    private final long dropped;

    private RuleIndex(Map<String, List<AssociationRule>> byItem, long kept, long dropped) {
        this.byItem = byItem;
        this.kept = kept;
        this.dropped = dropped;
    }

    static RuleIndex build(List<MinedRule> mined, Transactions tx, int maxPerItem) {
        List<AssociationRule> rules = new ArrayList<>(mined.size());
        for (MinedRule m : mined) {
            rules.add(toAssociationRule(m, tx::itemId));
        }
        rules.sort(BEST_FIRST);
        return ofBestFirst(rules.iterator(), maxPerItem);
    }

    /** A mined rule with the retailer's item ids ({@code itemId} maps item numbers), antecedent sorted. */
    public static AssociationRule toAssociationRule(MinedRule m, IntFunction<String> itemId) {
        String[] antecedent = new String[m.antecedentSize()];
        for (int i = 0; i < antecedent.length; i++) {
            antecedent[i] = itemId.apply(m.antecedentItem(i));
        }
        Arrays.sort(antecedent);
        return new AssociationRule(List.of(antecedent), itemId.apply(m.consequent()), m.supportCount(),
                m.support(), m.confidence(), m.lift(), m.leverage(), m.conviction());
    }

    /**
     * The index of rules that arrive already sorted by {@link #BEST_FIRST} (checked: an out-of-order rule throws
     * {@link IllegalArgumentException}), e.g. streamed from a distributed sort; only the kept rules are held.
     */
    public static RuleIndex ofBestFirst(Iterator<AssociationRule> bestFirst, int maxPerItem) {
        // Pair rules ("bought together") and rules with larger antecedents have separate budgets per item, so
        // high-confidence multi-item rules never crowd out an item's plain pairs. Walking best first, a
        // multi-item rule is kept only while every one of its antecedent items still has room.
        Map<String, int[]> used = new HashMap<>();
        Map<String, List<AssociationRule>> byItem = new HashMap<>();
        long kept = 0;
        long dropped = 0;
        AssociationRule previous = null;
        while (bestFirst.hasNext()) {
            AssociationRule rule = bestFirst.next();
            if (previous != null && BEST_FIRST.compare(previous, rule) > 0) {
                throw new IllegalArgumentException("rules are not best first at " + rule.antecedent()
                        + " => " + rule.consequent());
            }
            previous = rule;
            int budget = rule.isPairRule() ? 0 : 1;
            boolean room = true;
            for (String item : rule.antecedent()) {
                if (used.computeIfAbsent(item, k -> new int[2])[budget] >= maxPerItem) {
                    room = false;
                }
            }
            if (room) {
                kept++;
                for (String item : rule.antecedent()) {
                    used.get(item)[budget]++;
                    byItem.computeIfAbsent(item, k -> new ArrayList<>()).add(rule);
                }
            } else {
                dropped++;
            }
        }
        return new RuleIndex(byItem, kept, dropped);
    }

    /** Item id to its rules, best first. */
    public Map<String, List<AssociationRule>> byItem() {
        return byItem;
    }

    public long keptRules() {
        return kept;
    }

    public long droppedByCap() {
        return dropped;
    }
}
