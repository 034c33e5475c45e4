package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.affinity.recommender.AssociationRule;
import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.recommender.PrecomputedItem;
import io.affinity.recommender.PrecomputedRecommendations;
import io.affinity.recommender.PurchasedItem;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.store.SnapshotBuilder;
import io.affinity.testing.FuzzTest;
import io.affinity.training.CatalogIndexWriter;
import io.affinity.training.ingest.CatalogFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The business rules' promises (README "Business rules", "Rules on offers", "Stock") checked over HTTP on seeded
 * random small worlds: a catalogue of 10 to 25 items in 4 categories with random prices and popularity (some never
 * ordered), random pair and two-item rules, customers with random histories, profiles and (in some worlds) a
 * precomputed model list, items the catalogue file marks unavailable and an availability overlay that takes items
 * out or puts them back. Each world answers random requests to customer recommendations, bought-together, basket
 * cross-sell, next-best offers and upsell, with random {@code filter}, {@code boost}, {@code pin}/{@code pinLimit},
 * {@code maxPerCategory}, {@code excludeBoughtWithinDays}/{@code asOf} and {@code limit}; the expressions come from
 * a small grammar (category, id, price and order ranges; AND, OR, NOT, nesting) that the test evaluates itself.
 *
 * <p>Checked on every answer: 200 (400 exactly when {@code excludeBoughtWithinDays} above 0 names no customer);
 * never more than {@code limit} items, none twice; every item passes the filter, is in stock (overlay, else the
 * catalogue), was not bought recently by the customer unless a repeat purchase (2+ orders), and is not an item the
 * request names (basket items, the bought-together or upsold item); pinned items first, matching the pin, at most
 * {@code min(pinLimit, limit)}, and fewer only when no other eligible matching item could be pinned (one whose
 * category the cap has filled aside); then boosted items, every other item that matches the boost among them; at
 * most {@code maxPerCategory} per category; the same answer to the same request.
 *
 * <p>Reproduce a failure with {@code -Daffinity.fuzz.seed=<world seed>}; each failure names the world's seed,
 * the request and the answer.
 *
 * <p>Each check was seen to fail with its rule broken (edit, run, revert, 2026-11-26): the filter ignored, stock
 * ignored, repeat purchases not told apart from recent ones, the cap one too high, the pin limit one too high, the
 * boost not moving items, the limit one too high, a pin injecting a named item, a ranking reversed at random (the
 * same answer twice), a pin injecting an item it had pinned (twice), and the pin/cap bug fixed with this test. A
 * pinned item's later entries kept in the ranking is not seen here: no endpoint's ranking names an item twice
 * ({@code MerchandisingRulesTest} covers it on a plain list).
 */
@FuzzTest
class BusinessRulesFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final int WORLDS = Integer.getInteger("affinity.fuzz.worlds", 6);
    private static final int REQUESTS = Integer.getInteger("affinity.fuzz.requests", 120);
    private static final int CATEGORIES = 4;
    private static final int CUSTOMERS = 8;
    private static final LocalDate LAST_DAY = LocalDate.of(2011, 6, 30);
    private static final CustomerProfile.Strategy[] STRATEGIES = {CustomerProfile.Strategy.ENHANCE,
        CustomerProfile.Strategy.PROTECT, CustomerProfile.Strategy.INITIATE, CustomerProfile.Strategy.WIN_BACK,
        CustomerProfile.Strategy.HARVEST, CustomerProfile.Strategy.END};

    @TempDir
    Path tmp;

    /** One item of a world, as the test knows it. */
    record Item(String id, String category, double price, long orders, long customers) {
    }

    /** A random world: its items, customers' purchases and strategies, stock. */
    static final class World {
        final long seed;
        final List<Item> items = new ArrayList<>();
        final Map<String, Item> byId = new HashMap<>();
        final Map<String, List<PurchasedItem>> bought = new LinkedHashMap<>();
        final Map<String, CustomerProfile.Strategy> strategy = new HashMap<>();
        final Set<String> catalogueUnavailable = new HashSet<>();
        final Map<String, Boolean> overlay = new HashMap<>();

        World(long seed) {
            this.seed = seed;
        }

        boolean inStock(String id) {
            return overlay.getOrDefault(id, !catalogueUnavailable.contains(id));
        }

        String customer(int c) {
            return "C" + (100 + c);
        }
    }

    /** A filter/boost/pin expression and what it matches. */
    record Expr(String text, Predicate<Item> matches) {
    }

    @Test
    void rulesKeepTheirPromisesOnRandomWorlds() throws Exception {
        Long only = Long.getLong("affinity.fuzz.seed");
        long first = only != null ? only : 20261126L;
        int worlds = only != null ? 1 : WORLDS;
        for (long seed = first; seed < first + worlds; seed++) {
            runWorld(seed);
        }
        if (only == null) {
            // The rules must actually bind: answers with pins (some injected), boosts, a full category, refusals.
            String seen = "seen: " + SEEN;
            System.out.println("BusinessRulesFuzzTest " + seen);
            assertTrue(SEEN.getOrDefault("items", 0) > REQUESTS * worlds * 2, seen);
            for (String what : List.of("pinned", "injected", "boosted", "category full", "refused", "excluded")) {
                assertTrue(SEEN.getOrDefault(what, 0) > REQUESTS * worlds / 50, what + " too rarely; " + seen);
            }
        }
    }

    /** How often each rule showed in the answers (for the check above that they bind). */
    private static final Map<String, Integer> SEEN = new java.util.TreeMap<>();

    private static void seen(String what, int times) {
        SEEN.merge(what, times, Integer::sum);
    }

    private void runWorld(long seed) throws Exception {
        Random rnd = new Random(seed);
        World w = new World(seed);
        Path dir = tmp.resolve("w" + seed);
        Files.createDirectories(dir);
        ModelStore store = ModelStore.open(dir.resolve("store"));
        String version = publish(store, w, rnd, dir);
        ItemAvailability availability = ItemAvailability.inMemory();
        for (Item item : w.items) {
            if (rnd.nextInt(8) == 0) {
                boolean available = rnd.nextBoolean();
                availability.set(item.id(), available);
                w.overlay.put(item.id(), available);
            }
        }
        ConsentJournal consent = ConsentJournal.open(dir.resolve("consent.journal"));
        try (Snapshot snapshot = store.open(version)) {
            ServedModel model = TestStores.serve(snapshot);
            try (AffinityServer server = AffinityServer.create(
                    ApiConfig.defaults().withHost("127.0.0.1").withPort(0), ModelSource.fixed(model),
                    new ServerOptions(AccessControl.of("fuzz-admin-token-0123456789abcdef", List.of()), null,
                            Duration.ofSeconds(5), consent, 0.3, new BusinessRuleConfig(0, 2, availability)))
                    .start()) {
                for (int n = 0; n < REQUESTS; n++) {
                    request(server.port(), w, rnd, n);
                }
            } finally {
                model.catalog().close();
            }
        } finally {
            consent.close();
        }
    }

    /** Publishes the world's snapshot (items, rules, customers, profiles, popular list, catalogue index). */
    private static String publish(ModelStore store, World w, Random rnd, Path dir) throws Exception {
        int n = 10 + rnd.nextInt(16);
        for (int i = 0; i < n; i++) {
            boolean ordered = rnd.nextInt(10) != 0;
            Item item = new Item(String.format(Locale.ROOT, "I%02d", i), "cat" + rnd.nextInt(CATEGORIES),
                    1 + rnd.nextInt(14), ordered ? 1 + rnd.nextInt(200) : 0, ordered ? 1 + rnd.nextInt(40) : 0);
            w.items.add(item);
            w.byId.put(item.id(), item);
            if (rnd.nextInt(7) == 0) {
                w.catalogueUnavailable.add(item.id());
            }
        }
        SnapshotBuilder b = store.newSnapshot();
        List<ItemFacts> facts = new ArrayList<>();
        for (Item item : w.items) {
            facts.add(new ItemFacts(item.id(), "ITEM " + item.id(), item.category(), item.price(), item.orders(),
                    item.customers(), item.orders() * 2.0));
        }
        facts.forEach(b::putItem);
        Map<String, List<AssociationRule>> rules = new HashMap<>();
        for (Item item : w.items) {
            Set<String> consequents = new HashSet<>();
            for (int k = rnd.nextInt(4); k > 0; k--) {
                String to = w.items.get(rnd.nextInt(n)).id();
                if (to.equals(item.id()) || !consequents.add(to)) {
                    continue;
                }
                rules.computeIfAbsent(item.id(), x -> new ArrayList<>()).add(rule(List.of(item.id()), to, rnd));
            }
            if (rnd.nextInt(6) == 0) {
                String other = w.items.get(rnd.nextInt(n)).id();
                String to = w.items.get(rnd.nextInt(n)).id();
                if (!other.equals(item.id()) && !to.equals(item.id()) && !to.equals(other)) {
                    List<String> antecedent = item.id().compareTo(other) < 0 ? List.of(item.id(), other)
                            : List.of(other, item.id());
                    AssociationRule r = rule(antecedent, to, rnd);
                    if (rules.getOrDefault(antecedent.get(0), List.of()).stream().noneMatch(r::equals)
                            && rules.getOrDefault(antecedent.get(1), List.of()).stream().noneMatch(r::equals)) {
                        rules.computeIfAbsent(antecedent.get(0), x -> new ArrayList<>()).add(r);
                        rules.computeIfAbsent(antecedent.get(1), x -> new ArrayList<>()).add(r);
                    }
                }
            }
        }
        for (Map.Entry<String, List<AssociationRule>> e : rules.entrySet()) {
            List<AssociationRule> list = new ArrayList<>(e.getValue());
            list.sort(Comparator.comparingDouble(AssociationRule::confidence).thenComparingDouble(AssociationRule::lift)
                    .reversed());
            b.putRules(e.getKey(), list);
        }
        boolean modelLists = rnd.nextBoolean();
        for (int c = 0; c < CUSTOMERS; c++) {
            String id = w.customer(c);
            List<PurchasedItem> history = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
                String item = w.items.get(rnd.nextInt(n)).id();
                if (seen.add(item)) {
                    history.add(new PurchasedItem(item, 1 + rnd.nextInt(3), 1 + rnd.nextInt(5),
                            LAST_DAY.minusDays(rnd.nextInt(90))));
                }
            }
            history.sort(Comparator.comparingInt(PurchasedItem::orderCount).reversed()
                    .thenComparing(PurchasedItem::lastPurchased, Comparator.reverseOrder()));
            int orders = history.stream().mapToInt(PurchasedItem::orderCount).max().orElse(1) + rnd.nextInt(3);
            b.putCustomer(id, new CustomerHistory(orders, history, history.size()));
            w.bought.put(id, history);
            CustomerProfile.Strategy strategy = STRATEGIES[rnd.nextInt(STRATEGIES.length)];
            w.strategy.put(id, strategy);
            b.putProfile(id, CustomerApiTest.profile(CustomerProfile.Tier.values()[rnd.nextInt(4)], strategy));
            if (modelLists && rnd.nextBoolean()) {
                List<PrecomputedItem> list = new ArrayList<>();
                Set<String> listed = new HashSet<>();
                double score = 1;
                for (int k = 1 + rnd.nextInt(12); k > 0; k--) {
                    String item = w.items.get(rnd.nextInt(n)).id();
                    if (!listed.add(item)) {
                        continue;
                    }
                    PurchasedItem p = history.stream().filter(h -> h.itemId().equals(item)).findFirst().orElse(null);
                    score -= 0.01 + rnd.nextDouble() * 0.05;
                    list.add(new PrecomputedItem(item, score, p != null, "blend", p));
                }
                b.putCustomerRecommendations(id, new PrecomputedRecommendations("blend", list));
            }
        }
        List<PopularItem> popular = new ArrayList<>();
        for (Item item : w.items) {
            if (item.orders() > 0) {
                popular.add(new PopularItem(item.id(), item.orders(), item.customers()));
            }
        }
        popular.sort(Comparator.comparingLong(PopularItem::customerCount).thenComparingLong(PopularItem::orderCount)
                .reversed().thenComparing(PopularItem::itemId));
        b.popularItems(popular);
        StringBuilder csv = new StringBuilder("item_id,available\n");
        for (Item item : w.items) {
            csv.append(item.id()).append(',').append(!w.catalogueUnavailable.contains(item.id())).append('\n');
        }
        Path catalogPath = dir.resolve("catalog.csv");
        Files.writeString(catalogPath, csv);
        CatalogFile catalog = CatalogFile.read(catalogPath, 0);
        b.addDirectory(Catalog.DIRECTORY, d -> CatalogIndexWriter.write(d, facts, catalog));
        return b.publish(false);
    }

    private static AssociationRule rule(List<String> antecedent, String consequent, Random rnd) {
        double confidence = 0.05 + 0.95 * rnd.nextDouble();
        double lift = 0.8 + 3 * rnd.nextDouble(); // some at or below 1: never fired
        return new AssociationRule(antecedent, consequent, 1 + rnd.nextInt(50), 0.01, confidence, lift, 0.01, 1.5);
    }

    /** One random request, checked; a failure names the world, the request and the answer. */
    private void request(int port, World w, Random rnd, int n) throws Exception {
        int limit = 1 + rnd.nextInt(12);
        Map<String, String> query = new LinkedHashMap<>();
        Expr filter = rnd.nextInt(5) < 2 ? expr(w, rnd, 2) : null;
        Expr boost = rnd.nextInt(10) < 3 ? expr(w, rnd, 2) : null;
        Expr pin = rnd.nextInt(5) < 2 ? expr(w, rnd, 2) : null;
        int pinLimit = RequestRules.DEFAULT_PIN_LIMIT;
        int cap = rnd.nextInt(5) < 2 ? 1 + rnd.nextInt(3) : 0;
        int days = rnd.nextInt(5) < 2 ? 1 + rnd.nextInt(60) : 0;
        if (filter != null) {
            query.put("filter", filter.text());
        }
        if (boost != null) {
            query.put("boost", boost.text());
        }
        if (pin != null) {
            query.put("pin", pin.text());
            if (rnd.nextInt(5) < 3) {
                pinLimit = rnd.nextInt(7);
                query.put("pinLimit", Integer.toString(pinLimit));
            }
        }
        if (cap > 0) {
            query.put("maxPerCategory", Integer.toString(cap));
        }
        if (days > 0) {
            query.put("excludeBoughtWithinDays", Integer.toString(days));
            query.put("asOf", LAST_DAY.toString());
        }
        String customer = null;
        Set<String> named = new HashSet<>();
        String path;
        String body = null;
        boolean offers = false;
        double pricierThan = -1; // upsell: a pin injects only pricier items
        String item = w.items.get(rnd.nextInt(w.items.size())).id();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                customer = rnd.nextInt(8) == 0 ? "C999" : w.customer(rnd.nextInt(CUSTOMERS));
                path = "/v1/customers/" + customer + "/recommendations";
                query.put("limit", Integer.toString(limit));
            }
            case 1 -> {
                path = "/v1/items/" + item + "/bought-together";
                named.add(item);
                query.put("limit", Integer.toString(limit));
            }
            case 2 -> {
                path = "/v1/baskets/recommendations";
                List<String> basket = new ArrayList<>();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    basket.add(w.items.get(rnd.nextInt(w.items.size())).id());
                }
                named.addAll(basket);
                customer = rnd.nextBoolean() ? w.customer(rnd.nextInt(CUSTOMERS)) : null;
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("items", basket);
                if (customer != null) {
                    json.put("customerId", customer);
                }
                json.put("limit", limit);
                body = JSON.writeValueAsString(json);
            }
            case 3 -> {
                customer = w.customer(rnd.nextInt(CUSTOMERS));
                path = "/v1/customers/" + customer + "/next-best-offers";
                query.put("limit", Integer.toString(limit));
                offers = true;
            }
            default -> {
                path = "/v1/items/" + item + "/upsell";
                named.add(item);
                pricierThan = w.byId.get(item).price();
                customer = rnd.nextBoolean() ? w.customer(rnd.nextInt(CUSTOMERS)) : null;
                if (customer != null) {
                    query.put("customerId", customer);
                }
                query.put("limit", Integer.toString(limit));
                offers = true;
            }
        }
        StringBuilder uri = new StringBuilder(path);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            uri.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(),
                    StandardCharsets.UTF_8));
            sep = '&';
        }
        String where = "world seed " + w.seed + ", request " + n + ": " + (body == null ? "GET " : "POST ") + uri
                + (body == null ? "" : " " + body);
        HttpResponse<String> r = send(port, uri.toString(), body);
        if (days > 0 && customer == null) {
            assertEquals(400, r.statusCode(), where + " -> " + r.body());
            assertTrue(r.body().contains("excludeBoughtWithinDays"), where + " -> " + r.body());
            seen("refused", 1);
            return;
        }
        assertEquals(200, r.statusCode(), where + " -> " + r.body());
        where += " -> " + r.body();
        HttpResponse<String> again = send(port, uri.toString(), body);
        assertEquals(r.body(), again.body(), where + ": the same request answered differently");

        JsonNode answer = JSON.readTree(r.body());
        JsonNode list = answer.get(offers ? "offers" : "items");
        if (offers && customer != null && w.strategy.get(customer) == CustomerProfile.Strategy.END
                && path.endsWith("next-best-offers")) {
            assertEquals(0, list.size(), where + ": strategy end gets no offers");
            return;
        }
        Set<String> recent = recentlyBought(w, customer, days);
        List<String> ids = new ArrayList<>();
        int pinned = 0;
        boolean pastPinned = false;
        boolean pastBoosted = false;
        Map<String, Integer> perCategory = new HashMap<>();
        for (JsonNode e : list) {
            String id = e.get("itemId").asText();
            Item it = w.byId.get(id);
            if (it == null) {
                fail(where + ": " + id + " is not in the catalogue");
            }
            if (ids.contains(id)) {
                fail(where + ": " + id + " twice");
            }
            ids.add(id);
            assertTrue(filter == null || filter.matches().test(it), where + ": " + id + " does not pass the filter");
            assertTrue(w.inStock(id), where + ": " + id + " is out of stock");
            assertTrue(!recent.contains(id), where + ": " + id + " was bought within " + days + " days");
            assertTrue(!named.contains(id), where + ": " + id + " is named by the request");
            JsonNode explanation = e.get("explanation");
            String summary = explanation.isTextual() ? explanation.asText() : explanation.get("summary").asText();
            boolean isPinned = e.get("source").asText().equals("pinned");
            boolean isBoosted = summary.startsWith("boosted: ");
            if (isPinned) {
                assertTrue(!pastPinned, where + ": pinned " + id + " after an item not pinned");
                assertTrue(pin != null && pin.matches().test(it), where + ": pinned " + id + " does not match the pin");
                pinned++;
            } else {
                pastPinned = true;
                assertEquals(boost != null && boost.matches().test(it), isBoosted,
                        where + ": " + id + " matches the boost exactly when marked boosted");
                if (isBoosted) {
                    assertTrue(!pastBoosted, where + ": boosted " + id + " after an item not boosted");
                } else {
                    pastBoosted = true;
                }
            }
            if (cap > 0) {
                int count = perCategory.merge(it.category(), 1, Integer::sum);
                assertTrue(count <= cap, where + ": more than " + cap + " of " + it.category());
                seen("category full", count == cap ? 1 : 0);
            }
            seen("items", 1);
            seen("pinned", isPinned ? 1 : 0);
            seen("injected", summary.contains("(injected from the catalogue") ? 1 : 0);
            seen("boosted", isBoosted ? 1 : 0);
        }
        seen("excluded", recent.size()); // recent single-order purchases the window had to keep out
        assertTrue(ids.size() <= limit, where + ": more than limit " + limit);
        if (pin != null) {
            int most = Math.min(pinLimit, limit);
            assertTrue(pinned <= most, where + ": " + pinned + " pinned, pinLimit " + pinLimit);
            if (pinned < most) {
                // Fewer pinned than asked: no other item could have been (eligible, matching, category not full).
                for (Item it : w.items) {
                    boolean couldPin = pin.matches().test(it) && (filter == null || filter.matches().test(it))
                            && w.inStock(it.id()) && !recent.contains(it.id()) && !named.contains(it.id())
                            && it.price() > pricierThan && !ids.contains(it.id());
                    if (couldPin && (cap == 0 || perCategory.getOrDefault(it.category(), 0) < cap)) {
                        fail(where + ": only " + pinned + " of " + most + " pinned, but " + it.id() + " ("
                                + it.category() + ") matches the pin and is eligible");
                    }
                }
            }
        }
    }

    private static HttpResponse<String> send(int port, String pathAndQuery, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
        if (body != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Items the customer bought on or after asOf minus {@code days}, in fewer than 2 orders. */
    private static Set<String> recentlyBought(World w, String customer, int days) {
        Set<String> recent = new HashSet<>();
        if (days > 0 && customer != null) {
            LocalDate since = LAST_DAY.minusDays(days);
            for (PurchasedItem p : w.bought.getOrDefault(customer, List.of())) {
                if (!p.lastPurchased().isBefore(since) && p.orderCount() < 2) {
                    recent.add(p.itemId());
                }
            }
        }
        return recent;
    }

    /** A random expression of the catalogue query syntax, nested up to {@code depth}. */
    private static Expr expr(World w, Random rnd, int depth) {
        if (depth == 0 || rnd.nextInt(5) < 2) {
            return atom(w, rnd);
        }
        Expr a = expr(w, rnd, depth - 1);
        Expr b = expr(w, rnd, depth - 1);
        return switch (rnd.nextInt(5)) {
            case 0 -> new Expr("(" + a.text() + ") AND (" + b.text() + ")", a.matches().and(b.matches()));
            case 1 -> new Expr("(" + a.text() + ") OR (" + b.text() + ")", a.matches().or(b.matches()));
            case 2 -> new Expr("(" + a.text() + ") AND NOT (" + b.text() + ")", a.matches().and(b.matches().negate()));
            case 3 -> new Expr("-(" + a.text() + ")", a.matches().negate());
            default -> new Expr("NOT " + atomText(a), a.matches().negate());
        };
    }

    private static String atomText(Expr e) {
        return "(" + e.text() + ")";
    }

    private static Expr atom(World w, Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0, 1 -> {
                String category = "cat" + rnd.nextInt(CATEGORIES + 1); // cat4: no such category
                return new Expr("category:" + category, it -> it.category().equals(category));
            }
            case 2 -> {
                String a = w.items.get(rnd.nextInt(w.items.size())).id();
                String b = rnd.nextInt(6) == 0 ? "NOPE" : w.items.get(rnd.nextInt(w.items.size())).id();
                return new Expr("id:(" + a + " OR " + b + ")", it -> it.id().equals(a) || it.id().equals(b));
            }
            case 3 -> {
                int low = rnd.nextInt(15);
                int high = low + rnd.nextInt(8);
                return new Expr("price:[" + low + " TO " + high + "]", it -> it.price() >= low && it.price() <= high);
            }
            case 4 -> {
                int low = rnd.nextInt(15);
                return new Expr("price:[" + low + " TO *]", it -> it.price() >= low);
            }
            default -> {
                int low = rnd.nextInt(150);
                return new Expr("orders:[" + low + " TO *]", it -> it.orders() >= low);
            }
        }
    }
}
