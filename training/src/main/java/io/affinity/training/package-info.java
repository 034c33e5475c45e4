/**
 * Offline side of Affinity: ingestion ({@code ingest}), frequent-itemset mining and rules ({@code mining}), and
 * the {@link io.affinity.training.TrainingPipeline} that turns transaction exports into a published snapshot.
 */
package io.affinity.training;
