package io.affinity.training.mining;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code mine} verb: reads a FIMI file, mines frequent itemsets, optionally writes them and counts rules.
 * Kept apart from the command-line parsing so that it can be tested and reused without a CLI.
 */
public final class MiningRun {
    private MiningRun() {
    }

    /**
     * What to mine.
     *
     * @param input      FIMI file, plain or gzip
     * @param minSupport relative minimum support in (0, 1]; the threshold is ceil(minSupport x transactions)
     * @param maxLength  longest itemset, 0 = unlimited
     * @param rules      when present, rules are generated (and counted) with these thresholds
     * @param output     when present, itemsets are streamed there, one per line: ascending ids, then
     *                   {@code #SUP: count}
     */
    public record Job(Path input, double minSupport, int maxLength, Optional<RuleParameters> rules,
                      Optional<Path> output) {
        public Job {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(rules, "rules");
            Objects.requireNonNull(output, "output");
            if (!(minSupport > 0 && minSupport <= 1)) {
                throw new IllegalArgumentException("minSupport must be in (0, 1], was " + minSupport);
            }
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be >= 0 (0 = unlimited), was " + maxLength);
            }
        }
    }

    /**
     * What came out.
     *
     * @param transactions    transactions read
     * @param minSupportCount the absolute threshold used
     * @param itemsets        frequent itemsets found
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

    public static Result run(Job job) throws IOException {
        TransactionDatabase db = FimiReader.read(job.input());
        long minSupportCount = FpGrowth.minSupportCount(job.minSupport(), db.size());
        FpGrowth miner = FpGrowth.builder().minSupportCount(minSupportCount).maxLength(job.maxLength()).build();

        ItemsetFileWriter writer = null;
        FrequentItemsets.Collector collector = job.rules().isPresent() ? new FrequentItemsets.Collector() : null;
        long[] count = new long[1];
        try {
            if (job.output().isPresent()) {
                writer = new ItemsetFileWriter(Files.newOutputStream(job.output().get()));
            }
            ItemsetFileWriter w = writer;
            miner.mine(db, (items, length, support) -> {
                count[0]++;
                if (w != null) {
                    w.accept(items, length, support);
                }
                if (collector != null) {
                    collector.accept(items, length, support);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (writer != null) {
                writer.close();
            }
        }

        OptionalLong rules = OptionalLong.empty();
        if (collector != null) {
            FrequentItemsets itemsets = collector.build(db.size());
            rules = OptionalLong.of(RuleGenerator.generate(itemsets, job.rules().get(), rule -> { }));
        }
        return new Result(db.size(), minSupportCount, count[0], rules);
    }
}
