package io.affinity.training;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.ProductFamilies;
import io.affinity.recommender.TradeUp;
import io.affinity.training.ingest.Transactions;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntMap;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * Trade-up analysis: what customers who bought an item later moved up to. From each identified customer's
 * time-ordered purchases, a move {@code a -> b} is counted once per customer when
 * <ul>
 *   <li>{@code b} is of the same product family as {@code a} ({@link ProductFamilies}), or of the same catalogue
 *       category (the catalogue's, else the derived one of {@link CatalogIndexWriter#categoryOf}; the catch-all
 *       {@code other} is not a category),</li>
 *   <li>{@code b}'s typical (median) unit price is at least {@code 1 + minPriceIncrease} times {@code a}'s, and</li>
 *   <li>the customer bought {@code b} in an order strictly later than their first order with {@code a} (both in
 *       one basket is buying both, not moving up).</li>
 * </ul>
 * The rate of a move is movers / buyers of {@code a}. Moves are counted for all customers and per customer
 * segment (profitability tier, price-sensitivity band) so the API can prefer what customers like the requesting
 * one did; a move is kept only with at least {@code minCustomers} movers in that segment and a rate above
 * {@code minLift} times the share of the segment's customers who bought the target at all (otherwise buying the
 * source says nothing: the target is just popular).
 *
 * <p>The pieces other trainers need to give the same answers (training on Spark counts the same moves with joins)
 * are public: the item classes ({@link ItemClasses}), the segment numbering, the move and keep conditions and the
 * final ordering ({@link #tradeUpsOf}).
 */
public final class TradeUps {
    /** Segment names by segment number: {@link TradeUp#ALL} (0), then the tiers, then the price-sensitivity bands. */
    public static final List<String> SEGMENTS = segmentNames();

    private TradeUps() {
    }

    /** What was found, for the manifest. */
    public record Summary(int sourceItems, long observedPairs, int segments) {
        /** The manifest's {@code upsell} section: the parameters, then what was found. */
        public Map<String, Object> section(TradeUpParameters parameters) {
            Map<String, Object> m = new LinkedHashMap<>(parameters.asManifestMap());
            m.put("sourceItems", sourceItems);
            m.put("observedPairs", observedPairs);
            return m;
        }

        /** The training progress line (without its time). */
        public String describe(TradeUpParameters parameters) {
            return String.format(Locale.ROOT, "upsell: %,d item pairs moved up to, %,d items with trade-ups of at "
                    + "least %d customers", observedPairs, sourceItems, parameters.minCustomers());
        }
    }

    private static List<String> segmentNames() {
        List<String> names = new ArrayList<>();
        names.add(TradeUp.ALL);
        for (CustomerProfile.Tier t : CustomerProfile.Tier.values()) {
            names.add(TradeUp.tierSegment(t));
        }
        for (CustomerProfile.PriceSensitivity p : CustomerProfile.PriceSensitivity.values()) {
            names.add(TradeUp.priceSegment(p));
        }
        return List.copyOf(names);
    }

    /** The segment number of a tier (see {@link #SEGMENTS}). */
    public static int segmentOf(CustomerProfile.Tier tier) {
        return 1 + tier.ordinal();
    }

    /** The segment number of a price-sensitivity band (see {@link #SEGMENTS}). */
    public static int segmentOf(CustomerProfile.PriceSensitivity band) {
        return 1 + CustomerProfile.Tier.values().length + band.ordinal();
    }

    /**
     * What moves are counted over, by item number: each item's id, typical price, product family and category
     * (as numbers, equal for equal families and categories; category -1 for the catch-all {@code other}).
     */
    public static final class ItemClasses {
        private final String[] id;
        private final double[] price;
        private final int[] family;
        private final int[] category;

        private ItemClasses(String[] id, double[] price, int[] family, int[] category) {
            this.id = id;
            this.price = price;
            this.family = family;
            this.category = category;
        }

        /**
         * @param n     the number of items
         * @param items facts of (some of) them: their ids, typical prices, descriptions and categories
         * @param index the item number of an item id, negative when it has none
         * @throws IllegalArgumentException for an item without a number
         */
        public static ItemClasses of(int n, Collection<ItemFacts> items, ToIntFunction<String> index) {
            String[] id = new String[n];
            double[] price = new double[n];
            int[] family = new int[n];
            int[] category = new int[n];
            Arrays.fill(category, -1);
            Object2IntOpenHashMap<String> familyIds = new Object2IntOpenHashMap<>();
            Object2IntOpenHashMap<String> categoryIds = new Object2IntOpenHashMap<>();
            for (ItemFacts f : items) {
                int i = index.applyAsInt(f.itemId());
                if (i < 0) {
                    throw new IllegalArgumentException("item " + f.itemId() + " is not in the transactions");
                }
                id[i] = f.itemId();
                price[i] = f.typicalPrice();
                family[i] = familyIds.computeIfAbsent(ProductFamilies.familyOf(f.itemId(), f.description()),
                        k -> familyIds.size());
                String c = CatalogIndexWriter.category(f);
                category[i] = c.equals("other") ? -1 : categoryIds.computeIfAbsent(c, k -> categoryIds.size());
            }
            return new ItemClasses(id, price, family, category);
        }

        /** Facts of items numbered by their position in {@code items}. */
        public static ItemClasses of(List<ItemFacts> items) {
            Object2IntOpenHashMap<String> index = new Object2IntOpenHashMap<>();
            index.defaultReturnValue(-1);
            for (int i = 0; i < items.size(); i++) {
                index.put(items.get(i).itemId(), i);
            }
            return of(items.size(), items, index::getInt);
        }

        public int size() {
            return price.length;
        }

        public String id(int item) {
            return id[item];
        }

        public double price(int item) {
            return price[item];
        }

        public int family(int item) {
            return family[item];
        }

        /** -1 for the catch-all {@code other}, which is not a category. */
        public int category(int item) {
            return category[item];
        }
    }

    /**
     * Whether a customer who first bought {@code a} at {@code firstA} and last bought {@code b} at {@code lastB}
     * (order times) moved up from {@code a} to {@code b} of the same family or category.
     *
     * @param factor {@code 1 + minPriceIncrease}
     */
    public static boolean movesUp(double priceA, double priceB, double factor, long firstA, long lastB) {
        return priceB >= priceA * factor && priceA > 0 && lastB > firstA;
    }

    /**
     * Whether a move with {@code movers} of a segment is kept: at least {@code minCustomers} of them, and a rate
     * (movers / buyers of the source) above {@code minLift} times the share of the segment's customers who bought
     * the target.
     */
    public static boolean keeps(int movers, int sourceBuyers, int targetBuyers, int segmentCustomers,
                                int minCustomers, double minLift) {
        double rate = (double) movers / sourceBuyers;
        double base = (double) targetBuyers / segmentCustomers;
        return movers >= minCustomers && rate > minLift * base;
    }

    /** A kept move's target and its movers, of one source item and segment. */
    public record Target(int item, int movers) {
    }

    /**
     * One source item's trade-ups as published: per segment, in segment order, its kept targets strongest first
     * (rate, which for one source and segment is the order of movers; then item id), at most {@code perSegment}.
     *
     * @param targets kept targets by segment number (null or empty: none), in any order
     * @param buyers  buyers by segment number and item number
     */
    public static List<TradeUp> tradeUpsOf(ItemClasses items, int source, List<List<Target>> targets,
                                           int[][] buyers, int perSegment) {
        List<TradeUp> kept = new ArrayList<>();
        List<Target> sorted = new ArrayList<>();
        for (int s = 0; s < targets.size(); s++) {
            List<Target> of = targets.get(s);
            if (of == null || of.isEmpty()) {
                continue;
            }
            sorted.clear();
            sorted.addAll(of);
            sorted.sort(Comparator.comparingInt((Target t) -> -t.movers()).thenComparing(t -> items.id(t.item())));
            for (int k = 0; k < Math.min(perSegment, sorted.size()); k++) {
                int b = sorted.get(k).item();
                kept.add(new TradeUp(items.id(b), SEGMENTS.get(s), sorted.get(k).movers(), buyers[s][source],
                        items.family(b) == items.family(source)));
            }
        }
        return List.copyOf(kept);
    }

    /**
     * Counts the moves and hands each source item's kept trade-ups (per segment strongest first: rate, movers,
     * then item id) to {@code sink}, in item order.
     *
     * @param items    catalogue facts of the items of {@code tx} (typical prices, descriptions, categories)
     * @param profiles customer profiles by customer id (customers without one count only in {@link TradeUp#ALL})
     */
    static Summary find(Transactions tx, Collection<ItemFacts> items, Map<String, CustomerProfile> profiles,
                        TradeUpParameters parameters, BiConsumer<String, List<TradeUp>> sink) {
        int n = tx.itemCount();
        ItemClasses classes = ItemClasses.of(n, items, tx::itemIndex);
        int segments = SEGMENTS.size();
        int[][] buyers = new int[segments][n];
        int[] segmentCustomers = new int[segments];
        Long2IntOpenHashMap[] movers = new Long2IntOpenHashMap[segments];
        for (int s = 0; s < segments; s++) {
            movers[s] = new Long2IntOpenHashMap();
        }

        // Per customer: first and last order time of each item bought, reset through a stamp.
        long[] first = new long[n];
        long[] last = new long[n];
        int[] stamp = new int[n];
        IntArrayList bought = new IntArrayList();
        Map<Integer, IntArrayList> byFamily = new LinkedHashMap<>();
        Map<Integer, IntArrayList> byCategory = new LinkedHashMap<>();
        int[] customerSegments = new int[3];
        double factor = 1 + parameters.minPriceIncrease();
        for (int c = 0; c < tx.customerCount(); c++) {
            bought.clear();
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                int o = tx.customerOrder(k);
                long t = tx.localEpochSecondOf(o);
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int i = tx.itemOfLine(l);
                    if (stamp[i] != c + 1) {
                        stamp[i] = c + 1;
                        first[i] = t;
                        last[i] = t;
                        bought.add(i);
                    } else {
                        first[i] = Math.min(first[i], t);
                        last[i] = Math.max(last[i], t);
                    }
                }
            }
            if (bought.isEmpty()) {
                continue;
            }
            int segs = 0;
            customerSegments[segs++] = 0;
            CustomerProfile profile = profiles.get(tx.customerId(c));
            if (profile != null) {
                customerSegments[segs++] = segmentOf(profile.tier());
                customerSegments[segs++] = segmentOf(profile.priceSensitivity());
            }
            for (int s = 0; s < segs; s++) {
                segmentCustomers[customerSegments[s]]++;
            }
            byFamily.clear();
            byCategory.clear();
            for (int k = 0; k < bought.size(); k++) {
                int i = bought.getInt(k);
                for (int s = 0; s < segs; s++) {
                    buyers[customerSegments[s]][i]++;
                }
                byFamily.computeIfAbsent(classes.family(i), x -> new IntArrayList()).add(i);
                if (classes.category(i) >= 0) {
                    byCategory.computeIfAbsent(classes.category(i), x -> new IntArrayList()).add(i);
                }
            }
            for (IntArrayList group : byFamily.values()) {
                countMoves(group, false, classes, factor, first, last, movers, customerSegments, segs);
            }
            for (IntArrayList group : byCategory.values()) {
                countMoves(group, true, classes, factor, first, last, movers, customerSegments, segs);
            }
        }

        long pairs = movers[0].size();
        // Each segment's kept moves by source item.
        List<Map<Integer, List<Target>>> bySource = new ArrayList<>(segments);
        for (int s = 0; s < segments; s++) {
            Map<Integer, List<Target>> m = new HashMap<>();
            for (Long2IntMap.Entry e : movers[s].long2IntEntrySet()) {
                int a = (int) (e.getLongKey() >>> 32);
                int b = (int) e.getLongKey();
                if (keeps(e.getIntValue(), buyers[s][a], buyers[s][b], segmentCustomers[s],
                        parameters.minCustomers(), parameters.minLift())) {
                    m.computeIfAbsent(a, x -> new ArrayList<>()).add(new Target(b, e.getIntValue()));
                }
            }
            bySource.add(m);
        }
        int sources = 0;
        List<List<Target>> targets = new ArrayList<>(segments);
        for (int a = 0; a < n; a++) {
            targets.clear();
            for (int s = 0; s < segments; s++) {
                targets.add(bySource.get(s).get(a));
            }
            List<TradeUp> kept = tradeUpsOf(classes, a, targets, buyers, parameters.perSegment());
            if (!kept.isEmpty()) {
                sources++;
                sink.accept(tx.itemId(a), kept);
            }
        }
        return new Summary(sources, pairs, segments);
    }

    /**
     * Counts, for one customer, every move within a group of items of one family (or one category, where
     * same-family pairs were already counted by the family pass).
     */
    private static void countMoves(IntArrayList group, boolean categoryPass, ItemClasses classes, double factor,
                                   long[] first, long[] last, Long2IntOpenHashMap[] movers, int[] customerSegments,
                                   int segs) {
        int size = group.size();
        if (size < 2) {
            return;
        }
        for (int x = 0; x < size; x++) {
            int a = group.getInt(x);
            for (int y = 0; y < size; y++) {
                int b = group.getInt(y);
                if (a == b || (categoryPass && classes.family(a) == classes.family(b))) {
                    continue;
                }
                if (movesUp(classes.price(a), classes.price(b), factor, first[a], last[b])) {
                    long key = ((long) a << 32) | b;
                    for (int s = 0; s < segs; s++) {
                        movers[customerSegments[s]].addTo(key, 1);
                    }
                }
            }
        }
    }
}
