package io.affinity.training.mining;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
     */
    public record Job(Path input, double minSupport, int maxLength, ItemsetTarget target, int threads,
                      long maxItemsets, Optional<RuleParameters> rules, Optional<Path> output,
                      Optional<Path> rulesOutput) {
        public Job {
            Objects.requireNonNull(input, "input");
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
        TransactionDatabase db = FimiReader.read(job.input());
        long minSupportCount = FpGrowth.minSupportCount(job.minSupport(), db.size());
        boolean collect = job.rules().isPresent() || job.target() != ItemsetTarget.ALL;
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
            FrequentItemsets all = job.rules().isPresent() ? miner.mineAll(db) : null;
            FrequentItemsets reported = job.target() == ItemsetTarget.ALL ? all : miner.mine(db, job.target());
            if (job.output().isPresent()) {
                try (ItemsetFileWriter writer = new ItemsetFileWriter(Files.newOutputStream(job.output().get()),
                        db.itemBound(), db.size(), MAX_PENDING_OUTPUT)) {
                    ItemsetSink sink = writer.open(0);
                    reported.forEach(sink);
                    writer.close(0, sink);
                }
            }
            OptionalLong rules = OptionalLong.empty();
            if (job.rules().isPresent()) {
                if (job.rulesOutput().isPresent()) {
                    try (Writer w = Files.newBufferedWriter(job.rulesOutput().get(), StandardCharsets.UTF_8)) {
                        rules = OptionalLong.of(RuleGenerator.generate(all, job.rules().get(), r -> writeRule(w, r)));
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

    /** {@code 1 5 => 7 #SUP: 40 conf=0.8 lift=2.1 leverage=0.01 conviction=3.2 zhang=0.6}. */
    private static void writeRule(Writer w, MinedRule r) {
        StringBuilder b = new StringBuilder(96);
        for (int i = 0; i < r.antecedentSize(); i++) {
            b.append(r.antecedentItem(i)).append(' ');
        }
        b.append("=> ").append(r.consequent()).append(" #SUP: ").append(r.supportCount())
                .append(String.format(Locale.ROOT, " conf=%.6g lift=%.6g leverage=%.6g conviction=%s zhang=%.6g%n",
                        r.confidence(), r.lift(), r.leverage(),
                        Double.isInfinite(r.conviction()) ? "inf" : String.format(Locale.ROOT, "%.6g", r.conviction()),
                        r.zhang()));
        try {
            w.write(b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
