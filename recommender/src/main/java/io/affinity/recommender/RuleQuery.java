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
 * A query over a model's rules, for analysts: filters, a sort measure, and a page (offset and limit). The order is
 * total (ties: confidence, consequent, antecedent), so consecutive pages neither repeat nor skip a rule.
 *
 * @param antecedentItem only rules whose antecedent contains this item (null: all rules)
 * @param consequent     only rules suggesting this item (null: any)
 * @param minLift        lower bound on lift (inclusive), {@code >= 0}
 * @param minConfidence  lower bound on confidence (inclusive), in [0, 1]
 * @param minSupport     lower bound on support (inclusive), in [0, 1]
 * @param sort           the measure to sort by, descending
 * @param offset         matching rules to skip, best first, in 0..{@link #MAX_OFFSET}
 * @param limit          how many rules to return at most
 */
public record RuleQuery(String antecedentItem, String consequent, double minLift, double minConfidence,
                        double minSupport, Measure sort, int offset, int limit) {
    /**
     * Largest offset: a query keeps offset + limit rules in memory, so paging is bounded; beyond it, narrow the
     * query with the minimums or an item.
     */
    public static final int MAX_OFFSET = 100_000;

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
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("offset must be in 0.." + MAX_OFFSET + ", was " + offset);
        }
        String impossible = impossibleMinimum(minLift, minConfidence, minSupport);
        if (impossible != null) {
            throw new IllegalArgumentException(impossible);
        }
    }

    /** The first page of {@code limit} rules. */
    public RuleQuery(String antecedentItem, String consequent, double minLift, double minConfidence,
                     double minSupport, Measure sort, int limit) {
        this(antecedentItem, consequent, minLift, minConfidence, minSupport, sort, 0, limit);
    }

    /**
     * What is wrong with the minimums (named {@code minLift}, {@code minConfidence}, {@code minSupport}), or null:
     * a bound no rule can meet (a confidence of 1.5) would otherwise answer an empty list as if no rule matched.
     */
    public static String impossibleMinimum(double minLift, double minConfidence, double minSupport) {
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            return "minLift must be a finite number >= 0, was " + minLift;
        }
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            return "minConfidence must be in [0, 1], was " + minConfidence;
        }
        if (!(minSupport >= 0 && minSupport <= 1)) {
            return "minSupport must be in [0, 1], was " + minSupport;
        }
        return null;
    }

    /**
     * Runs the query; it keeps only the best {@code offset + limit} rules in memory, whatever the model's size. An
     * antecedent item or consequent the model does not know is an {@link UnknownItemException}, not an empty page.
     */
    public Page run(ModelSnapshot model) {
        Comparator<AssociationRule> worstFirst = Comparator.comparingDouble(sort::of)
                .thenComparingDouble(AssociationRule::confidence)
                .thenComparing(AssociationRule::consequent, Comparator.reverseOrder())
                .thenComparing(r -> String.join(" ", r.antecedent()), Comparator.reverseOrder());
        int keep = (int) Math.min(Integer.MAX_VALUE, (long) offset + limit); // a limit of "all" is MAX_VALUE
        PriorityQueue<AssociationRule> top = new PriorityQueue<>(Math.min(keep, 1024) + 1, worstFirst);
        long[] matched = {0};
        Consumer<AssociationRule> offer = r -> {
            if (r.lift() < minLift || r.confidence() < minConfidence || r.support() < minSupport
                    || (consequent != null && !r.consequent().equals(consequent))) {
                return;
            }
            matched[0]++;
            top.add(r);
            if (top.size() > keep) {
                top.poll();
            }
        };
        if (consequent != null && model.item(consequent).isEmpty()) {
            throw new UnknownItemException(consequent);
        }
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
        return new Page(matched[0], best.subList(Math.min(offset, best.size()), best.size()));
    }
}
