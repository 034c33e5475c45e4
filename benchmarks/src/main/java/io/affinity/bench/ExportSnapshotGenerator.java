package io.affinity.bench;

import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.SnapshotBuilder;
import io.affinity.training.CatalogIndexWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a synthetic but complete model for the campaign-export benchmark ({@code benchmarks/export.sh}) through
 * the real {@link SnapshotBuilder}: items with a catalogue index, a few rules, popular items, and per customer a
 * purchase history, a value profile, email consent and a precomputed recommendation list. Seeded: the same
 * arguments give the same model. Prints, as its last stdout line, the export summary an email export of segment
 * {@code all} must end with (matched, exported, excluded by reason) so the script can check the server's.
 *
 * <pre>
 *   java [Chronicle Map flags of ./affinity] -Xmx3g -cp cli/target/affinity.jar:benchmarks/target/classes \
 *       io.affinity.bench.ExportSnapshotGenerator MODELS_DIR [CUSTOMERS=300000] [SEED=42]
 * </pre>
 * Customer mix: tiers 5/15/30/50% (platinum/gold/iron/lead), 2% with strategy "end"; email consent 45% confirmed,
 * 15% opted in, 20% pending, 10% opted out, 10% unknown; 10 purchased items and 20 precomputed items each.
 */
public final class ExportSnapshotGenerator {
    private static final int ITEMS = 2000;
    private static final int HISTORY = 10;
    private static final int PRECOMPUTED = 20;

    private ExportSnapshotGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ExportSnapshotGenerator MODELS_DIR [CUSTOMERS] [SEED]");
            System.exit(2);
        }
        Path models = Path.of(args[0]);
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        Random rnd = new Random(seed);
        long t0 = System.nanoTime();
        SnapshotBuilder b = ModelStore.open(models).newSnapshot();

        List<ItemFacts> items = new ArrayList<>(ITEMS);
        String[] kinds = {"MUG", "LANTERN", "T-LIGHT HOLDER", "BAG", "CAKE TIN", "FRAME", "CANDLE", "SIGN"};
        String[] colours = {"RED", "BLUE", "PINK", "WHITE", "GREEN"};
        for (int i = 0; i < ITEMS; i++) {
            String description = colours[i % colours.length] + " " + "DESIGN " + (i / 40) + " " + kinds[i % kinds.length];
            double price = Math.round((0.5 + rnd.nextDouble() * 12) * 100) / 100.0;
            items.add(new ItemFacts(itemId(i), description, "", price, 50 + rnd.nextInt(5000), 20 + rnd.nextInt(2000),
                    100 + rnd.nextInt(50_000)));
        }
        items.forEach(b::putItem);
        b.addDirectory(CatalogIndexWriter.DIRECTORY, dir -> CatalogIndexWriter.write(dir, items));
        // One rule per item to the next one: enough for the recommender's rule path to have something to fire.
        for (int i = 0; i < ITEMS; i++) {
            b.putRules(itemId(i), List.of(new AssociationRule(List.of(itemId(i)), itemId((i + 1) % ITEMS), 30, 0.01,
                    0.3, 3, 0.005, 1.4)));
        }
        List<PopularItem> popular = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            popular.add(new PopularItem(itemId(i), 10_000 - i, 5_000 - i));
        }
        b.popularItems(popular);

        LocalDate end = LocalDate.of(2011, 12, 9);
        Map<String, Long> excluded = new TreeMap<>();
        long exported = 0;
        for (int c = 0; c < customers; c++) {
            String id = String.format(Locale.ROOT, "C%07d", c);
            List<PurchasedItem> bought = new ArrayList<>(HISTORY);
            Set<Integer> boughtIdx = new HashSet<>();
            while (bought.size() < HISTORY) {
                int i = (int) (Math.pow(rnd.nextDouble(), 2) * ITEMS);
                if (boughtIdx.add(i)) {
                    bought.add(new PurchasedItem(itemId(i), 1 + rnd.nextInt(6), 1 + rnd.nextInt(48),
                            end.minusDays(rnd.nextInt(365))));
                }
            }
            int orders = 1 + rnd.nextInt(30);
            b.putCustomer(id, new CustomerHistory(orders, bought, HISTORY + rnd.nextInt(20)));

            double u = rnd.nextDouble();
            CustomerProfile.Tier tier = u < 0.05 ? CustomerProfile.Tier.PLATINUM : u < 0.20 ? CustomerProfile.Tier.GOLD
                    : u < 0.50 ? CustomerProfile.Tier.IRON : CustomerProfile.Tier.LEAD;
            boolean end2 = rnd.nextInt(50) == 0;
            CustomerProfile.Strategy strategy = end2 ? CustomerProfile.Strategy.END : CustomerProfile.Strategy.values()[
                    new int[] {0, 1, 2, 3, 4, 6}[rnd.nextInt(6)]];
            b.putProfile(id, new CustomerProfile(rnd.nextInt(365), orders, 20 + rnd.nextDouble() * 5000,
                    1 + rnd.nextInt(5), 1 + rnd.nextInt(5), 1 + rnd.nextInt(5), "loyal", rnd.nextDouble(),
                    rnd.nextDouble() * 4, 10 + rnd.nextDouble() * 300, rnd.nextDouble() * 5000, tier,
                    CustomerProfile.Stage.ACTIVE, strategy, 0.5 + rnd.nextDouble(), rnd.nextDouble(),
                    CustomerProfile.PriceSensitivity.values()[rnd.nextInt(3)], List.of("DESIGN MUG")));

            int k = rnd.nextInt(20);
            Consent.State email = k < 9 ? Consent.State.CONFIRMED : k < 12 ? Consent.State.OPTED_IN
                    : k < 16 ? Consent.State.PENDING : k < 18 ? Consent.State.OPTED_OUT : null;
            Map<Consent.Channel, Consent.State> states = new EnumMap<>(Consent.Channel.class);
            if (email != null) {
                states.put(Consent.Channel.EMAIL, email);
            }
            b.putConsent(id, states);

            List<PrecomputedItem> recs = new ArrayList<>(PRECOMPUTED);
            Set<Integer> recIdx = new HashSet<>();
            double score = 1;
            while (recs.size() < PRECOMPUTED) {
                int i = rnd.nextInt(ITEMS);
                if (!boughtIdx.contains(i) && recIdx.add(i)) {
                    recs.add(new PrecomputedItem(itemId(i), score, false, "ease", null));
                    score *= 0.9;
                }
            }
            b.putCustomerRecommendations(id, new PrecomputedRecommendations("blend", recs));

            // What the export must report (ConsentJournal and CustomerRoutes: consent first, then strategy).
            String reason = email == Consent.State.OPTED_OUT ? "opted_out" : email == Consent.State.PENDING
                    ? "pending_confirmation" : email == null ? "no_consent" : end2 ? "strategy_end" : null;
            if (reason == null) {
                exported++;
            } else {
                excluded.merge(reason, 1L, Long::sum);
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("generator", ExportSnapshotGenerator.class.getName());
        params.put("customers", customers);
        params.put("seed", seed);
        b.parameters(params);
        String version = b.publish();
        System.err.printf(Locale.ROOT, "published %s with %,d customers in %.1f s%n", version, customers,
                (System.nanoTime() - t0) / 1e9);
        StringBuilder expected = new StringBuilder();
        expected.append("EXPECTED matched=").append(customers).append(" exported=").append(exported);
        excluded.forEach((r, n) -> expected.append(' ').append(r).append('=').append(n));
        System.out.println(expected);
    }

    private static String itemId(int i) {
        return String.format(Locale.ROOT, "I%05d", i);
    }
}
