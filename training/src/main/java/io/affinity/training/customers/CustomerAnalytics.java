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
 * day's spend. Only data up to the calibration end feeds the models and profiles; data after it up to the
 * holdout end is used only to score the predictions.
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

        // Orders grouped by customer (positions of tx.customerOrder), each order reduced to (day, spend).
        int customers = tx.customerCount();
        int grouped = customers == 0 ? 0 : tx.customerOrderEnd(customers - 1);
        long[] orderDay = new long[grouped];
        double[] orderSpend = new double[grouped];
        // Revenue and margin of the lines whose item has a catalogue cost (only used with costs).
        double[] orderCostedRevenue = new double[costs.any() ? grouped : 0];
        double[] orderCostedMargin = new double[costs.any() ? grouped : 0];
        for (int k = 0; k < grouped; k++) {
            int o = tx.customerOrder(k);
            orderDay[k] = tx.timestampOf(o).toLocalDate().toEpochDay();
            double s = 0;
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                double revenue = tx.quantityOfLine(l) * tx.unitPriceOfLine(l);
                s += revenue;
                if (costs.any()) {
                    double cost = costs.cost(tx.itemOfLine(l));
                    if (!Double.isNaN(cost)) {
                        orderCostedRevenue[k] += revenue;
                        orderCostedMargin[k] += revenue - tx.quantityOfLine(l) * cost;
                    }
                }
            }
            orderSpend[k] = s;
        }

        PriceFacts prices = PriceFacts.of(tx, calEndDay);

        List<Integer> included = new ArrayList<>();
        List<long[]> daysOf = new ArrayList<>();
        List<double[]> spendOf = new ArrayList<>();
        int afterCalibration = 0;
        int[] holdoutActual = new int[customers];
        for (int c = 0; c < customers; c++) {
            // Sum spend per distinct day, calibration days only; count holdout days separately.
            TreeMap<Long, Double> perDay = new TreeMap<>();
            TreeSet<Long> holdDays = new TreeSet<>();
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                if (orderDay[k] <= calEndDay) {
                    perDay.merge(orderDay[k], orderSpend[k], Double::sum);
                } else if (orderDay[k] <= holdEndDay) {
                    holdDays.add(orderDay[k]);
                }
            }
            if (perDay.isEmpty()) {
                if (tx.customerOrderStart(c) < tx.customerOrderEnd(c)) {
                    afterCalibration++;
                }
                continue;
            }
            included.add(c);
            long[] days = new long[perDay.size()];
            double[] spend = new double[perDay.size()];
            int i = 0;
            for (Map.Entry<Long, Double> e : perDay.entrySet()) {
                days[i] = e.getKey();
                spend[i++] = e.getValue();
            }
            daysOf.add(days);
            spendOf.add(spend);
            holdoutActual[c] = holdDays.size();
        }

        int n = included.size();
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
            long[] days = daysOf.get(i);
            double[] spend = spendOf.get(i);
            x[i] = days.length - 1;
            txs[i] = unit.fromDays(days[days.length - 1] - days[0]);
            T[i] = unit.fromDays(calEndDay - days[0]);
            double repeat = 0;
            double total = spend[0];
            for (int k = 1; k < days.length; k++) {
                repeat += spend[k];
                total += spend[k];
            }
            meanSpend[i] = x[i] == 0 ? 0 : repeat / x[i];
            recency[i] = calEndDay - days[days.length - 1];
            frequency[i] = days.length;
            monetary[i] = total;
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
        if (costs.any()) {
            double[] revenue = new double[n];
            double[] margin = new double[n];
            double allRevenue = 0;
            double allMargin = 0;
            for (int i = 0; i < n; i++) {
                int c = included.get(i);
                for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                    if (orderDay[k] <= calEndDay) {
                        revenue[i] += orderCostedRevenue[k];
                        margin[i] += orderCostedMargin[k];
                    }
                }
                allRevenue += revenue[i];
                allMargin += margin[i];
            }
            double populationShare = allRevenue > 0 ? allMargin / allRevenue : 0;
            for (int i = 0; i < n; i++) {
                marginShare[i] = revenue[i] > 0 ? margin[i] / revenue[i] : populationShare;
                margin12[i] = value12[i] * marginShare[i];
            }
        }
        Tier[] tiers = tiers(costs.any() ? margin12 : value12, included, tx, options);

        List<CustomerAnalysis.Row> rows = new ArrayList<>(n);
        double[] holdPred = new double[n];
        double[] holdNaive = new double[n];
        double[] holdActual = new double[n];
        for (int i = 0; i < n; i++) {
            int c = included.get(i);
            long[] days = daysOf.get(i);
            long first = days[0];
            long last = days[days.length - 1];
            long previousGap = days.length >= 2 ? last - days[days.length - 2] : 0;
            Stage stage = stage(options, calEndDay - first, (long) recency[i], previousGap, pAlive[i]);
            Strategy strategy = strategy(stage, tiers[i], mScore[i]);
            PriceFacts.CustomerPrices cp = prices.customer(c);
            double priceIndex = cp.priceIndex();
            double cheaperShare = cp.cheaperVariantShare();
            PriceSensitivity sensitivity = sensitivity(priceIndex, cheaperShare);
            CustomerProfile profile = new CustomerProfile((int) recency[i], days.length, monetary[i], rScore[i],
                    fScore[i], mScore[i], Rfm.segment(rScore[i], fScore[i]), pAlive[i], e90[i], spendPerTx[i],
                    value12[i], tiers[i], stage, strategy, priceIndex, cheaperShare, sensitivity,
                    cp.topFamilies(FAVOURITE_FAMILIES));
            int actual = -1;
            double predicted = Double.NaN;
            double naive = Double.NaN;
            if (holdoutDays > 0) {
                actual = holdoutActual[c];
                predicted = bg.expectedTransactions(unit.fromDays(holdoutDays), x[i], txs[i], T[i]);
                int lastPeriod = 0;
                for (long d : days) {
                    if (d > calEndDay - holdoutDays) {
                        lastPeriod++;
                    }
                }
                naive = lastPeriod;
                holdPred[i] = predicted;
                holdNaive[i] = naive;
                holdActual[i] = actual;
            }
            rows.add(new CustomerAnalysis.Row(tx.customerId(c), LocalDate.ofEpochDay(first), LocalDate.ofEpochDay(last),
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
        return new CustomerAnalysis(options, rows, bgFit, ggFit, holdout, afterCalibration,
                spendFrequencyCorrelation(x, meanSpend),
                costs.any() ? CustomerAnalysis.TierBasis.MARGIN : CustomerAnalysis.TierBasis.REVENUE, costs.known());
    }

    /** Top share by value is Platinum, and so on; ties broken by customer id so the result is reproducible. */
    private static Tier[] tiers(double[] value, List<Integer> included, Transactions tx,
                                CustomerAnalyticsOptions o) {
        int n = value.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -value[i])
                .thenComparing(i -> tx.customerId(included.get(i))));
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

    /** Item median prices, product families and each customer's price behaviour, from calibration lines. */
    static final class PriceFacts {
        private final double[] typicalPrice;
        private final boolean[] cheaperVariant;
        private final boolean[] multiVariant;
        private final String[] family;
        private final double[] paid;
        private final double[] atTypical;
        private final double[] variantSpend;
        private final double[] cheaperSpend;
        private final Object2DoubleOpenHashMap<String>[] familySpend;

        @SuppressWarnings("unchecked")
        private PriceFacts(Transactions tx, long calEndDay) {
            int items = tx.itemCount();
            DoubleArrayList[] prices = new DoubleArrayList[items];
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
            typicalPrice = new double[items];
            family = new String[items];
            Map<String, DoubleArrayList> familyPrices = new HashMap<>();
            for (int i = 0; i < items; i++) {
                family[i] = ProductFamilies.familyOf(tx.itemId(i), tx.itemDescription(i));
                if (prices[i] != null) {
                    typicalPrice[i] = median(prices[i].toDoubleArray());
                    familyPrices.computeIfAbsent(family[i], k -> new DoubleArrayList()).add(typicalPrice[i]);
                }
            }
            cheaperVariant = new boolean[items];
            multiVariant = new boolean[items];
            for (int i = 0; i < items; i++) {
                DoubleArrayList fp = familyPrices.get(family[i]);
                if (prices[i] != null && fp.size() >= 2) {
                    multiVariant[i] = true;
                    cheaperVariant[i] = typicalPrice[i] < median(fp.toDoubleArray());
                }
            }
            int customers = tx.customerCount();
            paid = new double[customers];
            atTypical = new double[customers];
            variantSpend = new double[customers];
            cheaperSpend = new double[customers];
            familySpend = new Object2DoubleOpenHashMap[customers];
            for (int o : calibrationOrders) {
                int c = tx.customerOf(o);
                if (c < 0) {
                    continue;
                }
                if (familySpend[c] == null) {
                    familySpend[c] = new Object2DoubleOpenHashMap<>();
                }
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int item = tx.itemOfLine(l);
                    double q = tx.quantityOfLine(l);
                    double spend = q * tx.unitPriceOfLine(l);
                    paid[c] += spend;
                    atTypical[c] += q * typicalPrice[item];
                    familySpend[c].addTo(family[item], spend);
                    if (multiVariant[item]) {
                        variantSpend[c] += spend;
                        if (cheaperVariant[item]) {
                            cheaperSpend[c] += spend;
                        }
                    }
                }
            }
        }

        static PriceFacts of(Transactions tx, long calEndDay) {
            return new PriceFacts(tx, calEndDay);
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
            double index = atTypical[c] > 0 ? paid[c] / atTypical[c] : 1.0;
            double share = variantSpend[c] > 0 ? cheaperSpend[c] / variantSpend[c] : Double.NaN;
            return new CustomerPrices(index, share, familySpend[c]);
        }

        /** Family key of an item (exposed for offers and tests). */
        String familyOf(int item) {
            return family[item];
        }

        boolean isCheaperVariant(int item) {
            return cheaperVariant[item];
        }

        double typicalPrice(int item) {
            return typicalPrice[item];
        }

        static double median(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
    }
}
