package io.affinity.training.ingest;

import io.affinity.recommender.Ids;
import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Loads transaction exports (CSV, UTF-8 unless told otherwise and decoded strictly, comma-separated unless
 * {@link IngestOptions#dialect()} says otherwise, RFC 4180 quoting; gzip detected by its magic bytes, whatever the
 * file name) into {@link Transactions}, streaming: memory grows with the accepted data, not with the file size.
 *
 * <h2>Columns</h2>
 * The first line is the header. Columns are found by name through a {@link ColumnMapping}, either given in
 * {@link IngestOptions#mapping()} or detected per file from the header ({@link ColumnMapping#detect}), so
 * files with different layouts (the two UCI files) load together. A required column missing from the header
 * fails the load naming the file, the column and its role, and so does an optional one (description, category,
 * country) named by a mapping that is not a preset ({@link ColumnMapping#isPreset}); so does a column the mapping uses that appears twice
 * in the header (a duplicate of a column the mapping does not use is harmless and allowed).
 *
 * <h2>Rules</h2>
 * Every data row (empty lines and rows of blank cells, as a spreadsheet saves them, are not rows) is either
 * accepted or rejected for exactly one {@link RejectReason}, the first that applies in this order, so
 * {@code rowsRead == rowsAccepted + sum(rejected)}. Each reason is counted with its first {@code samplesPerReason} locations as
 * {@code file:line}, the physical line in that file (header = line 1; a quoted field spanning lines counts
 * all of its lines).
 * <ol>
 * <li><b>Malformed</b> (count against the error budget): {@code malformed_column_count} (field count differs
 *     from the header's), {@code malformed_blank_field} (order, item, quantity, unit price or timestamp
 *     blank), {@code malformed_quantity} / {@code malformed_price} (not a finite decimal number, or beyond
 *     {@link ExportReader#MAX_QUANTITY} / {@link ExportReader#MAX_PRICE} either way: an id in the wrong column),
 *     {@code malformed_timestamp} (matches none of the mapping's patterns), {@code malformed_sequence} (an
 *     order sequence that is not a whole number), {@code malformed_id_too_long} (customer or item id over 128
 *     characters, the most a model stores), {@code malformed_currency} (a currency cell that is blank or no ISO 4217
 *     code), {@code no_exchange_rate} (the exchange rates lack the row's currency on its day; {@link Currencies} and
 *     {@link ExchangeRates}), {@code order_customer_conflict} (the order number already belongs
 *     to another customer: the first well-formed row naming a customer claims it, in any file). When, after
 *     all files, malformed rows exceed {@code errorBudget x rowsRead}, loading throws {@link IngestException}: a
 *     broken export must stop training rather than publish a model trained on a fraction of the data. So does a
 *     malformed last row whose line lacks the line break the file's other lines end with: a file cut mid-line
 *     ({@link CsvRecords}), whose missing rest no error budget would notice.</li>
 * <li>{@code duplicate_invoice_from_other_file}: the order number was already seen (in any row that is not
 *     malformed by column count or blank fields) in an earlier file. Exports overlap (the UCI files share
 *     1,088 invoices of 2010-12-01..09) and an order is one event: the earlier file's version is kept
 *     whole.</li>
 * <li>{@code duplicate_line}: the same file already had a line with exactly the same fields; the first is
 *     kept. Such lines are export glitches, and keeping them would inflate quantities and spend. (Detected
 *     with a 64-bit hash of the fields; the chance of a false match is about 10<sup>-8</sup> per million
 *     lines.)</li>
 * <li>{@code cancellation}: the order number starts with the mapping's cancellation prefix ({@code C} in the
 *     UCI data) or the quantity is negative. Returns are not purchases, and baskets keep what was bought (a
 *     return often refers to an order outside the export). Those that are a customer's return of a product
 *     ({@link ReturnNetting#isReturn}) are netted against that customer's purchases for customer value only
 *     ({@link Transactions#keptQuantityOfLine}); the report's {@link IngestReport.Returns} counts them.</li>
 * <li>{@code adjustment}: the order number starts with the adjustment prefix ({@code A}: bad-debt
 *     write-offs).</li>
 * <li>{@code zero_quantity}, then {@code non_positive_price} (price 0 lines are mostly damaged stock or free
 *     samples, not purchases).</li>
 * <li>{@code non_product_code}: the normalised item id is in {@link IngestOptions#nonProductCodes()} or
 *     starts with one of {@link IngestOptions#nonProductPrefixes()} (postage, fees, vouchers...).</li>
 * </ol>
 *
 * <h2>Accepted rows</h2>
 * <ul>
 * <li>Orders without a customer id are accepted as anonymous baskets ({@code rowsAcceptedAnonymous}): good
 *     for basket mining, left out of per-customer models. A customer id {@code NULL}, {@code None},
 *     {@code NaN}, {@code N/A} or {@code #N/A} (any case) is a placeholder for none and reads as blank
 *     ({@code rowsAcceptedPlaceholderCustomer}).</li>
 * <li>Item ids are trimmed and upper-cased (codes differing only by case are one item); customer ids are
 *     trimmed and a spreadsheet's {@code 17850.0} becomes {@code 17850}; order ids are trimmed.</li>
 * <li>Rows are grouped by order number, also when a file interleaves orders; an order's timestamp is
 *     its earliest accepted row's (the same whatever order its rows are written in), its country that of its
 *     first accepted row, its customer that of its first accepted row with one (a
 *     blank cell within a customer's order is a missing value, not a second, anonymous buyer).</li>
 * <li>An item's description (and category) is the most frequent non-blank one among its accepted rows, the
 *     first seen on ties.</li>
 * </ul>
 * With {@link IngestOptions#exchangeRates()} every row's unit price is converted to the reporting currency, and
 * rounded to its minor unit ({@link ConvertedAmount}), before any of these rules reads it. Without, an export whose
 * currency column holds several currencies, or one other than {@link IngestOptions#currency()}, stops once every
 * row is read ({@link IngestReport#checkUsable}).
 * {@code invoicesSeen} counts distinct order numbers over all files and all rows not malformed by column
 * count or blanks; {@code ordersAccepted} counts orders with at least one accepted row.
 */
public final class TransactionLoader {

    private TransactionLoader() {
    }

    /**
     * Loads and cleans {@code files}, in order (which matters for duplicates across files).
     *
     * @throws IngestException when a header fits no mapping or lacks a column, the CSV structure is broken
     *                         (e.g. an unclosed quote), a file looks cut mid-line, or malformed rows exceed the
     *                         error budget
     * @throws IOException     when a file cannot be read
     */
    public static IngestResult load(List<Path> files, IngestOptions options) throws IOException, IngestException {
        return load(files, options, StandardCharsets.UTF_8);
    }

    /**
     * Like {@link #load(List, IngestOptions)} for files in {@code encoding}. Bytes that are not valid in it stop
     * the load naming {@code file:line} (see {@link StrictTextReader}): replacing them would merge ids silently.
     */
    public static IngestResult load(List<Path> files, IngestOptions options, Charset encoding)
            throws IOException, IngestException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(encoding, "encoding");
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("no files to load");
        }
        checkReadable(files);
        Load load = new Load(options, encoding);
        for (Path f : files) {
            load.file(f);
        }
        return load.finish();
    }

    /**
     * Fails before reading anything when a file is missing, not a regular file, unreadable or listed twice (its
     * rows would count twice), so that a typo in the last of several inputs does not cost the reading of the
     * others, and the message says what is wrong instead of the JDK's bare path.
     */
    public static void checkReadable(List<Path> files) throws IngestException {
        Set<Path> seen = new HashSet<>();
        for (Path f : files) {
            Objects.requireNonNull(f, "file");
            if (!Files.exists(f)) {
                throw new IngestException("input file " + f + " does not exist");
            }
            if (Files.isDirectory(f)) {
                throw new IngestException("input " + f + " is a directory, not a transaction file");
            }
            if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
                throw new IngestException("input file " + f + " is not a readable regular file");
            }
            Path real;
            try {
                real = f.toRealPath();
            } catch (IOException e) {
                real = f.toAbsolutePath().normalize();
            }
            if (!seen.add(real)) {
                throw new IngestException("input file " + f + " is given twice; each export may be loaded once "
                        + "(its rows would count twice)");
            }
        }
    }

    /** Blanks stripped, upper case: stock codes differing only by case are the same item ({@link Ids#normaliseItemId}). */
    static String normaliseItemId(String raw) {
        return Ids.normaliseItemId(raw);
    }

    /** Votes for an item's description or category: a tiny list, since items have one to a few. */
    private static final class Votes {
        private final List<String> values = new ArrayList<>(1);
        private final IntArrayList counts = new IntArrayList(1);

        void add(String v) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).equals(v)) {
                    counts.set(i, counts.getInt(i) + 1);
                    return;
                }
            }
            values.add(v);
            counts.add(1);
        }

        String winner() {
            int best = -1;
            for (int i = 0; i < values.size(); i++) {
                if (best < 0 || counts.getInt(i) > counts.getInt(best)) {
                    best = i;
                }
            }
            return best < 0 ? "" : values.get(best);
        }
    }

    /** The state of one load; not reusable. */
    private static final class Load {
        private final IngestOptions options;
        private final Charset encoding;
        private final long[] rejectedCounts = new long[RejectReason.values().length];
        private final List<List<String>> samples = new ArrayList<>();
        private final List<IngestReport.FileStats> fileStats = new ArrayList<>();
        private long rowsRead;
        private final ExportReader.TimeLine timeLine = new ExportReader.TimeLine();
        private long rowsAccepted;
        private long rowsAcceptedPlaceholderCustomer;
        private long rowsWithTimeOffset;
        /** Rows read per currency of the exports' currency column, as written. */
        private final Map<String, Long> currencyRows = new HashMap<>();

        /** Order number -> index of the first file it was seen in. */
        private final Object2IntOpenHashMap<String> invoiceFile = new Object2IntOpenHashMap<>();
        /** Order number -> the (normalised) customer of its first well-formed row with one. */
        private final Object2ObjectOpenHashMap<String, String> invoiceCustomer = new Object2ObjectOpenHashMap<>();
        /** Order number -> order index, for accepted orders. */
        private final Object2IntOpenHashMap<String> orderIndex = new Object2IntOpenHashMap<>();
        private final List<String> orderIds = new ArrayList<>();
        private final IntArrayList orderCustomer = new IntArrayList();
        private final LongArrayList orderTime = new LongArrayList();
        private final IntArrayList orderCountry = new IntArrayList();

        private final IntArrayList lineOrder = new IntArrayList();
        private final IntArrayList lineItem = new IntArrayList();
        private final DoubleArrayList lineQuantity = new DoubleArrayList();
        private final DoubleArrayList linePrice = new DoubleArrayList();

        private final Object2IntOpenHashMap<String> itemIndex = new Object2IntOpenHashMap<>();
        private final List<String> itemIds = new ArrayList<>();
        private final List<Votes> itemDescriptions = new ArrayList<>();
        private final List<Votes> itemCategories = new ArrayList<>();
        private final Object2IntOpenHashMap<String> customerIndex = new Object2IntOpenHashMap<>();
        private final List<String> customerIds = new ArrayList<>();
        private final Object2IntOpenHashMap<String> countryIndex = new Object2IntOpenHashMap<>();
        private final List<String> countries = new ArrayList<>();

        /** Cancellation rows that are a customer's return of a product, in load order. */
        private final List<String> returnCustomer = new ArrayList<>();
        private final List<String> returnItem = new ArrayList<>();
        private final DoubleArrayList returnQuantity = new DoubleArrayList();
        private final LongArrayList returnTime = new LongArrayList();

        /** Hashes of the current file's lines, for exact duplicates; cleared per file. */
        private final LongOpenHashSet lineHashes = new LongOpenHashSet();

        Load(IngestOptions options, Charset encoding) {
            this.options = options;
            this.encoding = encoding;
            for (int i = 0; i < rejectedCounts.length; i++) {
                samples.add(new ArrayList<>());
            }
            invoiceFile.defaultReturnValue(-1);
            orderIndex.defaultReturnValue(-1);
            itemIndex.defaultReturnValue(-1);
            customerIndex.defaultReturnValue(-1);
            countryIndex.defaultReturnValue(-1);
            countryIndex.put("", 0);
            countries.add("");
        }

        void file(Path path) throws IOException, IngestException {
            int fileNo = fileStats.size();
            String label = path.toString();
            long[] accepted = {0};
            lineHashes.clear();
            String[] mappingName = {null};
            long read = ExportReader.read(Files.newInputStream(path), label, options, encoding, new ExportReader.Rows() {
                @Override
                public void header(ColumnMapping mapping) throws IngestException {
                    mappingName[0] = mapping.name();
                    timeLine.add(label, mapping);
                }

                @Override
                public void row(ScannedRow r) {
                    rowsRead++;
                    rowsWithTimeOffset += r.timeOffset() ? 1 : 0;
                    if (r.currency() != null) {
                        currencyRows.merge(r.currency(), 1L, Long::sum);
                    }
                    if (Load.this.row(r, label, fileNo)) {
                        accepted[0]++;
                    }
                }
            });
            fileStats.add(new IngestReport.FileStats(label, mappingName[0], read, accepted[0]));
        }

        /** Applies the checks that need earlier rows, in the documented order; true when accepted. */
        private boolean row(ScannedRow r, String file, int fileNo) {
            if (!r.registersOrder()) {
                return reject(r.malformed(), file, r.line(), r.detail());
            }
            String invoice = r.order();
            int firstFile = invoiceFile.getInt(invoice);
            if (firstFile < 0) {
                invoiceFile.put(invoice, fileNo);
                firstFile = fileNo;
            }
            if (r.malformed() != null) {
                return reject(r.malformed(), file, r.line(), r.detail());
            }
            String customer = r.customer();
            if (customer != null) {
                String owner = invoiceCustomer.putIfAbsent(invoice, customer);
                if (owner != null && !owner.equals(customer)) {
                    return reject(RejectReason.ORDER_CUSTOMER_CONFLICT, file, r.line(), r.conflictDetail());
                }
            }
            if (firstFile != fileNo) {
                return reject(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE, file, r.line(), null);
            }
            if (!lineHashes.add(r.hash())) {
                return reject(RejectReason.DUPLICATE_LINE, file, r.line(), null);
            }
            if (r.laterReason() != null) {
                if (r.laterReason() == RejectReason.CANCELLATION
                        && ReturnNetting.isReturn(r.customer(), r.item(), r.quantity(), r.price(), options)) {
                    returnCustomer.add(r.customer());
                    returnItem.add(r.item());
                    returnQuantity.add(Math.abs(r.quantity()));
                    returnTime.add(r.time());
                }
                return reject(r.laterReason(), file, r.line(), null);
            }
            accept(r);
            if (r.placeholder()) {
                rowsAcceptedPlaceholderCustomer++;
            }
            return true;
        }

        private void accept(ScannedRow r) {
            String itemId = r.item();
            String customerId = r.customer();
            int item = itemIndex.getInt(itemId);
            if (item < 0) {
                item = itemIds.size();
                itemIndex.put(itemId, item);
                itemIds.add(itemId);
                itemDescriptions.add(new Votes());
                itemCategories.add(new Votes());
            }
            if (r.description() != null) {
                itemDescriptions.get(item).add(r.description());
            }
            if (r.category() != null) {
                itemCategories.get(item).add(r.category());
            }

            int order = orderIndex.getInt(r.order());
            if (order < 0) {
                order = orderIds.size();
                orderIndex.put(r.order(), order);
                orderIds.add(r.order());
                orderCustomer.add(customer(customerId));
                orderTime.add(r.time());
                orderCountry.add(country(r.country()));
            } else {
                if (customerId != null && orderCustomer.getInt(order) < 0) {
                    // A blank customer cell in an identified order is a missing value, not a guest: the order is the
                    // customer's whichever of its rows comes first (other customers' rows were rejected above).
                    orderCustomer.set(order, customer(customerId));
                }
                // An order keyed in over a few minutes was placed when it was started, whichever row the export
                // writes first: so the same order falls on the same side of a day or a time split's cutoff however
                // its rows are sorted.
                if (r.time() < orderTime.getLong(order)) {
                    orderTime.set(order, r.time());
                }
            }
            lineOrder.add(order);
            lineItem.add(item);
            lineQuantity.add(r.quantity());
            linePrice.add(r.price());
            rowsAccepted++;
        }

        /** The customer's index, registering it; -1 for an anonymous row (null id). */
        private int customer(String id) {
            if (id == null) {
                return -1;
            }
            int c = customerIndex.getInt(id);
            if (c < 0) {
                c = customerIds.size();
                customerIndex.put(id, c);
                customerIds.add(id);
            }
            return c;
        }

        private int country(String name) {
            int c = countryIndex.getInt(name);
            if (c < 0) {
                c = countries.size();
                countryIndex.put(name, c);
                countries.add(name);
            }
            return c;
        }

        private boolean reject(RejectReason reason, String file, long line, String detail) {
            rejectedCounts[reason.ordinal()]++;
            List<String> s = samples.get(reason.ordinal());
            if (s.size() < options.samplesPerReason()) {
                s.add(file + ":" + line + (detail == null ? "" : " (" + detail + ")"));
            }
            return false;
        }

        IngestResult finish() throws IngestException {
            long malformed = 0;
            for (RejectReason r : RejectReason.values()) {
                if (r.isMalformed()) {
                    malformed += rejectedCounts[r.ordinal()];
                }
            }
            int[] position = positions();
            Transactions tx = build(position, customerReturns(position));
            Transactions.KeptQuantities netted = tx.everyReturnNetted();
            long anonymousOrders = 0;
            long rowsAcceptedAnonymous = 0;
            for (int o = 0; o < tx.orderCount(); o++) {
                if (tx.customerOf(o) < 0) {
                    anonymousOrders++;
                    rowsAcceptedAnonymous += tx.lineEnd(o) - tx.lineStart(o);
                }
            }
            long linesGone = 0;
            long ordersGone = 0;
            for (int o = 0; o < tx.orderCount(); o++) {
                int gone = 0;
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    gone += tx.keptQuantityOfLine(l) == 0 ? 1 : 0;
                }
                linesGone += gone;
                ordersGone += gone > 0 && gone == tx.lineEnd(o) - tx.lineStart(o) ? 1 : 0;
            }
            Map<String, IngestReport.Rejections> rejected = new LinkedHashMap<>();
            for (RejectReason r : RejectReason.values()) {
                rejected.put(r.code(), new IngestReport.Rejections(rejectedCounts[r.ordinal()],
                        samples.get(r.ordinal())));
            }
            IngestReport report = new IngestReport(fileStats, rowsRead, rowsAccepted, rowsAcceptedAnonymous,
                    rowsAcceptedPlaceholderCustomer, rejected, invoiceFile.size(), tx.orderCount(), anonymousOrders, tx.customerCount(),
                    tx.itemCount(), malformed, options.errorBudget(),
                    new IngestReport.Returns(netted.netted(), netted.unmatched(), linesGone, ordersGone),
                    new IngestReport.TimeOffsets(rowsWithTimeOffset,
                            options.timeZone() == null ? null : options.timeZone().getId()),
                    Currencies.of(options, currencyRows));
            report.checkUsable();
            return new IngestResult(tx, report);
        }

        /**
         * The returns grouped by customer and item with that customer's accepted lines of the item (their order's
         * customer and time, as resolved once all files are read), lines and returns in load order, for
         * {@link ReturnNetting}; {@code position} maps each accepted line to its Transactions line number.
         */
        private CustomerReturns customerReturns(int[] position) {
            Map<Long, IntArrayList> returnsOf = new LinkedHashMap<>();
            LongArrayList orphans = new LongArrayList();
            for (int r = 0; r < returnQuantity.size(); r++) {
                int c = customerIndex.getInt(returnCustomer.get(r));
                int i = itemIndex.getInt(returnItem.get(r));
                if (c < 0 || i < 0) {
                    orphans.add(returnTime.getLong(r)); // no purchase of the customer or item to take it off
                    continue;
                }
                returnsOf.computeIfAbsent(((long) c << 32) | i, k -> new IntArrayList()).add(r);
            }
            Map<Long, IntArrayList> linesOf = new HashMap<>();
            for (int l = 0; l < lineOrder.size(); l++) {
                int c = orderCustomer.getInt(lineOrder.getInt(l));
                if (c >= 0) {
                    long key = ((long) c << 32) | lineItem.getInt(l);
                    if (returnsOf.containsKey(key)) {
                        linesOf.computeIfAbsent(key, k -> new IntArrayList()).add(l);
                    }
                }
            }
            int groups = returnsOf.size();
            int[] lineOffsets = new int[groups + 1];
            int[] returnOffsets = new int[groups + 1];
            IntArrayList lines = new IntArrayList();
            LongArrayList lineTimes = new LongArrayList();
            LongArrayList rTimes = new LongArrayList();
            DoubleArrayList rQuantities = new DoubleArrayList();
            int g = 0;
            for (Map.Entry<Long, IntArrayList> e : returnsOf.entrySet()) {
                for (int l : linesOf.getOrDefault(e.getKey(), new IntArrayList())) {
                    lines.add(position[l]);
                    lineTimes.add(orderTime.getLong(lineOrder.getInt(l)));
                }
                for (int r : e.getValue()) {
                    rTimes.add(returnTime.getLong(r));
                    rQuantities.add(returnQuantity.getDouble(r));
                }
                g++;
                lineOffsets[g] = lines.size();
                returnOffsets[g] = rTimes.size();
            }
            return new CustomerReturns(lineOffsets, lines.toIntArray(), lineTimes.toLongArray(), returnOffsets,
                    rTimes.toLongArray(), rQuantities.toDoubleArray(), orphans.toLongArray());
        }

        /** The order offsets of the grouping by order: order o's lines start at {@code offsets[o]}. */
        private int[] orderOffsets() {
            int orders = orderIds.size();
            int[] offsets = new int[orders + 1];
            for (int l = 0; l < lineOrder.size(); l++) {
                offsets[lineOrder.getInt(l) + 1]++;
            }
            for (int o = 0; o < orders; o++) {
                offsets[o + 1] += offsets[o];
            }
            return offsets;
        }

        /**
         * Each accepted line's position once lines are grouped by order (a stable counting sort, so each order keeps
         * its input line order).
         */
        private int[] positions() {
            int[] next = Arrays.copyOf(orderOffsets(), orderIds.size());
            int[] position = new int[lineOrder.size()];
            for (int l = 0; l < position.length; l++) {
                position[l] = next[lineOrder.getInt(l)]++;
            }
            return position;
        }

        /** The transactions, lines at {@code position}. */
        private Transactions build(int[] position, CustomerReturns returns) {
            int lines = lineOrder.size();
            int[] items = new int[lines];
            double[] qty = new double[lines];
            double[] price = new double[lines];
            for (int l = 0; l < lines; l++) {
                int pos = position[l];
                items[pos] = lineItem.getInt(l);
                qty[pos] = lineQuantity.getDouble(l);
                price[pos] = linePrice.getDouble(l);
            }
            String[] desc = new String[itemIds.size()];
            String[] cat = new String[itemIds.size()];
            for (int i = 0; i < desc.length; i++) {
                desc[i] = itemDescriptions.get(i).winner();
                cat[i] = itemCategories.get(i).winner();
            }
            return new Transactions(orderIds.toArray(String[]::new), orderCustomer.toIntArray(),
                    orderTime.toLongArray(), orderCountry.toIntArray(), orderOffsets(), items, qty, returns, price,
                    itemIds.toArray(String[]::new), desc, cat, customerIds.toArray(String[]::new),
                    countries.toArray(String[]::new), timeLine.sequenceOnly());
        }
    }

}
