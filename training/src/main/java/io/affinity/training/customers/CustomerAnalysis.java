package io.affinity.training.customers;

import io.affinity.recommender.CustomerProfile;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@link CustomerAnalytics} computed: one row per customer seen by the calibration end, the
 * fitted models, and (when a holdout period was given) how well they predicted it.
 *
 * @param customersAfterCalibration customers whose first purchase falls after the calibration end: left out
 *                                  of the models and profiles (counted, not silently dropped)
 * @param customersReturnedEverything customers who bought by the calibration end but returned all of it (their
 *                                  purchases net of returns leave no purchase day): left out, counted
 * @param spendFrequencyCorrelation Pearson correlation of repeat frequency and mean repeat spend among
 *                                  repeat customers; Gamma-Gamma assumes it is near zero
 * @param tierBasis                 what the tiers rank by: predicted margin when the catalogue gave costs, else
 *                                  predicted (revenue) value
 * @param itemsWithCost             items of the transactions with a catalogue cost
 * @param returns                   what the customers' returns did to the calibration purchases, or null when every
 *                                  return in the export was netted ({@link CustomerAnalyticsOptions#everyReturnNetted}:
 *                                  train)
 */
public record CustomerAnalysis(CustomerAnalyticsOptions options, List<Row> rows, BgNbd.Fitted bgNbd,
                               GammaGamma.Fitted gammaGamma, HoldoutEvaluation holdout,
                               int customersAfterCalibration, int customersReturnedEverything,
                               double spendFrequencyCorrelation,
                               TierBasis tierBasis, int itemsWithCost, Returns returns) {
    /** What Platinum/Gold/Iron/Lead rank customers by. */
    public enum TierBasis {
        /** Expected 12-month value (revenue): the catalogue gave no costs. */
        REVENUE,
        /** Expected 12-month value x the customer's historical margin share of spend. */
        MARGIN
    }

    public CustomerAnalysis {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tierBasis, "tierBasis");
        rows = List.copyOf(rows);
        Objects.requireNonNull(bgNbd, "bgNbd");
        Objects.requireNonNull(gammaGamma, "gammaGamma");
    }

    /**
     * One customer. Model inputs {@code x}, {@code tx}, {@code T} are in the options' time unit.
     *
     * @param holdoutActual       transactions in the holdout period, or -1 without one
     * @param holdoutPredicted    BG/NBD expected transactions over the holdout length
     * @param holdoutNaive        transactions in the last calibration period as long as the holdout
     * @param marginShare         margin share of spend on items with a cost (NaN without costs)
     * @param expectedMargin12    expected 12-month value x margin share (NaN without costs)
     */
    public record Row(String customerId, LocalDate firstPurchase, LocalDate lastPurchase,
                      int x, double tx, double T, double meanRepeatSpend, CustomerProfile profile,
                      int holdoutActual, double holdoutPredicted, double holdoutNaive, double marginShare,
                      double expectedMargin12) {
    }

    /**
     * Predicted versus actual transactions per customer over the holdout.
     *
     * @param days            holdout length in days
     * @param model           BG/NBD conditional expectation
     * @param naiveLastPeriod each customer repeats the count of their last calibration period of equal length
     */
    public record HoldoutEvaluation(int days, int customers, long actualTotal, Accuracy model,
                                    Accuracy naiveLastPeriod) {
    }

    /**
     * The identified customers' returns of products, counted against the calibration period: {@code netted} took
     * something off a calibration purchase, {@code unmatched} were made by the calibration end but found nothing to
     * take off, {@code afterCalibrationEnd} were made after it and did not reduce a calibration purchase (those made
     * by the holdout end are netted against holdout purchases). Together they are every such return of the export.
     */
    public record Returns(long netted, long unmatched, long afterCalibrationEnd) {
        public Returns {
            if (netted < 0 || unmatched < 0 || afterCalibrationEnd < 0) {
                throw new IllegalArgumentException("negative return counts");
            }
        }
    }

    /** Mean absolute error, root mean squared error, Pearson correlation, total predicted. */
    public record Accuracy(double mae, double rmse, double correlation, double predictedTotal) {
    }
}
