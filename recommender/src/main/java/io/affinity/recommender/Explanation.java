package io.affinity.recommender;

import java.util.Objects;

/**
 * Why an item was recommended, matching the recommendation's source; {@code summary} says it in words for
 * people. Exactly one of {@code rule}, {@code purchase}, {@code popularity} and {@code model} is set, except that
 * a model's repeat item carries both {@code model} and (when training kept it) the {@code purchase} history, and
 * that none is set for a catalogue item never ordered that a request's pin put in (there is no evidence).
 */
public record Explanation(String summary, AssociationRule rule, PurchasedItem purchase, PopularItem popularity,
                          ModelEvidence model) {
    public Explanation {
        Objects.requireNonNull(summary, "summary");
        int set = (rule != null ? 1 : 0) + (popularity != null ? 1 : 0) + (model != null ? 1 : 0)
                + (purchase != null && model == null ? 1 : 0);
        // None only for an item a merchandiser pinned from the catalogue that was never ordered: no evidence exists.
        if (set > 1) {
            throw new IllegalArgumentException("at most one of rule, purchase, popularity, model may be set");
        }
    }

    /** An explanation from a rule, a purchase or popularity (exactly one set). */
    public Explanation(String summary, AssociationRule rule, PurchasedItem purchase, PopularItem popularity) {
        this(summary, rule, purchase, popularity, null);
    }

    /**
     * What the served model said about an item.
     *
     * @param model  the served model, e.g. {@code "blend"}
     * @param source the model that contributed most to the item's score, e.g. {@code "ease"}
     * @param kind   {@code "repeat"} (bought before) or {@code "new"}
     */
    public record ModelEvidence(String model, String source, String kind) {
        public ModelEvidence {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(source, "source");
            if (!"repeat".equals(kind) && !"new".equals(kind)) {
                throw new IllegalArgumentException("kind must be 'repeat' or 'new', was " + kind);
            }
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

    static Explanation ofModel(String model, PrecomputedItem item) {
        ModelEvidence evidence = new ModelEvidence(model, item.source(), item.repeat() ? "repeat" : "new");
        // A learned re-ranker orders candidates other models proposed: name both honestly.
        String by;
        if (model.equals(item.source())) {
            by = model + " model";
        } else if ("reranker".equals(model)) {
            by = item.source() + " model and ranked by the learned re-ranker";
        } else {
            by = model + " model, mostly " + item.source();
        }
        String summary;
        if (!item.repeat()) {
            summary = "new to you; proposed by the " + by;
        } else if (item.purchase() != null) {
            summary = "bought before in " + item.purchase().orderCount() + " order(s), last on "
                    + item.purchase().lastPurchased() + "; proposed again by the " + by;
        } else {
            summary = "bought before; proposed again by the " + by;
        }
        return new Explanation(summary, null, item.purchase(), null, evidence);
    }
}
