package io.affinity.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Explanation;
import io.affinity.recommender.Recommendation;
import io.affinity.recommender.Recommendations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * Writes a recommendation answer with Jackson's streaming generator, straight to UTF-8 bytes: the same JSON as
 * {@link Bodies.RecommendationsBody} through data binding (a test compares them byte for byte), without building
 * the wire records and without reflective accessor calls. It runs on every recommendation request, where data
 * binding and the intermediate String were about a tenth of the customer endpoint's CPU time.
 */
final class RecommendationsJson {
    private final JsonFactory factory;

    RecommendationsJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** The body; {@code previouslyBought} null leaves the field out (requests that name no customer). */
    byte[] write(Recommendations r, Set<String> previouslyBought) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(factory._getBufferRecycler(), 4096)) {
            try (JsonGenerator g = factory.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("modelVersion", r.modelVersion());
                g.writeBooleanField("fallback", r.fallback());
                g.writeArrayFieldStart("items");
                List<Recommendation> items = r.items();
                for (int i = 0, n = items.size(); i < n; i++) {
                    item(g, items.get(i), previouslyBought);
                }
                g.writeEndArray();
                if (!r.unknownItems().isEmpty()) {
                    g.writeArrayFieldStart("unknownItems");
                    for (String u : r.unknownItems()) {
                        g.writeString(u);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    private static void item(JsonGenerator g, Recommendation r, Set<String> previouslyBought) throws IOException {
        g.writeStartObject();
        g.writeStringField("itemId", r.itemId());
        g.writeStringField("description", r.description());
        g.writeNumberField("score", r.score());
        g.writeStringField("source", r.source().wireName());
        if (previouslyBought != null) {
            g.writeBooleanField("previouslyBought", previouslyBought.contains(r.itemId()));
        }
        Explanation e = r.explanation();
        g.writeObjectFieldStart("explanation");
        g.writeStringField("summary", e.summary());
        if (e.rule() != null) {
            g.writeFieldName("rule");
            rule(g, e.rule());
        }
        if (e.purchase() != null) {
            g.writeObjectFieldStart("purchase");
            g.writeNumberField("orderCount", e.purchase().orderCount());
            g.writeNumberField("quantity", e.purchase().quantity());
            g.writeStringField("lastPurchased", e.purchase().lastPurchased().toString());
            g.writeEndObject();
        }
        if (e.popularity() != null) {
            g.writeObjectFieldStart("popularity");
            g.writeNumberField("orderCount", e.popularity().orderCount());
            g.writeNumberField("customerCount", e.popularity().customerCount());
            g.writeEndObject();
        }
        if (e.model() != null) {
            g.writeObjectFieldStart("model");
            g.writeStringField("name", e.model().model());
            g.writeStringField("source", e.model().source());
            g.writeStringField("kind", e.model().kind());
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** As {@link Bodies.RuleBody}: conviction is null when infinite. */
    private static void rule(JsonGenerator g, AssociationRule r) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("antecedent");
        for (String a : r.antecedent()) {
            g.writeString(a);
        }
        g.writeEndArray();
        g.writeStringField("consequent", r.consequent());
        g.writeNumberField("supportCount", r.supportCount());
        g.writeNumberField("support", r.support());
        g.writeNumberField("confidence", r.confidence());
        g.writeNumberField("lift", r.lift());
        g.writeNumberField("leverage", r.leverage());
        if (Double.isInfinite(r.conviction())) {
            g.writeNullField("conviction");
        } else {
            g.writeNumberField("conviction", r.conviction());
        }
        g.writeEndObject();
    }
}
