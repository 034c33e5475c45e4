package io.affinity.spark;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.affinity.training.ingest.ColumnMapping;
import io.affinity.training.ingest.Currencies;
import io.affinity.training.ingest.ExportReader;
import io.affinity.training.ingest.IngestException;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.IngestReport;
import io.affinity.training.ingest.RejectReason;
import io.affinity.training.ingest.ReturnNetting;
import io.affinity.training.ingest.ScannedRow;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Loads transaction exports on Spark with exactly the single-machine loader's rules
 * ({@link io.affinity.training.ingest.TransactionLoader} documents them): every row is accepted or counted under
 * one reject reason, with the same samples ({@code file:line}, the first ones in file and line order), the same
 * report and the same error budget. Each file is read whole by one task with the same {@link ExportReader}
 * (gzip cannot be split), a task reading several when there are more files than cores (exports come as many
 * daily or monthly files); the checks that need other rows (an order's first file and its customer, duplicate
 * lines) run as joins and window functions over all rows.
 *
 * <p>Paths are Hadoop paths ({@code hdfs://}, {@code s3a://}, {@code file:}, or local names), read by the
 * executors; labels in messages and samples are the paths as given, or for a glob or a directory the files' full
 * paths.
 */
public final class SparkIngest {
    private static final String REASON = "reason";
    private static final String DETAIL = "detail";
    private static final String PLACEHOLDER = "placeholder";
    private static final String TIME_OFFSET = "time_offset";
    private static final String HASH = "hash";
    private static final String LATER = "later";
    private static final String REGISTERS = "registers";
    private static final String CURRENCY = "currency";
    /** The reason of a row that stands for a file its task could not read (its detail: the loader's message). */
    private static final int READ_FAILED = -1;

    /** What a task emits per row: the scanned row with its file number; reasons as {@link RejectReason} ordinals. */
    private static final StructType SCANNED = new StructType()
            .add(AcceptedLines.FILE, DataTypes.IntegerType, false)
            .add(AcceptedLines.LINE, DataTypes.LongType, false)
            .add(REASON, DataTypes.IntegerType, true)
            .add(DETAIL, DataTypes.StringType, true)
            .add(REGISTERS, DataTypes.BooleanType, false)
            .add(AcceptedLines.ORDER, DataTypes.StringType, false)
            .add(AcceptedLines.ITEM, DataTypes.StringType, true)
            .add(AcceptedLines.CUSTOMER, DataTypes.StringType, true)
            .add(PLACEHOLDER, DataTypes.BooleanType, false)
            .add(AcceptedLines.QUANTITY, DataTypes.DoubleType, false)
            .add(AcceptedLines.PRICE, DataTypes.DoubleType, false)
            .add(AcceptedLines.TIME, DataTypes.LongType, false)
            .add(TIME_OFFSET, DataTypes.BooleanType, false)
            .add(AcceptedLines.COUNTRY, DataTypes.StringType, false)
            .add(AcceptedLines.DESCRIPTION, DataTypes.StringType, true)
            .add(AcceptedLines.CATEGORY, DataTypes.StringType, true)
            .add(HASH, DataTypes.LongType, false)
            .add(LATER, DataTypes.IntegerType, true)
            .add(CURRENCY, DataTypes.StringType, true);

    /**
     * @param accepted     the accepted lines ({@link AcceptedLines#SCHEMA_WITH_KEPT}: with what their customers
     *                     kept, net of returns), persisted; the caller unpersists
     * @param report       the same report the single-machine loader gives for the same files
     * @param sequenceOnly the exports order by sequence number, not timestamps
     */
    /**
     * @param files every file read (globs and directories expanded), qualified as the executors opened them, in load
     *              order: what the manifest pins by size and SHA-256
     */
    public record Result(Dataset<Row> accepted, IngestReport report, boolean sequenceOnly, List<String> files) {
        public Result {
            Objects.requireNonNull(accepted, "accepted");
            Objects.requireNonNull(report, "report");
            files = List.copyOf(files);
        }
    }

    private SparkIngest() {
    }

    /**
     * Loads {@code files} in order (which matters for duplicates across files).
     *
     * @throws IngestException as the single-machine loader: a missing or doubled file, a header that fits no
     *                         mapping, broken CSV, undecodable bytes, a truncated gzip file, or malformed rows over
     *                         the error budget
     */
    public static Result load(SparkSession spark, List<String> inputs, IngestOptions options, Charset encoding)
            throws IOException, IngestException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(encoding, "encoding");
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("no files to load");
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Plan plan = plan(inputs, options, encoding, hadoop, jsc.defaultParallelism(),
                spark.sparkContext().getConf().getSizeAsBytes("spark.files.maxPartitionBytes", "128m"));
        List<String> files = plan.files();
        List<ColumnMapping> mappings = plan.mappings();
        boolean sequenceOnly = mappings.get(0).sequenceOrdered();

        JavaRDD<Row> rows = read(jsc, plan.tasks(), options, encoding, hadoop);
        Dataset<Row> scanned = spark.createDataFrame(rows, SCANNED).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            checkRead(scanned);
            Dataset<Row> classified = classify(scanned).persist(StorageLevel.MEMORY_AND_DISK());
            IngestReport report;
            Dataset<Row> accepted;
            try {
                // Amounts that cannot be summed stop the job here, as train stops once the rows are read: not after
                // the returns' netting and the report's passes (several shuffles on a cluster). The count is the one
                // the report records, taken once; the stop's message is the same, without the report.
                Currencies currencies = Currencies.of(options, currencyRows(classified));
                if (currencies != null) {
                    currencies.check(null);
                }
                Dataset<Row> resolved = resolveOrders(classified.filter(col(REASON).isNull()));
                Dataset<Row> netted = netReturns(resolved, classified, options).persist(StorageLevel.MEMORY_AND_DISK());
                try {
                    accepted = resolved.join(netted.filter(col(KIND).equalTo(PURCHASE))
                                            .select(col(AcceptedLines.FILE), col(AcceptedLines.LINE),
                                                    col(NETTED_KEPT)),
                                    new String[]{AcceptedLines.FILE, AcceptedLines.LINE}, "left")
                            .withColumn(AcceptedLines.KEPT,
                                    coalesce(col(NETTED_KEPT), col(AcceptedLines.QUANTITY)))
                            .select(AcceptedLines.SCHEMA_WITH_KEPT.fieldNames()[0], restOfSchema())
                            .persist(StorageLevel.MEMORY_AND_DISK());
                    report = report(classified, accepted, files, mappings, options, returns(accepted, netted),
                            currencies);
                } finally {
                    netted.unpersist();
                }
            } finally {
                classified.unpersist();
            }
            try {
                report.checkUsable();
            } catch (IngestException e) {
                accepted.unpersist();
                throw e;
            }
            return new Result(accepted, report, sequenceOnly, plan.qualified());
        } finally {
            scanned.unpersist();
        }
    }

    /**
     * What the driver settles before any distributed work: the files (inputs with globs and directories expanded),
     * each file's mapping, and the read tasks for {@code cores} cores.
     */
    record Plan(List<String> files, List<String> qualified, List<ColumnMapping> mappings, List<ReadTask> tasks) {
    }

    /**
     * The load's {@link Plan}: at least {@value #READ_TASKS_PER_CORE} read tasks per core, and one per
     * {@code bytesPerTask} of input (Spark's {@code spark.files.maxPartitionBytes}, 128 MiB by default), so that a
     * big load is spread even when few executors are up yet (with dynamic allocation a job starts with few);
     * fails as {@link #load} does on a missing, doubled or unreadable file or a bad header.
     */
    static Plan plan(List<String> inputs, IngestOptions options, Charset encoding, Configuration hadoop, int cores,
                     long bytesPerTask) throws IOException, IngestException {
        List<String> files = expandInputs(inputs, hadoop);
        Headers headers = readHeaders(files, options, encoding, hadoop);
        long total = java.util.Arrays.stream(headers.sizes()).sum();
        long bySize = (total + bytesPerTask - 1) / Math.max(1, bytesPerTask);
        int slots = (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.max(READ_TASKS_PER_CORE * (long) cores,
                bySize)));
        return new Plan(files, headers.qualified(), headers.mappings(),
                readTasks(files, headers.qualified(), headers.sizes(), slots));
    }

    /** Read tasks per core of the application: a few, so that files of unequal size still keep every core busy. */
    private static final int READ_TASKS_PER_CORE = 3;

    /**
     * Every file's rows, scanned by {@link ReadFiles} tasks that each read whole files (gzip cannot be split),
     * the files spread over them by size ({@link #plan}). One RDD, not a
     * union of one per file: a thousand daily files made a thousand tasks per stage of the load and a lineage a
     * thousand unions deep that every task carried, and the load took 14 times as long as for the same rows in
     * one file.
     */
    private static JavaRDD<Row> read(JavaSparkContext jsc, List<ReadTask> tasks, IngestOptions options, Charset encoding,
                             Configuration hadoop) {
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoop));
        // one element per slice: each task reads its files
        return jsc.parallelize(tasks, tasks.size()).flatMap(new ReadFiles(options, encoding.name(), conf));
    }

    /**
     * At most {@code slots} read tasks: each with its files' numbers, their labels (the paths as given, for messages
     * and samples) and their paths qualified on the driver (what the executors open).
     */
    private static List<ReadTask> readTasks(List<String> labels, List<String> qualified, long[] sizes, int slots) {
        List<ReadTask> tasks = new ArrayList<>();
        for (int[] bin : readTasks(sizes, slots)) {
            String[] taskLabels = new String[bin.length];
            String[] paths = new String[bin.length];
            for (int k = 0; k < bin.length; k++) {
                taskLabels[k] = labels.get(bin[k]);
                paths[k] = qualified.get(bin[k]);
            }
            tasks.add(new ReadTask(bin, taskLabels, paths));
        }
        return tasks;
    }

    /**
     * Files (by number) spread over at most {@code slots} tasks by size, the largest first to the least loaded
     * (ties to the lower task), each task's files in load order. Deterministic: the same files give the same tasks.
     */
    static List<int[]> readTasks(long[] sizes, int slots) {
        int n = Math.min(sizes.length, slots);
        Integer[] bySize = new Integer[sizes.length];
        for (int f = 0; f < sizes.length; f++) {
            bySize[f] = f;
        }
        java.util.Arrays.sort(bySize, java.util.Comparator.<Integer>comparingLong(f -> sizes[f]).reversed()
                .thenComparingInt(f -> f));
        long[] load = new long[n];
        List<List<Integer>> bins = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            bins.add(new ArrayList<>());
        }
        for (int f : bySize) {
            int least = 0;
            for (int b = 1; b < n; b++) {
                if (load[b] < load[least]) {
                    least = b;
                }
            }
            bins.get(least).add(f);
            load[least] += Math.max(1, sizes[f]); // an empty file still costs an open
        }
        List<int[]> out = new ArrayList<>(n);
        for (List<Integer> bin : bins) {
            out.add(bin.stream().mapToInt(Integer::intValue).sorted().toArray());
        }
        return out;
    }

    /**
     * Fails as the single-machine loader does when a file could not be read (broken CSV, undecodable bytes, a
     * truncated gzip file): the failure of the first such file in load order. Tasks do not throw for a bad file,
     * they hand its failure on as a row ({@link ReadFiles}): an exception would be retried by Spark (the same file
     * read again, up to spark.task.maxFailures times, each with a stack trace in the log), and the first task to
     * fail would decide which of several bad files the message names.
     */
    private static void checkRead(Dataset<Row> scanned) throws IngestException {
        List<Row> failed = scanned.filter(col(REASON).equalTo(READ_FAILED)).select(col(AcceptedLines.FILE),
                col(DETAIL)).orderBy(col(AcceptedLines.FILE)).limit(1).collectAsList();
        if (!failed.isEmpty()) {
            throw new IngestException(failed.get(0).getString(1));
        }
    }

    /**
     * Each input as given; a Hadoop glob ({@code hdfs:///exports/2011-*.csv.gz}: a cluster's exports are many
     * files) as the files it matches, and a directory as the files in it, both in name order, which is date order
     * for dated names, and both without hidden files (names starting with '_' or '.', as Spark's own readers skip
     * them: {@code _SUCCESS} markers, {@code .crc} checksums). A pattern or directory that yields no file fails,
     * and so does a directory holding a directory: a typo or another layout must not train on part of the data.
     */
    private static List<String> expandInputs(List<String> inputs, Configuration hadoop) throws IOException, IngestException {
        List<String> files = new ArrayList<>();
        for (String input : inputs) {
            Objects.requireNonNull(input, "file");
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(hadoop);
            List<String> found = new ArrayList<>();
            if (isPattern(input)) {
                FileStatus[] matched = fs.globStatus(path);
                for (FileStatus status : matched == null ? new FileStatus[0] : matched) {
                    if (status.isFile() && !hidden(status.getPath())) {
                        found.add(status.getPath().toString());
                    }
                }
                if (found.isEmpty()) {
                    throw new IngestException("input pattern " + input + " matches no file");
                }
            } else if (isDirectory(fs, path)) {
                for (FileStatus status : fs.listStatus(path)) {
                    if (hidden(status.getPath())) {
                        continue;
                    }
                    if (!status.isFile()) {
                        throw new IngestException("input directory " + input + " holds the directory "
                                + status.getPath().getName() + ": give its files, or a pattern such as '"
                                + new Path(path, "*/*.csv.gz") + "' (quoted), for the files at both levels");
                    }
                    found.add(status.getPath().toString());
                }
                if (found.isEmpty()) {
                    throw new IngestException("input directory " + input + " holds no file");
                }
            } else {
                files.add(input); // missing or unreadable: readHeaders says so
                continue;
            }
            found.sort(null);
            files.addAll(found);
        }
        return files;
    }

    private static boolean isDirectory(FileSystem fs, Path path) throws IOException {
        try {
            return fs.getFileStatus(path).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** Spark's rule for files a directory listing skips: metadata such as {@code _SUCCESS} and {@code .crc} files. */
    private static boolean hidden(Path path) {
        String name = path.getName();
        return name.startsWith("_") || name.startsWith(".");
    }

    private static boolean isPattern(String input) {
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    /**
     * Each file's mapping, its size in bytes (which spreads the files over read tasks) and its path qualified on the
     * driver: a relative local name means the driver's working directory, which an executor's is not.
     */
    private record Headers(List<ColumnMapping> mappings, long[] sizes, List<String> qualified) {
    }

    /**
     * Fails before any distributed work on a missing, doubled or unreadable file, a bad header, or sequence-ordered
     * and timestamped exports mixed, with the single machine's messages; returns each file's mapping.
     */
    private static Headers readHeaders(List<String> files, IngestOptions options, Charset encoding,
                                       Configuration hadoop) throws IOException, IngestException {
        Set<Path> seen = new HashSet<>();
        List<ColumnMapping> mappings = new ArrayList<>();
        List<String> qualified = new ArrayList<>();
        long[] sizes = new long[files.size()];
        ExportReader.TimeLine timeLine = new ExportReader.TimeLine();
        for (int f = 0; f < files.size(); f++) {
            String file = files.get(f);
            Path path = new Path(file);
            FileSystem fs = path.getFileSystem(hadoop);
            FileStatus status;
            try {
                status = fs.getFileStatus(path);
            } catch (FileNotFoundException e) {
                throw new IngestException("input file " + file + " does not exist");
            }
            Path full = fs.makeQualified(path);
            qualified.add(full.toString());
            if (!seen.add(full)) {
                throw new IngestException("input file " + file + " is given twice; each export may be loaded once "
                        + "(its rows would count twice)");
            }
            sizes[f] = status.getLen();
            ColumnMapping m = ExportReader.mapping(fs.open(path), file, options, encoding);
            timeLine.add(file, m);
            mappings.add(m);
        }
        return new Headers(mappings, sizes, qualified);
    }

    /** Adds the final reject reason (null: accepted) by the loader's order of checks. */
    private static Dataset<Row> classify(Dataset<Row> scanned) {
        // the first file an order number was seen in, by any row not malformed by column count or blanks
        Dataset<Row> firstFile = scanned.filter(col(REGISTERS))
                .groupBy(col(AcceptedLines.ORDER).as("ff_order")).agg(min(AcceptedLines.FILE).as("first_file"));
        // the customer of the order's first well-formed row that names one
        Dataset<Row> owner = scanned.filter(col(REASON).isNull().and(col(AcceptedLines.CUSTOMER).isNotNull()))
                .groupBy(col(AcceptedLines.ORDER).as("owned_order"))
                .agg(min(struct(col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.CUSTOMER)))
                        .getField(AcceptedLines.CUSTOMER).as("owner"));
        Column wellFormed = col(REASON).isNull();
        Dataset<Row> withOrder = scanned
                .join(firstFile, col(AcceptedLines.ORDER).equalTo(col("ff_order")).and(col(REGISTERS)), "left")
                .join(owner, col(AcceptedLines.ORDER).equalTo(col("owned_order")), "left")
                .withColumn(REASON, coalesce(col(REASON),
                        when(wellFormed.and(col(AcceptedLines.CUSTOMER).isNotNull())
                                        .and(col(AcceptedLines.CUSTOMER).notEqual(col("owner"))),
                                lit(RejectReason.ORDER_CUSTOMER_CONFLICT.ordinal())),
                        when(col(AcceptedLines.FILE).notEqual(col("first_file")),
                                lit(RejectReason.DUPLICATE_INVOICE_FROM_OTHER_FILE.ordinal()))));
        // exact duplicate lines within a file, among the rows that got this far: the first is kept
        Column copy = row_number().over(Window.partitionBy(col(AcceptedLines.FILE), col(HASH), col(REASON))
                .orderBy(col(AcceptedLines.LINE)));
        return withOrder
                .withColumn(REASON, coalesce(col(REASON),
                        when(copy.gt(1), lit(RejectReason.DUPLICATE_LINE.ordinal())), col(LATER)))
                .drop("ff_order", "first_file", "owned_order", "owner");
    }

    /**
     * Gives every accepted line its order's attributes: the earliest time of its accepted lines (whatever their
     * order in the file, as the single machine's loader), the country of the order's first accepted line, the
     * customer of its first accepted line that names one (a blank cell in an identified order is a missing value).
     */
    private static Dataset<Row> resolveOrders(Dataset<Row> acceptedRows) {
        Dataset<Row> orders = acceptedRows.groupBy(col(AcceptedLines.ORDER).as("resolved_order")).agg(
                min(struct(col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.COUNTRY)))
                        .as("first"),
                min(col(AcceptedLines.TIME)).as("placed"),
                min(when(col(AcceptedLines.CUSTOMER).isNotNull(), struct(col(AcceptedLines.FILE),
                        col(AcceptedLines.LINE), col(AcceptedLines.CUSTOMER)))).as("named"));
        return acceptedRows.drop(AcceptedLines.CUSTOMER, AcceptedLines.TIME, AcceptedLines.COUNTRY)
                .join(orders, col(AcceptedLines.ORDER).equalTo(col("resolved_order")))
                // Accepted rows always have an item, a time and a country; coalesce() only lets Spark know that,
                // so the result carries AcceptedLines.SCHEMA's non-null columns.
                .select(col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.ORDER),
                        coalesce(col(AcceptedLines.ITEM), lit("")).as(AcceptedLines.ITEM),
                        col("named").getField(AcceptedLines.CUSTOMER).as(AcceptedLines.CUSTOMER),
                        col(AcceptedLines.QUANTITY), col(AcceptedLines.PRICE),
                        coalesce(col("placed"), lit(0L)).as(AcceptedLines.TIME),
                        coalesce(col("first").getField(AcceptedLines.COUNTRY), lit("")).as(AcceptedLines.COUNTRY),
                        col(AcceptedLines.DESCRIPTION), col(AcceptedLines.CATEGORY));
    }

    private static String[] restOfSchema() {
        String[] names = AcceptedLines.SCHEMA_WITH_KEPT.fieldNames();
        return java.util.Arrays.copyOfRange(names, 1, names.length);
    }

    private static final String KIND = "kind";
    private static final int PURCHASE = 0;
    private static final int RETURN = 1;
    private static final String NETTED_KEPT = "netted_kept";
    private static final String MATCHED = "matched";

    /** The netting's output: per purchase line its kept quantity, per return whether it matched anything. */
    private static final StructType NETTED = new StructType()
            .add(KIND, DataTypes.IntegerType, false)
            .add(AcceptedLines.FILE, DataTypes.IntegerType, false)
            .add(AcceptedLines.LINE, DataTypes.LongType, false)
            .add(NETTED_KEPT, DataTypes.DoubleType, false)
            .add(MATCHED, DataTypes.BooleanType, false);

    /**
     * The single-machine loader's netting ({@link ReturnNetting}): the cancellation rows that are a customer's
     * return of a product, grouped with that customer's accepted lines of the item (their order's customer and
     * time) and netted in load order (file, line) as there. One row per return, and one per purchase line of a
     * customer and item that had returns.
     */
    private static Dataset<Row> netReturns(Dataset<Row> resolved, Dataset<Row> classified, IngestOptions options) {
        Dataset<Row> returns = classified
                .filter(col(REASON).equalTo(RejectReason.CANCELLATION.ordinal()))
                .filter((FilterFunction<Row>) r -> ReturnNetting.isReturn(r.getAs(AcceptedLines.CUSTOMER),
                        r.getAs(AcceptedLines.ITEM), r.<Double>getAs(AcceptedLines.QUANTITY),
                        r.<Double>getAs(AcceptedLines.PRICE), options))
                .select(lit(RETURN).as(KIND), col(AcceptedLines.CUSTOMER), col(AcceptedLines.ITEM),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.TIME),
                        abs(col(AcceptedLines.QUANTITY)).as(AcceptedLines.QUANTITY));
        Dataset<Row> purchases = resolved.filter(col(AcceptedLines.CUSTOMER).isNotNull())
                .join(returns.select(col(AcceptedLines.CUSTOMER), col(AcceptedLines.ITEM)).distinct(),
                        new String[]{AcceptedLines.CUSTOMER, AcceptedLines.ITEM}, "left_semi")
                .select(lit(PURCHASE).as(KIND), col(AcceptedLines.CUSTOMER), col(AcceptedLines.ITEM),
                        col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(AcceptedLines.TIME),
                        col(AcceptedLines.QUANTITY));
        JavaRDD<Row> netted = purchases.union(returns).javaRDD()
                .groupBy(r -> r.getString(1) + '\u0000' + r.getString(2))
                .flatMap(group -> {
                    List<Row> ps = new ArrayList<>();
                    List<Row> rs = new ArrayList<>();
                    for (Row r : group._2()) {
                        (r.getInt(0) == PURCHASE ? ps : rs).add(r);
                    }
                    java.util.Comparator<Row> loadOrder = java.util.Comparator.<Row>comparingInt(r -> r.getInt(3))
                            .thenComparingLong(r -> r.getLong(4));
                    ps.sort(loadOrder);
                    rs.sort(loadOrder);
                    long[] pTime = new long[ps.size()];
                    double[] kept = new double[ps.size()];
                    for (int k = 0; k < pTime.length; k++) {
                        pTime[k] = ps.get(k).getLong(5);
                        kept[k] = ps.get(k).getDouble(6);
                    }
                    long[] rTime = new long[rs.size()];
                    double[] rQty = new double[rs.size()];
                    for (int k = 0; k < rTime.length; k++) {
                        rTime[k] = rs.get(k).getLong(5);
                        rQty[k] = rs.get(k).getDouble(6);
                    }
                    double[] matched = ReturnNetting.net(pTime, kept, rTime, rQty);
                    List<Row> out = new ArrayList<>(pTime.length + rTime.length);
                    for (int k = 0; k < pTime.length; k++) {
                        out.add(RowFactory.create(PURCHASE, ps.get(k).getInt(3), ps.get(k).getLong(4), kept[k],
                                false));
                    }
                    for (int k = 0; k < rTime.length; k++) {
                        out.add(RowFactory.create(RETURN, rs.get(k).getInt(3), rs.get(k).getLong(4), 0.0,
                                matched[k] > 0));
                    }
                    return out.iterator();
                });
        return resolved.sparkSession().createDataFrame(netted, NETTED);
    }

    /** The report's returns section from the netting and the accepted lines with their kept quantities. */
    private static IngestReport.Returns returns(Dataset<Row> accepted, Dataset<Row> netted) {
        Row r = netted.filter(col(KIND).equalTo(RETURN))
                .agg(sum(when(col(MATCHED), 1L).otherwise(0L)), sum(when(col(MATCHED), 0L).otherwise(1L)))
                .first();
        Dataset<Row> gone = accepted.groupBy(col(AcceptedLines.ORDER)).agg(
                sum(when(col(AcceptedLines.KEPT).equalTo(0.0), 1L).otherwise(0L)).as("gone"),
                count(lit(1)).as("n"));
        Row lines = gone.agg(sum(col("gone")), sum(when(col("gone").equalTo(col("n")), 1L).otherwise(0L))).first();
        return new IngestReport.Returns(orZero(r, 0), orZero(r, 1), orZero(lines, 0), orZero(lines, 1));
    }

    /** Rows per currency code of the exports' currency column: every row whose currency was read. */
    private static Map<String, Long> currencyRows(Dataset<Row> classified) {
        Map<String, Long> currencyRows = new LinkedHashMap<>();
        for (Row r : classified.filter(col(CURRENCY).isNotNull()).groupBy(col(CURRENCY)).count().collectAsList()) {
            currencyRows.put(r.getString(0), r.getLong(1));
        }
        return currencyRows;
    }

    private static IngestReport report(Dataset<Row> classified, Dataset<Row> accepted, List<String> files,
                                       List<ColumnMapping> mappings, IngestOptions options,
                                       IngestReport.Returns returns, Currencies currencies) {
        long[][] perFile = new long[files.size()][RejectReason.values().length + 1]; // last: accepted
        long placeholders = 0; // accepted rows whose customer cell was a placeholder: the row's own fact
        long timeOffsets = 0; // rows read whose timestamp carried a UTC offset, whatever happened to them
        for (Row r : classified.groupBy(col(AcceptedLines.FILE), col(REASON))
                .agg(count(lit(1)).as("n"), sum(when(col(PLACEHOLDER), 1L).otherwise(0L)).as("placeholders"),
                        sum(when(col(TIME_OFFSET), 1L).otherwise(0L)).as("offsets"))
                .collectAsList()) {
            int reason = r.isNullAt(1) ? RejectReason.values().length : r.getInt(1);
            perFile[r.getInt(0)][reason] = r.getLong(2);
            if (r.isNullAt(1)) {
                placeholders += r.getLong(3);
            }
            timeOffsets += r.getLong(4);
        }
        long rowsRead = 0;
        long rowsAccepted = 0;
        long[] rejectedCounts = new long[RejectReason.values().length];
        List<IngestReport.FileStats> fileStats = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            long read = 0;
            for (int k = 0; k < perFile[f].length; k++) {
                read += perFile[f][k];
                if (k < rejectedCounts.length) {
                    rejectedCounts[k] += perFile[f][k];
                }
            }
            long acc = perFile[f][RejectReason.values().length];
            rowsRead += read;
            rowsAccepted += acc;
            fileStats.add(new IngestReport.FileStats(files.get(f), mappings.get(f).name(), read, acc));
        }
        List<List<String>> samples = samples(classified, files, mappings, options.samplesPerReason());
        Map<String, IngestReport.Rejections> rejected = new LinkedHashMap<>();
        long malformed = 0;
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r.code(), new IngestReport.Rejections(rejectedCounts[r.ordinal()], samples.get(r.ordinal())));
            if (r.isMalformed()) {
                malformed += rejectedCounts[r.ordinal()];
            }
        }
        Row orders = accepted.agg(
                countDistinct(col(AcceptedLines.ORDER)),
                countDistinct(when(col(AcceptedLines.CUSTOMER).isNull(), col(AcceptedLines.ORDER))),
                sum(when(col(AcceptedLines.CUSTOMER).isNull(), 1).otherwise(0)),
                countDistinct(col(AcceptedLines.CUSTOMER)),
                countDistinct(col(AcceptedLines.ITEM))).first();
        long invoicesSeen = classified.filter(col(REGISTERS)).select(AcceptedLines.ORDER).distinct().count();
        return new IngestReport(fileStats, rowsRead, rowsAccepted, orZero(orders, 2), placeholders, rejected,
                invoicesSeen, orders.getLong(0), orders.getLong(1), orders.getLong(3), orders.getLong(4), malformed,
                options.errorBudget(), returns, new IngestReport.TimeOffsets(timeOffsets,
                        options.timeZone() == null ? null : options.timeZone().getId()),
                currencies);
    }
    /** Each reason's first samples in file and line order, worded as the single-machine loader words them. */
    private static List<List<String>> samples(Dataset<Row> classified, List<String> files,
                                              List<ColumnMapping> mappings, int perReason) {
        List<List<String>> samples = new ArrayList<>();
        for (int r = 0; r < RejectReason.values().length; r++) {
            samples.add(new ArrayList<>());
        }
        if (perReason == 0) {
            return samples;
        }
        List<Row> first = classified.filter(col(REASON).isNotNull())
                .withColumn("rank", row_number().over(Window.partitionBy(col(REASON))
                        .orderBy(col(AcceptedLines.FILE), col(AcceptedLines.LINE))))
                .filter(col("rank").leq(perReason))
                .select(col(REASON), col(AcceptedLines.FILE), col(AcceptedLines.LINE), col(DETAIL),
                        col(AcceptedLines.ORDER))
                .orderBy(col(REASON), col(AcceptedLines.FILE), col(AcceptedLines.LINE))
                .collectAsList();
        for (Row row : first) {
            RejectReason reason = RejectReason.values()[row.getInt(0)];
            int file = row.getInt(1);
            String detail = reason == RejectReason.ORDER_CUSTOMER_CONFLICT
                    ? ScannedRow.conflictDetail(mappings.get(file).order(), row.getString(4))
                    : row.isNullAt(3) ? null : row.getString(3);
            samples.get(reason.ordinal()).add(files.get(file) + ":" + row.getLong(2)
                    + (detail == null ? "" : " (" + detail + ")"));
        }
        return samples;
    }

    private static long orZero(Row row, int i) {
        return row.isNullAt(i) ? 0 : row.getLong(i);
    }

    /** Files one read task reads: their numbers in load order, labels and qualified paths. */
    record ReadTask(int[] files, String[] labels, String[] paths) implements java.io.Serializable {
    }

    /**
     * One read task: its files one after the other, each streamed row by row through the shared
     * {@link ExportReader}. A file that cannot be read as an export (the loader's {@link IngestException}) ends the
     * task's reading with one row of reason {@link #READ_FAILED} carrying the message (see {@link #checkRead});
     * other I/O failures are thrown, for Spark to retry the task.
     */
    private static final class ReadFiles implements FlatMapFunction<ReadTask, Row> {
        private static final long serialVersionUID = 1L;
        private final IngestOptions options;
        private final String encoding;
        private final Broadcast<SerializableConfiguration> hadoop;

        ReadFiles(IngestOptions options, String encoding, Broadcast<SerializableConfiguration> hadoop) {
            this.options = options;
            this.encoding = encoding;
            this.hadoop = hadoop;
        }

        @Override
        public Iterator<Row> call(ReadTask task) {
            return new Iterator<>() {
                private int k = -1;
                private ExportReader.Scan scan;
                private boolean failed;
                private Row next = advance();

                private Row advance() {
                    while (!failed) {
                        try {
                            if (scan == null) {
                                if (++k == task.files().length) {
                                    return null;
                                }
                                scan = open(task.labels()[k], task.paths()[k]);
                            }
                            ScannedRow r = scan.next();
                            if (r != null) {
                                return row(task.files()[k], r);
                            }
                            scan.close();
                            scan = null;
                        } catch (IngestException e) {
                            closeQuietly();
                            failed = true; // the job stops on it: the task's other files need not be read
                            return failure(task.files()[k], e.getMessage());
                        } catch (IOException e) {
                            closeQuietly();
                            throw new UncheckedIOException(e);
                        }
                    }
                    return null;
                }

                private ExportReader.Scan open(String label, String qualified) throws IOException, IngestException {
                    Path path = new Path(qualified);
                    java.io.InputStream in;
                    try {
                        in = path.getFileSystem(hadoop.value().value()).open(path);
                    } catch (FileNotFoundException e) { // deleted since the job started: no retry brings it back
                        throw new IngestException("input file " + label + " does not exist (any more)");
                    }
                    return ExportReader.scan(in, label, options, Charset.forName(encoding));
                }

                private void closeQuietly() {
                    try {
                        if (scan != null) {
                            scan.close();
                        }
                    } catch (IOException ignored) {
                        // the read already failed; that failure is the one to report
                    } finally {
                        scan = null;
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Row next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Row r = next;
                    next = advance();
                    return r;
                }
            };
        }

        private static Row row(int file, ScannedRow r) {
            return RowFactory.create(file, r.line(), r.malformed() == null ? null : r.malformed().ordinal(),
                    r.detail(), r.registersOrder(), r.order(), r.item(), r.customer(), r.placeholder(),
                    r.quantity(), r.price(), r.time(), r.timeOffset(), r.country(), r.description(), r.category(),
                    r.hash(), r.laterReason() == null ? null : r.laterReason().ordinal(), r.currency());
        }

        private static Row failure(int file, String message) {
            return RowFactory.create(file, -1L, READ_FAILED, message, false, "", null, null, false, 0.0, 0.0, 0L,
                    false, "", null, null, 0L, null, null);
        }
    }
}
