package io.affinity.training.evaluation;

import java.util.Locale;

/**
 * The heap the recommender step of {@code train}, or {@code evaluate}, needs, estimated from the counts its splits
 * give before the long work starts (the models' validation alone takes 10 to 25 minutes on a large shop): a run that
 * cannot fit stops at once, naming the heap to give, instead of running out after 17 minutes.
 *
 * <p>What the step holds at its peak, besides what the run held before it ({@code before}: the export, the histories
 * and profiles bound for the snapshot): while tuning, every model's candidate lists for every customer of the
 * validation and season windows ({@link ModelRun}), the blend's candidate table over the validation customers (its
 * weight search runs beside the re-ranker) and the larger of the re-ranker's two steps ({@link #gatheringBytes}: the
 * three fits' float rows and one block of candidate tables and features; {@link #fittingBytes}: two fits running,
 * their rows widened to doubles with Smile's copies, the third waiting); while serving, the models refitted on all
 * the data, one block's candidates and features and every customer's list bound for the snapshot. {@code evaluate}
 * tunes the same way but then, instead of serving, measures on its test customers ({@link #testingBytes}): the
 * validation runs stay held (the tuning's answer keeps them), every model's runs over the test customers, their
 * candidate table, the lists and per-customer figures kept for the report, one model fitted on the test's training
 * data at a time and one block. The sizes per entry are those of the arrays that hold them (a float or int 4 bytes, a
 * double 8, 16 bytes an array's header, 4 a reference); a customer's candidate table has 45% of its models'
 * {@code models x candidates} lists ({@link #tableCandidates}). The sum is multiplied by {@link #HEADROOM}, as a
 * garbage collector needs free space to work in.
 *
 * <p>Measured (benchmarks/RESULTS.md, "The heap estimate against the smallest heap that runs"): the 10,000-item shop's
 * {@code evaluate} peaks while the re-ranker's fits run (1,107 MiB live), its test phase at about 850 MiB; the
 * bundled sample's in EASE's fit. Until the thirty-first session the tuning counted three fits of {@code maxQueries}
 * customers, two running, plus a block, where the fold fits have half the customers and the block is gone before
 * the fits: 2,698 MiB for a run that went through in 1,280 MiB, now 1,990. What is left of that margin is
 * {@link #fitQueries} counting every window customer (the estimate is made before the runs that tell which count).
 * The 50,000-item shop's {@code train}, estimated at 5,129 MiB, published in a heap of 5,184 MiB (thirty-second
 * session), its heap 4,221 MiB after a full collection while the fits ran: 0.99 of the estimate before the headroom.
 * The UCI files' runs: {@code evaluate} 801 MiB estimated, ran in 640 and not in 608; {@code train} 834, ran in 736
 * and not in 688.
 *
 * @param before          heap in use when the step starts, bytes
 * @param validation      validation customers
 * @param season          customers of the same-season window a year earlier (0 without it)
 * @param customers       customers given a list (train); evaluate: customers the test's models learn from
 * @param tested          evaluate's test customers; 0 for train, whose last phase serves lists instead
 * @param items           items
 * @param models          models blended and fed to the re-ranker
 * @param candidates      candidates per model and kind (repeat, new)
 * @param topN            items per served list
 * @param customersPerBlock customers whose tables and features are made at once
 * @param maxQueries      customers one re-ranker fit learns from at most
 * @param threads         worker threads (re-ranker fits run side by side, one per thread)
 */
record RecommenderMemory(long before, long validation, long season, long customers, long tested, long items,
                         int models, int candidates, int topN, int customersPerBlock, int maxQueries, int threads) {
    /** Free space a collector needs beside the live data: the estimate is this multiple of the live bytes. */
    static final double HEADROOM = 1.2;
    /** Per model and customer: its top 20, candidate arrays and their headers, beyond 8 bytes per candidate. */
    static final long RUN_FIXED = 96 + 6 * 16 + 6 * 4;
    /** Per candidate row of a table: item, repeat flag; plus 4 bytes per model's normalised score. */
    static final long TABLE_ROW_FIXED = 5;
    /** Re-ranker features beyond the models' scores and ranks (HistoryFeatures.NAMES). */
    static final int HISTORY_FEATURES = 27;
    /** Share of negative candidates a fit keeps (Reranker.Params.defaults), and bought items per customer. */
    static final double NEGATIVE_RATE = 0.2;
    static final int POSITIVES = 5;
    /**
     * Per row of a running re-ranker fit beyond its 20 bytes a feature (the double row, Smile's DataFrame column copy
     * and CART's sort order) and header: the fit's per-row doubles and ints (scores, weights, labels) and what the
     * 10,000-item shop's live heap showed beyond that (class histograms after full collections: 1,107 MiB at 615,600
     * rows in two fits, about 1,340 bytes a row; the trees' work arrays and the unused tails of the regions holding
     * the DataFrame's large columns).
     */
    static final long FIT_ROW_BEYOND_FEATURES = 40 + 300;
    /** Per served list item held for the snapshot (DriverMemory's measurement: 30-33 bytes). */
    static final long LIST_ITEM = 32;
    /**
     * Models refitted on all the data, per customer and per item: ALS's factors (64 floats each side), TIFU-KNN's
     * customer vectors and the item-item models' neighbour lists (300 neighbours of 8 bytes, three such models).
     */
    static final long MODELS_PER_CUSTOMER = 64 * 4 + 512;
    static final long MODELS_PER_ITEM = 64 * 4 + 3 * 300 * 8;
    /**
     * EASE's fit: 2,500 items squared, doubles, twice (the Gram matrix and its inverse; the inversion's triangular
     * factors come and go beside them). The bundled sample's runs peak in this fit (evaluate ran in 168 MiB, not in
     * 152; train in 200, not in 184): with the rest of a phase and the headroom this covers them.
     */
    static final long EASE = 2L * 2500 * 2500 * 8;
    /** EASE's weights once fitted: 2,500 items squared, floats. */
    static final long EASE_HELD = 2500L * 2500 * 4;
    /**
     * Per model and test customer, what evaluate keeps for the report beyond the run: the repeat and new top 20
     * copied for the rankings (two int arrays) and the per-customer figures (three doubles).
     */
    static final long RANKED = 2 * (16 + 20 * 4) + 3 * 8;
    /** Lists measured beyond the blended models: two seasonal baselines, the blend and the re-ranker. */
    static final int MEASURED_BEYOND_MODELS = 4;

    /** For train: no test phase. */
    RecommenderMemory(long before, long validation, long season, long customers, long items, int models,
                      int candidates, int topN, int customersPerBlock, int maxQueries, int threads) {
        this(before, validation, season, customers, 0, items, models, candidates, topN, customersPerBlock, maxQueries,
                threads);
    }

    RecommenderMemory {
        if (validation < 0 || season < 0 || customers < 0 || tested < 0 || items < 0 || models < 1 || candidates < 1
                || topN < 1 || customersPerBlock < 1 || maxQueries < 1 || threads < 1) {
            throw new IllegalArgumentException("bad counts for a memory estimate");
        }
    }

    /**
     * Candidates in one customer's table: 45% of every model's lists, as they overlap (a re-ranker fit's rows per
     * customer, its bought items and a fifth of the others, give about 250 of 550 at 11 models and 50 candidates:
     * 54.6 rows a customer on the UCI data, 50.7 on the 50,000-item shop).
     */
    long tableCandidates() {
        return Math.min(items, (long) models * candidates * 9 / 20);
    }

    private long features() {
        return 2L * models + HISTORY_FEATURES;
    }

    private long runBytes(long customersScored) {
        return customersScored * models * (RUN_FIXED + 8L * candidates);
    }

    private long tableBytes(long customersTabled) {
        return customersTabled * (3 * 16 + tableCandidates() * (TABLE_ROW_FIXED + 4L * models));
    }

    private long featureBytes(long customersFeatured) {
        return customersFeatured * (16 + tableCandidates() * 4 * features());
    }

    /**
     * Customers each of the re-ranker's three fits learns from, largest first: the final fit every customer of both
     * windows, each fold fit half of them (customers by number parity), each at most {@code maxQueries}. Every window
     * customer is counted, although the fits learn only from those with a bought candidate (on the 10,000-item shop
     * 9,452 of 17,370 in evaluate, 14,883 of 25,651 in train; 483 of 533 on the sample): which ones is known only after
     * the models' runs, and an estimate may not fall short.
     */
    long[] fitQueries() {
        long windows = validation + season;
        long half = (windows + 1) / 2;
        return new long[] {Math.min(maxQueries, windows), Math.min(maxQueries, half), Math.min(maxQueries, half)};
    }

    /** A fit's rows per customer: its bought candidates and a sampled fifth of the others. */
    private long rowsPerQuery() {
        return POSITIVES + (long) (NEGATIVE_RATE * tableCandidates());
    }

    /**
     * The re-ranker's fits at their peak: {@code threads} of them run side by side (the largest first), each row then
     * widened to doubles with Smile's copies ({@link #FIT_ROW_BEYOND_FEATURES}); the others wait as their gathered
     * float rows.
     */
    long fittingBytes() {
        long[] queries = fitQueries();
        int running = Math.min(queries.length, threads);
        long bytes = 0;
        for (int i = 0; i < queries.length; i++) {
            bytes += queries[i] * rowsPerQuery() * (i < running ? fitRow() : gatheredRow());
        }
        return bytes;
    }

    /**
     * The re-ranker's rows being gathered: every fit's float rows and one block's candidate tables and features. The
     * block is gone before the fits start (the old estimate added both, and three fits of {@code maxQueries}).
     */
    long gatheringBytes() {
        long rows = 0;
        for (long q : fitQueries()) {
            rows += q * rowsPerQuery();
        }
        long block = Math.min(customersPerBlock, validation + season);
        return rows * gatheredRow() + tableBytes(block) + featureBytes(block);
    }

    private long gatheredRow() {
        return 16 + 4 * features() + 4;
    }

    private long fitRow() {
        return 16 + 20 * features() + FIT_ROW_BEYOND_FEATURES;
    }

    /**
     * The bytes the tuning holds at its peak: every model's runs over both windows and the blend's table (the blend's
     * weight search runs beside the re-ranker) and the largest of a model being fitted (for the season window, the
     * blend's table already made), the re-ranker's gathering and its fitting.
     */
    long tuningBytes() {
        return runBytes(validation + season) + tableBytes(validation)
                + Math.max(modelBytes(), Math.max(gatheringBytes(), fittingBytes()));
    }

    /** The models fitted on all the data of a phase, for {@code customers}: an upper bound on any one of them. */
    private long modelBytes() {
        return customers * MODELS_PER_CUSTOMER + items * MODELS_PER_ITEM + EASE;
    }

    /**
     * The refitted models once fitted, held together while serving makes the re-ranker's features: as
     * {@link #modelBytes} but EASE's weights as floats ({@link #EASE_HELD}), its fit's doubles gone.
     */
    private long modelsHeld() {
        return customers * MODELS_PER_CUSTOMER + items * MODELS_PER_ITEM + EASE_HELD;
    }

    /**
     * The bytes serving holds at its peak (0 for evaluate): every list so far and the larger of a model being fitted
     * and the fitted models with one block's runs, table and features. (Until the thirty-first session the fit's
     * peak and the block were added: 300 MiB for the sample, whose train ran in 200 MiB.)
     */
    long servingBytes() {
        if (tested > 0) {
            return 0;
        }
        long block = Math.min(customersPerBlock, customers);
        return customers * topN * LIST_ITEM + Math.max(modelBytes(),
                modelsHeld() + runBytes(block) + tableBytes(block) + featureBytes(block));
    }

    /**
     * The bytes evaluate's test holds at its peak (0 for train): the validation runs the tuning keeps, every model's
     * runs and the blend's table over the test customers, what the report keeps of every measured list, a model
     * being fitted and the re-ranker's block.
     */
    long testingBytes() {
        if (tested == 0) {
            return 0;
        }
        long block = Math.min(customersPerBlock, tested);
        return runBytes(validation + tested) + tableBytes(tested)
                + tested * (models + MEASURED_BEYOND_MODELS) * RANKED + modelBytes() + tableBytes(block)
                + featureBytes(block);
    }

    /** The heap the step needs: what the run held before it, plus the largest phase, with {@link #HEADROOM}. */
    long bytes() {
        return (long) ((before + Math.max(tuningBytes(), Math.max(servingBytes(), testingBytes()))) * HEADROOM);
    }

    /** What the line calls the step. */
    private String step() {
        return tested > 0 ? "evaluate" : "the recommender step";
    }

    /** The customers the last phase covers, as the lines say them. */
    private String lastPhase() {
        return String.format(Locale.ROOT, tested > 0 ? "%,d test customers" : "%,d customers served",
                tested > 0 ? tested : customers);
    }

    /** The progress line, with a warning when the estimate comes within a fifth of the heap. */
    String describe(long maxHeap) {
        String line = String.format(Locale.ROOT, "memory: %s needs about %,d MiB of heap (%,d MiB in use before "
                        + "it; %,d validation and %,d season-window customers, %s, %,d items, %d models); the JVM may "
                        + "use %,d MiB", step(), mib(bytes()), mib(before), validation, season, lastPhase(), items,
                models, mib(maxHeap));
        if (bytes() <= maxHeap * 0.8) {
            return line;
        }
        String more = "-Xmx" + (gib(Math.max(bytes(), maxHeap)) + 1) + "g";
        return line + "\nmemory: WARNING: that is close to the heap the JVM may use; if it runs out, give it "
                + "AFFINITY_JAVA_OPTS=" + more;
    }

    /**
     * The one-line reason to stop, when the estimate exceeds {@code maxHeap} (null when it fits): the heap to give
     * and the other way out.
     */
    String tooLarge(long maxHeap) {
        if (bytes() <= maxHeap) {
            return null;
        }
        // train can drop the whole step; evaluate only the second tuning window, when there is one
        String otherWay = tested == 0 ? ", or train with --recommender rules"
                : season > 0 ? ", or evaluate with --no-season-window" : "";
        return String.format(Locale.ROOT, "the heap is too small for %s: it needs about %,d MiB (%,d MiB in use "
                        + "before it; %,d validation and %,d season-window customers, %s, %,d items) and the JVM may "
                        + "use %,d MiB; give it AFFINITY_JAVA_OPTS=%s%s (README, \"Large catalogues\")", step(),
                mib(bytes()), mib(before), validation, season, lastPhase(), items, mib(maxHeap), suggestedHeap(),
                otherWay);
    }

    /** The estimate rounded up to whole GiB, as a JVM option. */
    String suggestedHeap() {
        return "-Xmx" + gib(bytes()) + "g";
    }

    /** Heap in use by live objects now: after a collection, so garbage does not count. */
    static long liveHeap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /**
     * Says what the step will need and stops, before its long work, when that exceeds the heap the JVM may use: a
     * large shop's run otherwise ran out of memory after 17 minutes.
     *
     * @throws IllegalArgumentException with {@link #tooLarge} when it does not fit
     */
    void check(long maxHeap, java.util.function.Consumer<String> progress) {
        String tooLarge = tooLarge(maxHeap);
        if (tooLarge != null) {
            throw new IllegalArgumentException(tooLarge);
        }
        describe(maxHeap).lines().forEach(progress);
    }

    /** Whole GiB, rounded up. */
    private static long gib(long bytes) {
        return (bytes >> 30) + ((bytes & ((1L << 30) - 1)) != 0 ? 1 : 0);
    }

    private static long mib(long bytes) {
        return (bytes >> 20) + ((bytes & ((1 << 20) - 1)) != 0 ? 1 : 0); // rounded up, without overflow
    }
}
