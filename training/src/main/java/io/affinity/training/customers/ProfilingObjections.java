package io.affinity.training.customers;

import io.affinity.training.ingest.Transactions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a training run did with the consent list's objections to profiling ({@code profiling,opted_out}): the
 * objecting customers' orders are read as anonymous baskets ({@link Transactions#anonymising}), so the model holds no
 * history, profile, list or value of theirs. Counts only, never an id: they go to the console and the manifest.
 *
 * @param listed         customers the list names as objecting
 * @param inTransactions of them, customers with at least one accepted order in the exports
 * @param orders         their accepted orders, now anonymous baskets
 */
public record ProfilingObjections(long listed, long inTransactions, long orders) {

    public ProfilingObjections {
        if (listed < 0 || inTransactions < 0 || inTransactions > listed || orders < inTransactions) {
            throw new IllegalArgumentException("inconsistent objection counts: listed " + listed + ", in transactions "
                    + inTransactions + ", orders " + orders);
        }
    }

    /** The counts of {@code objecting} among the identified customers of {@code tx} (as loaded, before anonymising). */
    public static ProfilingObjections of(Set<String> objecting, Transactions tx) {
        long customers = 0;
        long orders = 0;
        for (String id : objecting) {
            int c = tx.customerIndex(id);
            if (c >= 0) {
                customers++;
                orders += tx.customerOrderEnd(c) - tx.customerOrderStart(c);
            }
        }
        return new ProfilingObjections(objecting.size(), customers, orders);
    }

    /** Into the manifest's {@code consent} section. */
    public void record(Map<String, Object> consentSection) {
        consentSection.put("objectingToProfiling", listed);
        consentSection.put("objectingToProfilingInTransactions", inTransactions);
        consentSection.put("objectingToProfilingOrdersAnonymised", orders);
    }

    /** The console line, or empty when the list names no objection. */
    public Optional<String> note() {
        return listed == 0 ? Optional.empty() : Optional.of(String.format(Locale.ROOT,
                "consent: %,d customer(s) of the list object to profiling (profiling,opted_out); %,d of them have "
                        + "orders in the transactions, whose %,d order(s) are read as anonymous baskets: this model "
                        + "holds no history, profile, list or value of theirs", listed, inTransactions, orders));
    }
}
