package io.affinity.cli;

import io.affinity.training.mining.MiningRun;
import io.affinity.training.mining.RuleParameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code affinity mine}: frequent itemsets and, optionally, rules from a transaction file. The last stdout
 * line is {@code itemsets=N} or {@code itemsets=N rules=M} so that scripts can parse it; timing goes to stderr
 * to keep stdout stable.
 */
@Command(name = "mine", mixinStandardHelpOptions = true,
        description = "Mines frequent itemsets with FP-growth and, with --min-confidence, association rules.")
public final class MineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "Transaction file (FIMI: one transaction per line, item ids separated by spaces; "
                    + "gzip is detected automatically).")
    Path input;

    @Option(names = "--format", defaultValue = "fimi", paramLabel = "FORMAT",
            description = "Input format; only 'fimi' for now. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--min-support", required = true, paramLabel = "FRACTION",
            description = "Minimum support as a fraction of transactions, in (0, 1].")
    double minSupport;

    @Option(names = "--min-confidence", paramLabel = "FRACTION",
            description = "Generate rules with at least this confidence, in [0, 1].")
    Double minConfidence;

    @Option(names = "--min-lift", defaultValue = "0", paramLabel = "LIFT",
            description = "Keep rules with at least this lift (>= 0). Default: ${DEFAULT-VALUE}.")
    double minLift;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
            description = "Longest itemset; 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the itemsets here, one per line: ascending ids, then '#SUP: count'.")
    Path output;

    @Override
    public Integer call() {
        validate();
        Optional<RuleParameters> rules = minConfidence == null ? Optional.empty()
                : Optional.of(new RuleParameters(minConfidence, minLift));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        MiningRun.Result result;
        try {
            result = MiningRun.run(new MiningRun.Job(input, minSupport, maxLength, rules, Optional.ofNullable(output)));
        } catch (IOException e) {
            err.println("mine: " + e.getMessage());
            err.flush();
            return 1;
        }
        err.printf(Locale.ROOT, "mine: %d transactions, min support count %d, %.3f s%n", result.transactions(),
                result.minSupportCount(), (System.nanoTime() - start) / 1e9);
        err.flush();
        out.println(result.countsLine());
        out.flush();
        return 0;
    }

    private void validate() {
        if (!"fimi".equalsIgnoreCase(format)) {
            throw bad("--format '" + format + "' is not supported; only 'fimi' is");
        }
        if (!(minSupport > 0 && minSupport <= 1)) {
            throw bad("--min-support must be a fraction in (0, 1], was " + minSupport);
        }
        if (minConfidence != null && !(minConfidence >= 0 && minConfidence <= 1)) {
            throw bad("--min-confidence must be in [0, 1], was " + minConfidence);
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            throw bad("--min-lift must be a finite number >= 0, was " + minLift);
        }
        if (minLift > 0 && minConfidence == null) {
            throw bad("--min-lift only filters rules: give --min-confidence too");
        }
        if (maxLength < 0) {
            throw bad("--max-length must be >= 0 (0 = unlimited), was " + maxLength);
        }
        if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
            throw bad("--input " + input + " is not a readable file");
        }
        if (output != null && Files.isDirectory(output)) {
            throw bad("--output " + output + " is a directory");
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
