package io.affinity.training.mining;

import java.util.Locale;

/**
 * Which frequent itemsets to report: all of them, the closed ones (no superset with the same support) or the
 * maximal ones (no frequent superset).
 */
public enum ItemsetTarget {
    ALL, CLOSED, MAXIMAL;

    public static ItemsetTarget parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown target '" + name + "'; expected all, closed or maximal", e);
        }
    }
}
