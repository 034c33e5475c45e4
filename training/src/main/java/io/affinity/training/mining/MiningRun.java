package io.affinity.training.mining;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code mine} verb: reads a FIMI file, mines frequent (or closed, or maximal) itemsets, optionally writes
 * them and generates rules. Kept apart from the command-line parsing so that it can be tested and reused
 * without a CLI.
 *
 * <p>Memory: plain itemsets are streamed (to the file, or just counted) and never collected, however many
 * there are. Rules need every frequent itemset in memory for support look-ups; closed/maximal itemsets keep
 * only their candidates (all frequent itemsets too with a maximum length, see {@link FpGrowth#mine(
 * TransactionDatabase, ItemsetTarget)}). What is kept is limited to {@link #DEFAULT_MAX_COLLECTED} itemsets
 * unless {@code maxItemsets} says otherwise.
 */
public final class MiningRun {
    /** Itemset limit when itemsets must be kept in memory (about 1-2 GB of heap for typical lengths). */
    public static final long DEFAULT_MAX_COLLECTED = 50_000_000L;
    /** Out-of-order output the writer threads may hold back before waiting. */
    private static final long MAX_PENDING_OUTPUT = 4L << 20;

    private MiningRun() {
    }

    /**
     * What to mine.
     *
     * @param input       FIMI file, plain or gzip
     * @param minSupport  relative minimum support in (0, 1]; the threshold is ceil(minSupport x transactions)
     * @param maxLength   longest itemset, 0 = unlimited
     * @param target      all frequent itemsets, or only the closed or maximal ones
     * @param threads     mining threads, at least 1; the output does not depend on it
     * @param maxItemsets fail beyond this many frequent itemsets (closed/maximal: candidates) kept in memory;
     *                    0 = {@link #DEFAULT_MAX_COLLECTED} when they are kept (closed/maximal target, rules), no
     *                    limit when they are streamed
     * @param rules       when present, rules are generated with these parameters (from all frequent itemsets,
     *                    whatever the target) and counted
     * @param output      when present, itemsets are written there, one per line: ascending ids, then
     *                    {@code #SUP: count}; the line order is the same for any number of threads
     * @param rulesOutput when present (with rules), rules are written there, one per line
     * @param format      FIMI (item numbers; itemsets and rules written with them) or basket (item labels; written
     *                    with them: {@code {label,label} #SUP: count}, a label holding a comma, brace or quote in
     *                    double quotes)
     * @param encoding    of a basket file (a FIMI file is ASCII)
     * @param written     how itemsets and rules are written: the FIMI/SPMF text lines above, or CSV
     *                    ({@link OutputFormat#CSV})
     */
    public record Job(Path input, double minSupport, int maxLength, ItemsetTarget target, int threads,
                      long maxItemsets, Optional<RuleParameters> rules, Optional<Path> output,
                      Optional<Path> rulesOutput, InputFormat format, Charset encoding, OutputFormat written) {
        public Job {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(written, "written");
            Objects.requireNonNull(encoding, "encoding");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(rules, "rules");
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(rulesOutput, "rulesOutput");
            if (!(minSupport > 0 && minSupport <= 1)) {
                throw new IllegalArgumentException("minSupport must be in (0, 1], was " + minSupport);
            }
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be >= 0 (0 = unlimited), was " + maxLength);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            if (maxItemsets < 0) {
                throw new IllegalArgumentException("maxItemsets must be >= 0, was " + maxItemsets);
            }
            if (rulesOutput.isPresent() && rules.isEmpty()) {
                throw new IllegalArgumentException("rulesOutput needs rule parameters");
            }
        }

        /** Written as text lines. */
        public Job(Path input, double minSupport, int maxLength, ItemsetTarget target, int threads,
                   long maxItemsets, Optional<RuleParameters> rules, Optional<Path> output,
                   Optional<Path> rulesOutput, InputFormat format, Charset encoding) {
            this(input, minSupport, maxLength, target, threads, maxItemsets, rules, output, rulesOutput, format,
                    encoding, OutputFormat.TEXT);
        }

        /** A FIMI file. */
        public Job(Path input, double minSupport, int maxLength, ItemsetTarget target, int threads,
                   long maxItemsets, Optional<RuleParameters> rules, Optional<Path> output,
                   Optional<Path> rulesOutput) {
            this(input, minSupport, maxLength, target, threads, maxItemsets, rules, output, rulesOutput,
                    InputFormat.FIMI, StandardCharsets.UTF_8);
        }

        /** All frequent itemsets, one thread, default limit. */
        public Job(Path input, double minSupport, int maxLength, Optional<RuleParameters> rules,
                   Optional<Path> output) {
            this(input, minSupport, maxLength, ItemsetTarget.ALL, 1, 0, rules, output, Optional.empty());
        }
    }

    /**
     * What came out.
     *
     * @param transactions    transactions read
     * @param minSupportCount the absolute threshold used
     * @param itemsets        itemsets reported (of the target kind)
     * @param rules           rules kept, present when rules were asked for
     */
    public record Result(int transactions, long minSupportCount, long itemsets, OptionalLong rules) {
        public Result {
            Objects.requireNonNull(rules, "rules");
        }

        /** {@code itemsets=N} or {@code itemsets=N rules=M}: the CLI's last line, which scripts parse. */
        public String countsLine() {
            return rules.isPresent() ? "itemsets=" + itemsets + " rules=" + rules.getAsLong() : "itemsets=" + itemsets;
        }
    }

    /**
     * @throws TooManyItemsetsException beyond the itemset limit
     */
    public static Result run(Job job) throws IOException {
        TransactionDatabase db;
        List<String> labels = null;
        if (job.format() == InputFormat.BASKET) {
            BasketReader.Labelled read = BasketReader.read(job.input(), job.encoding(), "--encoding");
            db = read.transactions();
            labels = read.labels();
        } else {
            db = FimiReader.read(job.input());
        }
        long minSupportCount = FpGrowth.minSupportCount(job.minSupport(), db.size());
        // Labelled itemsets are written from memory: the streamed writer's item text is the miner's own numbers.
        boolean csv = job.written() == OutputFormat.CSV;
        boolean collect = job.rules().isPresent() || job.target() != ItemsetTarget.ALL
                || (labels != null || csv) && job.output().isPresent();
        long limit = job.maxItemsets() > 0 ? job.maxItemsets() : collect ? DEFAULT_MAX_COLLECTED : 0;
        FpGrowth miner = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(job.maxLength())
                .threads(job.threads()).maxItemsets(limit).build();
        try {
            if (!collect) {
                long count;
                if (job.output().isPresent()) {
                    try (ItemsetFileWriter writer = new ItemsetFileWriter(Files.newOutputStream(job.output().get()),
                            db.itemBound(), db.size(), MAX_PENDING_OUTPUT)) {
                        count = miner.run(db, job.threads(), writer);
                    }
                } else {
                    ItemsetSink none = (items, length, support) -> { };
                    count = miner.run(db, job.threads(), TaskSinks.single(none));
                }
                return new Result(db.size(), minSupportCount, count, OptionalLong.empty());
            }

            // Rules need every frequent itemset; closed/maximal ones are mined on their own (see FpGrowth.mine).
            FrequentItemsets all = job.rules().isPresent() || job.target() == ItemsetTarget.ALL
                    ? miner.mineAll(db) : null;
            FrequentItemsets reported = job.target() == ItemsetTarget.ALL ? all : miner.mine(db, job.target());
            if (job.output().isPresent() && csv) {
                try (MiningCsv.Itemsets w = new MiningCsv.Itemsets(job.output().get(), labels, db.size())) {
                    reported.forEach(w);
                }
            } else if (job.output().isPresent() && labels != null) {
                List<String> named = labels;
                try (Writer w = Files.newBufferedWriter(job.output().get(), StandardCharsets.UTF_8)) {
                    reported.forEach((items, length, support) -> write(w, labelled(items, 0, length, named)
                            + " #SUP: " + support + "\n"));
                }
            } else if (job.output().isPresent()) {
                try (ItemsetFileWriter writer = new ItemsetFileWriter(Files.newOutputStream(job.output().get()),
                        db.itemBound(), db.size(), MAX_PENDING_OUTPUT)) {
                    ItemsetSink sink = writer.open(0);
                    reported.forEach(sink);
                    writer.close(0, sink);
                }
            }
            OptionalLong rules = OptionalLong.empty();
            if (job.rules().isPresent()) {
                if (job.rulesOutput().isPresent() && csv) {
                    try (MiningCsv.Rules w = new MiningCsv.Rules(job.rulesOutput().get(), labels)) {
                        rules = OptionalLong.of(RuleGenerator.generate(all, job.rules().get(), w));
                    }
                } else if (job.rulesOutput().isPresent()) {
                    try (Writer w = Files.newBufferedWriter(job.rulesOutput().get(), StandardCharsets.UTF_8)) {
                        List<String> named = labels;
                        rules = OptionalLong.of(RuleGenerator.generate(all, job.rules().get(),
                                r -> writeRule(w, r, named)));
                    }
                } else {
                    rules = OptionalLong.of(RuleGenerator.generate(all, job.rules().get(), r -> { }));
                }
            }
            return new Result(db.size(), minSupportCount, reported.size(), rules);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * {@code 1 5 => 7 #SUP: 40 conf=0.8 lift=2.1 leverage=0.01 conviction=3.2 zhang=0.6}, or with labels
     * {@code {citrus fruit,root vegetables} => {other vegetables} #SUP: 40 conf=...}.
     */
    private static void writeRule(Writer w, MinedRule r, List<String> labels) {
        StringBuilder b = new StringBuilder(96);
        if (labels != null) {
            b.append(labelled(r.antecedent(), 0, r.antecedentSize(), labels)).append(" => ")
                    .append(labelled(new int[] {r.consequent()}, 0, 1, labels));
        } else {
            for (int i = 0; i < r.antecedentSize(); i++) {
                b.append(r.antecedentItem(i)).append(' ');
            }
            b.append("=> ").append(r.consequent());
        }
        b.append(" #SUP: ").append(r.supportCount())
                .append(String.format(Locale.ROOT, " conf=%.6g lift=%.6g leverage=%.6g conviction=%s zhang=%.6g%n",
                        r.confidence(), r.lift(), r.leverage(),
                        Double.isInfinite(r.conviction()) ? "inf" : String.format(Locale.ROOT, "%.6g", r.conviction()),
                        r.zhang()));
        write(w, b.toString());
    }

    /** {@code {a,b}}: the labels of items {@code [from, to)}, a label with a comma, brace or quote CSV-quoted. */
    static String labelled(int[] items, int from, int to, List<String> labels) {
        StringBuilder b = new StringBuilder(16 * (to - from) + 2).append('{');
        for (int i = from; i < to; i++) {
            String label = labels.get(items[i]);
            if (i > from) {
                b.append(',');
            }
            if (label.indexOf(',') >= 0 || label.indexOf('{') >= 0 || label.indexOf('}') >= 0
                    || label.indexOf('"') >= 0) {
                b.append('"').append(label.replace("\"", "\"\"")).append('"');
            } else {
                b.append(label);
            }
        }
        return b.append('}').toString();
    }

    private static void write(Writer w, String text) {
        try {
            w.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How itemsets and rules are written out. */
    public enum OutputFormat {
        /** {@code 1 5 #SUP: 40} and {@code 1 5 => 7 #SUP: 40 conf=...}, as the FIMI and SPMF tools write them. */
        TEXT,
        /** RFC 4180 CSV with a header, item sets as arules writes them ({@code {a,b}}): {@link MiningCsv}. */
        CSV;

        /** {@code text} or {@code csv}, any case; null for anything else. */
        public static OutputFormat parse(String s) {
            for (OutputFormat f : values()) {
                if (f.name().equalsIgnoreCase(s == null ? "" : s.strip())) {
                    return f;
                }
            }
            return null;
        }
    }

    /** How a transaction file is written. */
    public enum InputFormat {
        /** One transaction per line, non-negative item numbers separated by spaces ({@link FimiReader}). */
        FIMI,
        /** One transaction per line, item labels separated by commas ({@link BasketReader}). */
        BASKET;

        /** {@code fimi} or {@code basket}, any case; null for anything else. */
        public static InputFormat parse(String s) {
            for (InputFormat f : values()) {
                if (f.name().equalsIgnoreCase(s == null ? "" : s.strip())) {
                    return f;
                }
            }
            return null;
        }
    }
}
