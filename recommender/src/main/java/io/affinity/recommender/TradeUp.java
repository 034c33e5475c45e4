package io.affinity.recommender;

import java.util.Locale;
import java.util.Objects;

/**
 * An observed trade-up, learned at training time from customers' time-ordered purchases: of the {@code buyers}
 * customers (in {@code segment}) who bought the source item, {@code movers} later bought {@code toItemId}, a
 * meaningfully pricier item of the same product family or catalogue category.
 *
 * @param toItemId   the item customers moved up to
 * @param segment    whose behaviour is counted: {@link #ALL}, or a customer segment such as {@code tier:gold} or
 *                   {@code price:high} (see {@link #tierSegment} and {@link #priceSegment})
 * @param movers     distinct customers of the segment who bought the source item and later the target
 * @param buyers     distinct customers of the segment who bought the source item
 * @param sameFamily whether the target is of the source's product family (otherwise: same category only)
 */
public record TradeUp(String toItemId, String segment, int movers, int buyers, boolean sameFamily) {
    /** The segment of all identified customers. */
    public static final String ALL = "all";

    public TradeUp {
        Ids.requireItemId(toItemId);
        Objects.requireNonNull(segment, "segment");
        if (segment.isBlank()) {
            throw new IllegalArgumentException("segment must not be blank");
        }
        if (movers < 1 || buyers < movers) {
            throw new IllegalArgumentException("need 1 <= movers <= buyers, was " + movers + " of " + buyers);
        }
    }

    /** Share of the source item's buyers (in the segment) who moved up to the target. */
    public double rate() {
        return (double) movers / buyers;
    }

    /** The segment name of a profitability tier, e.g. {@code tier:gold}. */
    public static String tierSegment(CustomerProfile.Tier tier) {
        return "tier:" + tier.name().toLowerCase(Locale.ROOT);
    }

    /** The segment name of a price-sensitivity band, e.g. {@code price:high}. */
    public static String priceSegment(CustomerProfile.PriceSensitivity band) {
        return "price:" + band.name().toLowerCase(Locale.ROOT);
    }
}
