package io.affinity.recommender;

import java.util.List;
import java.util.Objects;

/**
 * What training knows about one identified customer's value and behaviour, as of the calibration end. A
 * "transaction" is a distinct purchase day (several invoices on one day are one shopping trip).
 *
 * @param recencyDays            days from the last purchase to the calibration end
 * @param transactions           distinct purchase days up to the calibration end
 * @param monetary               total spend up to the calibration end
 * @param recencyScore           RFM quintile score 1..5 (5 = most recent)
 * @param frequencyScore         RFM quintile score 1..5 (5 = most frequent)
 * @param monetaryScore          RFM quintile score 1..5 (5 = highest spend)
 * @param segment                named RFM segment, e.g. {@code champions}, {@code at_risk}
 * @param pAlive                 BG/NBD probability that the customer is still active
 * @param expectedTransactions90 BG/NBD expected transactions in the next 90 days
 * @param expectedSpend          Gamma-Gamma expected spend per transaction
 * @param expectedValue12        expected, discounted spend over the next 12 months
 * @param tier                   profitability tier by {@code expectedValue12}
 * @param stage                  lifecycle stage
 * @param strategy               the relationship strategy the tier and stage imply
 * @param priceIndex             what the customer paid relative to the items' median prices (1 = typical,
 *                               below 1 = paid less, e.g. volume prices)
 * @param cheaperVariantShare    share of the spend in multi-variant product families that went to the
 *                               cheaper variants, in [0, 1]; NaN when the customer bought no such family
 * @param priceSensitivity       summary of the two price measures
 * @param favouriteFamilies      product families with the most spend, most first (at most a few)
 */
public record CustomerProfile(int recencyDays, int transactions, double monetary, int recencyScore,
                              int frequencyScore, int monetaryScore, String segment, double pAlive,
                              double expectedTransactions90, double expectedSpend, double expectedValue12,
                              Tier tier, Stage stage, Strategy strategy, double priceIndex,
                              double cheaperVariantShare, PriceSensitivity priceSensitivity,
                              List<String> favouriteFamilies) {

    /** Profitability tiers, most valuable first. */
    public enum Tier { PLATINUM, GOLD, IRON, LEAD }

    /** Where the customer is in the relationship. */
    public enum Stage { NEW, ACTIVE, AT_RISK, LAPSED, WON_BACK }

    /**
     * Relationship strategies: initiate (a first repeat), protect (keep the best), enhance (upsell and
     * cross-sell), re-engineer (serve through cheaper channels), harvest (take the margin, minimal cost),
     * end (stop spending on contact), win back (reactivate a lapsed valuable customer).
     */
    public enum Strategy { INITIATE, PROTECT, ENHANCE, RE_ENGINEER, HARVEST, END, WIN_BACK }

    public enum PriceSensitivity { LOW, MEDIUM, HIGH }

    public CustomerProfile {
        if (recencyDays < 0 || transactions <= 0) {
            throw new IllegalArgumentException("need recencyDays >= 0 and transactions > 0, was " + recencyDays
                    + ", " + transactions);
        }
        for (int s : new int[] {recencyScore, frequencyScore, monetaryScore}) {
            if (s < 1 || s > 5) {
                throw new IllegalArgumentException("RFM scores must be 1..5, was " + s);
            }
        }
        if (!(pAlive >= 0 && pAlive <= 1)) {
            throw new IllegalArgumentException("pAlive must be in [0, 1], was " + pAlive);
        }
        requireFiniteNonNegative(monetary, "monetary");
        requireFiniteNonNegative(expectedTransactions90, "expectedTransactions90");
        requireFiniteNonNegative(expectedSpend, "expectedSpend");
        requireFiniteNonNegative(expectedValue12, "expectedValue12");
        requireFiniteNonNegative(priceIndex, "priceIndex");
        if (!Double.isNaN(cheaperVariantShare) && !(cheaperVariantShare >= 0 && cheaperVariantShare <= 1)) {
            throw new IllegalArgumentException("cheaperVariantShare must be in [0, 1] or NaN, was " + cheaperVariantShare);
        }
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(priceSensitivity, "priceSensitivity");
        favouriteFamilies = List.copyOf(favouriteFamilies);
    }

    private static void requireFiniteNonNegative(double v, String name) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
        }
    }
}
