package io.affinity.store;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.recommender.TradeUp;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The compact binary encodings of the values stored in the Chronicle Map files. Every value starts with a codec
 * version byte; integers are unsigned LEB128 varints (dates: zig-zag epoch days), doubles 8 bytes little-endian,
 * strings varint byte length + UTF-8. The map key is not repeated in the value.
 *
 * <pre>
 * item     := v=2, description:str, category:str, typicalPrice:f64, orderCount:var, customerCount:var, quantity:f64,
 *             unitCost:f64 (NaN = no catalogue cost; absent in v=1, which still decodes, without cost)
 * rules    := v=1, n:var, rule*n
 * rule     := antecedentSize:var, item:str*antecedentSize, consequent:str, supportCount:var,
 *             support:f64, confidence:f64, lift:f64, leverage:f64, conviction:f64
 * customer := v=2, orderCount:var, reserved:f64, reserved:zz, reserved:zz, distinctItemCount:var,
 *             n:var, (itemId:str, orderCount:var, quantity:f64, lastPurchased:zz, returnedQuantity:f64)*n
 *             (v=1, still decoded, has no returnedQuantity: none returned). The reserved slots held the total spend
 *             and the first and last purchase dates, which nothing read: written as 0 since 2026-11-26 (data
 *             minimisation; servers of format 8 decode that as a valid history), skipped when read.
 * profile  := v=1, recencyDays:var, transactions:var, monetary:f64, rScore:byte, fScore:byte, mScore:byte,
 *             segment:str, pAlive:f64, expectedTransactions90:f64, expectedSpend:f64, expectedValue12:f64,
 *             tier:byte, stage:byte, strategy:byte, priceIndex:f64, cheaperVariantShare:f64 (NaN = none),
 *             priceSensitivity:byte, n:var, family:str*n
 * consent  := v=2, n:var, (state:byte, [updatedAt:zz])*n   (per Consent.Channel ordinal: state 0 unknown, else
 *             State ordinal+1, plus 0x80 when the list gave the customer's time: epoch milliseconds follow;
 *             v=1, still decoded, has the state bytes alone)
 * recs     := v=2, model:str, s:var, source:str*s, n:var, rec*n       (customer-recs.cmap; best first)
 * rec      := itemId:str, score:f64, flags:byte (1 = repeat, 2 = purchase follows), sourceIndex:var,
 *             [orderCount:var, quantity:f64, lastPurchased:zz, returnedQuantity:f64]   (recs v=2; v=1, still
 *             decoded, has no returnedQuantity: none returned)
 * upsell   := v=1, s:var, segment:str*s, n:var, tradeUp*n                (upsell.cmap, keyed by source item)
 * tradeUp  := toItem:str, segmentIndex:var, movers:var, buyers:var, flags:byte (1 = same family)
 * </pre>
 * Enum bytes are ordinals of the {@link CustomerProfile} enums: those enums may only ever be appended to.
 */
final class ValueCodecs {
    static final int ITEM_CODEC_VERSION = 2;
    static final int RULES_CODEC_VERSION = 1;
    static final int CUSTOMER_CODEC_VERSION = 2;
    static final int PROFILE_CODEC_VERSION = 1;
    static final int CONSENT_CODEC_VERSION = 2;
    static final int RECS_CODEC_VERSION = 2;
    static final int UPSELL_CODEC_VERSION = 1;

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
        w.writeDouble(f.unitCost());
    }

    static ItemFacts decodeItem(String itemId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, itemId);
        int version = checkVersion(r, ITEM_CODEC_VERSION, file, itemId);
        try {
            ItemFacts f = new ItemFacts(itemId, r.readString(), r.readString(), r.readDouble(), r.readVarLong(),
                    r.readVarLong(), r.readDouble(), version >= 2 ? r.readDouble() : Double.NaN);
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
        // the total spend and first and last purchase dates, not stored: see the format above
        w.writeDouble(0);
        w.writeZigZag(0);
        w.writeZigZag(0);
        w.writeVarLong(h.distinctItemCount());
        List<PurchasedItem> items = h.items();
        w.writeVarLong(items.size());
        for (int i = 0; i < items.size(); i++) {
            PurchasedItem p = items.get(i);
            w.writeString(p.itemId());
            w.writeVarLong(p.orderCount());
            w.writeDouble(p.quantity());
            w.writeZigZag(p.lastPurchased().toEpochDay());
            w.writeDouble(p.returnedQuantity());
        }
    }

    static CustomerHistory decodeCustomer(String customerId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, customerId);
        int version = checkVersion(r, CUSTOMER_CODEC_VERSION, file, customerId);
        try {
            int orderCount = r.readVarInt();
            r.readDouble(); // reserved: a total spend, in snapshots written before 2026-11-26
            r.readZigZag(); // reserved: first and last purchase dates, likewise
            r.readZigZag();
            int distinct = r.readVarInt();
            int n = readCount(r, value.length);
            PurchasedItem[] items = new PurchasedItem[n];
            for (int i = 0; i < n; i++) {
                items[i] = new PurchasedItem(r.readString(), r.readVarInt(), r.readDouble(),
                        LocalDate.ofEpochDay(r.readZigZag()), version >= 2 ? r.readDouble() : 0);
            }
            r.expectEnd();
            return new CustomerHistory(orderCount, n == 0 ? Collections.emptyList() : List.of(items), distinct);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- profiles

    static void encodeProfile(CustomerProfile p, ByteWriter w) {
        w.writeByte(PROFILE_CODEC_VERSION);
        w.writeVarLong(p.recencyDays());
        w.writeVarLong(p.transactions());
        w.writeDouble(p.monetary());
        w.writeByte(p.recencyScore());
        w.writeByte(p.frequencyScore());
        w.writeByte(p.monetaryScore());
        w.writeString(p.segment());
        w.writeDouble(p.pAlive());
        w.writeDouble(p.expectedTransactions90());
        w.writeDouble(p.expectedSpend());
        w.writeDouble(p.expectedValue12());
        w.writeByte(p.tier().ordinal());
        w.writeByte(p.stage().ordinal());
        w.writeByte(p.strategy().ordinal());
        w.writeDouble(p.priceIndex());
        w.writeDouble(p.cheaperVariantShare());
        w.writeByte(p.priceSensitivity().ordinal());
        w.writeVarLong(p.favouriteFamilies().size());
        for (String f : p.favouriteFamilies()) {
            w.writeString(f);
        }
    }

    static CustomerProfile decodeProfile(String customerId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, customerId);
        checkVersion(r, PROFILE_CODEC_VERSION, file, customerId);
        try {
            int recency = r.readVarInt();
            int transactions = r.readVarInt();
            double monetary = r.readDouble();
            int rs = r.readByte();
            int fs = r.readByte();
            int ms = r.readByte();
            String segment = r.readString();
            double pAlive = r.readDouble();
            double e90 = r.readDouble();
            double spend = r.readDouble();
            double value12 = r.readDouble();
            CustomerProfile.Tier tier = enumAt(r, CustomerProfile.Tier.values());
            CustomerProfile.Stage stage = enumAt(r, CustomerProfile.Stage.values());
            CustomerProfile.Strategy strategy = enumAt(r, CustomerProfile.Strategy.values());
            double priceIndex = r.readDouble();
            double cheaper = r.readDouble();
            CustomerProfile.PriceSensitivity sensitivity = enumAt(r, CustomerProfile.PriceSensitivity.values());
            int n = readCount(r, value.length);
            String[] families = new String[n];
            for (int i = 0; i < n; i++) {
                families[i] = r.readString();
            }
            r.expectEnd();
            return new CustomerProfile(recency, transactions, monetary, rs, fs, ms, segment, pAlive, e90, spend,
                    value12, tier, stage, strategy, priceIndex, cheaper, sensitivity, List.of(families));
        } catch (IllegalArgumentException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- precomputed customer recommendations

    static void encodeRecommendations(PrecomputedRecommendations recs, ByteWriter w) {
        w.writeByte(RECS_CODEC_VERSION);
        w.writeString(recs.model());
        // Few distinct source model names per list: a table, then an index per item.
        LinkedHashMap<String, Integer> sources = new LinkedHashMap<>();
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
                w.writeDouble(p.purchase().returnedQuantity());
            }
        }
    }

    static PrecomputedRecommendations decodeRecommendations(String customerId, byte[] value, Path file) {
        return decodeRecommendations(customerId, value, file, Integer.MAX_VALUE);
    }

    /**
     * The first {@code maxItems} of a list. The rest is not decoded (the file's checksum was verified when the
     * snapshot was opened, so the skipped bytes are not where corruption would first be noticed).
     */
    static PrecomputedRecommendations decodeRecommendations(String customerId, byte[] value, Path file, int maxItems) {
        return decodeRecommendations(customerId, value, file, maxItems, null);
    }

    /**
     * The first {@code maxItems} items of a list that {@code allowed} accepts (null: every item). A rejected
     * item is read past (its fields still checked) without building its records; reading stops at
     * {@code maxItems} kept items.
     */
    static PrecomputedRecommendations decodeRecommendations(String customerId, byte[] value, Path file, int maxItems,
                                                            Predicate<String> allowed) {
        return decodeRecommendations(customerId, value, file, maxItems, allowed, null);
    }

    /** As above; with an interner (else null), the strings that recur across customers are its canonical instances. */
    static PrecomputedRecommendations decodeRecommendations(String customerId, byte[] value, Path file, int maxItems,
                                                            Predicate<String> allowed,
                                                            StringInterner interner) {
        ByteReader r = new ByteReader(value, file, customerId);
        int version = checkVersion(r, RECS_CODEC_VERSION, file, customerId);
        try {
            String model = r.readString(interner);
            int s = readCount(r, value.length);
            String[] sources = new String[s];
            for (int i = 0; i < s; i++) {
                sources[i] = r.readString(interner);
            }
            int stored = readCount(r, value.length);
            int want = Math.min(stored, Math.max(0, maxItems));
            PrecomputedItem[] items = new PrecomputedItem[want];
            int kept = 0;
            int read = 0;
            while (kept < want && read < stored) {
                read++;
                String itemId = r.readString(interner);
                double score = r.readDouble();
                int flags = r.readByte();
                if ((flags & ~3) != 0) {
                    throw r.corrupt("invalid flags " + flags);
                }
                int source = r.readVarInt();
                if (source >= s) {
                    throw r.corrupt("source index " + source + " out of " + s);
                }
                if (allowed != null && !allowed.test(itemId)) {
                    if ((flags & 2) != 0) { // the purchase: order count, quantity, day, units returned
                        r.readVarInt();
                        r.readDouble();
                        r.readZigZag();
                        if (version >= 2) {
                            r.readDouble();
                        }
                    }
                    continue;
                }
                PurchasedItem purchase = (flags & 2) == 0 ? null : new PurchasedItem(itemId, r.readVarInt(),
                        r.readDouble(), LocalDate.ofEpochDay(r.readZigZag()), version >= 2 ? r.readDouble() : 0);
                items[kept++] = new PrecomputedItem(itemId, score, (flags & 1) != 0, sources[source], purchase);
            }
            if (read == stored) {
                r.expectEnd();
            }
            return new PrecomputedRecommendations(model, List.of(kept == want ? items
                    : Arrays.copyOf(items, kept)));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- observed trade-ups (upsell)

    static void encodeTradeUps(List<TradeUp> ups, ByteWriter w) {
        w.writeByte(UPSELL_CODEC_VERSION);
        // A handful of segment names repeat across entries: a table, then an index per entry.
        LinkedHashMap<String, Integer> segments = new LinkedHashMap<>();
        for (TradeUp t : ups) {
            segments.putIfAbsent(t.segment(), segments.size());
        }
        w.writeVarLong(segments.size());
        segments.keySet().forEach(w::writeString);
        w.writeVarLong(ups.size());
        for (TradeUp t : ups) {
            w.writeString(t.toItemId());
            w.writeVarLong(segments.get(t.segment()));
            w.writeVarLong(t.movers());
            w.writeVarLong(t.buyers());
            w.writeByte(t.sameFamily() ? 1 : 0);
        }
    }

    static List<TradeUp> decodeTradeUps(String itemId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, itemId);
        checkVersion(r, UPSELL_CODEC_VERSION, file, itemId);
        try {
            int s = readCount(r, value.length);
            String[] segments = new String[s];
            for (int i = 0; i < s; i++) {
                segments[i] = r.readString();
            }
            int n = readCount(r, value.length);
            TradeUp[] ups = new TradeUp[n];
            for (int i = 0; i < n; i++) {
                String to = r.readString();
                int segment = r.readVarInt();
                if (segment >= s) {
                    throw r.corrupt("segment index " + segment + " out of " + s);
                }
                int movers = r.readVarInt();
                int buyers = r.readVarInt();
                int flags = r.readByte();
                if ((flags & ~1) != 0) {
                    throw r.corrupt("invalid flags " + flags);
                }
                ups[i] = new TradeUp(to, segments[segment], movers, buyers, flags == 1);
            }
            r.expectEnd();
            return List.of(ups);
        } catch (IllegalArgumentException e) {
            throw invalid(r, e);
        }
    }

    // ---------------------------------------------------------------- consent

    /** The state byte's flag saying that the time the list gave for it follows (codec v=2). */
    private static final int CONSENT_TIMED = 0x80;

    static void encodeConsent(Map<Consent.Channel, Consent.ListEntry> entries, ByteWriter w) {
        w.writeByte(CONSENT_CODEC_VERSION);
        Consent.Channel[] channels = Consent.Channel.values();
        w.writeVarLong(channels.length);
        for (Consent.Channel c : channels) {
            Consent.ListEntry e = entries.get(c);
            if (e == null) {
                w.writeByte(0);
            } else if (e.updatedAt() == null) {
                w.writeByte(e.state().ordinal() + 1);
            } else {
                w.writeByte((e.state().ordinal() + 1) | CONSENT_TIMED);
                w.writeZigZag(e.updatedAt().toEpochMilli());
            }
        }
    }

    static Map<Consent.Channel, Consent.ListEntry> decodeConsent(String customerId, byte[] value, Path file) {
        ByteReader r = new ByteReader(value, file, customerId);
        int version = checkVersion(r, CONSENT_CODEC_VERSION, file, customerId);
        int n = readCount(r, value.length);
        if (n > Consent.Channel.values().length) {
            throw new SnapshotFormatException(file, "format too new: consent of key '" + customerId + "' has " + n
                    + " channels, this software knows " + Consent.Channel.values().length);
        }
        Map<Consent.Channel, Consent.ListEntry> entries = new EnumMap<>(Consent.Channel.class);
        Consent.State[] all = Consent.State.values();
        for (int i = 0; i < n; i++) {
            int b = r.readByte();
            boolean timed = version >= 2 && (b & CONSENT_TIMED) != 0;
            int state = timed ? b & ~CONSENT_TIMED : b;
            if (state > all.length || timed && state == 0) {
                throw r.corrupt("invalid consent state " + b);
            }
            Instant updatedAt = timed ? Instant.ofEpochMilli(r.readZigZag()) : null;
            if (state > 0) {
                entries.put(Consent.Channel.values()[i], new Consent.ListEntry(all[state - 1], updatedAt));
            }
        }
        r.expectEnd();
        return entries;
    }

    private static <E extends Enum<E>> E enumAt(ByteReader r, E[] values) {
        int ordinal = r.readByte();
        if (ordinal < 0 || ordinal >= values.length) {
            throw r.corrupt("invalid " + values[0].getDeclaringClass().getSimpleName() + " " + ordinal);
        }
        return values[ordinal];
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

    private static int checkVersion(ByteReader r, int supported, Path file, String key) {
        int v = r.readByte();
        if (v > supported) {
            throw new SnapshotFormatException(file,
                    "format too new: value of key '" + key + "' has codec version " + v + ", this software reads up to " + supported);
        }
        if (v < 1) {
            throw r.corrupt("invalid codec version " + v);
        }
        return v;
    }

    private static CorruptSnapshotException invalid(ByteReader r, RuntimeException e) {
        // The cause goes in the constructor: the exception's cause is already set (to null) once it is built.
        return r.corrupt("decoded value is invalid (" + e.getMessage() + ")", e);
    }

}
