package io.affinity.training;

import io.affinity.recommender.CustomerHistory;
import io.affinity.recommender.PurchasedItem;
import io.affinity.training.ingest.Transactions;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Builds each identified customer's purchase summary; anonymous orders are left out by design. Every item the
 * customer bought is kept: "did they buy X, when, how often" (previously-bought flags, recently-bought exclusion,
 * repeat explanations) must see the whole history. Bounding per-request work is the online side's job
 * ({@code RecommenderSettings.historyItemsConsidered} limits which items fire rules).
 */
final class CustomerHistories {
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
        Int2IntOpenHashMap slot = new Int2IntOpenHashMap();
        slot.defaultReturnValue(-1);
        for (int c = 0; c < customers; c++) {
            if (tx.customerOrderStart(c) == tx.customerOrderEnd(c)) {
                continue;
            }
            slot.clear();
            List<String> ids = new ArrayList<>();
            List<Integer> orderCounts = new ArrayList<>();
            List<Double> quantities = new ArrayList<>();
            List<LocalDate> last = new ArrayList<>();
            double spend = 0;
            LocalDate first = null;
            LocalDate latest = null;
            for (int k = tx.customerOrderStart(c); k < tx.customerOrderEnd(c); k++) {
                int o = tx.customerOrder(k);
                LocalDate day = tx.timestampOf(o).toLocalDate();
                first = first == null || day.isBefore(first) ? day : first;
                latest = latest == null || day.isAfter(latest) ? day : latest;
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int item = tx.itemOfLine(l);
                    spend += tx.quantityOfLine(l) * tx.unitPriceOfLine(l);
                    int s = slot.get(item);
                    if (s < 0) {
                        s = ids.size();
                        slot.put(item, s);
                        ids.add(tx.itemId(item));
                        orderCounts.add(0);
                        quantities.add(0.0);
                        last.add(day);
                    }
                    quantities.set(s, quantities.get(s) + tx.quantityOfLine(l));
                    if (!day.isBefore(last.get(s))) {
                        last.set(s, day);
                    }
                }
                // An item listed on several lines of one order counts as one order.
                BitSet seen = new BitSet();
                for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                    int s = slot.get(tx.itemOfLine(l));
                    if (!seen.get(s)) {
                        seen.set(s);
                        orderCounts.set(s, orderCounts.get(s) + 1);
                    }
                }
            }
            List<PurchasedItem> items = new ArrayList<>(ids.size());
            for (int s = 0; s < ids.size(); s++) {
                items.add(new PurchasedItem(ids.get(s), orderCounts.get(s), quantities.get(s), last.get(s)));
            }
            items.sort(MOST_BOUGHT_FIRST);
            sink.accept(tx.customerId(c), new CustomerHistory(tx.customerOrderEnd(c) - tx.customerOrderStart(c), spend, first, latest,
                    items, items.size()));
            built++;
        }
        return built;
    }
}
