package io.affinity.training.customers;

import io.affinity.training.ingest.Transactions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a training run did with the objections to profiling ({@link ObjectionsToProfiling}): the objecting customers'
 * orders are read as anonymous baskets ({@link Transactions#anonymising}), so the model holds no history, profile,
 * list or value of theirs. Counts only, never an id: they go to the console and the manifest.
 *
 * @param customers          customers who object, by the consent list or the run-time journal
 * @param byList             of them, by the consent list
 * @param byJournal          of them, by the journal alone
 * @param withdrawnInJournal list objections withdrawn through the API after the list was written (profiled again)
 * @param inTransactions     of the objecting customers, those with at least one accepted order in the exports
 * @param orders             their accepted orders, now anonymous baskets
 */
public record ProfilingObjections(long customers, long byList, long byJournal, long withdrawnInJournal,
                                  long inTransactions, long orders) {

    /** A run that read neither a consent list nor a journal. */
    public static final ProfilingObjections NONE = new ProfilingObjections(0, 0, 0, 0, 0, 0);

    public ProfilingObjections {
        if (byList < 0 || byJournal < 0 || withdrawnInJournal < 0 || byList + byJournal != customers
                || inTransactions < 0 || inTransactions > customers || orders < inTransactions) {
            throw new IllegalArgumentException("inconsistent objection counts: " + customers + " customers (" + byList
                    + " by the list, " + byJournal + " by the journal), in transactions " + inTransactions
                    + ", orders " + orders);
        }
    }

    /** The manifest's {@code profilingObjections} section. */
    public Map<String, Object> section() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("customers", customers);
        section.put("byConsentList", byList);
        section.put("byConsentJournal", byJournal);
        section.put("withdrawnInConsentJournal", withdrawnInJournal);
        section.put("inTransactions", inTransactions);
        section.put("ordersAnonymised", orders);
        return section;
    }

    /** The console line, or empty when nobody objects and nobody withdrew an objection. */
    public Optional<String> note() {
        if (customers == 0 && withdrawnInJournal == 0) {
            return Optional.empty();
        }
        String withdrawn = withdrawnInJournal == 0 ? "" : String.format(Locale.ROOT, "; %,d objection(s) of the list "
                + "withdrawn at run time after it was written (profiled again)", withdrawnInJournal);
        return Optional.of(String.format(Locale.ROOT, "consent: %,d customer(s) object to profiling (%,d by the list's "
                        + "profiling,opted_out, %,d by a run-time change in the consent journal%s); %,d of them have "
                        + "orders in the transactions, whose %,d order(s) are read as anonymous baskets: this model "
                        + "holds no history, profile, list or value of theirs", customers, byList, byJournal, withdrawn,
                inTransactions, orders));
    }
}
