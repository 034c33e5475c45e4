package io.affinity.cli;

import io.affinity.training.ingest.IngestOptions;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The transaction-export options every verb that reads exports takes: the files, their layout and encoding. */
final class TransactionInput {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Transaction exports, CSV or gzip CSV; several may be given.")
    List<Path> files;

    @Option(names = "--format", defaultValue = "auto",
            description = "Column layout: auto (detect from the header), online-retail, online-retail-ii, generic, "
                    + "generic-sequence (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--encoding", defaultValue = "UTF-8", paramLabel = "CHARSET",
            description = "Character encoding of the exports (and of the --catalog and --consent files), e.g. "
                    + "windows-1252 for a Windows/Excel Latin-1 export (default: ${DEFAULT-VALUE}). Bytes that are "
                    + "not valid in it stop with file:line; they are never replaced.")
    Charset encoding;

    /** Default ingestion settings with this layout. */
    IngestOptions ingestOptions() {
        return IngestOptions.defaults().withFormat(format);
    }
}
