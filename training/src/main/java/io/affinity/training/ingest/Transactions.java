package io.affinity.training.ingest;

import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Clean transactions, immutable and columnar: primitive arrays indexed by order, line, item and customer
 * number, with dictionaries for the string ids. The two UCI files (1M accepted lines) take about 25 MB of heap,
 * where one object per line would take several times that.
 *
 * <p>Orders are numbered {@code 0 .. orderCount()-1} in the order of their first accepted row in the input.
 * An order's lines are {@code lineStart(o) .. lineEnd(o)-1}, contiguous and in input order, even when the file
 * interleaves orders. Items and customers are numbered in order of first appearance.
 *
 * <p>Timestamps: the exports carry local wall-clock time without zone (UK time in the UCI data), and nothing
 * downstream needs instants, so no zone is invented. {@link #timestampOf(int)} gives the
 * {@link LocalDateTime}; {@link #localEpochSecondOf(int)} gives the same wall-clock time as seconds since
 * 1970-01-01T00:00 <em>as if</em> it were UTC, which is cheap to store, compare and subtract (a DST change
 * can make differences across it off by an hour, which no recency feature cares about).
 *
 * <p>Thread-safe once built (never modified).
 */
public final class Transactions {
    private final String[] orderIds;
    private final int[] orderCustomer;
    private final long[] orderTime;
    private final int[] orderCountry;
    private final int[] lineOffsets; // orderCount + 1 entries
    private final int[] lineItem;
    private final double[] lineQuantity;
    private final CustomerReturns returns;
    /** Every return of the export netted: what train counts. */
    private final KeptQuantities everyReturn;
    private final double[] linePrice;
    private final String[] itemIds;
    private final String[] itemDescriptions;
    private final String[] itemCategories;
    private final String[] customerIds;
    private final String[] countries;
    private final Object2IntOpenHashMap<String> itemIndex;
    private final Object2IntOpenHashMap<String> customerIndex;
    private final int[] customerOrderOffsets; // customerCount + 1 entries
    private final int[] customerOrders;       // order numbers grouped by customer, in order number

    private final boolean sequenceOnly;

    /**
     * True when the input had an order sequence instead of timestamps ({@link ColumnMapping#SEQUENCE}): times then
     * only order the purchases (sequence n is day n after 1970-01-01) and are no calendar.
     */
    public boolean sequenceOnly() {
        return sequenceOnly;
    }

    /** Takes ownership of the arrays; only the loader builds instances. */
    Transactions(String[] orderIds, int[] orderCustomer, long[] orderTime, int[] orderCountry, int[] lineOffsets,
                 int[] lineItem, double[] lineQuantity, CustomerReturns returns, double[] linePrice, String[] itemIds,
                 String[] itemDescriptions, String[] itemCategories, String[] customerIds, String[] countries,
                 boolean sequenceOnly) {
        this.sequenceOnly = sequenceOnly;
        int n = orderIds.length;
        if (orderCustomer.length != n || orderTime.length != n || orderCountry.length != n
                || lineOffsets.length != n + 1 || lineOffsets[0] != 0 || lineOffsets[n] != lineItem.length
                || lineQuantity.length != lineItem.length
                || linePrice.length != lineItem.length
                || itemDescriptions.length != itemIds.length || itemCategories.length != itemIds.length) {
            throw new IllegalArgumentException("inconsistent column lengths");
        }
        this.orderIds = orderIds;
        this.orderCustomer = orderCustomer;
        this.orderTime = orderTime;
        this.orderCountry = orderCountry;
        this.lineOffsets = lineOffsets;
        this.lineItem = lineItem;
        this.lineQuantity = lineQuantity;
        this.returns = returns;
        this.everyReturn = returns.netUntil(Long.MAX_VALUE, lineQuantity);
        this.linePrice = linePrice;
        this.itemIds = itemIds;
        this.itemDescriptions = itemDescriptions;
        this.itemCategories = itemCategories;
        this.customerIds = customerIds;
        this.countries = countries;
        this.itemIndex = index(itemIds);
        this.customerIndex = index(customerIds);
        // Per-customer order lists, built once here: customer histories and customer analytics both walk them.
        this.customerOrderOffsets = new int[customerIds.length + 1];
        for (int c : orderCustomer) {
            if (c >= 0) {
                customerOrderOffsets[c + 1]++;
            }
        }
        for (int c = 0; c < customerIds.length; c++) {
            customerOrderOffsets[c + 1] += customerOrderOffsets[c];
        }
        this.customerOrders = new int[customerOrderOffsets[customerIds.length]];
        int[] fill = Arrays.copyOf(customerOrderOffsets, customerIds.length);
        for (int o = 0; o < n; o++) {
            if (orderCustomer[o] >= 0) {
                customerOrders[fill[orderCustomer[o]]++] = o;
            }
        }
    }

    /**
     * These transactions with the orders of {@code customers} (normalised ids) read as anonymous baskets, as a
     * guest's are: they still count where baskets and items are counted (rules, popularity, trade-ups' items), and
     * nothing is kept of the customer (no history, profile, list or value). How training honours a consent list's
     * objection to profiling. Returns are netted as before, since they belong to the lines, not to the customer
     * numbering. This instance when none of them has an order; the others keep their order of first appearance.
     */
    public Transactions anonymising(java.util.Set<String> customers) {
        int[] renumbered = new int[customerIds.length];
        java.util.List<String> kept = new java.util.ArrayList<>(customerIds.length);
        for (int c = 0; c < customerIds.length; c++) {
            if (customers.contains(customerIds[c])) {
                renumbered[c] = -1;
            } else {
                renumbered[c] = kept.size();
                kept.add(customerIds[c]);
            }
        }
        if (kept.size() == customerIds.length) {
            return this;
        }
        int[] customerOfOrder = new int[orderCustomer.length];
        for (int o = 0; o < orderCustomer.length; o++) {
            customerOfOrder[o] = orderCustomer[o] < 0 ? -1 : renumbered[orderCustomer[o]];
        }
        return new Transactions(orderIds, customerOfOrder, orderTime, orderCountry, lineOffsets, lineItem,
                lineQuantity, returns, linePrice, itemIds, itemDescriptions, itemCategories,
                kept.toArray(String[]::new), countries, sequenceOnly);
    }

    /**
     * These transactions with items and customers numbered by their first purchase: by the time of the earliest order
     * holding the item (placed by the customer), then by where that purchase stands among the purchases of that time
     * (its line, or its order, in load order); orders and lines keep their numbers. Rankings break ties by number,
     * and the loader's numbers follow the input's rows: in an export written newest first, the items bought last come
     * first and win every tie, so an evaluation would favour the very items its test period holds. Numbered this way,
     * the items and customers of the orders before any instant are numbered by those orders alone, whatever came
     * after it and wherever its rows stand, and those first seen after it follow them all. For an export in time
     * order these are the loader's numbers.
     */
    public Transactions numberedByFirstPurchase() {
        long[] itemFirst = new long[itemIds.length];
        int[] itemLine = new int[itemIds.length];
        long[] customerFirst = new long[customerIds.length];
        int[] customerOrder = new int[customerIds.length];
        Arrays.fill(itemFirst, Long.MAX_VALUE);
        Arrays.fill(customerFirst, Long.MAX_VALUE);
        for (int o = 0; o < orderIds.length; o++) {
            long t = orderTime[o];
            int c = orderCustomer[o];
            if (c >= 0 && t < customerFirst[c]) { // orders in load order: the first of equal times stays
                customerFirst[c] = t;
                customerOrder[c] = o;
            }
            for (int l = lineOffsets[o]; l < lineOffsets[o + 1]; l++) {
                if (t < itemFirst[lineItem[l]]) {
                    itemFirst[lineItem[l]] = t;
                    itemLine[lineItem[l]] = l;
                }
            }
        }
        int[] newItem = numbering(itemFirst, itemLine);
        int[] newCustomer = numbering(customerFirst, customerOrder);
        int[] items = new int[lineItem.length];
        for (int l = 0; l < items.length; l++) {
            items[l] = newItem[lineItem[l]];
        }
        int[] customerOfOrder = new int[orderCustomer.length];
        for (int o = 0; o < customerOfOrder.length; o++) {
            customerOfOrder[o] = orderCustomer[o] < 0 ? -1 : newCustomer[orderCustomer[o]];
        }
        String[] ids = new String[itemIds.length];
        String[] descriptions = new String[itemIds.length];
        String[] categories = new String[itemIds.length];
        for (int i = 0; i < ids.length; i++) {
            ids[newItem[i]] = itemIds[i];
            descriptions[newItem[i]] = itemDescriptions[i];
            categories[newItem[i]] = itemCategories[i];
        }
        String[] customers = new String[customerIds.length];
        for (int c = 0; c < customers.length; c++) {
            customers[newCustomer[c]] = customerIds[c];
        }
        return new Transactions(orderIds, customerOfOrder, orderTime, orderCountry, lineOffsets, items, lineQuantity,
                returns, linePrice, ids, descriptions, categories, customers, countries, sequenceOnly);
    }

    /**
     * Each entity's new number: ranked by first time, then by the position of that first purchase (an entity never
     * bought has time Long.MAX_VALUE; then its old number decides).
     */
    private static int[] numbering(long[] first, int[] position) {
        Integer[] byFirst = new Integer[first.length];
        Arrays.setAll(byFirst, i -> i);
        Arrays.sort(byFirst, (a, b) -> {
            int c = Long.compare(first[a], first[b]);
            return c != 0 ? c : Integer.compare(position[a], position[b]);
        });
        int[] number = new int[first.length];
        for (int r = 0; r < byFirst.length; r++) {
            number[byFirst[r]] = r;
        }
        return number;
    }

    private static Object2IntOpenHashMap<String> index(String[] ids) {
        Object2IntOpenHashMap<String> m = new Object2IntOpenHashMap<>(ids.length);
        m.defaultReturnValue(-1);
        for (int i = 0; i < ids.length; i++) {
            m.put(ids[i], i);
        }
        return m;
    }

    public int orderCount() {
        return orderIds.length;
    }

    /** The order / invoice number as in the file (trimmed). */
    public String orderId(int o) {
        return orderIds[o];
    }

    /** Customer number, or -1 for an anonymous basket. */
    public int customerOf(int o) {
        return orderCustomer[o];
    }

    /** Wall-clock time of the order (its earliest accepted row's), without zone. */
    public LocalDateTime timestampOf(int o) {
        return LocalDateTime.ofEpochSecond(orderTime[o], 0, ZoneOffset.UTC);
    }

    /** {@link #timestampOf(int)} as seconds since 1970-01-01T00:00 wall-clock (see class comment). */
    public long localEpochSecondOf(int o) {
        return orderTime[o];
    }

    /** Country of the order, empty when the export has none. */
    public String countryOf(int o) {
        return countries[orderCountry[o]];
    }

    /** First line of order {@code o}. */
    public int lineStart(int o) {
        return lineOffsets[o];
    }

    /** One past the last line of order {@code o}. */
    public int lineEnd(int o) {
        return lineOffsets[o + 1];
    }

    public int lineCount() {
        return lineItem.length;
    }

    public int itemOfLine(int l) {
        return lineItem[l];
    }

    /** Quantity, always > 0. */
    public double quantityOfLine(int l) {
        return lineQuantity[l];
    }

    /**
     * What the customer kept of the line: its quantity less what {@link ReturnNetting} matched of their returns
     * to it, 0 for a line returned in full, the quantity itself for guests' lines. Customer value counts this;
     * baskets, histories and the recommenders count {@link #quantityOfLine} (what was bought).
     */
    public double keptQuantityOfLine(int l) {
        return everyReturn.keptQuantityOfLine(l);
    }

    /** {@link #keptQuantityOfLine} of every line (every return of the export netted), with the return counts. */
    public KeptQuantities everyReturnNetted() {
        return everyReturn;
    }

    /**
     * What customers had kept of each line at the end of {@code lastDay}: only the returns made on or before that day
     * are netted, so a later return does not reduce a purchase it had not yet undone ({@code customers
     * --calibration-end}: the calibration period must not see the holdout's returns).
     */
    public KeptQuantities keptAsOf(LocalDate lastDay) {
        long lastSecond = lastDay.plusDays(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
        return returns.netUntil(lastSecond, lineQuantity);
    }

    /**
     * Each line's kept quantity as of a day ({@link #keptAsOf}), and what the customers' returns did: {@code netted}
     * took something off a purchase made before them, {@code unmatched} found none (bought before the export, or by
     * then already returned), {@code datedAfter} were made after the day and were not netted. The three add up to
     * every return of an identified customer's product in the export.
     */
    public static final class KeptQuantities {
        private final double[] kept;
        private final long netted;
        private final long unmatched;
        private final long datedAfter;

        KeptQuantities(double[] kept, long netted, long unmatched, long datedAfter) {
            if (netted < 0 || unmatched < 0 || datedAfter < 0) {
                throw new IllegalArgumentException("negative return counts");
            }
            this.kept = kept;
            this.netted = netted;
            this.unmatched = unmatched;
            this.datedAfter = datedAfter;
        }

        /** What the customer kept of line {@code l} (its quantity for guests' lines and lines nothing was returned of). */
        public double keptQuantityOfLine(int l) {
            return kept[l];
        }

        public long netted() {
            return netted;
        }

        public long unmatched() {
            return unmatched;
        }

        public long datedAfter() {
            return datedAfter;
        }
    }

    /** Unit price, always > 0. */
    public double unitPriceOfLine(int l) {
        return linePrice[l];
    }

    public int itemCount() {
        return itemIds.length;
    }

    /** Normalised item id (trimmed, upper case). */
    public String itemId(int i) {
        return itemIds[i];
    }

    /** Item number for a normalised item id, or -1 when unknown. */
    public int itemIndex(String itemId) {
        return itemIndex.getInt(itemId);
    }

    /** Most frequent description among the item's accepted rows (first seen on ties); empty when none. */
    public String itemDescription(int i) {
        return itemDescriptions[i];
    }

    /** Most frequent category, like the description; empty when the export has none. */
    public String itemCategory(int i) {
        return itemCategories[i];
    }

    /** First position of customer {@code c}'s orders in {@link #customerOrder(int)}; see {@link #customerOrderEnd}. */
    public int customerOrderStart(int c) {
        return customerOrderOffsets[c];
    }

    /** End (exclusive) of customer {@code c}'s orders; equal to the start for a customer with no order. */
    public int customerOrderEnd(int c) {
        return customerOrderOffsets[c + 1];
    }

    /** The order at position {@code k} of the per-customer grouping (each customer's orders in order number). */
    public int customerOrder(int k) {
        return customerOrders[k];
    }

    public int customerCount() {
        return customerIds.length;
    }

    /** Normalised customer id (trimmed, {@code 17850.0} written as {@code 17850}). */
    public String customerId(int c) {
        return customerIds[c];
    }

    /** Customer number for a normalised customer id, or -1 when unknown. */
    public int customerIndex(String customerId) {
        return customerIndex.getInt(customerId);
    }

    /** A customer id with more than this share of the orders that name a customer looks like a shop's account. */
    public static final double OUTSIZED_CUSTOMER_SHARE = 0.05;
    /** ... and at least this many orders (in a tiny export one regular is a large share). */
    public static final int OUTSIZED_CUSTOMER_MIN_ORDERS = 20;

    /**
     * A warning when one customer id holds more than {@link #OUTSIZED_CUSTOMER_SHARE} of the orders that name a
     * customer: a shop system's id for guest checkouts ({@code 0}, a "one-time customer" account) makes one
     * customer of many people, the most valuable one and everyone's nearest neighbour. The id is not shown (it may
     * be a person's); the largest customer by orders is easy to find in the export. Empty when none is.
     */
    public java.util.Optional<String> outsizedCustomerWarning() {
        int identified = 0;
        int largest = 0;
        for (int c = 0; c < customerCount(); c++) {
            int orders = customerOrderEnd(c) - customerOrderStart(c);
            identified += orders;
            largest = Math.max(largest, orders);
        }
        return outsizedCustomerWarning(largest, identified);
    }

    /**
     * The warning of {@link #outsizedCustomerWarning()} for a customer id with {@code largest} of the
     * {@code identified} orders that name a customer, or empty; spark-train counts them with Spark.
     */
    public static java.util.Optional<String> outsizedCustomerWarning(long largest, long identified) {
        if (largest < OUTSIZED_CUSTOMER_MIN_ORDERS || largest <= OUTSIZED_CUSTOMER_SHARE * identified) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "one customer id holds %.1f%% of the "
                + "orders that name a customer (%,d of %,d): if it is the shop system's id for guest checkouts or a "
                + "shared account, pass it with --guest-customers so that its orders are read as anonymous baskets "
                + "(the id is not shown: it may be a person's; it is the customer with the most orders)",
                100.0 * largest / identified, largest, identified));
    }
}
