package io.affinity.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Explanation;
import io.affinity.recommender.Recommendation;
import io.affinity.recommender.Recommendations;
import java.util.List;
import java.util.Set;

/** Response bodies: the wire shapes, kept apart from the domain so either can change without the other. */
final class Bodies {
    private Bodies() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RecommendationsBody(String modelVersion, boolean fallback, List<ItemBody> items, List<String> unknownItems) {
        static RecommendationsBody of(Recommendations r, Set<String> previouslyBought) {
            List<ItemBody> items = r.items().stream().map(i -> ItemBody.of(i,
                    previouslyBought == null ? null : previouslyBought.contains(i.itemId()))).toList();
            return new RecommendationsBody(r.modelVersion(), r.fallback(), items,
                    r.unknownItems().isEmpty() ? null : r.unknownItems());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ItemBody(String itemId, String description, double score, String source, Boolean previouslyBought,
                    ExplanationBody explanation) {
        static ItemBody of(Recommendation r, Boolean previouslyBought) {
            return new ItemBody(r.itemId(), r.description(), r.score(), r.source().wireName(), previouslyBought,
                    ExplanationBody.of(r.explanation()));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExplanationBody(String summary, RuleBody rule, PurchaseBody purchase, PopularityBody popularity,
                           ModelBody model) {
        static ExplanationBody of(Explanation e) {
            return new ExplanationBody(e.summary(), e.rule() == null ? null : RuleBody.of(e.rule()),
                    e.purchase() == null ? null : new PurchaseBody(e.purchase().orderCount(),
                            e.purchase().quantity(), e.purchase().lastPurchased().toString(),
                            e.purchase().returnedQuantity() > 0 ? e.purchase().returnedQuantity() : null),
                    e.popularity() == null ? null : new PopularityBody(e.popularity().orderCount(),
                            e.popularity().customerCount()),
                    e.model() == null ? null : new ModelBody(e.model().model(), e.model().source(), e.model().kind()));
        }
    }

    /** The served model (e.g. {@code blend}), its strongest contributing model, and repeat / new. */
    record ModelBody(String name, String source, String kind) {
    }

    /** A rule; {@code conviction} is null when infinite (confidence 1), since JSON has no infinity. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record RuleBody(List<String> antecedent, String consequent, long supportCount, double support,
                    double confidence, double lift, double leverage, Double conviction) {
        static RuleBody of(AssociationRule r) {
            return new RuleBody(r.antecedent(), r.consequent(), r.supportCount(), r.support(), r.confidence(),
                    r.lift(), r.leverage(), Double.isInfinite(r.conviction()) ? null : r.conviction());
        }
    }

    /** {@code returnedQuantity}: of {@code quantity}, the units the customer returned; left out when none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PurchaseBody(int orderCount, double quantity, String lastPurchased, Double returnedQuantity) {
    }

    record PopularityBody(long orderCount, long customerCount) {
    }

    /** {@code matched}: rules passing the filters; {@code rules}: those from {@code offset} on, up to the limit. */
    record RulesBody(String modelVersion, String sort, long matched, int offset, List<RuleBody> rules) {
    }

    record HealthBody(String status, String modelVersion) {
    }
}
