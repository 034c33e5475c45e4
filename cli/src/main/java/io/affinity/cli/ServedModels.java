package io.affinity.cli;

import io.affinity.api.ServedModel;
import io.affinity.recommender.Recommender;
import io.affinity.recommender.RecommenderSettings;
import io.affinity.store.Manifest;
import io.affinity.store.Snapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns an opened snapshot into the model the API serves, with the summary {@code GET /v1/model} shows. */
final class ServedModels {
    private ServedModels() {
    }

    static ServedModel of(Snapshot snapshot) {
        Manifest m = snapshot.manifest();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("version", m.version());
        summary.put("createdAt", m.createdAt());
        summary.put("formatVersion", m.formatVersion());
        summary.put("software", m.software());
        summary.put("counts", m.counts());
        summary.put("parameters", m.parameters());
        summary.put("inputs", m.inputs());
        if (m.sections().containsKey("ingestReport")) {
            var report = m.sections().get("ingestReport");
            Map<String, Object> ingest = new LinkedHashMap<>();
            report.fields().forEachRemaining(e -> {
                // Totals only: per-reason samples are for the manifest file, not for every dashboard poll.
                if (e.getValue().isNumber()) {
                    ingest.put(e.getKey(), e.getValue().numberValue());
                }
            });
            summary.put("ingest", ingest);
        }
        return new ServedModel(snapshot, new Recommender(snapshot, RecommenderSettings.DEFAULTS), summary);
    }
}
