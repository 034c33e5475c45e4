package io.affinity.training.customers;

import java.time.LocalDate;
import java.util.Objects;

/**
 * How {@link CustomerAnalytics} summarises and scores customers. Start from {@link #defaults(LocalDate)}.
 *
 * @param calibrationEnd  last day (inclusive) of the data the models see
 * @param holdoutEnd      last day (inclusive) of the holdout period used to check predictions, or null
 * @param timeUnit        unit of the BG/NBD time axis ({@code alpha} is per unit); does not change the
 *                        predictions, only the scale of {@code alpha} and the optimiser's conditioning
 * @param discountRate    annual discount rate for the 12-month value, e.g. 0.1; applied monthly
 * @param platinumShare   share of customers, by 12-month value, in the Platinum tier (default 0.05)
 * @param goldShare       share in Gold, the next ones (default 0.15)
 * @param ironShare       share in Iron, the next ones (default 0.30); the rest are Lead
 * @param newDays         a customer whose first purchase is this recent is NEW (default 90)
 * @param atRiskDays      recency beyond which an active customer is AT_RISK (default 90)
 * @param lapsedDays      recency beyond which a customer is LAPSED; a gap this long before a recent
 *                        purchase makes the customer WON_BACK (default 180)
 * @param atRiskPAlive    P(alive) below which a customer is AT_RISK (default 0.7)
 * @param lapsedPAlive    P(alive) below which a customer is LAPSED (default 0.3)
 * @param everyReturnNetted whether every return in the export is netted against the calibration purchases, also one
 *                        made after the calibration end ({@code train}, whose calibration end is the data's last
 *                        purchase day and which scores nothing after it), instead of only those made by then (the
 *                        default, {@code customers --calibration-end}: a later return is the holdout's, and netted
 *                        against the calibration it would let the fit see the future); see
 *                        {@link io.affinity.training.ingest.Transactions#keptAsOf}
 */
public record CustomerAnalyticsOptions(LocalDate calibrationEnd, LocalDate holdoutEnd, TimeUnit timeUnit,
                                       double discountRate, double platinumShare, double goldShare,
                                       double ironShare, int newDays, int atRiskDays, int lapsedDays,
                                       double atRiskPAlive, double lapsedPAlive, boolean everyReturnNetted) {

    /** Time axis of the BG/NBD model. */
    public enum TimeUnit {
        DAYS(1), WEEKS(7);

        private final int days;

        TimeUnit(int days) {
            this.days = days;
        }

        public double fromDays(double d) {
            return d / days;
        }
    }

    /** Days in the "next 90 days" prediction. */
    public static final int HORIZON_DAYS = 90;

    public CustomerAnalyticsOptions {
        Objects.requireNonNull(calibrationEnd, "calibrationEnd");
        Objects.requireNonNull(timeUnit, "timeUnit");
        if (holdoutEnd != null && !holdoutEnd.isAfter(calibrationEnd)) {
            throw new IllegalArgumentException("--holdout-end " + holdoutEnd + " must be after --calibration-end "
                    + calibrationEnd);
        }
        if (!(discountRate >= 0 && discountRate < 10)) {
            throw new IllegalArgumentException("--discount-rate must be in [0, 10), was " + discountRate);
        }
        if (!(platinumShare > 0 && goldShare > 0 && ironShare > 0 && platinumShare + goldShare + ironShare <= 1)) {
            throw new IllegalArgumentException("--tiers: shares must be > 0 and sum to at most 1, were " + platinumShare
                    + ", " + goldShare + ", " + ironShare);
        }
        if (newDays < 0 || atRiskDays < 0 || lapsedDays < atRiskDays) {
            throw new IllegalArgumentException("need 0 <= newDays, 0 <= atRiskDays <= lapsedDays");
        }
        if (!(lapsedPAlive >= 0 && lapsedPAlive <= atRiskPAlive && atRiskPAlive <= 1)) {
            throw new IllegalArgumentException("need 0 <= lapsedPAlive <= atRiskPAlive <= 1");
        }
    }

    public static CustomerAnalyticsOptions defaults(LocalDate calibrationEnd) {
        return new CustomerAnalyticsOptions(calibrationEnd, null, TimeUnit.DAYS, 0.1, 0.05, 0.15, 0.30, 90, 90, 180,
                0.7, 0.3, false);
    }

    public CustomerAnalyticsOptions withHoldoutEnd(LocalDate end) {
        return new CustomerAnalyticsOptions(calibrationEnd, end, timeUnit, discountRate, platinumShare, goldShare,
                ironShare, newDays, atRiskDays, lapsedDays, atRiskPAlive, lapsedPAlive, everyReturnNetted);
    }

    public CustomerAnalyticsOptions withTimeUnit(TimeUnit unit) {
        return new CustomerAnalyticsOptions(calibrationEnd, holdoutEnd, unit, discountRate, platinumShare, goldShare,
                ironShare, newDays, atRiskDays, lapsedDays, atRiskPAlive, lapsedPAlive, everyReturnNetted);
    }

    public CustomerAnalyticsOptions withDiscountRate(double rate) {
        return new CustomerAnalyticsOptions(calibrationEnd, holdoutEnd, timeUnit, rate, platinumShare, goldShare,
                ironShare, newDays, atRiskDays, lapsedDays, atRiskPAlive, lapsedPAlive, everyReturnNetted);
    }

    public CustomerAnalyticsOptions withTierShares(double platinum, double gold, double iron) {
        return new CustomerAnalyticsOptions(calibrationEnd, holdoutEnd, timeUnit, discountRate, platinum, gold, iron,
                newDays, atRiskDays, lapsedDays, atRiskPAlive, lapsedPAlive, everyReturnNetted);
    }

    /** Net every return of the export against the calibration purchases, as {@code train} does. */
    public CustomerAnalyticsOptions withEveryReturnNetted() {
        return new CustomerAnalyticsOptions(calibrationEnd, holdoutEnd, timeUnit, discountRate, platinumShare,
                goldShare, ironShare, newDays, atRiskDays, lapsedDays, atRiskPAlive, lapsedPAlive, true);
    }
}
