package io.affinity.recommender;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A request's merchandising rules, {@code boost}, {@code pin} and a per-category cap, applied to a list already
 * ranked by its own logic: the recommendations' model or rule scores, the offers' expected value
 * ({@link NextBestOffers}). One engine for both, so a rule means the same on every endpoint. Which items may be
 * shown at all (a filter, stock, items bought recently) is not decided here: the caller removes those from the
 * candidates first (and refuses to inject them), so the limit fills from the next eligible ones.
 *
 * <p>Order of an answer: pinned, then boosted, then the rest, each group in the ranking's order; the category cap
 * then applies to that list, pinned entries first, so they count towards it (and a pin passes over an item whose
 * category the pins before it have filled, for the next matching one). Pinned are first the ranking's own
 * entries that match the pin, then, when fewer than {@code min(pinLimit, limit)} match, items of
 * {@code pinCatalogue} that the caller can turn into an entry (injection: a merchandiser's pin works even for
 * items the model did not propose). An item appears once: a pinned item's later entries (a repeat purchase and a
 * rule may name the same item) are dropped.
 *
 * @param boost          items that move ahead of the others (a promotion, not a score weight); null: no boost
 * @param boostLabel     how explanations quote the boost (its expression, shortened); given exactly with boost
 * @param pin            items placed first; null: no pin
 * @param pinLabel       how explanations quote the pin; given exactly with pin
 * @param pinLimit       pinned offers at most (never more than the limit); {@code >= 0}
 * @param pinCatalogue   every item that matches the pin, most ordered first; given exactly with pin
 * @param maxPerCategory offers per category at most; 0: no cap
 * @param category       an item's category for the cap; required when {@code maxPerCategory > 0}
 */
public record MerchandisingRules(Predicate<String> boost, String boostLabel, Predicate<String> pin, String pinLabel,
                         int pinLimit, Iterable<String> pinCatalogue, int maxPerCategory,
                         Function<String, String> category) {
    /** No rule: offers come as ranked. */
    public static final MerchandisingRules NONE = new MerchandisingRules(null, null, null, null, 0, null, 0, null);

    public MerchandisingRules {
        if ((boost == null) != (boostLabel == null)) {
            throw new IllegalArgumentException("boost and boostLabel go together");
        }
        if ((pin == null) != (pinLabel == null) || (pin == null) != (pinCatalogue == null)) {
            throw new IllegalArgumentException("pin, pinLabel and pinCatalogue go together");
        }
        if (pinLimit < 0 || maxPerCategory < 0) {
            throw new IllegalArgumentException("pinLimit and maxPerCategory must be >= 0, were " + pinLimit + ", "
                    + maxPerCategory);
        }
        if (maxPerCategory > 0 && category == null) {
            throw new IllegalArgumentException("maxPerCategory needs a category function");
        }
    }

    /** Whether any rule changes the ranked list (otherwise the first {@code limit} offers stand as ranked). */
    public boolean reorders() {
        return boost != null || (pin != null && pinLimit > 0) || maxPerCategory > 0;
    }

    /** Why an entry has its place. */
    public enum Mark {
        /** Where the ranking put it. */
        RANKED,
        /** Moved ahead by the boost. */
        BOOSTED,
        /** A ranked offer placed first by the pin. */
        PINNED,
        /** Injected by the pin from {@link #pinCatalogue}. */
        INJECTED
    }

    /**
     * How the explanation of an entry placed by these rules begins, the same words on every endpoint: empty for a
     * ranked entry, else {@code boosted: matches boost '...'; } or {@code pinned: matches pin '...' (how); }.
     *
     * @param ranking how a pinned entry of the ranking was ranked, e.g. "ranked by expected value"
     */
    public String note(Mark mark, String ranking) {
        return switch (mark) {
            case RANKED -> "";
            case BOOSTED -> "boosted: matches boost '" + boostLabel + "'; ";
            case PINNED -> "pinned: matches pin '" + pinLabel + "' (" + ranking + "); ";
            case INJECTED -> "pinned: matches pin '" + pinLabel + "' (injected from the catalogue by popularity); ";
        };
    }

    /** One kept entry of {@link #select}. */
    public record Kept<T>(T entry, Mark mark) {
    }

    /**
     * The first {@code limit} entries of {@code ranked} (best first) under these rules.
     *
     * @param id     an entry's item id
     * @param inject an entry for a pinned catalogue item, or null when that item cannot be shown here (not
     *               eligible, no price, not pricier for an upsell); called only for items not pinned already
     */
    public <T> List<Kept<T>> select(List<T> ranked, Function<T, String> id, int limit, Function<String, T> inject) {
        return select(ranked, id, null, limit, inject);
    }

    /**
     * As {@link #select(List, Function, int, Function)}, skipping entries of {@code ranked} whose item is not
     * {@code eligible} (null: all are). Asked only of entries a pin would take and of entries up to the limit, so
     * that a ranking over-fetched several times the limit is not checked item by item.
     */
    public <T> List<Kept<T>> select(List<T> ranked, Function<T, String> id, Predicate<String> eligible, int limit,
                                    Function<String, T> inject) {
        Predicate<String> ok = eligible == null ? item -> true : eligible;
        List<Kept<T>> list = new ArrayList<>(ranked.size());
        if (boost != null) {
            List<Kept<T>> rest = new ArrayList<>(ranked.size());
            for (T t : ranked) {
                if (boost.test(id.apply(t))) {
                    list.add(new Kept<>(t, Mark.BOOSTED));
                } else {
                    rest.add(new Kept<>(t, Mark.RANKED));
                }
            }
            list.addAll(rest);
        } else {
            for (T t : ranked) {
                list.add(new Kept<>(t, Mark.RANKED));
            }
        }
        if (pin != null && pinLimit > 0) {
            list = pinFirst(list, id, ok, Math.min(pinLimit, limit), inject);
        }
        List<Kept<T>> kept = new ArrayList<>(Math.min(limit, list.size()));
        Map<String, Integer> perCategory = maxPerCategory > 0 ? new HashMap<>() : null;
        for (Kept<T> k : list) {
            if (kept.size() >= limit) {
                break;
            }
            String item = id.apply(k.entry());
            if (k.mark() != Mark.INJECTED && k.mark() != Mark.PINNED && !ok.test(item)) {
                continue;
            }
            if (perCategory != null && perCategory.merge(category.apply(item), 1, Integer::sum) > maxPerCategory) {
                continue;
            }
            kept.add(k);
        }
        return kept;
    }

    private <T> List<Kept<T>> pinFirst(List<Kept<T>> list, Function<T, String> id, Predicate<String> eligible, int cap,
                                      Function<String, T> inject) {
        List<Kept<T>> pinned = new ArrayList<>(list.size() + cap);
        List<Kept<T>> rest = new ArrayList<>(list.size());
        Set<String> taken = new HashSet<>();
        // The cap counts pinned entries first: an item whose category the pins have filled would only be dropped
        // below, leaving a pin's place empty that another matching item could have taken.
        Map<String, Integer> perCategory = maxPerCategory > 0 ? new HashMap<>() : null;
        for (Kept<T> k : list) {
            String item = id.apply(k.entry());
            if (pinned.size() < cap && !taken.contains(item) && pin.test(item) && eligible.test(item)
                    && claimRoomInCategory(perCategory, item)) {
                pinned.add(new Kept<>(k.entry(), Mark.PINNED));
                taken.add(item);
            } else {
                rest.add(k);
            }
        }
        if (pinned.size() < cap) {
            // Every matching entry of the ranking is pinned already: what matches now is new to this answer.
            for (String item : pinCatalogue) {
                if (pinned.size() >= cap) {
                    break;
                }
                if (taken.contains(item) || !hasRoom(perCategory, item)) {
                    continue;
                }
                T made = inject.apply(item);
                if (made != null) {
                    pinned.add(new Kept<>(made, Mark.INJECTED));
                    taken.add(item);
                    claimRoomInCategory(perCategory, item);
                }
            }
        }
        if (pinned.isEmpty()) {
            return list;
        }
        for (Kept<T> k : rest) {
            if (!taken.contains(id.apply(k.entry()))) {
                pinned.add(k);
            }
        }
        return pinned;
    }

    /** Whether {@code item}'s category has room for one more pin (always without a cap). */
    private boolean hasRoom(Map<String, Integer> perCategory, String item) {
        return perCategory == null || perCategory.getOrDefault(category.apply(item), 0) < maxPerCategory;
    }

    /** Whether {@code item}'s category has room for one more pin and, when it has, counts the pin there. */
    private boolean claimRoomInCategory(Map<String, Integer> perCategory, String item) {
        if (!hasRoom(perCategory, item)) {
            return false;
        }
        if (perCategory != null) {
            perCategory.merge(category.apply(item), 1, Integer::sum);
        }
        return true;
    }
}
