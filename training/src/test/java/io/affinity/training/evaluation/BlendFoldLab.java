package io.affinity.training.evaluation;

import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Not a test: a diagnosis bench for the blend's out-of-fold figure as {@code train} computes it (validation = the
 * last 90 days of the data, the served blend's settings). Prints, per customer-parity fold, the fitted weights and
 * NDCG@10 of the fold's blend on its own half and on the held-out half, and the full blend's figure on each half.
 *
 * <p>Run (after {@code mvn -pl training,cli -am package -DskipTests} and {@code test-compile}):
 * {@code java -cp training/target/test-classes:training/target/classes:cli/target/affinity.jar
 * io.affinity.training.evaluation.BlendFoldLab FILE...}
 */
public final class BlendFoldLab {
    private BlendFoldLab() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> files = Arrays.stream(args).map(Path::of).toList();
        Transactions tx = TransactionLoader.load(files, IngestOptions.defaults()).transactions();
        long last = Long.MIN_VALUE;
        for (int o = 0; o < tx.orderCount(); o++) {
            last = Math.max(last, tx.localEpochSecondOf(o));
        }
        int days = 90;
        LocalDateTime end = LocalDateTime.ofEpochSecond(last, 0, ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay();
        LocalDateTime cutoff = end.minusDays(days);
        EvaluationSettings es = new EvaluationSettings("time", cutoff, days, 2, 42,
                EvaluationSettings.DEFAULT_EASE_MAX_ITEMS, EvaluationSettings.DEFAULT_CANDIDATES);
        EvalSplit validation = EvalSplit.time(tx, cutoff, days);
        List<ModelSpec> specs = ModelSpec.all(es);
        Evaluation.Tuned tuned = Boolean.getBoolean("full")
                ? Evaluation.tune(specs, validation, Evaluation.sameSeasonWindow(tx, end, days), es, BlendFoldLab::say)
                : Evaluation.tuneModels(specs, validation, es, BlendFoldLab::say);
        List<ModelRun> runs = tuned.runs();
        Blend.Table again = new Blend.Table(runs, validation.testUsers().length);
        say(String.format(Locale.ROOT, "recomputed after tuning, alone: in sample %.4f, out of fold %.4f",
                Blend.fit(runs, again, validation, 2).ndcg10(again, validation),
                Blend.outOfFold(runs, again, validation, 2)));
        int[] users = validation.testUsers();
        say(String.format(Locale.ROOT, "validation %s: %,d customers (%,d cold), even %d, odd %d",
                validation.description(), users.length, validation.coldTestUsers(),
                IntStream.of(users).filter(u -> u % 2 == 0).count(), IntStream.of(users).filter(u -> u % 2 != 0).count()));
        Blend.Table t = new Blend.Table(runs, users.length);
        Blend full = tuned.blend();
        say("full  " + weights(full));
        for (int parity = 0; parity < 2; parity++) {
            final int fp = parity;
            int[] fit = IntStream.range(0, users.length).filter(p -> users[p] % 2 == fp).toArray();
            int[] held = IntStream.range(0, users.length).filter(p -> users[p] % 2 != fp).toArray();
            EvalSplit fitSplit = Blend.subsetSplit(validation, fit);
            EvalSplit heldSplit = Blend.subsetSplit(validation, held);
            Blend b = Blend.fit(runs, t.subset(fit), fitSplit, 2);
            say(String.format(Locale.ROOT, "fold fit on parity %d: own half %.4f, held half %.4f; full blend: %.4f / %.4f",
                    parity, b.ndcg10(t.subset(fit), fitSplit), b.ndcg10(t.subset(held), heldSplit),
                    full.ndcg10(t.subset(fit), fitSplit), full.ndcg10(t.subset(held), heldSplit)));
            say("fold" + parity + " " + weights(b));
            for (int m = 0; m < runs.size(); m++) {
                double[] w = new double[runs.size()];
                w[m] = 1;
                Blend single = new Blend(full.models, w, w);
                say(String.format(Locale.ROOT, "   single %-20s fit half %.4f held half %.4f", runs.get(m).name,
                        single.ndcg10(t.subset(fit), fitSplit), single.ndcg10(t.subset(held), heldSplit)));
            }
        }
        say(String.format(Locale.ROOT, "in sample %.4f, out of fold %.4f", tuned.blendValidation(),
                tuned.blendOutOfFold()));
    }

    private static String weights(Blend b) {
        StringBuilder s = new StringBuilder();
        for (int m = 0; m < b.models.size(); m++) {
            if (b.repeatWeights[m] != 0 || b.newWeights[m] != 0) {
                s.append(String.format(Locale.ROOT, " %s r%.3g n%.3g", b.models.get(m), b.repeatWeights[m],
                        b.newWeights[m]));
            }
        }
        return s.toString();
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
