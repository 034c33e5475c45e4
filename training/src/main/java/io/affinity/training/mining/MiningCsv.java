package io.affinity.training.mining;

import static io.affinity.training.CsvNumbers.plain;

import de.siegmar.fastcsv.writer.CsvWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code mine --output-format csv}: itemsets and rules as RFC 4180 CSV with a header, for a spreadsheet, pandas or
 * R. Item sets are written as R arules writes them ({@code {a,b}}, a label with a comma, brace or quote in double
 * quotes inside the braces), so that a data frame of arules' rules ({@code DATAFRAME(rules)}: {@code LHS}, {@code RHS})
 * compares cell for cell; measures are at full precision, never in E notation, an infinite conviction {@code inf}.
 */
final class MiningCsv {
    static final List<String> ITEMSETS_HEADER = List.of("items", "size", "support_count", "support");
    static final List<String> RULES_HEADER = List.of("lhs", "rhs", "support_count", "support", "confidence", "lift",
            "leverage", "conviction", "zhang");

    private MiningCsv() {
    }

    /** Itemsets, one record each; {@code labels} null for a FIMI file (its item numbers are written). */
    static final class Itemsets implements ItemsetSink, Closeable {
        private final CsvWriter csv;
        private final List<String> labels;
        private final double transactions;

        Itemsets(Path file, List<String> labels, int transactions) throws IOException {
            this.csv = CsvWriter.builder().build(file, StandardCharsets.UTF_8);
            this.labels = labels;
            this.transactions = transactions;
            csv.writeRecord(ITEMSETS_HEADER);
        }

        @Override
        public void accept(int[] items, int length, long support) {
            // CsvWriter throws UncheckedIOException, which MiningRun.run unwraps
            csv.writeRecord(itemSet(items, length, labels), Integer.toString(length), Long.toString(support),
                    plain(support / transactions));
        }

        @Override
        public void close() throws IOException {
            csv.close();
        }
    }

    /** Rules, one record each, in the order they come. */
    static final class Rules implements Consumer<MinedRule>, Closeable {
        private final CsvWriter csv;
        private final List<String> labels;

        Rules(Path file, List<String> labels) throws IOException {
            this.csv = CsvWriter.builder().build(file, StandardCharsets.UTF_8);
            this.labels = labels;
            csv.writeRecord(RULES_HEADER);
        }

        @Override
        public void accept(MinedRule r) {
            csv.writeRecord(itemSet(r.antecedent(), r.antecedentSize(), labels),
                    itemSet(new int[] {r.consequent()}, 1, labels), Long.toString(r.supportCount()),
                    plain(r.support()), plain(r.confidence()), plain(r.lift()), plain(r.leverage()),
                    Double.isInfinite(r.conviction()) ? "inf" : plain(r.conviction()), plain(r.zhang()));
        }

        @Override
        public void close() throws IOException {
            csv.close();
        }
    }

    /** {@code {a,b}} with labels, {@code {1,5}} with a FIMI file's item numbers. */
    static String itemSet(int[] items, int length, List<String> labels) {
        if (labels != null) {
            return MiningRun.labelled(items, 0, length, labels);
        }
        StringBuilder b = new StringBuilder(8 * length + 2).append('{');
        for (int i = 0; i < length; i++) {
            b.append(i > 0 ? "," : "").append(items[i]);
        }
        return b.append('}').toString();
    }
}
