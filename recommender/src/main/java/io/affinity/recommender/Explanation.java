package io.affinity.recommender;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Why an item was recommended, matching the recommendation's source; {@code summary} says it in words for
 * people. Exactly one of {@code rule}, {@code purchase}, {@code popularity} and {@code model} is set, except that
 * a model's repeat item carries both {@code model} and the {@code purchase} history (missing only in snapshots
 * trained while histories were capped at 200 items; its summary then does not say "bought before", and in models
 * trained on an order sequence, whose summary names the order in the sequence instead of a date), and that none is
 * set for a catalogue item never ordered that a request's pin put in (there is no evidence), nor for a repeat
 * purchase of a model trained on an order sequence (its summary says it in words).
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

    /**
     * The rule in words for a person, who knows items by name, not by code: each antecedent item by its description
     * ({@code describe}), or by its id where it has none. The rule itself, with the ids, is in {@link #rule}.
     */
    static Explanation ofRule(AssociationRule rule, java.util.function.Function<String, String> describe) {
        StringBuilder with = new StringBuilder();
        for (String item : rule.antecedent()) {
            String description = describe.apply(item);
            with.append(with.length() == 0 ? "" : " + ")
                    .append(description == null || description.isBlank() ? item : description);
        }
        String summary = String.format(Locale.ROOT, "in %2$.1f%% of baskets with %1$s (lift %3$.1f)",
                with, 100 * rule.confidence(), rule.lift());
        return new Explanation(summary, rule, null, null);
    }

    static Explanation ofRepeat(PurchasedItem purchase) {
        return new Explanation("bought before in " + purchase.orderCount() + " order(s), last on "
                + purchase.lastPurchased() + purchase.returnsNote(), null, purchase, null);
    }

    /**
     * A repeat purchase of a model trained on an order sequence: its "date" is the sequence number n stored as day n
     * after 1970-01-01, so the summary names the order in the sequence and the purchase (whose only date field
     * would read as a 1970 calendar date) is left out.
     */
    static Explanation ofRepeatInSequence(PurchasedItem purchase) {
        return new Explanation(sequenceSummary(purchase), null, null, null);
    }

    private static String sequenceSummary(PurchasedItem purchase) {
        return "bought before in " + purchase.orderCount() + " order(s), last in order " + purchase.lastPurchased()
                .toEpochDay() + " of the order sequence" + purchase.returnsNote();
    }

    static Explanation ofPopularity(PopularItem popular) {
        String summary = popular.customerCount() == 0 ? "popular: in " + popular.orderCount() + " orders"
                : "popular: bought by " + popular.customerCount() + " customers in " + popular.orderCount() + " orders";
        return new Explanation(summary, null, null, popular);
    }

    /**
     * The evidence of a catalogue item a pin injects: its popularity, or, for an item of the catalogue file never
     * ordered (the pin is the only reason to show it), no evidence object.
     */
    public static Explanation ofCatalogueItem(String itemId, long orderCount, long customerCount) {
        return orderCount > 0 ? ofPopularity(new PopularItem(itemId, orderCount, customerCount))
                : new Explanation("in the catalogue, never ordered in the training data", null, null, null);
    }

    /**
     * What a model explanation says apart from the customer's purchase, per (model, source, kind): a handful of
     * combinations per model, built once instead of per recommended item (this runs for every item of every
     * personal answer). Bounded, in case model names come and go over many swaps.
     */
    private record ModelPhrase(ModelEvidence evidence, String by, Explanation withoutPurchase) {
    }

    private static final int MAX_MODEL_PHRASES = 4096;
    private static final ConcurrentHashMap<ModelEvidence, ModelPhrase> MODEL_PHRASES = new ConcurrentHashMap<>();

    /** As {@link #ofModel(String, PrecomputedItem)}; {@code orderSequence}: see {@link #ofRepeatInSequence}. */
    static Explanation ofModel(String model, PrecomputedItem item, boolean orderSequence) {
        if (!orderSequence || !item.repeat() || item.purchase() == null) {
            return ofModel(model, item);
        }
        ModelPhrase phrase = phrase(model, item);
        return new Explanation(sequenceSummary(item.purchase()) + "; proposed again by the " + phrase.by, null, null,
                null, phrase.evidence);
    }

    static Explanation ofModel(String model, PrecomputedItem item) {
        ModelPhrase phrase = phrase(model, item);
        if (!item.repeat() || item.purchase() == null) {
            return phrase.withoutPurchase;
        }
        return new Explanation(purchaseSummary(item.purchase(), phrase.by), null, item.purchase(), null,
                phrase.evidence);
    }

    private static ModelPhrase phrase(String model, PrecomputedItem item) {
        ModelEvidence evidence = new ModelEvidence(model, item.source(), item.repeat() ? "repeat" : "new");
        ModelPhrase phrase = MODEL_PHRASES.get(evidence);
        if (phrase == null) {
            phrase = modelPhrase(evidence);
            if (MODEL_PHRASES.size() < MAX_MODEL_PHRASES) {
                MODEL_PHRASES.putIfAbsent(evidence, phrase);
            }
        }
        return phrase;
    }

    /**
     * A repeat item's summary recurs across customers: it depends only on the order count, the last purchase's
     * day and the model phrase, a few thousand combinations for a retailer's history. One String per
     * combination is kept, so a personal answer neither formats a date nor concatenates per item, and the
     * writer finds the summary by identity in its encoded-string cache instead of escaping it per answer. The
     * key holds no customer: the same text is every customer's with that count, day and phrase.
     * Direct-mapped (bounded, lock-free; a colliding combination replaces the occupant), immutable entries.
     */
    private record PurchaseSummary(int orderCount, LocalDate lastPurchased, String by, String text) {
    }

    private static final int PURCHASE_SUMMARY_BITS = 14;
    private static final AtomicReferenceArray<PurchaseSummary> PURCHASE_SUMMARIES =
            new AtomicReferenceArray<>(1 << PURCHASE_SUMMARY_BITS);

    static String purchaseSummary(PurchasedItem purchase, String by) {
        if (purchase.returnedQuantity() > 0) {
            // Rare, and the units make the combinations many: not cached.
            return "bought before in " + purchase.orderCount() + " order(s), last on " + purchase.lastPurchased()
                    + purchase.returnsNote() + "; proposed again by the " + by;
        }
        int orderCount = purchase.orderCount();
        LocalDate day = purchase.lastPurchased();
        int h = (orderCount * 31 + Long.hashCode(day.toEpochDay())) * 31 + by.hashCode();
        int slot = (h * 0x9E3779B9) >>> (32 - PURCHASE_SUMMARY_BITS);
        PurchaseSummary s = PURCHASE_SUMMARIES.getPlain(slot);
        if (s != null && s.orderCount == orderCount && s.lastPurchased.equals(day) && s.by.equals(by)) {
            return s.text;
        }
        String text = "bought before in " + orderCount + " order(s), last on " + day + "; proposed again by the "
                + by;
        PURCHASE_SUMMARIES.setPlain(slot, new PurchaseSummary(orderCount, day, by, text));
        return text;
    }

    private static ModelPhrase modelPhrase(ModelEvidence evidence) {
        String model = evidence.model();
        String source = evidence.source();
        // A learned re-ranker orders candidates other models proposed: name both honestly.
        String by;
        if (model.equals(source)) {
            by = model + " model";
        } else if ("reranker".equals(model)) {
            by = source + " model and ranked by the learned re-ranker";
        } else {
            by = model + " model, mostly " + source;
        }
        // Without the purchase (older snapshots only) a repeat's summary states no purchase it cannot show.
        String summary = evidence.kind().equals("new") ? "new to you; proposed by the " + by
                : "a repeat purchase proposed by the " + by + "; this model version has no purchase details for "
                + "it (retrain)";
        return new ModelPhrase(evidence, by, new Explanation(summary, null, null, null, evidence));
    }
}
