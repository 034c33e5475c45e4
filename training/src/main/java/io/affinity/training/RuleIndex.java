package io.affinity.training;

import io.affinity.recommender.AssociationRule;
import io.affinity.training.ingest.Transactions;
import io.affinity.training.mining.MinedRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules grouped by each item of their antecedent, best first: per item at most {@code maxPerItem} pair rules and
 * {@code maxPerItem} rules with larger antecedents. A rule is kept or dropped as a whole, so every kept rule is
 * reachable from each of its antecedent items and the rule count means the same in every view of the snapshot.
 */
final class RuleIndex {
    /** {@link AssociationRule#BEST_FIRST}, with the antecedent as the last tie-break so training is deterministic. */
    static final Comparator<AssociationRule> BEST_FIRST = AssociationRule.BEST_FIRST
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
            String[] antecedent = new String[m.antecedentSize()];
            for (int i = 0; i < antecedent.length; i++) {
                antecedent[i] = tx.itemId(m.antecedentItem(i));
            }
            Arrays.sort(antecedent);
            rules.add(new AssociationRule(List.of(antecedent), tx.itemId(m.consequent()), m.supportCount(),
                    m.support(), m.confidence(), m.lift(), m.leverage(), m.conviction()));
        }
        rules.sort(BEST_FIRST);
        // Pair rules ("bought together") and rules with larger antecedents have separate budgets per item, so
        // high-confidence multi-item rules never crowd out an item's plain pairs. Walking best first, a
        // multi-item rule is kept only while every one of its antecedent items still has room.
        Map<String, int[]> used = new HashMap<>();
        BitSet keep = new BitSet(rules.size());
        for (int r = 0; r < rules.size(); r++) {
            AssociationRule rule = rules.get(r);
            int budget = rule.isPairRule() ? 0 : 1;
            boolean room = true;
            for (String item : rule.antecedent()) {
                if (used.computeIfAbsent(item, k -> new int[2])[budget] >= maxPerItem) {
                    room = false;
                }
            }
            if (room) {
                keep.set(r);
                for (String item : rule.antecedent()) {
                    used.get(item)[budget]++;
                }
            }
        }
        Map<String, List<AssociationRule>> byItem = new HashMap<>();
        for (int r = keep.nextSetBit(0); r >= 0; r = keep.nextSetBit(r + 1)) {
            for (String item : rules.get(r).antecedent()) {
                byItem.computeIfAbsent(item, k -> new ArrayList<>()).add(rules.get(r));
            }
        }
        return new RuleIndex(byItem, keep.cardinality(), rules.size() - keep.cardinality());
    }

    /** Item id to its rules, best first. */
    Map<String, List<AssociationRule>> byItem() {
        return byItem;
    }

    long keptRules() {
        return kept;
    }

    long droppedByCap() {
        return dropped;
    }
}
