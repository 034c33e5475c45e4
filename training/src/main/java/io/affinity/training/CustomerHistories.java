package io.affinity.training;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PurchasedItem;
import io.affinity.training.ingest.Transactions;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Builds each identified customer's purchase summary; anonymous orders are left out by design. Every item the
 * customer bought is kept: "did they buy X, when, how often" (previously-bought flags, recently-bought exclusion,
 * repeat explanations) must see the whole history. Bounding per-request work is the online side's job
 * ({@code RecommenderSettings.historyItemsConsidered} limits which items fire rules).
 */
public final class CustomerHistories {
    private static final Comparator<PurchasedItem> MOST_BOUGHT_FIRST = Comparator
            .comparingInt(PurchasedItem::orderCount).reversed()
            .thenComparing(PurchasedItem::lastPurchased, Comparator.reverseOrder())
            .thenComparing(PurchasedItem::itemId);

    private CustomerHistories() {
    }

    /** Calls {@code sink} once per customer with at least one accepted order; returns how many. */
    static int build(Transactions tx, BiConsumer<String, CustomerHistory> sink) {
        int customers = tx.customerCount();
        int built = 0;
        Accumulator acc = new Accumulator();
        for (int c = 0; c < customers; c++) {
            if (tx.customerOrderStart(c) == tx.customerOrderEnd(c)) {
                continue;
            }
            acc.clear();
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                int o = tx.customerOrder(k);
                acc.order(tx.timestampOf(o).toLocalDate());
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int item = tx.itemOfLine(l);
                    acc.line(item, tx.itemId(item), tx.quantityOfLine(l), tx.keptQuantityOfLine(l));
                }
            }
            sink.accept(tx.customerId(c), acc.history());
            built++;
        }
        return built;
    }

    /**
     * One customer's history from their orders, fed in order number (the order of each order's first accepted
     * line) and each order's lines in input order: sums are then taken in the same order wherever the lines come
     * from (this loop or a distributed one), so they are the same doubles. Reusable after {@link #clear()}.
     */
    public static final class Accumulator {
        private final Int2IntOpenHashMap slot = new Int2IntOpenHashMap();
        private final List<String> ids = new ArrayList<>();
        private final List<Integer> orderCounts = new ArrayList<>();
        private final List<Double> quantities = new ArrayList<>();
        private final List<Double> returned = new ArrayList<>();
        private final List<LocalDate> last = new ArrayList<>();
        private final List<Integer> lastOrder = new ArrayList<>();
        private int orders;
        private LocalDate day;

        public Accumulator() {
            slot.defaultReturnValue(-1);
        }

        /** Forgets the customer, to start the next one. */
        public void clear() {
            slot.clear();
            ids.clear();
            orderCounts.clear();
            quantities.clear();
            returned.clear();
            last.clear();
            lastOrder.clear();
            orders = 0;
            day = null;
        }

        /** Starts the customer's next order, placed on {@code date}. */
        public void order(LocalDate date) {
            day = date;
            orders++;
        }

        /**
         * A line of the current order: {@code item} is any number identifying {@code itemId} consistently within
         * the customer (it keys the per-item sums); {@code kept} is what the customer kept of {@code quantity}
         * after their returns ({@code Transactions.keptQuantityOfLine}): the history counts what was bought and
         * records what was returned, which repeat explanations state.
         */
        public void line(int item, String itemId, double quantity, double kept) {
            if (day == null) {
                throw new IllegalStateException("a line before the first order");
            }
            int s = slot.get(item);
            if (s < 0) {
                s = ids.size();
                slot.put(item, s);
                ids.add(itemId);
                orderCounts.add(0);
                quantities.add(0.0);
                returned.add(0.0);
                last.add(day);
                lastOrder.add(-1);
            }
            quantities.set(s, quantities.get(s) + quantity);
            // A line returned in full adds exactly its quantity, so returned equals quantity when all went back.
            returned.set(s, returned.get(s) + (quantity - kept));
            if (!day.isBefore(last.get(s))) {
                last.set(s, day);
            }
            // An item listed on several lines of one order counts as one order.
            if (lastOrder.get(s) != orders) {
                lastOrder.set(s, orders);
                orderCounts.set(s, orderCounts.get(s) + 1);
            }
        }

        /** The history of the orders so far: every item, most bought first (ties: most recent, then id). */
        public CustomerHistory history() {
            List<PurchasedItem> items = new ArrayList<>(ids.size());
            for (int s = 0; s < ids.size(); s++) {
                items.add(new PurchasedItem(ids.get(s), orderCounts.get(s), quantities.get(s), last.get(s),
                        Math.min(returned.get(s), quantities.get(s))));
            }
            items.sort(MOST_BOUGHT_FIRST);
            return new CustomerHistory(orders, items, items.size());
        }
    }
}
