package io.affinity.api;

import io.affinity.recommender.Consent.Channel;
import io.affinity.recommender.Consent.State;
import java.nio.file.Path;

/**
 * The second process of {@link SharedJournalsTest}: records {@code N} consent changes (customers Q0..Q{N-1}, sms,
 * opted_out for every third, else pending) in the journal given, compacting past the given line count.
 */
public final class JournalWriterProcess {
    private JournalWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        try (ConsentJournal journal = ConsentJournal.open(file, Integer.parseInt(args[2]))) {
            for (int i = 0; i < n; i++) {
                journal.record("Q" + i, Channel.SMS, i % 3 == 0 ? State.OPTED_OUT : State.PENDING);
            }
        }
    }
}
