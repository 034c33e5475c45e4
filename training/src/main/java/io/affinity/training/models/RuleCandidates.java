package io.affinity.training.models;

import io.affinity.training.mining.FpGrowth;
import io.affinity.training.mining.FrequentItemsets;
import io.affinity.training.mining.MinedRule;
import io.affinity.training.mining.RuleGenerator;
import io.affinity.training.mining.RuleParameters;
import io.affinity.training.mining.TransactionDatabase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Association rules as a candidate source: rules {@code a => c} with a single-item antecedent mined by FP-growth
 * over the training baskets (anonymous ones included); an item's score for a customer is the best confidence of
 * a rule whose antecedent the customer bought. Multi-item antecedents add little for whole-history profiles
 * (nearly every profile contains some pair) and are left to the basket cross-sell endpoint.
 */
public final class RuleCandidates implements Scorer {
    private final Interactions x;
    private final int[] ptr; // antecedent item -> rules
    private final int[] consequent;
    private final float[] confidence;
    private final int rules;

    private RuleCandidates(Interactions x, int[] ptr, int[] consequent, float[] confidence, int rules) {
        this.x = x;
        this.ptr = ptr;
        this.consequent = consequent;
        this.confidence = confidence;
        this.rules = rules;
    }

    public static RuleCandidates fit(Interactions x, TransactionDatabase baskets, double minSupport,
                                     double minConfidence) {
        return fit(x, baskets, FpGrowth.minSupportCount(minSupport, baskets.size()), minConfidence);
    }

    /** @param minCount the support as a count of baskets; rules of lift 1.0 or more */
    public static RuleCandidates fit(Interactions x, TransactionDatabase baskets, long minCount,
                                     double minConfidence) {
        return fit(x, baskets, minCount, minConfidence, 1.0);
    }

    /**
     * @param minCount the support as a count of baskets
     * @param minLift  the least lift of a rule kept (train's {@code --min-lift}; 1.0: no rule worse than chance)
     */
    public static RuleCandidates fit(Interactions x, TransactionDatabase baskets, long minCount,
                                     double minConfidence, double minLift) {
        FrequentItemsets sets = FpGrowth.builder().minSupportCount(minCount).maxLength(2).build().mineAll(baskets);
        List<MinedRule> mined = new ArrayList<>();
        RuleGenerator.generate(sets, new RuleParameters(minConfidence, minLift), r -> {
            if (r.antecedentSize() == 1 && r.consequent() < x.itemCount() && r.antecedentItem(0) < x.itemCount()) {
                mined.add(r);
            }
        });
        int items = x.itemCount();
        int[] ptr = new int[items + 1];
        for (MinedRule r : mined) {
            ptr[r.antecedentItem(0) + 1]++;
        }
        for (int i = 0; i < items; i++) {
            ptr[i + 1] += ptr[i];
        }
        int[] fill = Arrays.copyOf(ptr, items);
        int[] cons = new int[mined.size()];
        float[] conf = new float[mined.size()];
        for (MinedRule r : mined) {
            int p = fill[r.antecedentItem(0)]++;
            cons[p] = r.consequent();
            conf[p] = (float) r.confidence();
        }
        return new RuleCandidates(x, ptr, cons, conf, mined.size());
    }

    public int ruleCount() {
        return rules;
    }

    @Override
    public String name() {
        return "rules";
    }

    @Override
    public void score(int user, float[] out) {
        Arrays.fill(out, 0f);
        if (user >= x.userCount()) {
            return;
        }
        for (int k = x.rowPtr[user]; k < x.rowPtr[user + 1]; k++) {
            int a = x.colIdx[k];
            for (int p = ptr[a]; p < ptr[a + 1]; p++) {
                if (confidence[p] > out[consequent[p]]) {
                    out[consequent[p]] = confidence[p];
                }
            }
        }
    }

    @Override
    public long bytes() {
        return 4L * (ptr.length + consequent.length + confidence.length);
    }
}
