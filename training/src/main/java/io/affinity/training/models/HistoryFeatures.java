package io.affinity.training.models;

import java.util.Arrays;
import java.util.List;

/**
 * Hand-made features of one (customer, candidate item) pair from the training interactions, for a learned
 * re-ranker: how often and how recently the customer bought the item, whether a repurchase is due given their
 * own rhythm for it, how active the customer is, and how popular and how often repurchased the item is overall.
 * Ages are in days before the interactions' reference time. Values that do not exist (the gap between purchases
 * of an item bought once, anything about an item the customer never bought) are {@link #MISSING}, which tree
 * models separate from every real value (all real values are non-negative).
 */
public final class HistoryFeatures {
    /** Stands for "does not apply". */
    public static final float MISSING = -1f;

    /** Feature names, in the order {@link #fill} writes them. */
    public static final List<String> NAMES = List.of(
            "repeat", "timesBought", "daysSinceItem", "daysSinceFirstItem", "itemGapDays", "itemDueRatio",
            "itemShareOfOrders", "itemDecayed30", "orders", "daysSinceLastOrder", "tenureDays", "customerItems",
            "orderGapDays", "customerRepeatShare", "itemBuyersLog", "itemRepurchaseRate", "itemRecentBuyersLog",
            "itemMeanTimesBought",
            // added in the third session (chosen on validation, see benchmarks/RESULTS.md)
            "basketSize", "itemGlobalGapDays", "itemGlobalDueRatio", "itemTrendLog", "seasonTimesBought",
            "customerSeasonOrders", "itemSeasonBuyersLog", "itemSeasonLift", "itemSeasonVsNowLog");

    private static final double RECENT_DAYS = 30;
    private static final double DECAY = Math.log(2) / 30;

    private final Interactions x;
    private final float[] itemBuyersLog;
    private final float[] itemRepurchase;
    private final float[] itemRecentLog;
    private final float[] itemMeanTimes;
    private final float[] itemGap;
    private final float[] itemTrend;
    private final float[] itemSeasonLog;
    private final float[] itemSeasonLift;
    private final float[] itemSeasonVsNow;
    private final float horizon;
    private final boolean seasonCovered;

    private HistoryFeatures(Interactions x, float[] itemBuyersLog, float[] itemRepurchase, float[] itemRecentLog,
                            float[] itemMeanTimes, float[] itemGap, float[] itemTrend, float[] itemSeasonLog,
                            float[] itemSeasonLift, float[] itemSeasonVsNow, float horizon, boolean seasonCovered) {
        this.x = x;
        this.itemBuyersLog = itemBuyersLog;
        this.itemRepurchase = itemRepurchase;
        this.itemRecentLog = itemRecentLog;
        this.itemMeanTimes = itemMeanTimes;
        this.itemGap = itemGap;
        this.itemTrend = itemTrend;
        this.itemSeasonLog = itemSeasonLog;
        this.itemSeasonLift = itemSeasonLift;
        this.itemSeasonVsNow = itemSeasonVsNow;
        this.horizon = horizon;
        this.seasonCovered = seasonCovered;
    }

    /**
     * A year, in days: the "season" features, the seasonal popularity models and the evaluation's same-season
     * window look at the same period one year before the predicted one.
     */
    public static final int YEAR_DAYS = 365;

    /** Whether a purchase {@code ageDays} old lies in the predicted period's season one year earlier. */
    static boolean inSeasonAYearBack(float ageDays, float horizonDays) {
        return ageDays > YEAR_DAYS - horizonDays && ageDays <= YEAR_DAYS;
    }

    /**
     * @param horizonDays length of the period whose purchases are predicted (the features' "season" is the same
     *                    stretch of time one year earlier, and the item trend compares the last two such
     *                    stretches)
     */
    public static HistoryFeatures of(Interactions x, int horizonDays) {
        if (horizonDays < 1) {
            throw new IllegalArgumentException("horizonDays must be >= 1, was " + horizonDays);
        }
        float h = horizonDays;
        int items = x.itemCount();
        int[] now = new int[items];
        int[] before = new int[items];
        int[] season = new int[items];
        int[] preSeason = new int[items];
        double[] gapSum = new double[items];
        int[] gapN = new int[items];
        float oldest = 0;
        int[] buyers = new int[items];
        int[] repeaters = new int[items];
        int[] recent = new int[items];
        double[] times = new double[items];
        for (int k = 0; k < x.nonZeros(); k++) {
            int i = x.colIdx[k];
            buyers[i]++;
            times[i] += x.count[k];
            if (x.count[k] >= 2) {
                repeaters[i]++;
            }
            boolean isRecent = false;
            boolean isNow = false;
            boolean isBefore = false;
            boolean inSeason = false;
            boolean inPreSeason = false;
            float first = -Float.MAX_VALUE;
            float last = Float.MAX_VALUE;
            for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                float a = Math.max(0, x.eventAgeDays[e]);
                oldest = Math.max(oldest, a);
                first = Math.max(first, a);
                last = Math.min(last, a);
                isRecent |= a < RECENT_DAYS;
                isNow |= a < h;
                isBefore |= a >= h && a < 2 * h;
                inSeason |= inSeasonAYearBack(a, h);
                inPreSeason |= a > YEAR_DAYS && a <= YEAR_DAYS + h;
            }
            recent[i] += isRecent ? 1 : 0;
            now[i] += isNow ? 1 : 0;
            before[i] += isBefore ? 1 : 0;
            season[i] += inSeason ? 1 : 0;
            preSeason[i] += inPreSeason ? 1 : 0;
            if (x.count[k] >= 2) {
                gapSum[i] += (first - last) / (x.count[k] - 1);
                gapN[i]++;
            }
        }
        // The season features need history reaching a year (plus a horizon, for the lift) back.
        boolean covered = oldest >= YEAR_DAYS;
        boolean liftCovered = oldest >= YEAR_DAYS + h;
        float[] gap = new float[items];
        float[] trend = new float[items];
        float[] seasonLog = new float[items];
        float[] lift = new float[items];
        float[] vsNow = new float[items];
        for (int i = 0; i < items; i++) {
            gap[i] = gapN[i] == 0 ? MISSING : (float) (gapSum[i] / gapN[i]);
            trend[i] = (float) (Math.log1p(now[i]) - Math.log1p(before[i]));
            seasonLog[i] = covered ? (float) Math.log1p(season[i]) : MISSING;
            lift[i] = liftCovered ? (float) (Math.log1p(season[i]) - Math.log1p(preSeason[i])) : MISSING;
            vsNow[i] = covered ? (float) (Math.log1p(season[i]) - Math.log1p(now[i])) : MISSING;
        }
        float[] buyersLog = new float[items];
        float[] repurchase = new float[items];
        float[] recentLog = new float[items];
        float[] meanTimes = new float[items];
        for (int i = 0; i < items; i++) {
            buyersLog[i] = (float) Math.log1p(buyers[i]);
            recentLog[i] = (float) Math.log1p(recent[i]);
            repurchase[i] = buyers[i] == 0 ? MISSING : repeaters[i] / (float) buyers[i];
            meanTimes[i] = buyers[i] == 0 ? MISSING : (float) (times[i] / buyers[i]);
        }
        return new HistoryFeatures(x, buyersLog, repurchase, recentLog, meanTimes, gap, trend, seasonLog, lift, vsNow,
                h, covered);
    }

    /**
     * Writes the {@link #NAMES} features of each candidate of {@code user} into
     * {@code out[c * stride + offset + f]}.
     */
    public void fill(int user, int[] candidates, float[] out, int stride, int offset) {
        boolean known = user < x.userCount() && x.degreeOfUser(user) > 0;
        int from = known ? x.rowPtr[user] : 0;
        int to = known ? x.rowPtr[user + 1] : 0;
        // The customer: distinct order times stand for orders (one order's lines share its time).
        float[] ages = new float[known ? x.eventPtr[to] - x.eventPtr[from] : 0];
        System.arraycopy(x.eventAgeDays, known ? x.eventPtr[from] : 0, ages, 0, ages.length);
        Arrays.sort(ages);
        int orders = 0;
        for (int e = 0; e < ages.length; e++) {
            if (e == 0 || ages[e] != ages[e - 1]) {
                orders++;
            }
        }
        float lastOrder = ages.length == 0 ? MISSING : Math.max(0, ages[0]);
        float tenure = ages.length == 0 ? MISSING : Math.max(0, ages[ages.length - 1]);
        float orderGap = orders >= 2 ? (tenure - lastOrder) / (orders - 1) : MISSING;
        int repeated = 0;
        for (int k = from; k < to; k++) {
            if (x.count[k] >= 2) {
                repeated++;
            }
        }
        float repeatShare = to > from ? repeated / (float) (to - from) : MISSING;
        float basketSize = orders == 0 ? MISSING : ages.length / (float) orders;
        int seasonOrders = 0;
        for (int e = 0; e < ages.length; e++) {
            if ((e == 0 || ages[e] != ages[e - 1]) && inSeason(ages[e])) {
                seasonOrders++;
            }
        }
        for (int c = 0; c < candidates.length; c++) {
            int item = candidates[c];
            int base = c * stride + offset;
            int k = known ? Arrays.binarySearch(x.colIdx, from, to, item) : -1;
            if (k >= 0) {
                float last = Float.MAX_VALUE;
                float first = -Float.MAX_VALUE;
                double decayed = 0;
                for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                    float a = Math.max(0, x.eventAgeDays[e]);
                    last = Math.min(last, a);
                    first = Math.max(first, a);
                    decayed += Math.exp(-DECAY * a);
                }
                int seasonTimes = 0;
                for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                    seasonTimes += inSeason(Math.max(0, x.eventAgeDays[e])) ? 1 : 0;
                }
                out[base + 22] = seasonCovered ? seasonTimes : MISSING;
                out[base + 20] = itemGap[item] > 0 ? last / itemGap[item] : MISSING;
                float n = x.count[k];
                float gap = n >= 2 ? (first - last) / (n - 1) : MISSING;
                out[base] = 1;
                out[base + 1] = n;
                out[base + 2] = last;
                out[base + 3] = first;
                out[base + 4] = gap;
                out[base + 5] = gap > 0 ? last / gap : MISSING;
                out[base + 6] = orders == 0 ? MISSING : n / orders;
                out[base + 7] = (float) decayed;
            } else {
                out[base] = 0;
                out[base + 1] = 0;
                for (int f = 2; f <= 6; f++) {
                    out[base + f] = MISSING;
                }
                out[base + 7] = 0;
                out[base + 20] = MISSING;
                out[base + 22] = seasonCovered ? 0 : MISSING;
            }
            out[base + 8] = orders;
            out[base + 9] = lastOrder;
            out[base + 10] = tenure;
            out[base + 11] = to - from;
            out[base + 12] = orderGap;
            out[base + 13] = repeatShare;
            out[base + 14] = itemBuyersLog[item];
            out[base + 15] = itemRepurchase[item];
            out[base + 16] = itemRecentLog[item];
            out[base + 17] = itemMeanTimes[item];
            out[base + 18] = basketSize;
            out[base + 19] = itemGap[item];
            out[base + 21] = itemTrend[item];
            out[base + 23] = seasonCovered ? seasonOrders : MISSING;
            out[base + 24] = itemSeasonLog[item];
            out[base + 25] = itemSeasonLift[item];
            out[base + 26] = itemSeasonVsNow[item];
        }
    }

    private boolean inSeason(float age) {
        return inSeasonAYearBack(age, horizon);
    }
}
