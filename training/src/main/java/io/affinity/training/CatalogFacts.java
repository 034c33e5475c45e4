package io.affinity.training;

import io.affinity.recommender.ItemFacts;
import io.affinity.recommender.PopularItem;
import io.affinity.training.ingest.Transactions;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Per-item facts learned from accepted lines: order and customer counts, units, and the median price paid. */
final class CatalogFacts {
    private final Transactions tx;
    private final long[] orderCount;
    private final long[] customerCount;
    private final double[] quantity;
    private final double[] medianPrice;

    private CatalogFacts(Transactions tx) {
        this.tx = tx;
        int items = tx.itemCount();
        orderCount = new long[items];
        customerCount = new long[items];
        quantity = new double[items];
        medianPrice = new double[items];
        int[] lastOrder = new int[items];
        Arrays.fill(lastOrder, -1);
        int[] linesPerItem = new int[items + 1];
        LongOpenHashSet itemCustomer = new LongOpenHashSet();
        for (int o = 0; o < tx.orderCount(); o++) {
            int customer = tx.customerOf(o);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                int item = tx.itemOfLine(l);
                quantity[item] += tx.quantityOfLine(l);
                linesPerItem[item + 1]++;
                if (lastOrder[item] != o) {
                    lastOrder[item] = o;
                    orderCount[item]++;
                }
                if (customer >= 0 && itemCustomer.add(((long) item << 32) | customer)) {
                    customerCount[item]++;
                }
            }
        }
        // Group all prices by item (counting sort), then take each group's median.
        for (int i = 0; i < items; i++) {
            linesPerItem[i + 1] += linesPerItem[i];
        }
        double[] prices = new double[tx.lineCount()];
        int[] fill = Arrays.copyOf(linesPerItem, items);
        for (int l = 0; l < tx.lineCount(); l++) {
            prices[fill[tx.itemOfLine(l)]++] = tx.unitPriceOfLine(l);
        }
        for (int i = 0; i < items; i++) {
            int from = linesPerItem[i];
            int to = linesPerItem[i + 1];
            if (to > from) {
                Arrays.sort(prices, from, to);
                int n = to - from;
                medianPrice[i] = TypicalPrice.ofMedian(n % 2 == 1 ? prices[from + n / 2]
                        : (prices[from + n / 2 - 1] + prices[from + n / 2]) / 2);
            }
        }
    }

    static CatalogFacts of(Transactions tx) {
        return new CatalogFacts(tx);
    }

    /** Facts of every item that has at least one accepted line. */
    List<ItemFacts> items() {
        List<ItemFacts> out = new ArrayList<>(tx.itemCount());
        for (int i = 0; i < tx.itemCount(); i++) {
            if (orderCount[i] > 0) {
                out.add(new ItemFacts(tx.itemId(i), tx.itemDescription(i), tx.itemCategory(i), medianPrice[i],
                        orderCount[i], customerCount[i], quantity[i]));
            }
        }
        return out;
    }

    /** The {@code n} items first in {@link PopularItem#BEST_FIRST} order, the fallback for the unknown. */
    List<PopularItem> popular(int n) {
        List<PopularItem> all = new ArrayList<>();
        for (int i = 0; i < tx.itemCount(); i++) {
            if (orderCount[i] > 0) {
                all.add(new PopularItem(tx.itemId(i), orderCount[i], customerCount[i]));
            }
        }
        all.sort(PopularItem.BEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }
}
