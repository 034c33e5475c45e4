package io.affinity.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What counts as an observed trade-up (see {@link TradeUps}).
 *
 * @param minPriceIncrease how much higher the target's typical unit price must be than the source's, as a
 *                         fraction (0.10: at least 10% more); smaller steps are variants, not moving up
 * @param minCustomers     minimum distinct customers who made the move (in the segment) for it to be kept
 * @param perSegment       at most this many targets kept per source item and segment, strongest first
 * @param minLift          the move's rate (movers / buyers of the source) must exceed this times the share of the
 *                         segment's customers who bought the target at all: 1 keeps only moves that buying the
 *                         source makes likelier than the target's plain popularity
 */
public record TradeUpParameters(double minPriceIncrease, int minCustomers, int perSegment, double minLift) {
    public static final double DEFAULT_MIN_PRICE_INCREASE = 0.10;
    public static final int DEFAULT_MIN_CUSTOMERS = 3;
    public static final int DEFAULT_PER_SEGMENT = 10;
    public static final double DEFAULT_MIN_LIFT = 1.0;
    public static final TradeUpParameters DEFAULTS = new TradeUpParameters(DEFAULT_MIN_PRICE_INCREASE,
            DEFAULT_MIN_CUSTOMERS, DEFAULT_PER_SEGMENT, DEFAULT_MIN_LIFT);

    public TradeUpParameters {
        if (!(minPriceIncrease > 0) || Double.isInfinite(minPriceIncrease)) {
            throw new IllegalArgumentException("--upsell-min-price-increase must be > 0, was " + minPriceIncrease);
        }
        if (minCustomers < 1) {
            throw new IllegalArgumentException("--upsell-min-customers must be >= 1, was " + minCustomers);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw new IllegalArgumentException("--upsell-min-lift must be finite and >= 0, was " + minLift);
        }
        if (perSegment < 1) {
            throw new IllegalArgumentException("perSegment must be >= 1, was " + perSegment);
        }
    }

    Map<String, Object> asManifestMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("minPriceIncrease", minPriceIncrease);
        m.put("minCustomers", minCustomers);
        m.put("perSegment", perSegment);
        m.put("minLift", minLift);
        return m;
    }
}
