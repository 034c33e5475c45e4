package io.affinity.recommender;

import java.util.Objects;

/**
 * Why an item was recommended. Exactly one of {@code rule}, {@code purchase} and {@code popularity} is set,
 * matching the recommendation's source; {@code summary} says it in words for people.
 */
public record Explanation(String summary, AssociationRule rule, PurchasedItem purchase, PopularItem popularity) {
    public Explanation {
        Objects.requireNonNull(summary, "summary");
        int set = (rule != null ? 1 : 0) + (purchase != null ? 1 : 0) + (popularity != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one of rule, purchase, popularity must be set");
        }
    }

    static Explanation ofRule(AssociationRule rule) {
        String summary = String.format(java.util.Locale.ROOT,
                "in %2$.1f%% of baskets with %1$s (lift %3$.1f)",
                String.join(" + ", rule.antecedent()), 100 * rule.confidence(), rule.lift());
        return new Explanation(summary, rule, null, null);
    }

    static Explanation ofRepeat(PurchasedItem purchase) {
        return new Explanation("bought before in " + purchase.orderCount() + " order(s), last on "
                + purchase.lastPurchased(), null, purchase, null);
    }

    static Explanation ofPopularity(PopularItem popular) {
        return new Explanation("popular: in " + popular.orderCount() + " orders", null, null, popular);
    }
}
