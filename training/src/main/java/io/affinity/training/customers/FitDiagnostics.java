package io.affinity.training.customers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warnings about fits that converged on the edge of the parameter space. The shape parameters of BG/NBD (r, a,
 * b) and Gamma-Gamma (p, q) are dimensionless; far outside [1e-4, 1e5] the likelihood is flat in them, so the
 * data cannot pin them down and the model has become one of its limiting cases (e.g. r and alpha without bound:
 * every customer buys at the same rate; a to 0 or b without bound: nobody is seen to drop out). Predictions are
 * then those of the limiting case, which a user should know before trusting them. The scale parameters (alpha
 * in time units, v in money) are not judged: their size depends on the units. Gamma-Gamma with q &lt;= 1 (which
 * small exports reach well inside those bounds) has no finite population mean spend: the profiles then carry the
 * customers' own mean spend, and a warning says so.
 */
public final class FitDiagnostics {
    static final double SMALLEST_SHAPE = 1e-4;
    static final double LARGEST_SHAPE = 1e5;

    private FitDiagnostics() {
    }

    /**
     * One line per model whose shape parameters lie at the edge, naming them and what to change, and one when
     * Gamma-Gamma's population mean spend is infinite (q &lt;= 1) and profiles carry the customers' own mean spend;
     * empty if none.
     */
    public static List<String> warnings(CustomerAnalysis a) {
        return warnings(a, "a later --calibration-end");
    }

    /**
     * As {@link #warnings(CustomerAnalysis)}, with {@code moreHistory} saying how to get more history where there
     * is no {@code --calibration-end} to move (train calibrates on everything up to the last purchase).
     */
    public static List<String> warnings(CustomerAnalysis a, String moreHistory) {
        List<String> out = new ArrayList<>();
        long repeat = a.gammaGamma().customers();
        String data = String.format(Locale.ROOT, "%,d of %,d customers bought on more than one day in the "
                + "calibration period", repeat, a.rows().size());
        BgNbd bg = a.bgNbd().model();
        String bgEdge = edge(new String[] {"r", "a", "b"}, new double[] {bg.r(), bg.a(), bg.b()});
        if (!bgEdge.isEmpty()) {
            out.add("BG/NBD fit is degenerate: " + bgEdge + String.format(Locale.ROOT, " (alpha=%.4g)", bg.alpha())
                    + " at the edge of the parameter space, so the data do not determine them and predicted "
                    + "purchases and P(alive) are those of a limiting case (" + data + "); a calibration window "
                    + "too short to see customers return or lapse is the usual cause: use " + moreHistory
                    + " (more history)");
        }
        GammaGamma gg = a.gammaGamma().model();
        String ggEdge = edge(new String[] {"p", "q"}, new double[] {gg.p(), gg.q()});
        if (gg.q() > LARGEST_SHAPE) {
            // Not thin data but a finding: the limit of one mean spend for everyone, which more history rarely changes.
            out.add("Gamma-Gamma fit is degenerate: " + ggEdge + String.format(Locale.ROOT, " (v=%.4g)", gg.v())
                    + " at the edge of the parameter space: customers' mean spends differ no more than their single "
                    + "purchases do, so every customer's expected spend per transaction is the population mean, "
                    + String.format(Locale.ROOT, "%.2f (", gg.populationMeanSpend()) + data + ")");
        } else if (!ggEdge.isEmpty()) {
            out.add("Gamma-Gamma fit is degenerate: " + ggEdge + String.format(Locale.ROOT, " (v=%.4g)", gg.v())
                    + " at the edge of the parameter space, so spend predictions are those of a limiting case ("
                    + data + "); more repeat customers (" + moreHistory + ") usually fix it");
        }
        if (gg.q() <= 1) {
            // The profiles then carry a substitute for expected spend, not the model's: say which, and for whom.
            long oneDay = a.rows().stream().filter(r -> r.x() == 0).count();
            out.add(String.format(Locale.ROOT, "Gamma-Gamma fit has q=%.4g <= 1: the population's mean spend per "
                    + "transaction p v/(q-1) is infinite, so expected spend per transaction is each customer's own "
                    + "instead of the model's: the mean of their repeat days' spend (%,d customers), or the spend of "
                    + "their one purchase day (%,d customers); more repeat customers (%s) usually fix it", gg.q(),
                    a.rows().size() - oneDay, oneDay, moreHistory));
        }
        return out;
    }

    private static String edge(String[] names, double[] values) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (values[i] < SMALLEST_SHAPE || values[i] > LARGEST_SHAPE) {
                parts.add(String.format(Locale.ROOT, "%s=%.4g", names[i], values[i]));
            }
        }
        return String.join(", ", parts);
    }
}
