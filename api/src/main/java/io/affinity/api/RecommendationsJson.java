package io.affinity.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Explanation;
import io.affinity.recommender.Recommendation;
import io.affinity.recommender.RecommendationSource;
import io.affinity.recommender.Recommendations;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToIntFunction;

/**
 * Writes a recommendation answer with Jackson's streaming generator, straight to UTF-8 bytes: the same JSON as
 * {@link Bodies.RecommendationsBody} through data binding (a test compares them byte for byte), without building
 * the wire records and without reflective accessor calls. It runs on every recommendation request, where data
 * binding and the intermediate String were about a tenth of the customer endpoint's CPU time.
 *
 * <p>What recurs across requests and customers is encoded by Jackson once and written from bounded caches: item
 * ids, descriptions and explanation summaries (escaping strings was the largest single cost of an answer), and
 * whole explanations that carry no purchase of the customer (written as raw JSON values: most of an item's
 * tokens). Explanations of the customer's own purchases are written field by field (their summary from the string
 * cache: it names a count and a day, never a customer), and never cached whole.
 */
final class RecommendationsJson {
    // Field names encoded once: writing a pre-quoted name is a copy instead of an escape pass per request.
    private static final SerializedString F_ANTECEDENT = new SerializedString("antecedent");
    private static final SerializedString F_CONFIDENCE = new SerializedString("confidence");
    private static final SerializedString F_CONSEQUENT = new SerializedString("consequent");
    private static final SerializedString F_CONVICTION = new SerializedString("conviction");
    private static final SerializedString F_CUSTOMER_COUNT = new SerializedString("customerCount");
    private static final SerializedString F_DESCRIPTION = new SerializedString("description");
    private static final SerializedString F_EXPLANATION = new SerializedString("explanation");
    private static final SerializedString F_FALLBACK = new SerializedString("fallback");
    private static final SerializedString F_ITEM_ID = new SerializedString("itemId");
    private static final SerializedString F_ITEMS = new SerializedString("items");
    private static final SerializedString F_KIND = new SerializedString("kind");
    private static final SerializedString F_LAST_PURCHASED = new SerializedString("lastPurchased");
    private static final SerializedString F_LEVERAGE = new SerializedString("leverage");
    private static final SerializedString F_LIFT = new SerializedString("lift");
    private static final SerializedString F_MODEL = new SerializedString("model");
    private static final SerializedString F_MODEL_VERSION = new SerializedString("modelVersion");
    private static final SerializedString F_NAME = new SerializedString("name");
    private static final SerializedString F_ORDER_COUNT = new SerializedString("orderCount");
    private static final SerializedString F_POPULARITY = new SerializedString("popularity");
    private static final SerializedString F_PREVIOUSLY_BOUGHT = new SerializedString("previouslyBought");
    private static final SerializedString F_PURCHASE = new SerializedString("purchase");
    private static final SerializedString F_QUANTITY = new SerializedString("quantity");
    private static final SerializedString F_RETURNED_QUANTITY = new SerializedString("returnedQuantity");
    private static final SerializedString F_RULE = new SerializedString("rule");
    private static final SerializedString F_SCORE = new SerializedString("score");
    private static final SerializedString F_SOURCE = new SerializedString("source");
    private static final SerializedString F_SUMMARY = new SerializedString("summary");
    private static final SerializedString F_SUPPORT = new SerializedString("support");
    private static final SerializedString F_SUPPORT_COUNT = new SerializedString("supportCount");
    private static final SerializedString F_UNKNOWN_ITEMS = new SerializedString("unknownItems");
    /**
     * Slots of the encoded-string cache: above a typical catalogue's items times the strings per item (id,
     * description) plus the repeat-item summaries in use.
     */
    static final int STRING_CACHE_SLOTS = 1 << 15;

    /** The source names, encoded once: a fixed set, so an array by ordinal instead of a cache lookup per item. */
    private static final SerializedString[] SOURCE_NAMES = Arrays.stream(RecommendationSource.values())
            .map(s -> new SerializedString(s.wireName())).toArray(SerializedString[]::new);

    private final JsonFactory factory;
    private final Encoded<String> strings = new Encoded<>(STRING_CACHE_SLOTS, String::hashCode);
    private final ItemStrings itemStrings = new ItemStrings(STRING_CACHE_SLOTS);
    // Records' generated hashCode and equals (method-handle chains the JIT did not fold into the caller) took a
    // fifth of an answer's writing time here: these caches hash from the fields' cached String hashes, and a hit
    // is found by identity first (the recommender hands out shared instances), by equals only otherwise.
    private final Encoded<Explanation> renderedExplanations =
            new Encoded<>(1 << 14, e -> e.summary().hashCode());
    private final Encoded<Explanation.ModelEvidence> renderedModels = new Encoded<>(256,
            m -> (m.model().hashCode() * 31 + m.source().hashCode()) * 31 + m.kind().hashCode());
    private final EncodedByLong renderedQuantities = new EncodedByLong(1024);
    private final EncodedByLong renderedDays = new EncodedByLong(4096);

    RecommendationsJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** The body as bytes; {@code previouslyBought} null leaves the field out (requests that name no customer). */
    byte[] write(Recommendations r, Set<String> previouslyBought) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(factory._getBufferRecycler(), 4096)) {
            write(r, previouslyBought, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /**
     * Writes the body to {@code out} (left open): the server passes its response stream, so the answer goes from
     * the generator's recycled buffer to the response without an intermediate array or copy.
     */
    void write(Recommendations r, Set<String> previouslyBought, OutputStream out) throws IOException {
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            cached(g, F_MODEL_VERSION, r.modelVersion());
            bool(g, F_FALLBACK, r.fallback());
            g.writeFieldName(F_ITEMS);
            g.writeStartArray();
            List<Recommendation> items = r.items();
            for (int i = 0, n = items.size(); i < n; i++) {
                item(g, items.get(i), previouslyBought);
            }
            g.writeEndArray();
            if (!r.unknownItems().isEmpty()) {
                g.writeFieldName(F_UNKNOWN_ITEMS);
                g.writeStartArray();
                for (String u : r.unknownItems()) {
                    g.writeString(u);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    private void item(JsonGenerator g, Recommendation r, Set<String> previouslyBought) throws IOException {
        g.writeStartObject();
        ItemStrings.Entry strings = itemStrings.get(r.itemId(), r.description());
        g.writeFieldName(F_ITEM_ID);
        g.writeString(strings.itemId());
        g.writeFieldName(F_DESCRIPTION);
        g.writeString(strings.description());
        number(g, F_SCORE, r.score());
        g.writeFieldName(F_SOURCE);
        g.writeString(SOURCE_NAMES[r.source().ordinal()]);
        if (previouslyBought != null) {
            bool(g, F_PREVIOUSLY_BOUGHT, previouslyBought.contains(r.itemId()));
        }
        g.writeFieldName(F_EXPLANATION);
        explanation(g, r.explanation());
        g.writeEndObject();
    }

    /**
     * An explanation without the customer's purchases is the same for every answer that shows it (the served
     * model's phrase, a rule, an item's popularity): it is written as a raw value that Jackson rendered once and
     * the cache keeps (keyed by the explanation's value, so equal explanations share it). Only explanations of a
     * customer's own purchases are written field by field, and they are never cached.
     */
    private void explanation(JsonGenerator g, Explanation e) throws IOException {
        if (e.purchase() == null) {
            g.writeRawValue(renderedExplanations.get(e, this::render));
        } else {
            explanationObject(g, e);
        }
    }

    private String render(Explanation e) {
        return render(g -> explanationObject(g, e));
    }

    private void explanationObject(JsonGenerator g, Explanation e) throws IOException {
        g.writeStartObject();
        // A repeat item's summary (order count, last day, model phrase) recurs across customers, and the
        // recommender hands out one String per combination: found by identity, written without escaping it again.
        cached(g, F_SUMMARY, e.summary());
        if (e.rule() != null) {
            g.writeFieldName(F_RULE);
            rule(g, e.rule());
        }
        if (e.purchase() != null) {
            g.writeFieldName(F_PURCHASE);
            g.writeStartObject();
            number(g, F_ORDER_COUNT, e.purchase().orderCount());
            // Few distinct quantities and days recur over all customers: formatted once (doubles and dates were the
            // costliest tokens left), written as the raw values Jackson rendered for them.
            // Keyed by the double's bits and the epoch day: no boxing, no virtual hashCode/equals per lookup.
            double quantity = e.purchase().quantity();
            g.writeFieldName(F_QUANTITY);
            g.writeRawValue(renderedQuantities.get(Double.doubleToRawLongBits(quantity),
                    bits -> render(w -> w.writeNumber(quantity))));
            LocalDate day = e.purchase().lastPurchased();
            g.writeFieldName(F_LAST_PURCHASED);
            g.writeRawValue(renderedDays.get(day.toEpochDay(), d -> render(w -> w.writeString(day.toString()))));
            if (e.purchase().returnedQuantity() > 0) {
                number(g, F_RETURNED_QUANTITY, e.purchase().returnedQuantity());
            }
            g.writeEndObject();
        }
        if (e.popularity() != null) {
            g.writeFieldName(F_POPULARITY);
            g.writeStartObject();
            number(g, F_ORDER_COUNT, e.popularity().orderCount());
            number(g, F_CUSTOMER_COUNT, e.popularity().customerCount());
            g.writeEndObject();
        }
        if (e.model() != null) {
            g.writeFieldName(F_MODEL);
            g.writeRawValue(renderedModels.get(e.model(), this::render));
        }
        g.writeEndObject();
    }

    private String render(Explanation.ModelEvidence m) {
        return render(g -> {
            g.writeStartObject();
            string(g, F_NAME, m.model());
            string(g, F_SOURCE, m.source());
            string(g, F_KIND, m.kind());
            g.writeEndObject();
        });
    }

    private interface Rendering {
        void writeTo(JsonGenerator g) throws IOException;
    }

    /** The JSON text of one value, as Jackson writes it. */
    private String render(Rendering value) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(factory._getBufferRecycler(), 128)) {
            try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
                value.writeTo(g);
            }
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory cannot fail", ex);
        }
    }

    private static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    private void cached(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(strings.get(value, v -> v));
    }

    /**
     * Encoded forms of recurring values, direct-mapped (a fixed array of slots indexed by the key's hash; a
     * colliding key replaces the occupant): bounded, lock-free, nothing to evict. An entry holds its own key, and
     * a hit needs an equal key, so it is right whatever model version is served; a racy overwrite only costs a
     * later re-encoding. For strings the value is the string (written quoted, escaped once by Jackson); for
     * explanations, the JSON text Jackson rendered for them (written as a raw value).
     */
    static final class Encoded<K> extends DirectMapped<Encoded.Entry<K>> {
        private record Entry<K>(K key, SerializedString value) {
        }

        private final ToIntFunction<? super K> hash;

        /** @param hash consistent with the keys' equals (equal keys, equal hashes); need not be their hashCode */
        Encoded(int size, ToIntFunction<? super K> hash) {
            super(size);
            this.hash = hash;
        }

        SerializedString get(K key, Function<K, String> encode) {
            int h = hash.applyAsInt(key);
            Entry<K> e = at(h);
            if (e != null && (e.key == key || e.key.equals(key))) {
                return e.value;
            }
            e = new Entry<>(key, new SerializedString(encode.apply(key)));
            put(h, e);
            return e.value;
        }
    }

    /**
     * An item's id and description, encoded together: the description is the item's within one snapshot, so one
     * lookup (keyed by the id) serves both fields instead of two. A hit needs the same id and an equal description
     * (the recommender hands out the snapshot's description instance, so that is an identity check), so an entry
     * is right whatever model version is served. Direct-mapped like {@link Encoded}.
     */
    static final class ItemStrings extends DirectMapped<ItemStrings.Entry> {
        record Entry(SerializedString itemId, SerializedString description) {
        }

        ItemStrings(int size) {
            super(size);
        }

        Entry get(String itemId, String description) {
            int h = itemId.hashCode();
            Entry e = at(h);
            if (e != null && e.itemId.getValue().equals(itemId) && e.description.getValue().equals(description)) {
                return e;
            }
            e = new Entry(new SerializedString(itemId), new SerializedString(description));
            put(h, e);
            return e;
        }
    }

    /**
     * As {@link Encoded}, for values identified by a {@code long} (a double's bits, an epoch day): the key is
     * compared as a primitive, so a lookup neither boxes nor calls hashCode/equals.
     */
    static final class EncodedByLong extends DirectMapped<EncodedByLong.Entry> {
        private record Entry(long key, SerializedString value) {
        }

        EncodedByLong(int size) {
            super(size);
        }

        SerializedString get(long key, LongFunction<String> encode) {
            int h = Long.hashCode(key);
            Entry e = at(h);
            if (e != null && e.key == key) {
                return e.value;
            }
            e = new Entry(key, new SerializedString(encode.apply(key)));
            put(h, e);
            return e.value;
        }
    }

    /**
     * The storage of a direct-mapped cache: a fixed power-of-two array of immutable entries, the slot chosen by a
     * key's hash; a colliding key replaces the occupant. Plain (not volatile) reads and writes: an entry is
     * immutable, so a reader sees it whole or not at all, and a lost write only costs a later re-encoding.
     */
    abstract static class DirectMapped<E> {
        private final AtomicReferenceArray<E> slots;
        private final int mask;

        DirectMapped(int size) {
            if (Integer.bitCount(size) != 1) {
                throw new IllegalArgumentException("size must be a power of two, was " + size);
            }
            this.slots = new AtomicReferenceArray<>(size);
            this.mask = size - 1;
        }

        /** The entry in the slot of {@code hash}, or null; the caller checks it holds its key. */
        final E at(int hash) {
            return slots.getPlain(slot(hash));
        }

        final void put(int hash, E entry) {
            slots.setPlain(slot(hash), entry);
        }

        private int slot(int h) {
            return (h ^ (h >>> 16)) & mask;
        }
    }

    private static void number(JsonGenerator g, SerializedString name, double value) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(value);
    }

    private static void number(JsonGenerator g, SerializedString name, long value) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(value);
    }

    private static void bool(JsonGenerator g, SerializedString name, boolean value) throws IOException {
        g.writeFieldName(name);
        g.writeBoolean(value);
    }

    /** As {@link Bodies.RuleBody}: conviction is null when infinite. */
    private static void rule(JsonGenerator g, AssociationRule r) throws IOException {
        g.writeStartObject();
        g.writeFieldName(F_ANTECEDENT);
        g.writeStartArray();
        for (String a : r.antecedent()) {
            g.writeString(a);
        }
        g.writeEndArray();
        string(g, F_CONSEQUENT, r.consequent());
        number(g, F_SUPPORT_COUNT, r.supportCount());
        number(g, F_SUPPORT, r.support());
        number(g, F_CONFIDENCE, r.confidence());
        number(g, F_LIFT, r.lift());
        number(g, F_LEVERAGE, r.leverage());
        if (Double.isInfinite(r.conviction())) {
            g.writeFieldName(F_CONVICTION);
            g.writeNull();
        } else {
            number(g, F_CONVICTION, r.conviction());
        }
        g.writeEndObject();
    }
}
