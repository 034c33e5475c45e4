package io.affinity.training;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.evaluation.EvaluationSettings;
import io.affinity.training.evaluation.ServedBlend;
import io.affinity.training.ingest.Transactions;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Fits the served recommender and puts every identified customer's precomputed list into the snapshot. */
final class CustomerRecommendations {
    /** Seed of randomised models (ALS): the evaluation's default, so both fit the same models. */
    static final long SEED = 42;

    private CustomerRecommendations() {
    }

    /**
     * @param histories  the customers' complete histories by id: every repeat item's purchase comes from it
     * @param rules      train's --min-support, --min-confidence and --min-lift: the blend's rules model mines with
     *                   them, as the snapshot's rules are (and the validation that weighs it sees that model)
     * @return the manifest section describing what is served
     */
    static Map<String, Object> precompute(Transactions tx, RecommenderParameters p, TrainingParameters rules,
                                          Map<String, CustomerHistory> histories, SnapshotBuilder builder,
                                          Consumer<String> progress) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("parameters", p.asManifestMap());
        if (!p.precompute()) {
            section.put("name", "rules");
            section.put("note", "no precomputed lists: customers get rules fired by their history per request");
            return section;
        }
        Map<String, Object> parameters = p.asManifestMap();
        parameters.put("seed", SEED);
        section.put("parameters", parameters);
        int[] stored = {0};
        ServedBlend.Result r = ServedBlend.fit(tx, new ServedBlend.Settings(p.validationDays(), p.topN(),
                p.threads(), SEED, p.reducedGrid(), p.seasonWindow(), rules.minSupport(), rules.minConfidence(),
                rules.minLift(), EvaluationSettings.DEFAULT_CUSTOMERS_PER_BLOCK),
                progress, (served, c, items, scores, repeat, sources) -> {
            if (items.length == 0) {
                return;
            }
            String customerId = tx.customerId(c);
            CustomerHistory history = histories.get(customerId);
            Map<String, PurchasedItem> bought = new HashMap<>();
            if (history != null) {
                history.items().forEach(i -> bought.put(i.itemId(), i));
            }
            List<PrecomputedItem> list = new ArrayList<>(items.length);
            for (int k = 0; k < items.length; k++) {
                String itemId = tx.itemId(items[k]);
                PurchasedItem purchase = repeat[k] ? bought.get(itemId) : null;
                if (repeat[k] && purchase == null) {
                    // Histories are complete, so a repeat the model saw must be in it: a mismatch is a bug, and
                    // serving "bought before" without the purchase would be a claim without its facts.
                    throw new IllegalStateException("served model marked item " + itemId
                            + " as a repeat purchase, but the customer's history does not contain it");
                }
                list.add(new PrecomputedItem(itemId, scores[k], repeat[k], sources[k], purchase));
            }
            builder.putCustomerRecommendations(customerId, new PrecomputedRecommendations(served, list));
            stored[0]++;
        });
        section.put("name", r.served());
        section.put("validationNdcg@10", r.validationNdcg());
        section.put("bestSingleModel", r.bestSingle());
        section.put("bestSingleValidationNdcg@10", r.bestSingleValidationNdcg());
        section.put("validationSplit", r.validationSplit());
        // Purchase ages (recency decays, days since) count from the data's last order, not from the run's clock:
        // the same data give the same lists whenever they are trained.
        section.put("recencyAsOf", lastOrder(tx).toString());
        section.put("validationCustomers", r.validationCustomers());
        section.put("blendValidationNdcg@10", r.blendValidationNdcg());
        section.put("blendOutOfFoldNdcg@10", r.blendOutOfFoldNdcg());
        section.put("rerankerValidationNdcg@10", r.rerankerValidationNdcg());
        section.put("selectedBy", "validation ndcg@10: re-ranker and blend out of fold (two customer folds)");
        section.put("reranker", r.reranker());
        section.put("weights", r.weights());
        section.put("hyperParameters", r.hyperParameters());
        section.put("customers", stored[0]);
        section.put("fitSeconds", Math.round(r.seconds() * 10) / 10.0);
        return section;
    }

    private static LocalDateTime lastOrder(Transactions tx) {
        long last = Long.MIN_VALUE;
        for (int o = 0; o < tx.orderCount(); o++) {
            last = Math.max(last, tx.localEpochSecondOf(o));
        }
        return LocalDateTime.ofEpochSecond(last, 0, ZoneOffset.UTC);
    }
}
