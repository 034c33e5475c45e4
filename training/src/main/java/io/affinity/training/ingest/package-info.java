/**
 * Reading retailers' transaction exports (CSV, optionally gzipped) into compact, clean
 * {@link io.affinity.training.ingest.Transactions}, with a report of every row dropped and why.
 * Entry point: {@link io.affinity.training.ingest.TransactionLoader}.
 */
package io.affinity.training.ingest;
