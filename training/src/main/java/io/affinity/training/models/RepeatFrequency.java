package io.affinity.training.models;

/**
 * The customer's own purchases, each order weighted by {@code 2^(-age / halfLife)}: the "personal top
 * frequency" baseline that is hard to beat in repeat-heavy retail (Li et al., TOIS 2023). Items the customer
 * never bought follow in global popularity order (the strongest variant of the baseline, GP-TopFreq), so its
 * lists are always full.
 */
public final class RepeatFrequency implements Scorer {
    private final Interactions x;
    private final float[] personal; // per non-zero cell
    private final float[] popularity; // in [0, 1)

    private RepeatFrequency(Interactions x, float[] personal, float[] popularity) {
        this.x = x;
        this.personal = personal;
        this.popularity = popularity;
    }

    public static RepeatFrequency fit(Interactions x, double halfLifeDays) {
        if (!(halfLifeDays > 0)) {
            throw new IllegalArgumentException("halfLifeDays must be > 0, was " + halfLifeDays);
        }
        double lambda = Math.log(2) / halfLifeDays;
        float[] personal = new float[x.nonZeros()];
        for (int k = 0; k < personal.length; k++) {
            double s = 0;
            for (int e = x.eventPtr[k]; e < x.eventPtr[k + 1]; e++) {
                s += Math.exp(-lambda * Math.max(0, x.eventAgeDays[e]));
            }
            personal[k] = (float) s;
        }
        float[] pop = x.popularityBelowOne();
        return new RepeatFrequency(x, personal, pop);
    }

    @Override
    public String name() {
        return "repeat-frequency";
    }

    @Override
    public void score(int user, float[] out) {
        // Bought items score 1 + decayed count; all others stay below 1.
        System.arraycopy(popularity, 0, out, 0, out.length);
        if (user < x.userCount()) {
            for (int k = x.rowPtr[user]; k < x.rowPtr[user + 1]; k++) {
                out[x.colIdx[k]] = 1f + personal[k];
            }
        }
    }

    @Override
    public long bytes() {
        return 4L * (personal.length + popularity.length);
    }
}
