package io.affinity.cli;

import static io.affinity.training.CsvNumbers.plain;

import de.siegmar.fastcsv.writer.CsvWriter;
import io.affinity.recommender.AssociationRule;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.function.Function;

/**
 * {@code affinity rules --format csv}: one rule per record under a header, for a spreadsheet or a notebook. The
 * table's rounded measures (lift to 3 decimals) cannot be re-ranked or joined reliably, and its ids alone mean
 * nothing to a merchandiser, so the CSV carries every measure at full precision and each item's description.
 */
final class RulesCsv {
    static final List<String> HEADER = List.of("antecedent", "antecedent_description", "consequent",
            "consequent_description", "support_count", "support", "confidence", "lift", "leverage", "conviction");

    /** Between the items of an antecedent, as the table and the API's explanations join them. */
    static final String ITEM_SEPARATOR = " + ";

    private RulesCsv() {
    }

    /**
     * Writes the header and {@code rules} in their order; {@code description} gives an item's description (empty
     * when the catalogue has none). Conviction at confidence 1 is {@code inf}, as pandas and R read it.
     */
    static void write(Writer out, List<AssociationRule> rules, Function<String, String> description)
            throws IOException {
        CsvWriter csv = CsvWriter.builder().build(out);
        csv.writeRecord(HEADER);
        for (AssociationRule r : rules) {
            csv.writeRecord(String.join(ITEM_SEPARATOR, r.antecedent()),
                    String.join(ITEM_SEPARATOR, r.antecedent().stream().map(description).toList()),
                    r.consequent(), description.apply(r.consequent()), Long.toString(r.supportCount()),
                    plain(r.support()), plain(r.confidence()), plain(r.lift()), plain(r.leverage()),
                    Double.isInfinite(r.conviction()) ? "inf" : plain(r.conviction()));
        }
        csv.flush();
    }
}
