package io.affinity.training.mining;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Association rules with a single-item consequent from frequent itemsets: for every frequent X with |X| &gt;= 2
 * and every c in X, the rule X\{c} =&gt; c. Single consequents are what cross-sell needs, and every subset of a
 * frequent itemset is frequent, so all measures are exact without going back to the transactions.
 */
public final class RuleGenerator {
    private RuleGenerator() {
    }

    /** All rules passing {@code parameters}: ranked when {@code topK > 0}, else in itemset order. */
    public static List<MinedRule> generate(FrequentItemsets itemsets, RuleParameters parameters) {
        List<MinedRule> rules = new ArrayList<>();
        generate(itemsets, parameters, rules::add);
        return rules;
    }

    /**
     * Streams the rules passing {@code parameters} to {@code consumer}; returns how many there were. With
     * {@code topK > 0} only the best {@code topK} are kept (a bounded heap, so memory is O(topK)) and they arrive
     * best first. Relative measures use {@link FrequentItemsets#transactionCount()} as the number of
     * transactions.
     *
     * @throws IllegalStateException when a subset of a frequent itemset is missing, i.e. the itemsets were not
     *                               produced by one complete mining run
     */
    public static long generate(FrequentItemsets itemsets, RuleParameters parameters,
                                Consumer<? super MinedRule> consumer) {
        Comparator<MinedRule> best = ranking(parameters.sortBy());
        PriorityQueue<MinedRule> top = parameters.topK() > 0
                ? new PriorityQueue<>(Math.min(parameters.topK(), 1 << 16) + 1, best.reversed()) : null;
        BitSet redundant = parameters.pruneRedundant() ? redundantRules(itemsets) : null;
        long n = itemsets.transactionCount();
        double minConfidence = parameters.minConfidence();
        double minLift = parameters.minLift();
        int[] items = itemsets.flatItems();
        int[] ante = new int[16];
        int[] single = new int[1];
        long produced = 0;
        for (int x = 0; x < itemsets.size(); x++) {
            int length = itemsets.length(x);
            if (length < 2) {
                continue;
            }
            if (ante.length < length) {
                ante = new int[length * 2];
            }
            int start = itemsets.offset(x);
            long supportCount = itemsets.supportCount(x);
            for (int drop = 0; drop < length; drop++) {
                if (redundant != null && redundant.get(start + drop)) {
                    continue;
                }
                int consequent = items[start + drop];
                for (int i = 0, k = 0; i < length; i++) {
                    if (i != drop) {
                        ante[k++] = items[start + i];
                    }
                }
                long anteSupport = itemsets.supportOf(ante, length - 1);
                single[0] = consequent;
                long consequentSupport = itemsets.supportOf(single, 1);
                if (anteSupport == 0 || consequentSupport == 0) {
                    throw new IllegalStateException("a subset of a frequent itemset is missing: itemsets incomplete");
                }
                MinedRule rule = rule(ante, length - 1, consequent, supportCount, anteSupport, consequentSupport,
                        n, minConfidence, minLift);
                if (rule == null) {
                    continue;
                }
                if (top == null) {
                    consumer.accept(rule);
                    produced++;
                } else if (top.size() < parameters.topK()) {
                    top.add(rule);
                } else if (best.compare(rule, top.peek()) < 0) {
                    top.poll();
                    top.add(rule);
                }
            }
        }
        if (top != null) {
            MinedRule[] ranked = top.toArray(new MinedRule[0]);
            Arrays.sort(ranked, best);
            for (MinedRule r : ranked) {
                consumer.accept(r);
            }
            produced = ranked.length;
        }
        return produced;
    }

    /**
     * The rule {@code antecedent => consequent} measured from support counts over {@code n} transactions, or null
     * when its confidence is below {@code minConfidence} or its lift below {@code minLift}. Public so that every
     * miner (the Spark one too) measures rules with these very expressions: equal counts give equal doubles.
     *
     * @param antecedent        strictly ascending item ids in its first {@code antecedentLength} places (copied)
     * @param supportCount      transactions with antecedent and consequent
     * @param anteSupport       transactions with the antecedent
     * @param consequentSupport transactions with the consequent
     */
    public static MinedRule rule(int[] antecedent, int antecedentLength, int consequent, long supportCount,
                                 long anteSupport, long consequentSupport, long n, double minConfidence,
                                 double minLift) {
        // Exact integer test, so that rounding can never turn a certain rule into a finite conviction.
        boolean certain = supportCount == anteSupport;
        double confidence = certain ? 1.0 : supportCount / (double) anteSupport;
        if (confidence < minConfidence) {
            return null;
        }
        double pConsequent = consequentSupport / (double) n;
        double lift = confidence / pConsequent;
        if (lift < minLift) {
            return null;
        }
        double support = supportCount / (double) n;
        double leverage = support - (anteSupport / (double) n) * pConsequent;
        // A consequent in every transaction makes the formula 0/0: it is certain after any antecedent and
        // independent of it (lift 1, leverage 0), so 1, not the infinity that would rank such rules first.
        double conviction = consequentSupport == n ? 1
                : certain ? Double.POSITIVE_INFINITY : (1 - pConsequent) / (1 - confidence);
        return new MinedRule(Arrays.copyOf(antecedent, antecedentLength), consequent, supportCount, support,
                confidence, lift, leverage, conviction, zhang(supportCount, anteSupport, consequentSupport, n));
    }

    /**
     * Zhang's metric from counts: (n s_AC - s_A s_C) / max(s_AC (n - s_A), s_A (s_C - s_AC)), the
     * probabilities' form multiplied through by n^2, so that the differences are exact integers.
     */
    static double zhang(long ac, long a, long c, long n) {
        long num = ac * n - a * c;
        long den = Math.max(ac * (n - a), a * (c - ac));
        if (den == 0) {
            return 0; // the antecedent is in every transaction: independent by definition
        }
        return Math.max(-1, Math.min(1, num / (double) den));
    }

    /** Best first: the measure, then higher support count, shorter antecedent, smaller ids. */
    static Comparator<MinedRule> ranking(RuleMeasure measure) {
        return (r1, r2) -> {
            int c = Double.compare(measure.of(r2), measure.of(r1));
            if (c != 0) {
                return c;
            }
            c = Long.compare(r2.supportCount(), r1.supportCount());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(r1.antecedentSize(), r2.antecedentSize());
            for (int i = 0; c == 0 && i < r1.antecedentSize(); i++) {
                c = Integer.compare(r1.antecedentItem(i), r2.antecedentItem(i));
            }
            return c != 0 ? c : Integer.compare(r1.consequent(), r2.consequent());
        };
    }

    /**
     * Marks the redundant rules, indexed like the flat itemset array (itemset offset + position of the
     * consequent). Rule A =&gt; c (from X = A + c) is redundant when some A' =&gt; c with A' a proper non-empty subset
     * of A has confidence &gt;= its own. Dynamic programming over itemsets by length: g(X, c) is the best
     * confidence of A' =&gt; c over all non-empty A' within X\{c}; g(X, c) over proper subsets is the best g of the
     * one-smaller itemsets X\{x} that still contain c. Confidences are kept as exact fractions
     * (support counts) and compared by cross-multiplication, so that equal confidences compare equal.
     */
    static BitSet redundantRules(FrequentItemsets itemsets) {
        int n = itemsets.size();
        int[] items = itemsets.flatItems();
        int total = n == 0 ? 0 : itemsets.offset(n - 1) + itemsets.length(n - 1);
        long[] bestNum = new long[total];
        long[] bestDen = new long[total];
        BitSet redundant = new BitSet(total);
        // Itemsets by ascending length (counting sort), so that subsets are done first.
        int maxLen = 0;
        for (int i = 0; i < n; i++) {
            maxLen = Math.max(maxLen, itemsets.length(i));
        }
        int[] start = new int[maxLen + 2];
        for (int i = 0; i < n; i++) {
            start[itemsets.length(i) + 1]++;
        }
        for (int l = 1; l <= maxLen + 1; l++) {
            start[l] += start[l - 1];
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[start[itemsets.length(i)]++] = i;
        }
        int[] sub = new int[Math.max(1, maxLen)];
        int[] subIndex = new int[Math.max(1, maxLen)];
        for (int x : order) {
            int len = itemsets.length(x);
            if (len < 2) {
                continue;
            }
            int off = itemsets.offset(x);
            long sx = itemsets.supportCount(x);
            for (int m = 0; m < len; m++) {
                for (int j = 0, k = 0; j < len; j++) {
                    if (j != m) {
                        sub[k++] = items[off + j];
                    }
                }
                subIndex[m] = itemsets.indexOf(sub, len - 1);
                if (subIndex[m] < 0) {
                    throw new IllegalStateException("a subset of a frequent itemset is missing: itemsets incomplete");
                }
            }
            for (int j = 0; j < len; j++) {
                long ownNum = sx;
                long ownDen = itemsets.supportCount(subIndex[j]);
                long pNum = 0;
                long pDen = 1; // no proper subset yet: confidence 0, below every real rule
                if (len > 2) {
                    for (int m = 0; m < len; m++) {
                        if (m == j) {
                            continue;
                        }
                        int y = subIndex[m];
                        int at = itemsets.offset(y) + (j < m ? j : j - 1);
                        if (bestNum[at] * pDen > pNum * bestDen[at]) {
                            pNum = bestNum[at];
                            pDen = bestDen[at];
                        }
                    }
                    if (pNum * ownDen >= ownNum * pDen) {
                        redundant.set(off + j);
                    }
                }
                if (ownNum * pDen >= pNum * ownDen) {
                    bestNum[off + j] = ownNum;
                    bestDen[off + j] = ownDen;
                } else {
                    bestNum[off + j] = pNum;
                    bestDen[off + j] = pDen;
                }
            }
        }
        return redundant;
    }
}
