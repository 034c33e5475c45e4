package io.affinity.training.mining;

import java.util.Locale;

/** A rule measure to rank rules by (highest first). */
public enum RuleMeasure {
    CONFIDENCE, LIFT, LEVERAGE, CONVICTION, ZHANG;

    /** The value of this measure for {@code rule}; conviction is positive infinity for certain rules. */
    public double of(MinedRule rule) {
        return switch (this) {
            case CONFIDENCE -> rule.confidence();
            case LIFT -> rule.lift();
            case LEVERAGE -> rule.leverage();
            case CONVICTION -> rule.conviction();
            case ZHANG -> rule.zhang();
        };
    }

    /** Parses {@code lift}, {@code Lift}, ... */
    public static RuleMeasure parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown rule measure '" + name
                    + "'; expected one of confidence, lift, leverage, conviction, zhang", e);
        }
    }
}
