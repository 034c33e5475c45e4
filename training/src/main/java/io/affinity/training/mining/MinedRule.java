package io.affinity.training.mining;

import java.util.Arrays;

/**
 * A rule {@code antecedent => consequent} over int item ids, as mined; the caller maps ids to the retailer's
 * codes (see {@code io.affinity.recommender.AssociationRule}).
 *
 * <p>The antecedent array is copied in and out, so the record is immutable; equality is by content.
 *
 * @param antecedent   distinct non-negative ids, strictly ascending, non-empty, without the consequent
 * @param consequent   the suggested item
 * @param supportCount transactions containing antecedent and consequent
 * @param support      supportCount / transactions
 * @param confidence   supportCount / support count of the antecedent
 * @param lift         confidence / P(consequent)
 * @param leverage     P(antecedent and consequent) - P(antecedent) P(consequent)
 * @param conviction   (1 - P(consequent)) / (1 - confidence); positive infinity when confidence is 1, except 1
 *                     (independence) when the consequent is in every transaction, where the formula is 0/0
 * @param zhang        Zhang's metric, leverage / max(P(A and C)(1 - P(A)), P(A)(P(C) - P(A and C))), in [-1, 1]:
 *                     1 when the consequent never occurs without the antecedent, negative when they occur
 *                     together less often than independence predicts, 0 at independence (also when the
 *                     antecedent is in every transaction, where the formula is 0/0)
 */
public record MinedRule(int[] antecedent, int consequent, long supportCount, double support, double confidence,
                        double lift, double leverage, double conviction, double zhang) {
    public MinedRule {
        if (antecedent == null || antecedent.length == 0) {
            throw new IllegalArgumentException("antecedent must not be empty");
        }
        antecedent = antecedent.clone();
        for (int i = 0; i < antecedent.length; i++) {
            if (antecedent[i] < 0 || (i > 0 && antecedent[i - 1] >= antecedent[i])) {
                throw new IllegalArgumentException("antecedent must be distinct non-negative ids in ascending order: "
                        + Arrays.toString(antecedent));
            }
            if (antecedent[i] == consequent) {
                throw new IllegalArgumentException("consequent " + consequent + " is also in the antecedent");
            }
        }
        if (consequent < 0) {
            throw new IllegalArgumentException("consequent must be >= 0, was " + consequent);
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
        if (Double.isNaN(leverage) || !(conviction >= 0)) {
            throw new IllegalArgumentException("leverage must be a number and conviction >= 0");
        }
        if (!(zhang >= -1 - 1e-12 && zhang <= 1 + 1e-12)) {
            throw new IllegalArgumentException("zhang must be in [-1, 1], was " + zhang);
        }
    }

    /** A copy of the antecedent ids. */
    @Override
    public int[] antecedent() {
        return antecedent.clone();
    }

    public int antecedentSize() {
        return antecedent.length;
    }

    public int antecedentItem(int i) {
        return antecedent[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MinedRule r && consequent == r.consequent && supportCount == r.supportCount
                && Arrays.equals(antecedent, r.antecedent)
                && Double.compare(support, r.support) == 0 && Double.compare(confidence, r.confidence) == 0
                && Double.compare(lift, r.lift) == 0 && Double.compare(leverage, r.leverage) == 0
                && Double.compare(conviction, r.conviction) == 0 && Double.compare(zhang, r.zhang) == 0;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(antecedent);
        h = 31 * h + consequent;
        h = 31 * h + Long.hashCode(supportCount);
        h = 31 * h + Double.hashCode(confidence);
        return 31 * h + Double.hashCode(lift);
    }

    @Override
    public String toString() {
        return Arrays.toString(antecedent) + " => " + consequent + " [supportCount=" + supportCount + ", support="
                + support + ", confidence=" + confidence + ", lift=" + lift + ", leverage=" + leverage
                + ", conviction=" + conviction + ", zhang=" + zhang + "]";
    }
}
