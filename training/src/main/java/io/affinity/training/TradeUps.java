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
import java.util.function.BiConsumer;

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
 */
final class TradeUps {
    private TradeUps() {
    }

    /** What was found, for the manifest. */
    record Summary(int sourceItems, long observedPairs, int segments) {
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
        double[] price = new double[n];
        int[] family = new int[n];
        int[] category = new int[n];
        Arrays.fill(category, -1);
        Object2IntOpenHashMap<String> familyIds = new Object2IntOpenHashMap<>();
        Object2IntOpenHashMap<String> categoryIds = new Object2IntOpenHashMap<>();
        for (ItemFacts f : items) {
            int i = tx.itemIndex(f.itemId());
            if (i < 0) {
                throw new IllegalArgumentException("item " + f.itemId() + " is not in the transactions");
            }
            price[i] = f.typicalPrice();
            family[i] = familyIds.computeIfAbsent(ProductFamilies.familyOf(f.itemId(), f.description()),
                    k -> familyIds.size());
            String c = CatalogIndexWriter.category(f);
            category[i] = c.equals("other") ? -1 : categoryIds.computeIfAbsent(c, k -> categoryIds.size());
        }
        List<String> segmentNames = new ArrayList<>();
        segmentNames.add(TradeUp.ALL);
        for (CustomerProfile.Tier t : CustomerProfile.Tier.values()) {
            segmentNames.add(TradeUp.tierSegment(t));
        }
        int priceBase = segmentNames.size();
        for (CustomerProfile.PriceSensitivity p : CustomerProfile.PriceSensitivity.values()) {
            segmentNames.add(TradeUp.priceSegment(p));
        }
        int segments = segmentNames.size();
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
                customerSegments[segs++] = 1 + profile.tier().ordinal();
                customerSegments[segs++] = priceBase + profile.priceSensitivity().ordinal();
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
                byFamily.computeIfAbsent(family[i], x -> new IntArrayList()).add(i);
                if (category[i] >= 0) {
                    byCategory.computeIfAbsent(category[i], x -> new IntArrayList()).add(i);
                }
            }
            for (IntArrayList group : byFamily.values()) {
                countMoves(group, false, family, price, factor, first, last, movers, customerSegments, segs);
            }
            for (IntArrayList group : byCategory.values()) {
                countMoves(group, true, family, price, factor, first, last, movers, customerSegments, segs);
            }
        }

        int sources = 0;
        long pairs = 0;
        List<TradeUp> kept = new ArrayList<>();
        List<long[]> perSource = new ArrayList<>();
        // Group each segment's moves by source item.
        List<Map<Integer, List<long[]>>> bySource = new ArrayList<>(segments);
        for (int s = 0; s < segments; s++) {
            Map<Integer, List<long[]>> m = new HashMap<>();
            for (Long2IntMap.Entry e : movers[s].long2IntEntrySet()) {
                pairs += s == 0 ? 1 : 0;
                int a = (int) (e.getLongKey() >>> 32);
                int b = (int) e.getLongKey();
                double rate = (double) e.getIntValue() / buyers[s][a];
                double base = (double) buyers[s][b] / segmentCustomers[s];
                if (e.getIntValue() >= parameters.minCustomers() && rate > parameters.minLift() * base) {
                    m.computeIfAbsent(a, x -> new ArrayList<>()).add(new long[] {e.getLongKey() & 0xffffffffL,
                            e.getIntValue()});
                }
            }
            bySource.add(m);
        }
        for (int a = 0; a < n; a++) {
            kept.clear();
            for (int s = 0; s < segments; s++) {
                List<long[]> targets = bySource.get(s).get(a);
                if (targets == null) {
                    continue;
                }
                perSource.clear();
                perSource.addAll(targets);
                final int src = a;
                // Rate = movers / buyers of a, and buyers of a is the same for all targets: order by movers.
                perSource.sort(Comparator.<long[]>comparingLong(t -> -t[1])
                        .thenComparing(t -> tx.itemId((int) t[0])));
                for (int k = 0; k < Math.min(parameters.perSegment(), perSource.size()); k++) {
                    int b = (int) perSource.get(k)[0];
                    kept.add(new TradeUp(tx.itemId(b), segmentNames.get(s), (int) perSource.get(k)[1],
                            buyers[s][src], family[b] == family[src]));
                }
            }
            if (!kept.isEmpty()) {
                sources++;
                sink.accept(tx.itemId(a), List.copyOf(kept));
            }
        }
        return new Summary(sources, pairs, segments);
    }

    /**
     * Counts, for one customer, every move within a group of items of one family (or one category, where
     * same-family pairs were already counted by the family pass).
     */
    private static void countMoves(IntArrayList group, boolean categoryPass, int[] family, double[] price,
                                   double factor, long[] first, long[] last, Long2IntOpenHashMap[] movers,
                                   int[] customerSegments, int segs) {
        int size = group.size();
        if (size < 2) {
            return;
        }
        for (int x = 0; x < size; x++) {
            int a = group.getInt(x);
            for (int y = 0; y < size; y++) {
                int b = group.getInt(y);
                if (a == b || (categoryPass && family[a] == family[b])) {
                    continue;
                }
                if (price[b] >= price[a] * factor && price[a] > 0 && last[b] > first[a]) {
                    long key = ((long) a << 32) | b;
                    for (int s = 0; s < segs; s++) {
                        movers[customerSegments[s]].addTo(key, 1);
                    }
                }
            }
        }
    }
}
