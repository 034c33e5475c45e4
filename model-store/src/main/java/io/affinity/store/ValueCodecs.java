package io.affinity.store;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;

/**
 * The compact binary encodings of the values stored in the Chronicle Map files. Every value starts with a codec
 * version byte; integers are unsigned LEB128 varints (dates: zig-zag epoch days), doubles 8 bytes little-endian,
 * strings varint byte length + UTF-8. The map key is not repeated in the value.
 *
 * <pre>
 * item     := v=1, description:str, category:str, typicalPrice:f64, orderCount:var, customerCount:var, quantity:f64
 * rules    := v=1, n:var, rule*n
 * rule     := antecedentSize:var, item:str*antecedentSize, consequent:str, supportCount:var,
 *             support:f64, confidence:f64, lift:f64, leverage:f64, conviction:f64
 * customer := v=1, orderCount:var, totalSpend:f64, firstPurchase:zz, lastPurchase:zz, distinctItemCount:var,
 *             n:var, (itemId:str, orderCount:var, quantity:f64, lastPurchased:zz)*n
 * recs     := v=1, model:str, s:var, source:str*s, n:var, rec*n       (customer-recs.cmap; best first)
 * rec      := itemId:str, score:f64, flags:byte (1 = repeat, 2 = purchase follows), sourceIndex:var,
 *             [orderCount:var, quantity:f64, lastPurchased:zz]
 * </pre>
 */
final class ValueCodecs {
    static final int ITEM_CODEC_VERSION = 1;
    static final int RULES_CODEC_VERSION = 1;
    static final int CUSTOMER_CODEC_VERSION = 1;
    static final int RECS_CODEC_VERSION = 1;

    private ValueCodecs() {
    }

    // ---------------------------------------------------------------- items

    static void encodeItem(ItemFacts f, ByteWriter w) {
        w.writeByte(ITEM_CODEC_VERSION);
        w.writeString(f.description());
        w.writeString(f.category());
        w.writeDouble(f.typicalPrice());
        w.writeVarLong(f.orderCount());
        w.writeVarLong(f.customerCount());
        w.writeDouble(f.quantity());
    }

    static ItemFacts decodeItem(String itemId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, itemId);
        checkVersion(r, ITEM_CODEC_VERSION, file, itemId);
        try {
            ItemFacts f = new ItemFacts(itemId, r.readString(), r.readString(), r.readDouble(), r.readVarLong(),
                    r.readVarLong(), r.readDouble());
            r.expectEnd();
            return f;
        } catch (IllegalArgumentException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- rules

    static void encodeRules(List<AssociationRule> rules, ByteWriter w) {
        w.writeByte(RULES_CODEC_VERSION);
        w.writeVarLong(rules.size());
        for (AssociationRule rule : rules) {
            List<String> antecedent = rule.antecedent();
            w.writeVarLong(antecedent.size());
            for (int i = 0; i < antecedent.size(); i++) {
                w.writeString(antecedent.get(i));
            }
            w.writeString(rule.consequent());
            w.writeVarLong(rule.supportCount());
            w.writeDouble(rule.support());
            w.writeDouble(rule.confidence());
            w.writeDouble(rule.lift());
            w.writeDouble(rule.leverage());
            w.writeDouble(rule.conviction());
        }
    }

    static List<AssociationRule> decodeRules(String itemId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, itemId);
        checkVersion(r, RULES_CODEC_VERSION, file, itemId);
        try {
            int n = readCount(r, value.length);
            AssociationRule[] rules = new AssociationRule[n];
            for (int i = 0; i < n; i++) {
                int a = readCount(r, value.length);
                String[] antecedent = new String[a];
                for (int j = 0; j < a; j++) {
                    antecedent[j] = r.readString();
                }
                rules[i] = new AssociationRule(List.of(antecedent), r.readString(), r.readVarLong(), r.readDouble(),
                        r.readDouble(), r.readDouble(), r.readDouble(), r.readDouble());
            }
            r.expectEnd();
            return List.of(rules);
        } catch (IllegalArgumentException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- customers

    static void encodeCustomer(CustomerHistory h, ByteWriter w) {
        w.writeByte(CUSTOMER_CODEC_VERSION);
        w.writeVarLong(h.orderCount());
        w.writeDouble(h.totalSpend());
        w.writeZigZag(h.firstPurchase().toEpochDay());
        w.writeZigZag(h.lastPurchase().toEpochDay());
        w.writeVarLong(h.distinctItemCount());
        List<PurchasedItem> items = h.items();
        w.writeVarLong(items.size());
        for (int i = 0; i < items.size(); i++) {
            PurchasedItem p = items.get(i);
            w.writeString(p.itemId());
            w.writeVarLong(p.orderCount());
            w.writeDouble(p.quantity());
            w.writeZigZag(p.lastPurchased().toEpochDay());
        }
    }

    static CustomerHistory decodeCustomer(String customerId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, customerId);
        checkVersion(r, CUSTOMER_CODEC_VERSION, file, customerId);
        try {
            int orderCount = r.readVarInt();
            double totalSpend = r.readDouble();
            LocalDate first = LocalDate.ofEpochDay(r.readZigZag());
            LocalDate last = LocalDate.ofEpochDay(r.readZigZag());
            int distinct = r.readVarInt();
            int n = readCount(r, value.length);
            PurchasedItem[] items = new PurchasedItem[n];
            for (int i = 0; i < n; i++) {
                items[i] = new PurchasedItem(r.readString(), r.readVarInt(), r.readDouble(),
                        LocalDate.ofEpochDay(r.readZigZag()));
            }
            r.expectEnd();
            return new CustomerHistory(orderCount, totalSpend, first, last,
                    n == 0 ? Collections.emptyList() : List.of(items), distinct);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- precomputed customer recommendations

    static void encodeRecommendations(PrecomputedRecommendations recs, ByteWriter w) {
        w.writeByte(RECS_CODEC_VERSION);
        w.writeString(recs.model());
        // Few distinct source model names per list: a table, then an index per item.
        java.util.LinkedHashMap<String, Integer> sources = new java.util.LinkedHashMap<>();
        for (PrecomputedItem p : recs.items()) {
            sources.putIfAbsent(p.source(), sources.size());
        }
        w.writeVarLong(sources.size());
        sources.keySet().forEach(w::writeString);
        w.writeVarLong(recs.items().size());
        for (PrecomputedItem p : recs.items()) {
            w.writeString(p.itemId());
            w.writeDouble(p.score());
            w.writeByte((p.repeat() ? 1 : 0) | (p.purchase() != null ? 2 : 0));
            w.writeVarLong(sources.get(p.source()));
            if (p.purchase() != null) {
                w.writeVarLong(p.purchase().orderCount());
                w.writeDouble(p.purchase().quantity());
                w.writeZigZag(p.purchase().lastPurchased().toEpochDay());
            }
        }
    }

    static PrecomputedRecommendations decodeRecommendations(String customerId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, customerId);
        checkVersion(r, RECS_CODEC_VERSION, file, customerId);
        try {
            String model = r.readString();
            int s = readCount(r, value.length);
            String[] sources = new String[s];
            for (int i = 0; i < s; i++) {
                sources[i] = r.readString();
            }
            int n = readCount(r, value.length);
            PrecomputedItem[] items = new PrecomputedItem[n];
            for (int i = 0; i < n; i++) {
                String itemId = r.readString();
                double score = r.readDouble();
                int flags = r.readByte();
                if ((flags & ~3) != 0) {
                    throw r.corrupt("invalid flags " + flags);
                }
                int source = r.readVarInt();
                if (source >= s) {
                    throw r.corrupt("source index " + source + " out of " + s);
                }
                PurchasedItem purchase = (flags & 2) == 0 ? null : new PurchasedItem(itemId, r.readVarInt(),
                        r.readDouble(), LocalDate.ofEpochDay(r.readZigZag()));
                items[i] = new PrecomputedItem(itemId, score, (flags & 1) != 0, sources[source], purchase);
            }
            r.expectEnd();
            return new PrecomputedRecommendations(model, List.of(items));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A list length can never exceed the bytes left: guards against huge allocations on garbage. */
    private static int readCount(ByteReader r, int valueLength) {
        int n = r.readVarInt();
        if (n > valueLength - r.position()) {
            throw r.corrupt("implausible element count " + n);
        }
        return n;
    }

    private static void checkVersion(ByteReader r, int supported, Path file, String key) {
        int v = r.readByte();
        if (v > supported) {
            throw new SnapshotFormatException(file,
                    "format too new: value of key '" + key + "' has codec version " + v + ", this software reads up to " + supported);
        }
        if (v < 1) {
            throw r.corrupt("invalid codec version " + v);
        }
    }

    private static CorruptSnapshotException invalid(ByteReader r, RuntimeException e) {
        CorruptSnapshotException c = r.corrupt("decoded value is invalid (" + e.getMessage() + ")");
        c.initCause(e);
        return c;
    }

}
