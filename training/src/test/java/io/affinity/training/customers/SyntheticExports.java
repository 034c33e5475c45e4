package io.affinity.training.customers;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

/**
 * Small seeded exports (online-retail layout) of many shapes for the customer value models: few or many customers,
 * short or long spans, and a mix, different in every export, of customers who buy on one day only, like clockwork
 * (daily to monthly), at random, in one burst, almost daily, or early and never again; some spend the same every
 * time, some buy twice on a day (one transaction), some first buy on the last day. Fits on such data land on every
 * edge of the parameter space, which is what the models' numbers must survive.
 */
final class SyntheticExports {
    static final String HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
    private static final LocalDate START = LocalDate.of(2011, 1, 3);

    /** An export, a description of its shape (for failure messages), its last day and its customers. */
    record Export(String csv, String shape, LocalDate lastDay, int customers) {
    }

    private enum Kind { ONE_DAY, REGULAR, RANDOM, BURST, NEAR_DAILY, LAPSED }

    private SyntheticExports() {
    }

    static Export generate(long seed) {
        Random rnd = new Random(seed);
        int customers = 2 + rnd.nextInt(rnd.nextInt(4) == 0 ? 200 : 25);
        int span = 14 + rnd.nextInt(rnd.nextBoolean() ? 60 : 700);
        int maxDays = 2 + rnd.nextInt(rnd.nextBoolean() ? 6 : 80);
        double[] weights = new double[Kind.values().length];
        for (int k = 0; k < weights.length; k++) {
            // Some kinds absent, some dominant: the exponent spreads the weights.
            weights[k] = rnd.nextInt(3) == 0 ? 0 : Math.pow(rnd.nextDouble(), 3);
        }
        weights[rnd.nextInt(weights.length)] += 0.5;
        double constantSpend = rnd.nextInt(3) == 0 ? rnd.nextDouble() : 0;
        StringBuilder shape = new StringBuilder(String.format(Locale.ROOT,
                "seed %d: %d customers, span %d days, up to %d purchase days, constant spend %.2f, kinds", seed,
                customers, span, maxDays, constantSpend));
        for (Kind k : Kind.values()) {
            shape.append(String.format(Locale.ROOT, " %s=%.2f", k.name().toLowerCase(Locale.ROOT),
                    weights[k.ordinal()]));
        }
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        int invoice = 500_000;
        int lastDay = 0;
        for (int c = 0; c < customers; c++) {
            Kind kind = pick(rnd, weights);
            // Now and then a customer whose first purchase is on the last day of the span.
            int first = rnd.nextInt(12) == 0 ? span - 1 : rnd.nextInt(span);
            TreeSet<Integer> days = days(rnd, kind, first, span, maxDays);
            boolean constant = rnd.nextDouble() < constantSpend;
            int item = rnd.nextInt(8);
            int quantity = 1 + rnd.nextInt(12);
            for (int day : days) {
                lastDay = Math.max(lastDay, day);
                int invoices = rnd.nextInt(6) == 0 ? 2 : 1;
                for (int v = 0; v < invoices; v++) {
                    int lines = constant ? 1 : 1 + rnd.nextInt(3);
                    for (int l = 0; l < lines; l++) {
                        int it = constant ? item : rnd.nextInt(8);
                        int q = constant ? quantity : 1 + rnd.nextInt(12);
                        csv.append(invoice).append(',').append(20000 + it).append(",ITEM ").append(it).append(',')
                                .append(q).append(',').append(START.plusDays(day)).append(' ')
                                .append(String.format(Locale.ROOT, "%02d:%02d:00", 9 + v, rnd.nextInt(60))).append(',')
                                .append(String.format(Locale.ROOT, "%.2f", 0.5 + it * 1.25)).append(',')
                                .append(12000 + c).append(",United Kingdom\n");
                    }
                    invoice++;
                }
            }
        }
        return new Export(csv.toString(), shape.toString(), START.plusDays(lastDay), customers);
    }

    private static Kind pick(Random rnd, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = rnd.nextDouble() * total;
        for (Kind k : Kind.values()) {
            u -= weights[k.ordinal()];
            if (u < 0) {
                return k;
            }
        }
        return Kind.values()[Kind.values().length - 1];
    }

    private static TreeSet<Integer> days(Random rnd, Kind kind, int first, int span, int maxDays) {
        TreeSet<Integer> days = new TreeSet<>();
        days.add(first);
        int room = span - first; // days first .. span-1
        switch (kind) {
            case ONE_DAY -> {
            }
            case REGULAR -> {
                int gap = rnd.nextBoolean() ? 1 + rnd.nextInt(7) : 7 + rnd.nextInt(24);
                for (int d = first + gap; d < span && days.size() < maxDays; d += gap) {
                    days.add(d);
                }
            }
            case RANDOM -> {
                int n = rnd.nextInt(maxDays);
                for (int i = 0; i < n; i++) {
                    days.add(first + rnd.nextInt(room));
                }
            }
            case BURST -> {
                int n = 1 + rnd.nextInt(maxDays);
                int width = 1 + rnd.nextInt(Math.min(room, 7));
                for (int i = 0; i < n; i++) {
                    days.add(first + rnd.nextInt(width));
                }
            }
            case NEAR_DAILY -> {
                for (int d = first + 1; d < span && days.size() < maxDays; d++) {
                    if (rnd.nextInt(10) < 8) {
                        days.add(d);
                    }
                }
            }
            case LAPSED -> {
                int n = rnd.nextInt(Math.min(maxDays, 5));
                int width = 1 + rnd.nextInt(Math.max(1, room / 4));
                for (int i = 0; i < n; i++) {
                    days.add(first + rnd.nextInt(width));
                }
            }
        }
        return days;
    }

    /** The purchase days of each customer in an export (for checks; the analysis reads the CSV itself). */
    static List<TreeSet<LocalDate>> purchaseDays(Export e) {
        List<TreeSet<LocalDate>> out = new ArrayList<>();
        for (int c = 0; c < e.customers(); c++) {
            out.add(new TreeSet<>());
        }
        String[] lines = e.csv().split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            out.get(Integer.parseInt(f[6]) - 12000).add(LocalDate.parse(f[4].substring(0, 10)));
        }
        return out;
    }
}
