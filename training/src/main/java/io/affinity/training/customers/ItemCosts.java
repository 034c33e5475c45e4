package io.affinity.training.customers;

import io.affinity.training.ingest.Transactions;
import java.util.Arrays;
import java.util.Map;

/**
 * Catalogue unit costs by the transactions' item index (NaN where the catalogue gives none), for margin-based
 * customer value ({@link CustomerAnalytics}).
 */
public final class ItemCosts {
    private static final ItemCosts NONE = new ItemCosts(new double[0], 0);

    private final double[] cost;
    private final int known;

    private ItemCosts(double[] cost, int known) {
        this.cost = cost;
        this.known = known;
    }

    /** No costs: customer value and tiers are revenue-based. */
    public static ItemCosts none() {
        return NONE;
    }

    /** Costs of the items of {@code tx} found in {@code costByItemId} (NaN values mean "no cost"). */
    public static ItemCosts of(Transactions tx, Map<String, Double> costByItemId) {
        double[] cost = new double[tx.itemCount()];
        Arrays.fill(cost, Double.NaN);
        int known = 0;
        for (int i = 0; i < cost.length; i++) {
            Double c = costByItemId.get(tx.itemId(i));
            if (c != null && !Double.isNaN(c)) {
                if (!(c >= 0) || Double.isInfinite(c)) {
                    throw new IllegalArgumentException("cost of " + tx.itemId(i) + " must be finite and >= 0, was " + c);
                }
                cost[i] = c;
                known++;
            }
        }
        return known == 0 ? NONE : new ItemCosts(cost, known);
    }

    /** Whether any item has a cost: then tiers rank customers by predicted margin. */
    public boolean any() {
        return known > 0;
    }

    /** Items with a cost. */
    public int known() {
        return known;
    }

    /** Unit cost of item index {@code item}, NaN when unknown. */
    public double cost(int item) {
        return item < cost.length ? cost[item] : Double.NaN;
    }
}
