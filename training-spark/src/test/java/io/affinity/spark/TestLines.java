package io.affinity.spark;

import io.affinity.training.ingest.Transactions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Accepted lines for tests: the single-machine loader's result as the {@link AcceptedLines} table, one row per
 * accepted line with its order's attributes. The loader keeps no file positions, so rows are numbered as it
 * orders lines (orders by number, each order's lines in input order), file 0 from line 2; each row carries its
 * item's voted description and category (the loader keeps no per-row cells either), so votes give them back, and
 * what its customer kept of it net of returns ({@link AcceptedLines#KEPT}).
 */
final class TestLines {
    private TestLines() {
    }

    static Dataset<Row> of(SparkSession spark, Transactions tx) {
        List<Row> rows = new ArrayList<>(tx.lineCount());
        long line = 2;
        for (int o = 0; o < tx.orderCount(); o++) {
            int c = tx.customerOf(o);
            for (int l = tx.lineStart(o); l < tx.lineEnd(o); l++) {
                int item = tx.itemOfLine(l);
                rows.add(RowFactory.create(0, line++, tx.orderId(o), tx.itemId(item),
                        c < 0 ? null : tx.customerId(c), tx.quantityOfLine(l), tx.unitPriceOfLine(l),
                        tx.localEpochSecondOf(o), tx.countryOf(o), blankToNull(tx.itemDescription(item)),
                        blankToNull(tx.itemCategory(item)), tx.keptQuantityOfLine(l)));
            }
        }
        return spark.createDataFrame(rows, AcceptedLines.SCHEMA_WITH_KEPT);
    }

    /** A hand-made line: file 0, the given line number. */
    static Row line(long line, String order, String item, String customer, double quantity, double price,
                    long epochSecond, String description) {
        return RowFactory.create(0, line, order, item, customer, quantity, price, epochSecond, "United Kingdom",
                description, null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
