package io.affinity.recommender;

import java.util.Comparator;
import java.util.List;

/**
 * An association rule {@code antecedent => consequent} mined from baskets, with the usual measures.
 * Only single-item consequents are kept: that is what cross-sell needs, and every measure stays exact.
 *
 * @param antecedent   the items that must be in the basket (sorted, non-empty, without the consequent)
 * @param consequent   the item the rule suggests
 * @param supportCount number of baskets containing antecedent and consequent
 * @param support      supportCount / number of baskets
 * @param confidence   P(consequent | antecedent)
 * @param lift         confidence / P(consequent)
 * @param leverage     P(antecedent and consequent) - P(antecedent) P(consequent)
 * @param conviction   (1 - P(consequent)) / (1 - confidence); positive infinity when confidence is 1, except 1
 *                     (independence) when the consequent is in every basket, where the formula is 0/0
 */
public record AssociationRule(List<String> antecedent, String consequent, long supportCount, double support,
                              double confidence, double lift, double leverage, double conviction) {
    public AssociationRule {
        if (antecedent == null || antecedent.isEmpty()) {
            throw new IllegalArgumentException("antecedent must not be empty");
        }
        antecedent = List.copyOf(antecedent);
        antecedent.forEach(Ids::requireItemId);
        Ids.requireItemId(consequent);
        if (antecedent.contains(consequent)) {
            throw new IllegalArgumentException("consequent " + consequent + " is also in the antecedent");
        }
        if (supportCount <= 0) {
            throw new IllegalArgumentException("supportCount must be > 0, was " + supportCount);
        }
        if (!(support > 0 && support <= 1)) {
            throw new IllegalArgumentException("support must be in (0, 1], was " + support);
        }
        if (!(confidence > 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1], was " + confidence);
        }
        if (!(lift > 0) || Double.isInfinite(lift)) {
            throw new IllegalArgumentException("lift must be finite and > 0, was " + lift);
        }
        if (Double.isNaN(leverage) || Double.isNaN(conviction) || conviction < 0) {
            throw new IllegalArgumentException("leverage and conviction must be numbers, conviction >= 0");
        }
    }

    /**
     * The order in which rules are stored and suggestions ranked: higher confidence first, then higher lift, then
     * consequent id (so ties resolve the same way everywhere).
     */
    public static final Comparator<AssociationRule> BEST_FIRST = AssociationRule::compareBestFirst;

    /** {@link #BEST_FIRST} as a plain method: it runs in the per-request rule-firing loop. */
    public static int compareBestFirst(AssociationRule a, AssociationRule b) {
        int c = Double.compare(b.confidence, a.confidence);
        if (c == 0) {
            c = Double.compare(b.lift, a.lift);
        }
        return c != 0 ? c : a.consequent.compareTo(b.consequent);
    }

    /** True when the rule's antecedent is exactly one item, i.e. a plain "bought together" pair. */
    public boolean isPairRule() {
        return antecedent.size() == 1;
    }
}
