package io.affinity.training;

import io.affinity.training.ingest.IngestReport;
import java.time.Duration;
import java.util.Objects;

/**
 * What a training run produced.
 *
 * @param version         the published snapshot version
 * @param ingest          the ingest report (also stored in the snapshot's manifest)
 * @param baskets         baskets mined (accepted orders, anonymous ones included)
 * @param frequentItemsets frequent itemsets found
 * @param rules           rules published
 * @param rulesDroppedByCap rules over the per-item cap, not published
 * @param customers       customer histories published
 * @param items           items published: those bought plus catalogue items never bought (what the manifest,
 *                        {@code /v1/model} and {@code serve} count)
 * @param neverBoughtItems of {@code items}, catalogue items with no accepted transaction line
 * @param snapshotBytes   size of the snapshot directory on disk
 * @param elapsed         wall time of the whole run
 */
public record TrainingResult(String version, IngestReport ingest, long baskets, long frequentItemsets, long rules,
                             long rulesDroppedByCap, long customers, long items, long neverBoughtItems, long snapshotBytes,
                             Duration elapsed) {
    public TrainingResult {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(ingest, "ingest");
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
