package io.affinity.bench;

import de.siegmar.fastcsv.writer.CsvWriter;
import de.siegmar.fastcsv.writer.LineDelimiter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a synthetic, seeded export of a fashion marketplace, the other kind of retailer than the UCI wholesaler:
 * tens or hundreds of thousands of items, most sold a handful of times, a collection of new items every week that
 * sells for a season and fades, customers who order 2-5 times a year and rarely buy the same item again (basics
 * excepted), about one line in five returned, and a catalogue file with categories, families, prices, costs,
 * brands and seasons, some of its items never sold (this week's arrivals). The orders file has the UCI Online Retail
 * II columns, so {@code train --format auto} reads it as it reads the real exports.
 *
 * <p>Shape: items are colour variants of families (1-8 colours); a family belongs to a category and a brand, is
 * released in some week and has a Zipf-like popularity (exponent 1, by a random rank) that decays after release
 * (a season of about 8 weeks' half-life). Each family has a few partner families of complementary categories
 * released in the same weeks (a dress and the sandals of its collection): a basket's further items come from the
 * first one's partners half the time, which is the co-purchase structure rules and item-item models can find; the
 * rest from the customer's favourite categories by current popularity. Demand has seasons (November and December
 * high, sales in January and July with lower prices). 8% of the customers are guests (no customer id) who order
 * once: about 2% of the orders.
 *
 * <pre>
 *   java -cp cli/target/affinity.jar:benchmarks/target/classes io.affinity.bench.FashionRetailExport \
 *       ITEMS CUSTOMERS OUT_DIR [SEED] [MONTHS]
 * </pre>
 * Writes {@code OUT_DIR/orders.csv.gz} and {@code OUT_DIR/catalog.csv.gz}; prints the counts.
 */
public final class FashionRetailExport {
    static final LocalDate START = LocalDate.of(2024, 1, 1);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final String[] CATEGORIES = {"Dress", "Shirt", "Blouse", "T-Shirt", "Jeans", "Trousers", "Skirt",
        "Shorts", "Jacket", "Coat", "Knitwear", "Hoodie", "Sneakers", "Boots", "Sandals", "Heels", "Bag", "Belt",
        "Scarf", "Hat", "Socks", "Underwear", "Swimwear", "Sunglasses", "Jewellery", "Watch", "Pyjamas", "Suit"};
    /** Categories bought again and again (the only repeat buying here). */
    private static final boolean[] BASIC = new boolean[CATEGORIES.length];
    private static final String[] COLOURS = {"BLACK", "WHITE", "NAVY", "GREY", "RED", "GREEN", "BEIGE", "PINK",
        "BLUE", "BROWN", "YELLOW", "KHAKI"};
    private static final String[] MATERIALS = {"COTTON", "LINEN", "WOOL", "DENIM", "LEATHER", "SILK", "JERSEY",
        "SATIN", "SUEDE", "CASHMERE", "VISCOSE", "CORDUROY"};
    private static final String[] STYLES = {"RELAXED", "SLIM", "CLASSIC", "OVERSIZED", "CROPPED", "WRAP", "PLEATED",
        "RIBBED", "TAILORED", "VINTAGE", "UTILITY", "FLORAL", "STRIPED", "QUILTED", "BELTED", "BOXY"};
    private static final String[] NAMES = {"ALBA", "BRIO", "CORA", "DUNE", "ELIO", "FARO", "GAIA", "HAVEN", "IRIS",
        "JUNO", "KAI", "LUNA", "MIRA", "NOVA", "ORLA", "PIA", "QUINN", "RIVA", "SOL", "TESS", "UMA", "VERA", "WREN",
        "XENA", "YARA", "ZOE"};
    private static final String[] BRANDS = new String[60];

    static {
        for (String basic : new String[] {"Socks", "Underwear", "T-Shirt"}) {
            BASIC[Arrays.asList(CATEGORIES).indexOf(basic)] = true;
        }
        for (int i = 0; i < BRANDS.length; i++) {
            BRANDS[i] = "Brand " + (char) ('A' + i % 26) + (i / 26 == 0 ? "" : Integer.toString(i / 26));
        }
    }

    private FashionRetailExport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: FashionRetailExport ITEMS CUSTOMERS OUT_DIR [SEED] [MONTHS]");
            System.exit(2);
        }
        Summary s = write(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2]),
                args.length > 3 ? Long.parseLong(args[3]) : 42, args.length > 4 ? Integer.parseInt(args[4]) : 18);
        System.out.println(s);
    }

    /** What one run wrote. */
    record Summary(int catalogItems, int soldItems, int customers, long orders, long rows, long returnRows) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "catalogue %,d items (%,d sold), %,d customers, %,d orders, %,d rows "
                    + "(%,d return rows)", catalogItems, soldItems, customers, orders, rows, returnRows);
        }
    }

    /** Writes the two files; the same arguments always write the same bytes. */
    static Summary write(int items, int customers, Path out, long seed, int months) throws IOException {
        if (items < 10 || customers < 1 || months < 2) {
            throw new IllegalArgumentException("need at least 10 items, 1 customer and 2 months");
        }
        Files.createDirectories(out);
        SplittableRandom random = new SplittableRandom(seed);
        int days = (int) (START.plusMonths(months).toEpochDay() - START.toEpochDay());
        int weeks = days / 7 + 1;
        Catalogue cat = Catalogue.generate(items, weeks, random.split());
        Demand demand = new Demand(cat, weeks);
        long[] sold = new long[cat.items()];
        long orders = 0;
        long rows = 0;
        long returns = 0;
        try (Writer w = gzipWriter(out.resolve("orders.csv.gz"));
             CsvWriter csv = CsvWriter.builder().lineDelimiter(LineDelimiter.LF).build(w)) {
            csv.writeRecord("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID",
                    "Country");
            List<String[]> pendingReturns = new ArrayList<>();
            SplittableRandom r = random.split();
            // customers one after another: their rows are not in time order, which exports need not be
            int invoice = 100_000;
            for (int c = 0; c < customers; c++) {
                boolean guest = r.nextDouble() < 0.08;
                String id = guest ? "" : Integer.toString(1_000_000 + c);
                int[] favourites = {r.nextInt(CATEGORIES.length), r.nextInt(CATEGORIES.length),
                    r.nextInt(CATEGORIES.length)};
                // orders a year: spread around 3.5 (a few heavy buyers); 5 before the seasons' thinning (0.69)
                double rate = 5.0 * (-Math.log(1 - r.nextDouble()) * 0.6 + 0.4) / 365.0;
                // most customers were customers before the data starts; the rest join on the way
                int first = r.nextDouble() < 0.6 ? r.nextInt(60) : r.nextInt(days);
                int day = first;
                List<Integer> history = new ArrayList<>();
                int country = r.nextDouble() < 0.7 ? 0 : 1 + r.nextInt(4);
                while (day < days) {
                    LocalDate date = START.plusDays(day);
                    if (r.nextDouble() < seasonFactor(date) / 1.6) {
                        invoice++; // also for a basket left empty below: the invoice numbers stay as they were
                        int week = day / 7;
                        LocalDateTime at = date.atTime(7 + r.nextInt(15), r.nextInt(60), r.nextInt(60));
                        int lines = 1 + (int) Math.min(7, -Math.log(1 - r.nextDouble()) * 1.3);
                        int[] basket = new int[lines];
                        int n = 0;
                        for (int l = 0; l < lines; l++) {
                            int item;
                            if (n > 0 && r.nextDouble() < 0.5) {
                                item = cat.partnerItem(basket[r.nextInt(n)], r);
                            } else if (!history.isEmpty() && r.nextDouble() < 0.25) {
                                int h = history.get(r.nextInt(history.size()));
                                item = BASIC[cat.category(h)] ? h : cat.partnerItem(h, r);
                            } else {
                                int category = r.nextDouble() < 0.7 ? favourites[r.nextInt(3)]
                                        : r.nextInt(CATEGORIES.length);
                                item = demand.sample(week, category, r);
                            }
                            if (item < 0 || contains(basket, n, item)) {
                                continue;
                            }
                            basket[n++] = item;
                        }
                        // an order of no row (no item of its categories on sale, or only repeats) is no order:
                        // counted, it made the summary's orders exceed the export's by about 0.2%
                        orders += n > 0 ? 1 : 0;
                        for (int l = 0; l < n; l++) {
                            int item = basket[l];
                            sold[item]++;
                            int qty = r.nextDouble() < 0.9 ? 1 : 2;
                            double price = cat.price(item) * (sale(date) ? 0.7 : 1.0);
                            String p = String.format(Locale.ROOT, "%.2f", price);
                            csv.writeRecord(Integer.toString(invoice), cat.id(item), cat.description(item),
                                    Integer.toString(qty), at.format(TIME), p, id, COUNTRIES[country]);
                            rows++;
                            history.add(item);
                            if (r.nextDouble() < 0.2) {
                                LocalDateTime back = at.plusDays(3 + r.nextInt(25));
                                if (back.toLocalDate().isBefore(START.plusDays(days))) {
                                    pendingReturns.add(new String[] {null, cat.id(item), cat.description(item),
                                        Integer.toString(-qty), back.format(TIME), p, id, COUNTRIES[country]});
                                }
                            }
                        }
                        if (guest) {
                            break;
                        }
                    }
                    day += 1 + (int) (-Math.log(1 - r.nextDouble()) / rate / 1.0);
                }
                for (String[] ret : pendingReturns) {
                    invoice++;
                    ret[0] = "C" + invoice;
                    csv.writeRecord(ret);
                    rows++;
                    returns++;
                }
                pendingReturns.clear();
            }
        }
        int soldItems = 0;
        for (long s : sold) {
            soldItems += s > 0 ? 1 : 0;
        }
        cat.writeCsv(out.resolve("catalog.csv.gz"), weeks);
        return new Summary(cat.items(), soldItems, customers, orders, rows, returns);
    }

    private static final String[] COUNTRIES = {"United Kingdom", "Germany", "France", "Netherlands", "Spain"};

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /** Relative demand of a day: Black Friday to Christmas high, summer and the January sale above the rest. */
    static double seasonFactor(LocalDate date) {
        return switch (date.getMonthValue()) {
            case 11, 12 -> 1.6;
            case 1, 7 -> 1.2;
            case 2, 8 -> 0.8;
            default -> 1.0;
        };
    }

    private static boolean sale(LocalDate date) {
        int m = date.getMonthValue();
        return (m == 1 || m == 7) && date.getDayOfMonth() <= 21;
    }

    private static Writer gzipWriter(Path file) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file), 1 << 16),
                StandardCharsets.UTF_8), 1 << 16);
    }

    /** Items as colour variants of families; families with a category, brand, release week and partners. */
    static final class Catalogue {
        private final int[] itemFamily;
        private final int[] itemColour;
        private final int[] familyFirstItem;
        private final int[] familyCategory;
        private final int[] familyBrand;
        private final int[] familyRelease;
        private final double[] familyWeight;
        private final double[] familyPrice;
        private final int[][] familyPartners;
        private final String[] familyName;

        private Catalogue(int[] itemFamily, int[] itemColour, int[] familyFirstItem, int[] familyCategory,
                          int[] familyBrand, int[] familyRelease, double[] familyWeight, double[] familyPrice,
                          int[][] familyPartners, String[] familyName) {
            this.itemFamily = itemFamily;
            this.itemColour = itemColour;
            this.familyFirstItem = familyFirstItem;
            this.familyCategory = familyCategory;
            this.familyBrand = familyBrand;
            this.familyRelease = familyRelease;
            this.familyWeight = familyWeight;
            this.familyPrice = familyPrice;
            this.familyPartners = familyPartners;
            this.familyName = familyName;
        }

        static Catalogue generate(int items, int weeks, SplittableRandom r) {
            int[] itemFamily = new int[items];
            int[] itemColour = new int[items];
            List<Integer> firsts = new ArrayList<>();
            int i = 0;
            while (i < items) {
                int variants = Math.min(items - i, 1 + r.nextInt(8) * r.nextInt(2) + r.nextInt(2));
                int family = firsts.size();
                firsts.add(i);
                int offset = r.nextInt(COLOURS.length);
                for (int v = 0; v < variants; v++) {
                    itemFamily[i] = family;
                    itemColour[i] = (offset + v) % COLOURS.length;
                    i++;
                }
            }
            int families = firsts.size();
            int[] first = new int[families + 1];
            for (int f = 0; f < families; f++) {
                first[f] = firsts.get(f);
            }
            first[families] = items;
            int[] category = new int[families];
            int[] brand = new int[families];
            int[] release = new int[families];
            double[] weight = new double[families];
            double[] price = new double[families];
            String[] name = new String[families];
            // a random popularity rank per family: Zipf with exponent 1 over the whole catalogue
            int[] rank = new int[families];
            for (int f = 0; f < families; f++) {
                rank[f] = f + 1;
            }
            for (int f = families - 1; f > 0; f--) {
                int j = r.nextInt(f + 1);
                int t = rank[f];
                rank[f] = rank[j];
                rank[j] = t;
            }
            for (int f = 0; f < families; f++) {
                category[f] = r.nextInt(CATEGORIES.length);
                brand[f] = r.nextInt(BRANDS.length);
                // a stock of carry-over items released before the data starts, then new ones every week, and the
                // last week's arrivals (about 1%) never sold yet (with the long tail's end that nobody picked: 21% of
                // the items at 2,000 items and customers, 10% at 50,000, 32% at 200,000)
                release[f] = r.nextDouble() < 0.15 ? -r.nextInt(26) : r.nextInt(weeks + 1);
                weight[f] = 1.0 / rank[f];
                price[f] = Math.round(Math.exp(Math.log(12 + 6 * (category[f] % 7)) + r.nextGaussian() * 0.5))
                        - 0.01;
                name[f] = STYLES[r.nextInt(STYLES.length)] + " " + MATERIALS[r.nextInt(MATERIALS.length)] + " "
                        + NAMES[r.nextInt(NAMES.length)] + " " + (f / 26 % 1000) + " "
                        + CATEGORIES[category[f]].toUpperCase(Locale.ROOT);
            }
            // partners: families of other categories released within two weeks (a collection)
            Integer[] byRelease = new Integer[families];
            for (int f = 0; f < families; f++) {
                byRelease[f] = f;
            }
            Arrays.sort(byRelease, (a, b) -> Integer.compare(release[a], release[b]));
            int[][] partners = new int[families][];
            for (int p = 0; p < families; p++) {
                int f = byRelease[p];
                int k = 2 + r.nextInt(3);
                int[] chosen = new int[k];
                int n = 0;
                for (int tries = 0; n < k && tries < 20; tries++) {
                    int q = Math.max(0, Math.min(families - 1, p + r.nextInt(401) - 200));
                    int g = byRelease[q];
                    if (g != f && category[g] != category[f]) {
                        chosen[n++] = g;
                    }
                }
                partners[f] = Arrays.copyOf(chosen, n);
            }
            return new Catalogue(itemFamily, itemColour, first, category, brand, release, weight, price, partners,
                    name);
        }

        int items() {
            return itemFamily.length;
        }

        int families() {
            return familyCategory.length;
        }

        int category(int item) {
            return familyCategory[itemFamily[item]];
        }

        double price(int item) {
            return familyPrice[itemFamily[item]];
        }

        String id(int item) {
            return String.format(Locale.ROOT, "F%07d", item);
        }

        String description(int item) {
            return COLOURS[itemColour[item]] + " " + familyName[itemFamily[item]];
        }

        /** A colour of a partner family of the item's family, or of its own family when it has none. */
        int partnerItem(int item, SplittableRandom r) {
            int[] p = familyPartners[itemFamily[item]];
            int f = p.length == 0 ? itemFamily[item] : p[r.nextInt(p.length)];
            return variant(f, r);
        }

        int variant(int family, SplittableRandom r) {
            int from = familyFirstItem[family];
            int n = familyFirstItem[family + 1] - from;
            // the first colour sells most
            return from + (r.nextDouble() < 0.5 ? 0 : r.nextInt(n));
        }

        double weightAt(int family, int week) {
            int age = week - familyRelease[family];
            if (age < 0) {
                return 0;
            }
            return familyWeight[family] * Math.pow(0.5, age / 8.0) + familyWeight[family] * 0.02;
        }

        void writeCsv(Path file, int weeks) throws IOException {
            try (Writer w = gzipWriter(file);
                 CsvWriter csv = CsvWriter.builder().lineDelimiter(LineDelimiter.LF).build(w)) {
                csv.writeRecord("item_id", "description", "category", "family", "price", "cost", "available",
                        "brand", "season", "material");
                for (int i = 0; i < items(); i++) {
                    int f = itemFamily[i];
                    int releaseWeek = Math.max(0, familyRelease[f]);
                    LocalDate released = START.plusWeeks(releaseWeek);
                    String season = (released.getMonthValue() >= 3 && released.getMonthValue() <= 8 ? "SS" : "AW")
                            + (released.getYear() % 100);
                    double p = familyPrice[f];
                    csv.writeRecord(id(i), description(i), CATEGORIES[familyCategory[f]],
                            familyName[f].toLowerCase(Locale.ROOT), String.format(Locale.ROOT, "%.2f", p),
                            String.format(Locale.ROOT, "%.2f", p * 0.45),
                            (i * 31 + f) % 50 == 0 ? "false" : "true", BRANDS[familyBrand[f]], season,
                            familyName[f].split(" ")[1].toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    /** Sampling by current popularity within a category: per week, cumulative weights over the live families. */
    static final class Demand {
        private final Catalogue cat;
        private final int[][][] families;
        private final double[][][] cumulative;

        Demand(Catalogue cat, int weeks) {
            this.cat = cat;
            int categories = CATEGORIES.length;
            families = new int[weeks][categories][];
            cumulative = new double[weeks][categories][];
            List<List<Integer>> byCategory = new ArrayList<>();
            for (int c = 0; c < categories; c++) {
                byCategory.add(new ArrayList<>());
            }
            for (int f = 0; f < cat.families(); f++) {
                byCategory.get(cat.familyCategory[f]).add(f);
            }
            for (int w = 0; w < weeks; w++) {
                for (int c = 0; c < categories; c++) {
                    List<Integer> all = byCategory.get(c);
                    int[] live = new int[all.size()];
                    double[] cum = new double[all.size()];
                    int n = 0;
                    double sum = 0;
                    for (int f : all) {
                        double weight = cat.weightAt(f, w);
                        if (weight > 0) {
                            sum += weight;
                            live[n] = f;
                            cum[n++] = sum;
                        }
                    }
                    families[w][c] = Arrays.copyOf(live, n);
                    cumulative[w][c] = Arrays.copyOf(cum, n);
                }
            }
        }

        /** An item of the category by this week's popularity, or -1 when none is on sale. */
        int sample(int week, int category, SplittableRandom r) {
            double[] cum = cumulative[week][category];
            if (cum.length == 0) {
                return -1;
            }
            double x = r.nextDouble() * cum[cum.length - 1];
            int i = Arrays.binarySearch(cum, x);
            i = i >= 0 ? i : -i - 1;
            return cat.variant(families[week][category][Math.min(i, cum.length - 1)], r);
        }
    }
}
