package io.affinity.cli;

import io.affinity.training.mining.ItemsetTarget;
import io.affinity.training.mining.MiningRun;
import io.affinity.training.mining.RuleMeasure;
import io.affinity.training.mining.RuleParameters;
import io.affinity.training.mining.TooManyItemsetsException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code affinity mine}: frequent itemsets and, optionally, rules from a transaction file. The last stdout
 * line is {@code itemsets=N} or {@code itemsets=N rules=M} so that scripts can parse it; timing goes to stderr
 * to keep stdout stable.
 */
@Command(name = "mine", mixinStandardHelpOptions = true,
        description = "Mines frequent itemsets with FP-growth and, with --min-confidence, association rules.")
public final class MineCommand implements Callable<Integer> {
    /** How every verb's error lines start ({@link AffinityCli#report}). */
    static final String ERROR = "affinity mine: error: ";

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "Transaction file, one transaction per line (gzip is detected automatically).")
    Path input;

    @Option(names = "--format", defaultValue = "fimi", paramLabel = "FORMAT",
            description = "fimi: item numbers separated by spaces; basket: item labels separated by commas "
                    + "(R arules' basket format; a label with a comma in double quotes), itemsets and rules then "
                    + "written with the labels, '{a,b} #SUP: n'. Default: ${DEFAULT-VALUE}.")
    String format = "fimi";

    /** Null unless given: it applies to basket files only (FIMI files are ASCII digits). */
    @Option(names = "--encoding", paramLabel = "CHARSET",
            description = "Character encoding of a --format basket file (default UTF-8). Bytes that are not valid "
                    + "in it stop with file:line; they are never replaced.")
    Charset encoding;

    @Option(names = "--min-support", required = true, paramLabel = "FRACTION",
            description = "Minimum support as a fraction of transactions, in (0, 1].")
    double minSupport;

    @Option(names = "--min-confidence", paramLabel = "FRACTION",
            description = "Generate rules with at least this confidence, in [0, 1].")
    Double minConfidence;

    @Option(names = "--min-lift", defaultValue = "0", paramLabel = "LIFT",
            description = "Keep rules with at least this lift (>= 0). Default: ${DEFAULT-VALUE}.")
    double minLift = 0;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
            description = "Longest itemset; 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    int maxLength = 0;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the itemsets here, one per line: ascending ids (basket: '{label,label}'), then "
                    + "'#SUP: count'. Streamed (not collected) for --target all of a FIMI file; the line order does "
                    + "not depend on --threads.")
    Path output;

    @Option(names = "--target", defaultValue = "all", paramLabel = "KIND",
            description = "all, closed (no superset with the same support) or maximal (no frequent superset), "
                    + "within --max-length. Without --max-length closed/maximal keep only candidates in memory; "
                    + "with it, or with rules, all frequent itemsets are kept. Default: ${DEFAULT-VALUE}.")
    String target = "all";

    @Option(names = "--threads", paramLabel = "N",
            description = "Mining threads (independent conditional trees in parallel); results do not depend "
                    + "on it. Default: the number of processors.")
    Integer threads;

    @Option(names = "--max-itemsets", defaultValue = "0", paramLabel = "N",
            description = "Fail, suggesting a higher support, beyond N itemsets kept in memory (closed/maximal: "
                    + "candidates). Default: 50,000,000 when itemsets are kept (rules, closed, maximal, a basket "
                    + "file's --output), else no limit.")
    long maxItemsets = 0;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "N",
            description = "Keep only the best N rules by --sort (0 = all). The support floor is --min-support.")
    int topK = 0;

    /** Null unless given: without --top-k the rules are streamed in itemset order, and a sort would be ignored. */
    @Option(names = "--sort", paramLabel = "MEASURE",
            description = "Measure --top-k ranks by: confidence, lift, leverage, conviction or zhang. Default: lift.")
    String sort;

    @Option(names = "--prune-redundant",
            description = "Drop a rule when a rule with the same consequent and a smaller antecedent has at "
                    + "least the same confidence.")
    boolean pruneRedundant;

    @Option(names = "--rules-output", paramLabel = "FILE",
            description = "Write the rules here, one per line: 'a b => c #SUP: n conf=.. lift=.. leverage=.. "
                    + "conviction=.. zhang=..' (best first with --top-k).")
    Path rulesOutput;

    @Option(names = "--output-format", defaultValue = "text", paramLabel = "FORMAT",
            description = "How --output and --rules-output are written: text (the lines above, as FIMI and SPMF "
                    + "tools write them) or csv (a header, then 'items,size,support_count,support' and 'lhs,rhs,"
                    + "support_count,support,confidence,lift,leverage,conviction,zhang' with item sets as arules "
                    + "writes them, {a,b}). Default: ${DEFAULT-VALUE}.")
    String outputFormat = "text";

    @Override
    public Integer call() {
        String problem = problem();
        if (problem != null) {
            // Bad values and missing files are bad input, as for the other verbs: one line and exit 1 (the usage
            // and exit 2 are picocli's, for a mistyped option).
            throw new AffinityCli.UserFacingException(problem);
        }
        return execute(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Mines with the options as set (and valid: {@link #problem()} is null). */
    int execute(PrintWriter out, PrintWriter err) {
        RuleMeasure measure = RuleMeasure.parse(sort == null ? "lift" : sort);
        ItemsetTarget kind = ItemsetTarget.parse(target);
        Optional<RuleParameters> rules = minConfidence == null ? Optional.empty()
                : Optional.of(new RuleParameters(minConfidence, minLift, topK, measure, pruneRedundant));
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long start = System.nanoTime();
        MiningRun.Result result;
        try {
            result = MiningRun.run(new MiningRun.Job(input, minSupport, maxLength, kind, threadCount, maxItemsets,
                    rules, Optional.ofNullable(output), Optional.ofNullable(rulesOutput),
                    MiningRun.InputFormat.parse(format), encoding == null ? StandardCharsets.UTF_8 : encoding,
                    MiningRun.OutputFormat.parse(outputFormat)));
        } catch (IOException e) {
            err.println(ERROR + (ErrorMessages.truncatedStream(e) ? "--input " + input + ": " : "")
                    + ErrorMessages.describe(e));
            err.flush();
            return 1;
        } catch (TooManyItemsetsException e) {
            err.printf(Locale.ROOT, ERROR + "more than %,d frequent itemsets at --min-support %s; stopped before "
                    + "running out of memory. Use a higher --min-support (or a --max-length), or raise "
                    + "--max-itemsets if you really want them all.%n", e.limit(), minSupport);
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

    /** What is wrong with the options as a user would be told, or null when they are valid. */
    String problem() {
        MiningRun.InputFormat inputFormat = MiningRun.InputFormat.parse(format);
        if (inputFormat == null) {
            return "--format '" + format + "' is not supported: fimi (item numbers) or basket (item labels)";
        }
        MiningRun.OutputFormat written = MiningRun.OutputFormat.parse(outputFormat);
        if (written == null) {
            return "--output-format '" + outputFormat + "' is not supported: text or csv";
        }
        if (written == MiningRun.OutputFormat.CSV && output == null && rulesOutput == null) {
            return "--output-format applies to --output and --rules-output: give either";
        }
        if (encoding != null && inputFormat == MiningRun.InputFormat.FIMI) {
            return "--encoding applies to --format basket (a FIMI file is item numbers in ASCII)";
        }
        if (!(minSupport > 0 && minSupport <= 1)) {
            return "--min-support must be a fraction in (0, 1], was " + minSupport;
        }
        if (minConfidence != null && !(minConfidence >= 0 && minConfidence <= 1)) {
            return "--min-confidence must be in [0, 1], was " + minConfidence;
        }
        if (!(minLift >= 0) || Double.isInfinite(minLift)) {
            return "--min-lift must be a finite number >= 0, was " + minLift;
        }
        if (minLift > 0 && minConfidence == null) {
            return "--min-lift only filters rules: give --min-confidence too";
        }
        try {
            if (sort != null) {
                RuleMeasure.parse(sort);
            }
            ItemsetTarget.parse(target);
        } catch (IllegalArgumentException e) {
            return (e.getMessage().startsWith("unknown target") ? "--target: " : "--sort: ") + e.getMessage();
        }
        if (threads != null && threads < 1) {
            return "--threads must be >= 1, was " + threads;
        }
        if (maxItemsets < 0) {
            return "--max-itemsets must be >= 0 (0 = default), was " + maxItemsets;
        }
        if (topK < 0) {
            return "--top-k must be >= 0 (0 = all rules), was " + topK;
        }
        if ((topK > 0 || pruneRedundant || rulesOutput != null) && minConfidence == null) {
            return "--top-k, --prune-redundant and --rules-output are about rules: give --min-confidence too "
                    + "(0 keeps every rule)";
        }
        if (sort != null && topK == 0) {
            return "--sort ranks the rules --top-k keeps; without --top-k every rule is written in itemset order "
                    + "(streamed): give --top-k N as well";
        }
        if (rulesOutput != null && Files.isDirectory(rulesOutput)) {
            return "--rules-output " + rulesOutput + " is a directory";
        }
        if (maxLength < 0) {
            return "--max-length must be >= 0 (0 = unlimited), was " + maxLength;
        }
        if (!Files.exists(input)) {
            return "--input: file " + input + " does not exist";
        }
        if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
            return "--input " + input + " is not a readable file";
        }
        if (output != null && Files.isDirectory(output)) {
            return "--output " + output + " is a directory";
        }
        String missing = missingParent("--output", output);
        missing = missing != null ? missing : missingParent("--rules-output", rulesOutput);
        if (missing != null) {
            return missing;
        }
        // Writing starts before the input is read to the end: the input would be lost, silently.
        if (sameFile(output, input)) {
            return "--output " + output + " is the --input file; it would be overwritten: write the itemsets elsewhere";
        }
        if (sameFile(rulesOutput, input)) {
            return "--rules-output " + rulesOutput + " is the --input file; it would be overwritten: write the rules "
                    + "elsewhere";
        }
        if (sameFile(output, rulesOutput)) {
            return "--output and --rules-output are the same file " + output + "; give each its own";
        }
        return null;
    }

    /**
     * True when both paths name one file, whatever the spelling: symbolic links, {@code ..} and hard links
     * resolved; a file yet to be written is compared by its directory's real path and its name.
     */
    private static boolean sameFile(Path a, Path b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
            return realParent(a).equals(realParent(b)) && a.getFileName().equals(b.getFileName());
        } catch (IOException e) {
            return false; // unreadable: writing or reading reports it, naming the file
        }
    }

    private static Path realParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent.toRealPath();
    }

    /** The problem when a file to write has no directory to go in (else writing fails after all the mining). */
    private static String missingParent(String option, Path file) {
        if (file == null) {
            return null;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            return option + " " + file + ": directory " + parent + " does not exist";
        }
        return null;
    }
}
