package io.affinity.cli;

import io.affinity.training.ingest.IngestOptions;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The transaction-export options every verb that reads exports takes: the files and their column layout. */
final class TransactionInput {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Transaction exports, CSV or gzip CSV; several may be given.")
    List<Path> files;

    @Option(names = "--format", defaultValue = "auto",
            description = "Column layout: auto (detect from the header), online-retail, online-retail-ii, generic, "
                    + "generic-sequence (default: ${DEFAULT-VALUE}).")
    String format;

    /** Default ingestion settings with this layout. */
    IngestOptions ingestOptions() {
        return IngestOptions.defaults().withFormat(format);
    }
}
