package io.affinity.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** An export the row-order tests of customer value list in several row orders: money in cents, sums that round. */
public final class RowOrderExport {
    public static final String HEADER = "customer_id,order_id,timestamp,item_id,quantity,unit_price";

    private RowOrderExport() {
    }

    /** 80 customers, 1 to 6 orders each (some two a day), 1 to 6 lines of cent prices; seeded. */
    public static List<List<String>> ordersByCustomer() {
        Random rnd = new Random(28);
        List<List<String>> customers = new ArrayList<>();
        int order = 0;
        for (int c = 0; c < 80; c++) {
            List<String> rows = new ArrayList<>();
            int day = rnd.nextInt(30);
            for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                order++;
                String ts = LocalDate.of(2011, 1, 1).plusDays(day) + String.format(Locale.ROOT, " %02d:%02d",
                        order % 24, order % 60);
                for (int l = 1 + rnd.nextInt(6); l > 0; l--) {
                    rows.add("c" + c + ",o" + order + "," + ts + ",P" + rnd.nextInt(12) + "," + (1 + rnd.nextInt(24))
                            + "," + (rnd.nextInt(3)) + "." + String.format(Locale.ROOT, "%02d", 1 + rnd.nextInt(99)));
                }
                day += rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(40);
            }
            customers.add(rows);
        }
        return customers;
    }

    /** {@link #ordersByCustomer}'s rows in that order: customer by customer, each one's orders in time order. */
    public static List<String> rows() {
        List<String> rows = new ArrayList<>();
        ordersByCustomer().forEach(rows::addAll);
        return rows;
    }

    /** {@link #rows} in a seeded random order. */
    public static List<String> shuffled(long seed) {
        List<String> rows = rows();
        Collections.shuffle(rows, new Random(seed));
        return rows;
    }

    /** Writes the header and {@code rows} to {@code file}; returns it. */
    public static Path write(Path file, List<String> rows) throws IOException {
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add(HEADER);
        lines.addAll(rows);
        return Files.write(file, lines);
    }
}
