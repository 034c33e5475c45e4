package io.affinity.training.customers;

import io.affinity.recommender.Consent;
import io.affinity.store.ConsentJournalFile;
import io.affinity.training.ingest.Transactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Who a training run keeps out of profiling: the consent list's {@code profiling} rows weighed against the run-time
 * consent journal's latest {@code profiling} change of each customer ({@code PUT /v1/customers/{id}/consent/profiling}),
 * exactly as a server will weigh them against the new version's list ({@link Consent#effective}): a change made after
 * the list was written is the customer's latest word (an objection, or its withdrawal), an older one may only restrict.
 * Without the journal, an objection made through the API would hide the customer on every served version but still
 * be trained on, again at every run, until the CRM's list caught up.
 *
 * @param customers          normalised ids of the customers who object, by either source
 * @param byList             of them, those the list names as objecting (and no later change withdrew)
 * @param byJournal          of them, those whose objection only the journal records
 * @param withdrawnInJournal customers the list names as objecting who withdrew it through the API after the list
 * @param journal            the journal read, or null when none was (no store journal yet, or none asked for)
 */
public record ObjectionsToProfiling(Set<String> customers, long byList, long byJournal, long withdrawnInJournal,
                                    ConsentJournalFile.Latest journal) {

    public ObjectionsToProfiling {
        customers = Set.copyOf(customers);
        if (byList < 0 || byJournal < 0 || withdrawnInJournal < 0 || byList + byJournal != customers.size()) {
            throw new IllegalArgumentException("inconsistent objection counts: " + customers.size() + " customers, "
                    + byList + " by the list, " + byJournal + " by the journal");
        }
    }

    /**
     * Decides for every customer the list or the journal names.
     *
     * @param list     the consent list as read (empty without one), ids normalised
     * @param listAsOf when the list was written (its file's modification time), which orders the journal's changes
     *                 against rows without their own {@code updated_at}; null without a list
     * @param journal  the journal's latest profiling changes, or null
     */
    public static ObjectionsToProfiling of(Map<String, Map<Consent.Channel, Consent.ListEntry>> list, Instant listAsOf,
                                           ConsentJournalFile.Latest journal) {
        Objects.requireNonNull(list, "list");
        Map<String, ConsentJournalFile.Change> changes = journal == null ? Map.of() : journal.latest();
        Set<String> named = new HashSet<>(changes.keySet());
        list.forEach((customer, channels) -> {
            if (channels.containsKey(Consent.Channel.PROFILING)) {
                named.add(customer);
            }
        });
        Set<String> objecting = new HashSet<>();
        long byList = 0;
        long withdrawn = 0;
        for (String customer : named) {
            Map<Consent.Channel, Consent.ListEntry> channels = list.get(customer);
            Consent.ListEntry listed = channels == null ? null : channels.get(Consent.Channel.PROFILING);
            ConsentJournalFile.Change change = changes.get(customer);
            Consent.State inEffect = Consent.effective(change == null ? null : change.state(),
                    change == null ? null : change.at(), listed, listAsOf, Consent.Channel.PROFILING);
            boolean listObjects = listed != null && listed.state() == Consent.State.OPTED_OUT;
            if (inEffect == Consent.State.OPTED_OUT) {
                objecting.add(customer);
                if (listObjects) {
                    byList++;
                }
            } else if (listObjects) {
                withdrawn++;
            }
        }
        return new ObjectionsToProfiling(objecting, byList, objecting.size() - byList, withdrawn, journal);
    }

    /**
     * The journal's latest profiling changes, or null when {@code file} is null, or is absent and {@code required}
     * is false (the store's own journal before any server created it). A journal named on the command line must
     * exist; one with a line this software cannot read fails, naming the file and line: it may hold an objection.
     */
    public static ConsentJournalFile.Latest readJournal(Path file, boolean required) throws IOException {
        if (file == null || !required && !Files.exists(file)) {
            return null;
        }
        try {
            return ConsentJournalFile.latest(file, Consent.Channel.PROFILING);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--consent-journal: file " + file + " does not exist");
        } catch (ConsentJournalFile.UnreadableJournalException e) {
            throw new IllegalArgumentException(e.getMessage() + "; nothing was trained");
        }
    }

    /** What the run did: the counts among the identified customers of {@code tx} (as loaded, before anonymising). */
    public ProfilingObjections counted(Transactions tx) {
        long inTransactions = 0;
        long orders = 0;
        for (String id : customers) {
            int c = tx.customerIndex(id);
            if (c >= 0) {
                inTransactions++;
                orders += tx.customerOrderEnd(c) - tx.customerOrderStart(c);
            }
        }
        return counted(inTransactions, orders);
    }

    /** The counts, given how many of the customers have orders and how many orders they have. */
    public ProfilingObjections counted(long inTransactions, long orders) {
        return new ProfilingObjections(customers.size(), byList, byJournal, withdrawnInJournal, inTransactions, orders);
    }

    /**
     * Records what the run did, as every trainer records it: with a journal, its section {@code consentJournal} and
     * its console line; with a list or a journal, the section {@code profilingObjections} and, when anybody objects
     * or withdrew, the console line of the counts.
     *
     * @param counts  {@link #counted} for the run's transactions
     * @param listRead whether the run read a consent list
     * @param section receives a manifest section by name ({@code SnapshotBuilder::section}; a verb without a
     *                manifest passes one that drops it)
     */
    public void record(ProfilingObjections counts, boolean listRead, BiConsumer<String, Object> section,
                       Consumer<String> progress) {
        if (journal != null) {
            section.accept("consentJournal", journalSection());
            progress.accept(journalNote());
        }
        if (listRead || journal != null) {
            section.accept("profilingObjections", counts.section());
            counts.note().ifPresent(progress);
        }
    }

    /**
     * The manifest's {@code consentJournal} section (the journal read and up to which sequence, so a version says
     * which run-time changes it reflects), or null when no journal was read.
     */
    public Map<String, Object> journalSection() {
        if (journal == null) {
            return null;
        }
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("file", journal.file().toAbsolutePath().toString());
        section.put("sequence", journal.sequence());
        section.put("changes", journal.lines());
        section.put("customersWithProfilingChange", journal.latest().size());
        return section;
    }

    /** The console line about the journal, or null when none was read. */
    public String journalNote() {
        return journal == null ? null : String.format(java.util.Locale.ROOT, "consent journal: %s, %,d change(s) "
                        + "through sequence %,d; %,d customer(s) changed their profiling consent at run time",
                journal.file().toAbsolutePath(), journal.lines(), journal.sequence(), journal.latest().size());
    }
}
