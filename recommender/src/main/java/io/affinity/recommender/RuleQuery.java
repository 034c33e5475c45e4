package io.affinity.recommender;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * A query over a model's rules, for analysts: filters, a sort measure, and a limit.
 *
 * @param antecedentItem only rules whose antecedent contains this item (null: all rules)
 * @param consequent     only rules suggesting this item (null: any)
 * @param minLift        lower bound on lift (inclusive)
 * @param minConfidence  lower bound on confidence (inclusive)
 * @param minSupport     lower bound on support (inclusive)
 * @param sort           the measure to sort by, descending
 * @param limit          how many rules to return at most
 */
public record RuleQuery(String antecedentItem, String consequent, double minLift, double minConfidence,
                        double minSupport, Measure sort, int limit) {

    /** Rule measures one can sort by. */
    public enum Measure {
        LIFT(AssociationRule::lift), CONFIDENCE(AssociationRule::confidence), SUPPORT(AssociationRule::support),
        LEVERAGE(AssociationRule::leverage), CONVICTION(AssociationRule::conviction);

        private final ToDoubleFunction<AssociationRule> value;

        Measure(ToDoubleFunction<AssociationRule> value) {
            this.value = value;
        }

        public double of(AssociationRule rule) {
            return value.applyAsDouble(rule);
        }

        /** Parses a wire name such as {@code lift}; null when it names no measure. */
        public static Measure parse(String name) {
            for (Measure m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            return null;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The answer: how many rules matched the filters, and the best {@code limit} of them, best first. */
    public record Page(long matched, List<AssociationRule> rules) {
        public Page {
            rules = List.copyOf(rules);
        }
    }

    public RuleQuery {
        if (sort == null) {
            throw new IllegalArgumentException("sort must be given");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        for (double bound : new double[] {minLift, minConfidence, minSupport}) {
            if (Double.isNaN(bound)) {
                throw new IllegalArgumentException("bounds must be numbers");
            }
        }
    }

    /** Runs the query; it keeps only the best {@code limit} rules in memory, whatever the model's size. */
    public Page run(ModelSnapshot model) {
        Comparator<AssociationRule> worstFirst = Comparator.comparingDouble(sort::of)
                .thenComparingDouble(AssociationRule::confidence)
                .thenComparing(AssociationRule::consequent, Comparator.reverseOrder());
        PriorityQueue<AssociationRule> top = new PriorityQueue<>(limit + 1, worstFirst);
        long[] matched = {0};
        Consumer<AssociationRule> offer = r -> {
            if (r.lift() < minLift || r.confidence() < minConfidence || r.support() < minSupport
                    || (consequent != null && !r.consequent().equals(consequent))) {
                return;
            }
            matched[0]++;
            top.add(r);
            if (top.size() > limit) {
                top.poll();
            }
        };
        if (antecedentItem != null) {
            if (model.item(antecedentItem).isEmpty()) {
                throw new UnknownItemException(antecedentItem);
            }
            model.rulesWithAntecedentItem(antecedentItem).forEach(offer);
        } else {
            model.forEachRule(offer);
        }
        List<AssociationRule> best = new ArrayList<>(top.size());
        while (!top.isEmpty()) {
            best.add(top.poll());
        }
        Collections.reverse(best);
        return new Page(matched[0], best);
    }
}
