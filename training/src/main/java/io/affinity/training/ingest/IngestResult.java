package io.affinity.training.ingest;

import java.util.Objects;

/**
 * The outcome of {@link TransactionLoader#load}: the clean transactions and the report explaining them.
 */
public record IngestResult(Transactions transactions, IngestReport report) {
    public IngestResult {
        Objects.requireNonNull(transactions, "transactions");
        Objects.requireNonNull(report, "report");
        if (transactions.lineCount() != report.rowsAccepted() || transactions.orderCount() != report.ordersAccepted()) {
            throw new IllegalArgumentException("transactions and report disagree");
        }
    }
}
