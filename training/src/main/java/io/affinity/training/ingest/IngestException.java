package io.affinity.training.ingest;

import java.util.Optional;

/**
 * Ingestion failed and nothing may be trained or published from these files: a header that fits no mapping,
 * a missing column, an unreadable CSV structure, or more malformed rows than the error budget allows.
 * Checked on purpose, so that callers (training, CLI) decide explicitly how to stop.
 */
public final class IngestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient IngestReport report;

    public IngestException(String message) {
        this(message, null, null);
    }

    public IngestException(String message, IngestReport report, Throwable cause) {
        super(message, cause);
        this.report = report;
    }

    /** The report of everything read before failing, when the failure is the error budget. */
    public Optional<IngestReport> report() {
        return Optional.ofNullable(report);
    }
}
