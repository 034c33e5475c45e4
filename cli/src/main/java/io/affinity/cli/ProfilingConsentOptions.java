package io.affinity.cli;

import io.affinity.training.ReadableFile;
import io.affinity.training.customers.ConsentFile;
import io.affinity.training.customers.ObjectionsToProfiling;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The objections to profiling that a verb computing something per customer without publishing a model honours
 * ({@code customers}, {@code evaluate}): the consent list's {@code profiling,opted_out} rows and the servers' run-time
 * journal, weighed as a server weighs them ({@link ObjectionsToProfiling}). {@code train}'s own options say the same
 * and more (the list is published with the model; {@code --no-consent} concerns carrying it over).
 */
final class ProfilingConsentOptions {
    @Option(names = "--consent", paramLabel = "FILE",
            description = "Consent list (as for train): customers it lists as objecting to profiling "
                    + "(profiling,opted_out) are left out of everything computed per customer; their orders are read "
                    + "as anonymous baskets.")
    Path consent;

    @Option(names = "--consent-encoding", paramLabel = "CHARSET",
            description = "Character encoding of the --consent file, independent of --encoding (default: UTF-8).")
    Charset consentEncoding;

    @Option(names = "--consent-journal", paramLabel = "FILE",
            description = "The run-time consent journal of the servers (e.g. models/consent.journal): customers "
                    + "who objected to profiling through the API are left out too, weighed against --consent as a "
                    + "server weighs them.")
    Path consentJournal;

    /** Reads the list and the journal (before the exports: a bad list should stop the verb before minutes of loading). */
    ObjectionsToProfiling read() throws Exception {
        ReadableFile.require("--consent", consent);
        ReadableFile.require("--consent-journal", consentJournal);
        ConsentFile.requireListForEncoding(consentEncoding, consent);
        return ObjectionsToProfiling.of(consent == null ? Map.of()
                        : ConsentFile.read(consent, consentEncoding == null ? StandardCharsets.UTF_8 : consentEncoding),
                ConsentFile.writtenAt(consent), ObjectionsToProfiling.readJournal(consentJournal, true));
    }

    /** Whether a consent list was given. */
    boolean listGiven() {
        return consent != null;
    }
}
