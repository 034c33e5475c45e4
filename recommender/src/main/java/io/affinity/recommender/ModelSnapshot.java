package io.affinity.recommender;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Read access to one immutable, published model version: everything the online path looks up per request.
 * Implementations are thread-safe; the storage format is the model store's business, not the domain's.
 */
public interface ModelSnapshot {

    /** The snapshot's version id, e.g. {@code 20261123-101500-3f2a9c}. */
    String version();

    /**
     * True when the model was trained on an order sequence instead of timestamps: its purchase "dates" are then
     * sequence numbers (order n stored as day n after 1970-01-01), which must not be shown as calendar dates.
     */
    default boolean orderSequenceOnly() {
        return false;
    }

    /** Catalogue facts for an item, or empty when the item was never seen in training data. */
    Optional<ItemFacts> item(String itemId);

    /**
     * Rules whose antecedent contains {@code itemId}, best first (confidence, then lift, descending).
     * Empty when no rule involves the item.
     */
    List<AssociationRule> rulesWithAntecedentItem(String itemId);

    /** Purchase history of an identified customer, or empty when unknown. */
    Optional<CustomerHistory> customer(String customerId);

    /** Value profile of an identified customer, or empty when unknown or when the model has no profiles. */
    default Optional<CustomerProfile> profile(String customerId) {
        return Optional.empty();
    }

    /**
     * Visits every customer profile once, in customer id order (Unicode code point order); none by default. (The
     * model store's snapshots older than format 5 visit them by map segment, then by id.)
     */
    default void forEachProfile(BiConsumer<String, CustomerProfile> visitor) {
    }

    /**
     * {@link #forEachProfile(BiConsumer)} from the profile at {@code position} on (0: the first), in the same order:
     * a snapshot never changes, so positions are stable, which lets a campaign export resume where it stopped.
     */
    default void forEachProfile(long position, BiConsumer<String, CustomerProfile> visitor) {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative, was " + position);
        }
        long[] seen = {0};
        forEachProfile((id, profile) -> {
            if (seen[0]++ >= position) {
                visitor.accept(id, profile);
            }
        });
    }

    /**
     * Consent recorded at training time for one customer and channel; empty when none was recorded (or the
     * model has no consent data). Run-time changes live outside the immutable model and overlay this.
     */
    default Optional<Consent.State> consent(String customerId, Consent.Channel channel) {
        return listedConsent(customerId, channel).map(Consent.ListEntry::state);
    }

    /**
     * {@link #consent} with the time the list gives for it (the customer's own {@code updated_at}), what a run-time
     * change is weighed against ({@link Consent#effective(Consent.State, java.time.Instant, Consent.ListEntry,
     * java.time.Instant, Consent.Channel)}); empty when none was recorded.
     */
    default Optional<Consent.ListEntry> listedConsent(String customerId, Consent.Channel channel) {
        return Optional.empty();
    }

    /**
     * False only when the training-time consent list surely names nobody for {@code channel}, so that a request can
     * skip the lookup (profiling, looked up on every personal request, is rarely listed); true by default.
     */
    default boolean mayListConsent(Consent.Channel channel) {
        return true;
    }

    /**
     * When the training-time consent list was written (its file's last modification), what a run-time change is
     * weighed against ({@link Consent#effective}); empty when unknown, and then a change may only restrict.
     */
    default Optional<java.time.Instant> consentAsOf() {
        return Optional.empty();
    }

    /**
     * The shop's time zone training was given ({@code --time-zone}): purchase dates are days of it, so "today" of a
     * day window ({@code excludeBoughtWithinDays} without {@code asOf}) is counted in it too; empty when training was
     * given none (days are then UTC's, as the server counts them).
     */
    default Optional<java.time.ZoneId> timeZone() {
        return Optional.empty();
    }

    /**
     * The last day of the data the customer profiles were computed from (training's calibration end): recency,
     * P(alive) and the values are as of that day, not of the day they are read; empty when unknown.
     */
    default Optional<java.time.LocalDate> profilesAsOf() {
        return Optional.empty();
    }

    /**
     * The customer's recommendations precomputed at training time by the served model, or empty when the
     * snapshot has none for them (unknown customer, or a snapshot trained without precomputation).
     */
    default Optional<PrecomputedRecommendations> precomputed(String customerId) {
        return Optional.empty();
    }

    /**
     * The first {@code maxItems} (best first) of the customer's precomputed list: a request needs only its
     * limit, and a store can then decode only those. A list shorter than {@code maxItems} comes whole.
     */
    default Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems) {
        return precomputed(customerId).map(p -> p.items().size() <= maxItems ? p
                : new PrecomputedRecommendations(p.model(), p.items().subList(0, maxItems)));
    }

    /**
     * The first {@code maxItems} items of the customer's precomputed list that {@code allowed} accepts (by item
     * id), best first: what a request with business rules needs. A store can then skip the items it rejects
     * without building them and stop reading at {@code maxItems}. Fewer than {@code maxItems} items means the
     * whole list was read.
     */
    default Optional<PrecomputedRecommendations> precomputed(String customerId, int maxItems,
                                                             Predicate<String> allowed) {
        return precomputed(customerId).map(p -> {
            List<PrecomputedItem> kept = new ArrayList<>(Math.min(maxItems, p.items().size()));
            for (int i = 0, n = p.items().size(); i < n && kept.size() < maxItems; i++) {
                if (allowed.test(p.items().get(i).itemId())) {
                    kept.add(p.items().get(i));
                }
            }
            return new PrecomputedRecommendations(p.model(), kept);
        });
    }

    /**
     * Observed trade-ups from {@code itemId} (see {@link TradeUp}): for each segment (all customers and the
     * customer segments training counted), the strongest first (rate, then movers, descending). Empty when none
     * was observed or the model predates trade-up analysis.
     */
    default List<TradeUp> tradeUps(String itemId) {
        return List.of();
    }

    /** Most popular items, most popular first. */
    List<PopularItem> popularItems();

    /** Visits every rule exactly once, in no particular order. */
    void forEachRule(Consumer<AssociationRule> visitor);

    long itemCount();

    long ruleCount();

    long customerCount();
}
