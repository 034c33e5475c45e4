package io.affinity.training.models;

/**
 * Non-personal baselines and the cold-start fallback: global popularity (customers who bought the item),
 * recent popularity (each purchase weighted by {@code 2^(-age / halfLife)}), and popularity within the
 * customer's segment (country), falling back to global popularity where a segment has no data; and seasonal
 * popularity (the same calendar window a year before the predicted period), overall and among first-time buyers.
 */
public final class Popularity implements Scorer {
    private final String name;
    private final float[][] bySegment; // [segment][item]; a single row when not segmented
    private final int[] userSegment;   // null when not segmented
    private final float[] global;
    private final String note;

    private Popularity(String name, float[][] bySegment, int[] userSegment, float[] global) {
        this(name, bySegment, userSegment, global, null);
    }

    private Popularity(String name, float[][] bySegment, int[] userSegment, float[] global, String note) {
        this.name = name;
        this.bySegment = bySegment;
        this.userSegment = userSegment;
        this.global = global;
        this.note = note;
    }

    /**
     * Why this model's ranking is another's, or null: a seasonal model with no purchase in its window a year back
     * ranks exactly like {@link #global} (or, among first-time buyers, like {@link #seasonal}), which a report
     * must say so that nobody reads it as a seasonal result.
     */
    public String note() {
        return note;
    }

    /** Number of distinct customers per item. */
    public static Popularity global(Interactions x) {
        float[] pop = new float[x.itemCount()];
        for (int i = 0; i < pop.length; i++) {
            pop[i] = x.degreeOfItem(i);
        }
        return new Popularity("popularity", new float[][] {pop}, null, pop);
    }

    /** Sum over purchases of {@code 2^(-ageDays / halfLifeDays)}. */
    public static Popularity recent(Interactions x, double halfLifeDays) {
        if (!(halfLifeDays > 0)) {
            throw new IllegalArgumentException("halfLifeDays must be > 0, was " + halfLifeDays);
        }
        float[] pop = new float[x.itemCount()];
        double lambda = Math.log(2) / halfLifeDays;
        for (int k = 0; k < x.nonZeros(); k++) {
            double s = 0;
            for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                s += Math.exp(-lambda * Math.max(0, x.eventAgeDays[e]));
            }
            pop[x.colIdx[k]] += (float) s;
        }
        return new Popularity("popularity-recent", new float[][] {pop}, null, pop);
    }

    /**
     * The fewest customers a segment (country) needs for its own popularity: below it, its customers get global
     * popularity. A list of what a handful of customers bought is their purchases, shown to each other ("mostly
     * popularity-country" in an explanation) - k-anonymity's usual k, and too few customers for a ranking anyway.
     */
    public static final int MIN_SEGMENT_CUSTOMERS = 10;

    /**
     * Customers per item within the customer's segment, plus global popularity scaled below one segment
     * purchase, which only orders the items the segment never bought; segments of fewer than
     * {@link #MIN_SEGMENT_CUSTOMERS} customers get global popularity.
     */
    public static Popularity bySegment(Interactions x) {
        return bySegment(x, MIN_SEGMENT_CUSTOMERS);
    }

    /** {@link #bySegment(Interactions)} with another minimum segment size (at least 1). */
    public static Popularity bySegment(Interactions x, int minSegmentCustomers) {
        if (minSegmentCustomers < 1) {
            throw new IllegalArgumentException("minSegmentCustomers must be >= 1, was " + minSegmentCustomers);
        }
        int[] customersIn = new int[x.segmentCount()];
        int[] userSegment = new int[x.userCount()];
        for (int u = 0; u < userSegment.length; u++) {
            userSegment[u] = x.segmentOf(u);
            if (userSegment[u] >= 0) {
                customersIn[userSegment[u]]++;
            }
        }
        for (int u = 0; u < userSegment.length; u++) {
            if (userSegment[u] >= 0 && customersIn[userSegment[u]] < minSegmentCustomers) {
                userSegment[u] = -1;
            }
        }
        int items = x.itemCount();
        float[] global = global(x).global;
        float maxGlobal = 1;
        for (float g : global) {
            maxGlobal = Math.max(maxGlobal, g);
        }
        float[][] seg = new float[x.segmentCount()][items];
        for (int u = 0; u < x.userCount(); u++) {
            int s = userSegment[u];
            if (s < 0) {
                continue;
            }
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                seg[s][x.colIdx[k]] += 1;
            }
        }
        for (float[] row : seg) {
            for (int i = 0; i < items; i++) {
                row[i] += 0.5f * global[i] / maxGlobal;
            }
        }
        return new Popularity("popularity-country", seg, userSegment, global);
    }

    /**
     * Seasonal popularity: customers per item among purchases made in the same calendar window one year before
     * the predicted period, i.e. with an age in {@code (365 - horizonDays, 365]} days before the reference time
     * (for a prediction of 2011-09-01 .. 2011-11-29: purchases of 2010-09-01 .. 2010-11-29). Global popularity,
     * scaled below one seasonal buyer, orders the items nobody bought in that window, so with no history a year
     * back the model ranks like {@link #global}.
     */
    public static Popularity seasonal(Interactions x, int horizonDays) {
        return season(x, horizonDays, false, "popularity-season");
    }

    /**
     * Seasonal popularity among first-time buyers: like {@link #seasonal}, counting only customers whose first
     * purchase falls in that window a year back, i.e. what newly acquired customers bought in the same season.
     * Ties (and items no such customer bought) are ordered by {@link #seasonal}'s scores, scaled below one buyer.
     * Meant for customers without history, whom the service answers with popular items.
     */
    public static Popularity seasonalFirstTime(Interactions x, int horizonDays) {
        return season(x, horizonDays, true, "popularity-season-new");
    }

    private static Popularity season(Interactions x, int horizonDays, boolean firstTimeOnly, String name) {
        if (horizonDays < 1) {
            throw new IllegalArgumentException("horizonDays must be >= 1, was " + horizonDays);
        }
        float[] global = global(x).global;
        Popularity overall = firstTimeOnly ? season(x, horizonDays, false, name) : null;
        float[] tieBreak = firstTimeOnly ? overall.global : global;
        float[] pop = new float[x.itemCount()];
        for (int u = 0; u < x.userCount(); u++) {
            if (firstTimeOnly) {
                float first = -Float.MAX_VALUE;
                for (int e = x.eventPtr[x.rowPtr[u]]; e < x.eventPtr[x.rowPtr[u + 1]]; e++) {
                    first = Math.max(first, x.eventAgeDays[e]);
                }
                if (!HistoryFeatures.inSeasonAYearBack(first, horizonDays)) {
                    continue;
                }
            }
            for (int k = x.rowPtr[u]; k < x.rowPtr[u + 1]; k++) {
                for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                    if (HistoryFeatures.inSeasonAYearBack(x.eventAgeDays[e], horizonDays)) {
                        pop[x.colIdx[k]] += 1;
                        break;
                    }
                }
            }
        }
        boolean any = false;
        for (float p : pop) {
            any |= p > 0;
        }
        String note = null;
        if (!any) {
            note = overall != null && overall.note == null
                    ? "no first-time buyer a year before the predicted period: equals popularity-season"
                    : "no data a year before the predicted period: equals popularity";
        }
        float maxTie = 1;
        for (float g : tieBreak) {
            maxTie = Math.max(maxTie, g);
        }
        for (int i = 0; i < pop.length; i++) {
            pop[i] += 0.5f * tieBreak[i] / maxTie;
        }
        return new Popularity(name, new float[][] {pop}, null, pop, note);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void score(int user, float[] out) {
        float[] src = global;
        if (userSegment != null && user < userSegment.length && userSegment[user] >= 0) {
            src = bySegment[userSegment[user]];
        } else if (userSegment == null) {
            src = bySegment[0];
        }
        System.arraycopy(src, 0, out, 0, out.length);
    }

    @Override
    public long bytes() {
        return 4L * bySegment.length * global.length + 4L * global.length
                + (userSegment == null ? 0 : 4L * userSegment.length);
    }
}
