package io.affinity.training.customers;

import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Stage;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.ProductFamilies;
import io.affinity.training.ingest.Transactions;
import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.objects.Object2DoubleOpenHashMap;
import java.io.Serializable;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;

/**
 * Customer value and behaviour from clean transactions: RFM, BG/NBD + Gamma-Gamma value, tiers, price
 * sensitivity, lifecycle stage and strategy.
 *
 * <p>A transaction is a distinct purchase day per customer (the usual convention for these models: two
 * invoices an hour apart are one shopping trip, not evidence of a higher purchase rate). Its value is the
 * day's spend. Purchases count net of the customer's returns ({@link Transactions#keptAsOf}): a line
 * returned in full adds nothing, and a day all of whose lines were returned is no transaction, so money,
 * frequency and recency describe what the customer kept. (Item typical prices stay those of all sales lines: an
 * item's price does not change because one buyer sent it back.) Only data up to the calibration end feeds the
 * models and profiles, returns included: calibration purchases are net of the returns made by the calibration end,
 * not of later ones (unless {@link CustomerAnalyticsOptions#everyReturnNetted}, as for train), and holdout
 * purchases net of those made by the holdout end. Data after the calibration end is used only to score the
 * predictions.
 */
public final class CustomerAnalytics {
    private static final double DAYS_PER_MONTH = 365.25 / 12;
    private static final int FAVOURITE_FAMILIES = 3;

    private CustomerAnalytics() {
    }

    public static CustomerAnalysis run(Transactions tx, CustomerAnalyticsOptions options) {
        return run(tx, options, ItemCosts.none());
    }

    /**
     * As {@link #run(Transactions, CustomerAnalyticsOptions)}; when {@code costs} has any cost, tiers rank customers
     * by predicted 12-month margin instead of value: {@code expected 12-month value x margin share}, where the
     * margin share is the customer's own {@code sum(q x (paid - cost)) / sum(q x paid)} over their calibration
     * lines of items with a cost, or the same ratio over all customers' such lines when the customer bought none.
     * The share is not clamped: a customer who buys mostly below cost ranks last.
     */
    public static CustomerAnalysis run(Transactions tx, CustomerAnalyticsOptions options, ItemCosts costs) {
        LocalDate calEnd = options.calibrationEnd();
        long calEndDay = calEnd.toEpochDay();
        long holdEndDay = options.holdoutEnd() == null ? calEndDay : options.holdoutEnd().toEpochDay();
        int holdoutDays = (int) (holdEndDay - calEndDay);
        // What customers had kept by the end of each period: a return made after the calibration end must not undo
        // a calibration purchase (the fit would see the holdout), nor one after the holdout end a holdout purchase.
        Transactions.KeptQuantities calKept = options.everyReturnNetted() ? tx.everyReturnNetted()
                : tx.keptAsOf(calEnd);
        Transactions.KeptQuantities holdKept = options.everyReturnNetted() || options.holdoutEnd() == null
                ? calKept : tx.keptAsOf(options.holdoutEnd());

        // Orders grouped by customer (positions of tx.customerOrder), each order reduced to (day, spend). Money is
        // summed exactly (ExactSum, lines as the decimals written) and rounded once per purchase day for the models,
        // once per customer for the monetary total: a customer's figures are then the same to
        // the last bit whatever order the export lists the rows of an order, and the orders of a day, in.
        int customers = tx.customerCount();
        int grouped = customers == 0 ? 0 : tx.customerOrderEnd(customers - 1);
        long[] orderDay = new long[grouped];
        ExactSum[] orderSpend = new ExactSum[grouped];
        // an order all of whose lines the customer returned is no purchase (ReturnNetting)
        boolean[] orderKept = new boolean[grouped];
        // Revenue and margin of the lines whose item has a catalogue cost (only used with costs).
        ExactSum[] orderCostedRevenue = new ExactSum[costs.any() ? grouped : 0];
        ExactSum[] orderCostedMargin = new ExactSum[costs.any() ? grouped : 0];
        for (int k = 0; k < grouped; k++) {
            int o = tx.customerOrder(k);
            orderDay[k] = tx.timestampOf(o).toLocalDate().toEpochDay();
            Transactions.KeptQuantities keptBy = orderDay[k] <= calEndDay ? calKept : holdKept;
            ExactSum s = new ExactSum();
            if (costs.any()) {
                orderCostedRevenue[k] = new ExactSum();
                orderCostedMargin[k] = new ExactSum();
            }
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                double kept = keptBy.keptQuantityOfLine(l);
                if (kept == 0) {
                    continue;
                }
                orderKept[k] = true;
                double price = tx.unitPriceOfLine(l);
                double revenue = kept * price;
                s.addAmount(kept, price);
                if (costs.any()) {
                    double cost = costs.cost(tx.itemOfLine(l));
                    if (!Double.isNaN(cost)) {
                        orderCostedRevenue[k].add(revenue);
                        orderCostedMargin[k].add(revenue - kept * cost);
                    }
                }
            }
            orderSpend[k] = s;
        }

        PriceFacts prices = PriceFacts.of(tx, calEndDay, calKept);

        List<CustomerSummary> summaries = new ArrayList<>();
        int afterCalibration = 0;
        int returnedEverything = 0;
        for (int c = 0; c < customers; c++) {
            // Sum spend per distinct day, calibration days only; count holdout days separately.
            TreeMap<Long, ExactSum> perDay = new TreeMap<>();
            TreeSet<Long> holdDays = new TreeSet<>();
            ExactSum costedRevenue = new ExactSum();
            ExactSum costedMargin = new ExactSum();
            boolean boughtInCalibration = false;
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                boughtInCalibration |= orderDay[k] <= calEndDay;
                if (!orderKept[k]) {
                    continue;
                }
                if (orderDay[k] <= calEndDay) {
                    perDay.computeIfAbsent(orderDay[k], d -> new ExactSum()).add(orderSpend[k]);
                    if (costs.any()) {
                        costedRevenue.add(orderCostedRevenue[k]);
                        costedMargin.add(orderCostedMargin[k]);
                    }
                } else if (orderDay[k] <= holdEndDay) {
                    holdDays.add(orderDay[k]);
                }
            }
            if (perDay.isEmpty()) {
                if (boughtInCalibration) {
                    returnedEverything++;
                } else if (tx.customerOrderStart(c) < tx.customerOrderEnd(c)) {
                    afterCalibration++;
                }
                continue;
            }
            long[] days = new long[perDay.size()];
            ExactSum[] spend = new ExactSum[perDay.size()];
            int i = 0;
            for (Map.Entry<Long, ExactSum> e : perDay.entrySet()) {
                days[i] = e.getKey();
                spend[i++] = e.getValue();
            }
            int lastPeriod = 0;
            for (long d : days) {
                if (holdoutDays > 0 && d > calEndDay - holdoutDays) {
                    lastPeriod++;
                }
            }
            PriceFacts.CustomerPrices cp = prices.customer(c);
            summaries.add(CustomerSummary.of(tx.customerId(c), days, spend, holdDays.size(), lastPeriod,
                    costedRevenue.value(), costedMargin.value(), cp.priceIndex(), cp.cheaperVariantShare(),
                    cp.topFamilies(FAVOURITE_FAMILIES)));
        }
        CustomerAnalysis.Returns returns = options.everyReturnNetted() ? null
                : new CustomerAnalysis.Returns(calKept.netted(), calKept.unmatched(), calKept.datedAfter());
        return analyse(summaries, afterCalibration, returnedEverything, options, costs.any(), costs.known(), returns);
    }

    /**
     * What the models need of one customer with a purchase on or before the calibration end, over their
     * calibration purchase days (a transaction is a distinct purchase day; its value the day's spend).
     *
     * @param firstDay / lastDay  epoch days of the first and latest purchase day
     * @param days                distinct purchase days
     * @param previousGapDays     days between the latest purchase day and the one before (0 with one day)
     * @param repeatSpend         spend of every day but the first, summed in day order
     * @param monetary            spend of all days, summed in day order from the first
     * @param holdoutActual       distinct purchase days in the holdout period (0 without one)
     * @param lastPeriodDays      purchase days in the last calibration period as long as the holdout (0 without)
     * @param costedRevenue       revenue of lines whose item has a catalogue cost (0 without costs)
     * @param costedMargin        their margin (0 without costs)
     * @param priceIndex          paid / paid at typical prices (1 when nothing was bought at a typical price)
     * @param cheaperVariantShare share of spend on variants with more than one price on the cheaper ones, or NaN
     * @param topFamilies         the families most spent on, most first (at most three)
     */
    public record CustomerSummary(String customerId, long firstDay, long lastDay, int days, long previousGapDays,
                                  double repeatSpend, double monetary, int holdoutActual, int lastPeriodDays,
                                  double costedRevenue, double costedMargin, double priceIndex,
                                  double cheaperVariantShare, List<String> topFamilies) {
        public CustomerSummary {
            if (days < 1) {
                throw new IllegalArgumentException("a customer summary needs at least one purchase day");
            }
            topFamilies = List.copyOf(topFamilies);
        }

        /**
         * The summary of a customer's purchase days (ascending) and each day's exact spend. The repeat spend and the
         * total are summed exactly across days and rounded once: summed as the days' rounded doubles, two days of
         * 29.85 made a monetary of 59.699999999999996 in every profile a person reads.
         */
        public static CustomerSummary of(String customerId, long[] days, ExactSum[] spend, int holdoutActual,
                                         int lastPeriodDays, double costedRevenue, double costedMargin,
                                         double priceIndex, double cheaperVariantShare, List<String> topFamilies) {
            ExactSum repeat = new ExactSum();
            for (int k = 1; k < days.length; k++) {
                repeat.add(spend[k]);
            }
            ExactSum total = new ExactSum();
            total.add(spend[0]);
            total.add(repeat);
            int n = days.length;
            return new CustomerSummary(customerId, days[0], days[n - 1], n, n >= 2 ? days[n - 1] - days[n - 2] : 0,
                    repeat.value(), total.value(), holdoutActual, lastPeriodDays, costedRevenue, costedMargin,
                    priceIndex, cheaperVariantShare, topFamilies);
        }
    }

    /**
     * The models and profiles from per-customer summaries (in any order: they are taken in customer id order, and
     * so are the rows): BG/NBD and Gamma-Gamma fits, RFM scores, value, tiers, stages, strategies.
     * {@link #run} summarises transactions and calls this; a distributed trainer can summarise elsewhere.
     *
     * @param afterCalibration customers left out because they bought only after the calibration end
     * @param returnedEverything customers left out because they returned everything they bought by the
     *                           calibration end (no purchase day is left)
     * @param costsAny         whether catalogue costs are known (tiers then rank by margin)
     * @param costsKnown       how many items have a cost
     */
    public static CustomerAnalysis analyse(List<CustomerSummary> summaries, int afterCalibration,
                                           int returnedEverything, CustomerAnalyticsOptions options, boolean costsAny, int costsKnown) {
        return analyse(summaries, afterCalibration, returnedEverything, options, costsAny, costsKnown, null);
    }

    /**
     * As {@link #analyse(List, int, int, CustomerAnalyticsOptions, boolean, int)}, with what the returns did to the
     * calibration purchases ({@code null} when every return was netted, as for train).
     */
    static CustomerAnalysis analyse(List<CustomerSummary> summaries, int afterCalibration,
                                    int returnedEverything, CustomerAnalyticsOptions options, boolean costsAny,
                                    int costsKnown, CustomerAnalysis.Returns returns) {
        LocalDate calEnd = options.calibrationEnd();
        long calEndDay = calEnd.toEpochDay();
        long holdEndDay = options.holdoutEnd() == null ? calEndDay : options.holdoutEnd().toEpochDay();
        int holdoutDays = (int) (holdEndDay - calEndDay);
        // In customer id order: the fits, the RFM scores and the population's margin share sum over customers, and
        // the customers' numbers (their first row in the export) would make the fitted parameters, and every value
        // computed from them, depend on the export's row order in their last bits.
        summaries = summaries.stream().sorted(Comparator.comparing(CustomerSummary::customerId)).toList();
        int n = summaries.size();
        if (n == 0) {
            throw new IllegalArgumentException("no identified customer bought on or before the calibration end "
                    + calEnd);
        }
        CustomerAnalyticsOptions.TimeUnit unit = options.timeUnit();
        int[] x = new int[n];
        double[] txs = new double[n];
        double[] T = new double[n];
        double[] meanSpend = new double[n];
        double[] recency = new double[n];
        double[] frequency = new double[n];
        double[] monetary = new double[n];
        for (int i = 0; i < n; i++) {
            CustomerSummary s = summaries.get(i);
            x[i] = s.days() - 1;
            txs[i] = unit.fromDays(s.lastDay() - s.firstDay());
            T[i] = unit.fromDays(calEndDay - s.firstDay());
            meanSpend[i] = x[i] == 0 ? 0 : s.repeatSpend() / x[i];
            recency[i] = calEndDay - s.lastDay();
            frequency[i] = s.days();
            monetary[i] = s.monetary();
        }
        RepeatData data = new RepeatData(x, txs, T, meanSpend);
        BgNbd.Fitted bgFit = BgNbd.fit(data);
        GammaGamma.Fitted ggFit = GammaGamma.fit(data);
        BgNbd bg = bgFit.model();
        GammaGamma gg = ggFit.model();

        int[] rScore = Rfm.scores(recency, false);
        int[] fScore = Rfm.scores(frequency, true);
        int[] mScore = Rfm.scores(monetary, true);

        double[] pAlive = new double[n];
        double[] e90 = new double[n];
        double[] spendPerTx = new double[n];
        double[] value12 = new double[n];
        double monthly = unit.fromDays(DAYS_PER_MONTH);
        for (int i = 0; i < n; i++) {
            pAlive[i] = bg.pAlive(x[i], txs[i], T[i]);
            e90[i] = bg.expectedTransactions(unit.fromDays(CustomerAnalyticsOptions.HORIZON_DAYS), x[i], txs[i], T[i]);
            // q <= 1 means an infinite population mean: fall back to the customer's own mean, never infinity.
            spendPerTx[i] = gg.q() > 1 ? gg.expectedSpend(x[i], meanSpend[i])
                    : (x[i] > 0 ? meanSpend[i] : monetary[i]);
            double previous = 0;
            double value = 0;
            for (int m = 1; m <= 12; m++) {
                double cumulative = bg.expectedTransactions(m * monthly, x[i], txs[i], T[i]);
                value += (cumulative - previous) * spendPerTx[i] / Math.pow(1 + options.discountRate(), m / 12.0);
                previous = cumulative;
            }
            value12[i] = Math.max(0, value);
        }
        double[] margin12 = new double[n];
        double[] marginShare = new double[n];
        Arrays.fill(margin12, Double.NaN);
        Arrays.fill(marginShare, Double.NaN);
        if (costsAny) {
            ExactSum revenueSum = new ExactSum();
            ExactSum marginSum = new ExactSum();
            for (int i = 0; i < n; i++) {
                revenueSum.add(summaries.get(i).costedRevenue());
                marginSum.add(summaries.get(i).costedMargin());
            }
            double allRevenue = revenueSum.value();
            double allMargin = marginSum.value();
            double populationShare = allRevenue > 0 ? allMargin / allRevenue : 0;
            for (int i = 0; i < n; i++) {
                CustomerSummary s = summaries.get(i);
                marginShare[i] = s.costedRevenue() > 0 ? s.costedMargin() / s.costedRevenue() : populationShare;
                margin12[i] = value12[i] * marginShare[i];
            }
        }
        Tier[] tiers = tiers(costsAny ? margin12 : value12, summaries, options);

        List<CustomerAnalysis.Row> rows = new ArrayList<>(n);
        double[] holdPred = new double[n];
        double[] holdNaive = new double[n];
        double[] holdActual = new double[n];
        for (int i = 0; i < n; i++) {
            CustomerSummary s = summaries.get(i);
            long first = s.firstDay();
            long last = s.lastDay();
            Stage stage = stage(options, calEndDay - first, (long) recency[i], s.previousGapDays(), pAlive[i]);
            Strategy strategy = strategy(stage, tiers[i], mScore[i]);
            double priceIndex = s.priceIndex();
            double cheaperShare = s.cheaperVariantShare();
            PriceSensitivity sensitivity = sensitivity(priceIndex, cheaperShare);
            CustomerProfile profile = new CustomerProfile((int) recency[i], s.days(), monetary[i], rScore[i],
                    fScore[i], mScore[i], Rfm.segment(rScore[i], fScore[i]), pAlive[i], e90[i], spendPerTx[i],
                    value12[i], tiers[i], stage, strategy, priceIndex, cheaperShare, sensitivity,
                    s.topFamilies());
            int actual = -1;
            double predicted = Double.NaN;
            double naive = Double.NaN;
            if (holdoutDays > 0) {
                actual = s.holdoutActual();
                predicted = bg.expectedTransactions(unit.fromDays(holdoutDays), x[i], txs[i], T[i]);
                naive = s.lastPeriodDays();
                holdPred[i] = predicted;
                holdNaive[i] = naive;
                holdActual[i] = actual;
            }
            rows.add(new CustomerAnalysis.Row(s.customerId(), LocalDate.ofEpochDay(first), LocalDate.ofEpochDay(last),
                    x[i], txs[i], T[i], meanSpend[i], profile, actual, predicted, naive, marginShare[i], margin12[i]));
        }
        CustomerAnalysis.HoldoutEvaluation holdout = null;
        if (holdoutDays > 0) {
            long total = 0;
            for (double a : holdActual) {
                total += (long) a;
            }
            holdout = new CustomerAnalysis.HoldoutEvaluation(holdoutDays, n, total, accuracy(holdPred, holdActual),
                    accuracy(holdNaive, holdActual));
        }
        return new CustomerAnalysis(options, rows, bgFit, ggFit, holdout, afterCalibration, returnedEverything,
                spendFrequencyCorrelation(x, meanSpend),
                costsAny ? CustomerAnalysis.TierBasis.MARGIN : CustomerAnalysis.TierBasis.REVENUE, costsKnown,
                returns);
    }

    /** Top share by value is Platinum, and so on; ties broken by customer id so the result is reproducible. */
    private static Tier[] tiers(double[] value, List<CustomerSummary> summaries, CustomerAnalyticsOptions o) {
        int n = value.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -value[i])
                .thenComparing(i -> summaries.get(i).customerId()));
        Tier[] tiers = new Tier[n];
        for (int rank = 0; rank < n; rank++) {
            double share = (double) rank / n;
            tiers[order[rank]] = share < o.platinumShare() ? Tier.PLATINUM
                    : share < o.platinumShare() + o.goldShare() ? Tier.GOLD
                    : share < o.platinumShare() + o.goldShare() + o.ironShare() ? Tier.IRON : Tier.LEAD;
        }
        return tiers;
    }

    /**
     * Stage, first matching rule: NEW (first purchase within {@code newDays}); WON_BACK (recent, after a gap
     * of at least {@code lapsedDays}); LAPSED (recency beyond {@code lapsedDays} or P(alive) below
     * {@code lapsedPAlive}); AT_RISK (recency beyond {@code atRiskDays} or P(alive) below
     * {@code atRiskPAlive}); otherwise ACTIVE. Recency thresholds matter for one-time buyers, whose BG/NBD
     * P(alive) is always 1.
     */
    static Stage stage(CustomerAnalyticsOptions o, long ageDays, long recencyDays, long lastGapDays, double pAlive) {
        if (ageDays <= o.newDays()) {
            return Stage.NEW;
        }
        if (recencyDays <= o.atRiskDays() && lastGapDays >= o.lapsedDays()) {
            return Stage.WON_BACK;
        }
        if (recencyDays > o.lapsedDays() || pAlive < o.lapsedPAlive()) {
            return Stage.LAPSED;
        }
        if (recencyDays > o.atRiskDays() || pAlive < o.atRiskPAlive()) {
            return Stage.AT_RISK;
        }
        return Stage.ACTIVE;
    }

    /**
     * Strategy by stage and tier: NEW -> initiate; LAPSED -> win back when their past spend was high (M score
     * 4-5), else end; AT_RISK -> protect Platinum/Gold, re-engineer Iron, harvest Lead; ACTIVE and WON_BACK ->
     * protect Platinum, enhance Gold/Iron, re-engineer Lead.
     */
    static Strategy strategy(Stage stage, Tier tier, int monetaryScore) {
        return switch (stage) {
            case NEW -> Strategy.INITIATE;
            case LAPSED -> monetaryScore >= 4 ? Strategy.WIN_BACK : Strategy.END;
            case AT_RISK -> switch (tier) {
                case PLATINUM, GOLD -> Strategy.PROTECT;
                case IRON -> Strategy.RE_ENGINEER;
                case LEAD -> Strategy.HARVEST;
            };
            case ACTIVE, WON_BACK -> switch (tier) {
                case PLATINUM -> Strategy.PROTECT;
                case GOLD, IRON -> Strategy.ENHANCE;
                case LEAD -> Strategy.RE_ENGINEER;
            };
        };
    }

    /**
     * HIGH when the customer pays at least 10% under typical prices or puts over 60% of variant spend on the
     * cheaper variants; LOW when they pay typical prices or more and put under 30% there; MEDIUM otherwise.
     */
    static PriceSensitivity sensitivity(double priceIndex, double cheaperShare) {
        boolean shareKnown = !Double.isNaN(cheaperShare);
        if (priceIndex < 0.9 || (shareKnown && cheaperShare > 0.6)) {
            return PriceSensitivity.HIGH;
        }
        if (priceIndex >= 1.0 && (!shareKnown || cheaperShare < 0.3)) {
            return PriceSensitivity.LOW;
        }
        return PriceSensitivity.MEDIUM;
    }

    static CustomerAnalysis.Accuracy accuracy(double[] predicted, double[] actual) {
        double abs = 0;
        double sq = 0;
        double total = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = predicted[i] - actual[i];
            abs += Math.abs(d);
            sq += d * d;
            total += predicted[i];
        }
        int n = predicted.length;
        double corr = n < 2 ? Double.NaN : new PearsonsCorrelation().correlation(predicted, actual);
        return new CustomerAnalysis.Accuracy(abs / n, Math.sqrt(sq / n), corr, total);
    }

    private static double spendFrequencyCorrelation(int[] x, double[] meanSpend) {
        DoubleArrayList xs = new DoubleArrayList();
        DoubleArrayList ms = new DoubleArrayList();
        for (int i = 0; i < x.length; i++) {
            if (x[i] > 0) {
                xs.add(x[i]);
                ms.add(meanSpend[i]);
            }
        }
        return xs.size() < 3 ? Double.NaN
                : new PearsonsCorrelation().correlation(xs.toDoubleArray(), ms.toDoubleArray());
    }

    /**
     * Per item: the typical (median) price paid on calibration lines, the product family, and whether it is one
     * of several variants of its family (items of the family with a typical price) and a cheaper one (below the
     * family's median typical price). Public so that a distributed trainer derives the same facts from its own
     * medians; serialisable to ship to its workers.
     */
    public static final class ItemPrices implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] typicalPrice;
        final String[] family;
        final boolean[] multiVariant;
        final boolean[] cheaperVariant;

        private ItemPrices(double[] typicalPrice, String[] family, boolean[] multiVariant, boolean[] cheaperVariant) {
            this.typicalPrice = typicalPrice;
            this.family = family;
            this.multiVariant = multiVariant;
            this.cheaperVariant = cheaperVariant;
        }

        /**
         * @param ids          item ids by item number
         * @param descriptions their descriptions (empty when none)
         * @param medianPrice  median unit price of each item's calibration lines, NaN for an item without one
         */
        public static ItemPrices of(String[] ids, String[] descriptions, double[] medianPrice) {
            int items = ids.length;
            double[] typicalPrice = new double[items];
            String[] family = new String[items];
            Map<String, DoubleArrayList> familyPrices = new HashMap<>();
            for (int i = 0; i < items; i++) {
                family[i] = ProductFamilies.familyOf(ids[i], descriptions[i]);
                if (!Double.isNaN(medianPrice[i])) {
                    typicalPrice[i] = medianPrice[i];
                    familyPrices.computeIfAbsent(family[i], k -> new DoubleArrayList()).add(typicalPrice[i]);
                }
            }
            boolean[] cheaperVariant = new boolean[items];
            boolean[] multiVariant = new boolean[items];
            for (int i = 0; i < items; i++) {
                DoubleArrayList fp = familyPrices.get(family[i]);
                if (!Double.isNaN(medianPrice[i]) && fp.size() >= 2) {
                    multiVariant[i] = true;
                    cheaperVariant[i] = typicalPrice[i] < PriceFacts.median(fp.toDoubleArray());
                }
            }
            return new ItemPrices(typicalPrice, family, multiVariant, cheaperVariant);
        }
    }

    /**
     * One customer's price behaviour, from their calibration lines in any order: the sums are exact
     * ({@link ExactSum}), so any trainer feeding the same lines, in whatever order, gets the same doubles.
     */
    public static final class CustomerPriceSums {
        private final ItemPrices items;
        private final ExactSum paid = new ExactSum();
        private final ExactSum atTypical = new ExactSum();
        private final ExactSum variantSpend = new ExactSum();
        private final ExactSum cheaperSpend = new ExactSum();
        private final Map<String, ExactSum> familySpend = new HashMap<>();

        public CustomerPriceSums(ItemPrices items) {
            this.items = items;
        }

        public void line(int item, double quantity, double unitPrice) {
            double spend = quantity * unitPrice;
            paid.add(spend);
            atTypical.add(quantity * items.typicalPrice[item]);
            familySpend.computeIfAbsent(items.family[item], f -> new ExactSum()).add(spend);
            if (items.multiVariant[item]) {
                variantSpend.add(spend);
                if (items.cheaperVariant[item]) {
                    cheaperSpend.add(spend);
                }
            }
        }

        /** Paid over paid at typical prices; 1 without lines. */
        public double priceIndex() {
            double typical = atTypical.value();
            return typical > 0 ? paid.value() / typical : 1.0;
        }

        /** Share of variant spend on the cheaper variants; NaN without variant spend. */
        public double cheaperVariantShare() {
            double variants = variantSpend.value();
            return variants > 0 ? cheaperSpend.value() / variants : Double.NaN;
        }

        /** The {@code k} families most spent on, most first (ties by name). */
        public List<String> topFamilies(int k) {
            return new PriceFacts.CustomerPrices(priceIndex(), cheaperVariantShare(), families()).topFamilies(k);
        }

        Object2DoubleOpenHashMap<String> families() {
            Object2DoubleOpenHashMap<String> families = new Object2DoubleOpenHashMap<>(familySpend.size());
            familySpend.forEach((family, sum) -> families.put(family, sum.value()));
            return families;
        }
    }

    /** Item median prices, product families and each customer's price behaviour, from calibration lines. */
    static final class PriceFacts {
        private final ItemPrices items;
        private final CustomerPriceSums[] customers;

        private PriceFacts(Transactions tx, long calEndDay, Transactions.KeptQuantities kept) {
            int itemCount = tx.itemCount();
            DoubleArrayList[] prices = new DoubleArrayList[itemCount];
            List<Integer> calibrationOrders = new ArrayList<>();
            for (int o = 0; o < tx.orderCount(); o++) {
                if (tx.timestampOf(o).toLocalDate().toEpochDay() <= calEndDay) {
                    calibrationOrders.add(o);
                    for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                        int item = tx.itemOfLine(l);
                        if (prices[item] == null) {
                            prices[item] = new DoubleArrayList();
                        }
                        prices[item].add(tx.unitPriceOfLine(l));
                    }
                }
            }
            String[] ids = new String[itemCount];
            String[] descriptions = new String[itemCount];
            double[] medians = new double[itemCount];
            for (int i = 0; i < itemCount; i++) {
                ids[i] = tx.itemId(i);
                descriptions[i] = tx.itemDescription(i);
                medians[i] = prices[i] == null ? Double.NaN : median(prices[i].toDoubleArray());
            }
            items = ItemPrices.of(ids, descriptions, medians);
            customers = new CustomerPriceSums[tx.customerCount()];
            for (int o : calibrationOrders) {
                int c = tx.customerOf(o);
                if (c < 0) {
                    continue;
                }
                if (customers[c] == null) {
                    customers[c] = new CustomerPriceSums(items);
                }
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    // what the customer kept: a line returned in full adds no spend, and no family to rank
                    if (kept.keptQuantityOfLine(l) > 0) {
                        customers[c].line(tx.itemOfLine(l), kept.keptQuantityOfLine(l), tx.unitPriceOfLine(l));
                    }
                }
            }
        }

        static PriceFacts of(Transactions tx, long calEndDay, Transactions.KeptQuantities kept) {
            return new PriceFacts(tx, calEndDay, kept);
        }

        record CustomerPrices(double priceIndex, double cheaperVariantShare, Object2DoubleOpenHashMap<String> families) {
            List<String> topFamilies(int k) {
                if (families == null) {
                    return List.of();
                }
                return families.object2DoubleEntrySet().stream()
                        .sorted(Comparator.<Object2DoubleOpenHashMap.Entry<String>>comparingDouble(e -> -e.getDoubleValue())
                                .thenComparing(Map.Entry::getKey))
                        .limit(k).map(Map.Entry::getKey).toList();
            }
        }

        CustomerPrices customer(int c) {
            CustomerPriceSums sums = customers[c];
            return sums == null ? new CustomerPrices(1.0, Double.NaN, null)
                    : new CustomerPrices(sums.priceIndex(), sums.cheaperVariantShare(), sums.families());
        }

        /** Family key of an item (exposed for offers and tests). */
        String familyOf(int item) {
            return items.family[item];
        }

        boolean isCheaperVariant(int item) {
            return items.cheaperVariant[item];
        }

        double typicalPrice(int item) {
            return items.typicalPrice[item];
        }

        static double median(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
    }
}
