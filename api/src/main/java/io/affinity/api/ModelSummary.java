package io.affinity.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.affinity.store.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /v1/model} shows of a version's manifest (the OpenAPI document's ModelSummary): here, beside the
 * other wire shapes, so that the api tests serve and check the shape {@code affinity serve} sends.
 */
public final class ModelSummary {
    private ModelSummary() {
    }

    public static Map<String, Object> of(Manifest m) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("version", m.version());
        summary.put("createdAt", m.createdAt());
        summary.put("formatVersion", m.formatVersion());
        summary.put("software", m.software());
        summary.put("counts", m.counts());
        summary.put("parameters", m.parameters());
        // every answer carrying money names it from here (ServedModel.currency); null when the model does not know
        summary.put("currency", currency(m));
        // File names without their directories: this summary is GET /v1/model, open to every caller (or every key
        // holder), and the training host's paths name its users, shares and layout. The manifest keeps them whole
        // (GET /admin/models, the store's files).
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (Manifest.InputFile input : m.inputs()) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", fileName(input.path()));
            file.put("bytes", input.bytes());
            file.put("sha256", input.sha256());
            inputs.add(file);
        }
        summary.put("inputs", inputs);
        if (m.sections().containsKey("ingestReport")) {
            summary.put("ingest", ingestTotals(m.sections().get("ingestReport")));
        }
        if (m.sections().containsKey("catalog")) {
            // Provenance and totals of the catalogue file; rejected-row samples stay in the manifest file.
            Map<String, Object> catalogue = new LinkedHashMap<>();
            m.sections().get("catalog").fields().forEachRemaining(e -> {
                if (e.getKey().equals("path") && e.getValue().isTextual()) {
                    catalogue.put("path", new TextNode(fileName(e.getValue().asText())));
                } else if (!e.getKey().endsWith("Samples")) {
                    catalogue.put(e.getKey(), e.getValue());
                }
            });
            summary.put("catalog", catalogue);
        }
        if (m.sections().containsKey("servedModel")) {
            // Which model answers customers and the figures it was chosen on; its nested settings (grids, the
            // re-ranker's features) stay in the manifest file, as the ingest samples do.
            Map<String, Object> served = new LinkedHashMap<>();
            m.sections().get("servedModel").fields().forEachRemaining(e -> {
                if (e.getValue().isValueNode()) {
                    served.put(e.getKey(), e.getValue());
                }
            });
            summary.put("servedModel", served);
        }
        JsonNode basis = m.sections().containsKey("customerModels")
                ? m.sections().get("customerModels").at("/tiers/basis") : null;
        if (basis != null && basis.isTextual()) {
            summary.put("tierBasis", basis.asText());
        }
        return summary;
    }

    /**
     * The currency every amount of the model is in: the ingest report's reporting currency (train's and spark-train's
     * {@code --currency}, or the one currency of the exports' currency column); null when it names none (an export
     * without a currency column and no {@code --currency}, several currencies cannot get this far, or a model trained
     * before currencies were recorded).
     */
    static String currency(Manifest m) {
        JsonNode report = m.sections().get("ingestReport");
        JsonNode reporting = report == null ? null : report.at("/currencies/reportingCurrency");
        return reporting != null && reporting.isTextual() ? reporting.asText() : null;
    }

    /** Totals only: per-reason samples are for the manifest file, not for every dashboard poll. */
    private static Map<String, Object> ingestTotals(JsonNode report) {
        Map<String, Object> ingest = new LinkedHashMap<>();
        report.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                ingest.put(e.getKey(), e.getValue().numberValue());
            } else if (e.getKey().equals("returns") && e.getValue().isObject()) {
                // returns netted against purchases, and those matching none: totals too
                Map<String, Object> returns = new LinkedHashMap<>();
                e.getValue().fields().forEachRemaining(r -> {
                    if (r.getValue().isNumber()) {
                        returns.put(r.getKey(), r.getValue().numberValue());
                    }
                });
                ingest.put("returns", returns);
            }
        });
        return ingest;
    }

    /** The last name of a path as training recorded it (a Unix or a Windows one). */
    static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}
