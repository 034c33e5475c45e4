package io.affinity.cli;

import io.affinity.store.Manifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code ./affinity} command line: one entry point for every verb. */
@Command(name = "affinity", mixinStandardHelpOptions = true, versionProvider = AffinityCli.Version.class,
        description = "Recommendations and market-basket analysis for retailers.",
        // spark-train is no subcommand here: the launcher runs it in its own JVM (Spark's JDK range and jar).
        footer = {"", "  spark-train  Training as a Spark job, run by the launcher in its own JVM:",
                "               ./affinity spark-train --help"},
        subcommands = {TrainCommand.class, ServeCommand.class, MineCommand.class, RulesCommand.class,
                EvaluateCommand.class, CompareCommand.class, CustomersCommand.class, ModelsCommand.class,
                ConsentCommand.class, CommandLine.HelpCommand.class})
public final class AffinityCli {
    /** Held strongly: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final class LuceneLog {
        // In a holder class so that mine, which does not use Lucene, never initialises java.util.logging.
        static final Logger LOG = Logger.getLogger("org.apache.lucene");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("mine")) {
            System.exit(mine(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                    Arrays.copyOfRange(args, 1, args.length)));
        }
        // Lucene logs its memory-mapping and vector-API choices through java.util.logging at start-up: facts for
        // its developers, noise on a user's terminal. Warnings that matter come through our own messages.
        LuceneLog.LOG.setLevel(Level.SEVERE);
        System.exit(run(args));
    }

    /**
     * {@code affinity mine ARGS} as main runs it. mine lasts about a second, of which start-up was half: it needs
     * neither Lucene's logging set-up nor the option models of the other verbs (which load the server's and the
     * models' classes), and plain command lines skip picocli altogether (see {@link MineArgs}).
     */
    static int mine(PrintWriter out, PrintWriter err, String... mineArgs) {
        MineCommand fast = MineArgs.parse(mineArgs);
        if (fast == null) {
            return runMine(out, err, mineArgs);
        }
        try {
            String problem = fast.problem();
            if (problem != null) {
                throw new UserFacingException(problem);
            }
            return fast.execute(out, err);
        } catch (RuntimeException e) {
            return report(e, "mine", err);
        } catch (OutOfMemoryError e) { // low supports on big files: the heap is free again once the stack unwound
            return outOfMemory(e, "mine", err);
        }
    }

    /**
     * {@code affinity mine ARGS} with only the mine command's model built: the same parsing, messages and exit
     * codes as through {@link #run}, without the start-up cost of the other verbs.
     */
    static int runMine(PrintWriter out, PrintWriter err, String... mineArgs) {
        CommandLine cli = new CommandLine(new MineCommand());
        cli.setCommandName("affinity mine");
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(AffinityCli::handle);
        badValuesAreBadInput(cli);
        try {
            return cli.execute(mineArgs);
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, "mine", err);
        }
    }

    /** Runs one command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs one command line with the given standard output and error (commands that use picocli's writers). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        // Chronicle Map reads this at class-load time; the launcher passes it too, but `java -jar` users may not.
        System.setProperty("chronicle.analytics.disable", "true");
        CommandLine cli = new CommandLine(new AffinityCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(AffinityCli::handle);
        badValuesAreBadInput(cli);
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) { // picocli hands on Errors; the heap is free again once the stack unwound
            return outOfMemory(e, args.length > 0 && !args[0].startsWith("-") ? "affinity " + args[0] : "affinity",
                    err);
        }
    }

    /**
     * A value that does not convert to its option's type ({@code --min-support abc}, {@code --encoding nope}) is bad
     * input like a value out of range: one line naming the option, exit 1. Picocli's usage and exit 2 stay for
     * what is wrong with the command line itself: an unknown, repeated or missing option or a missing value.
     */
    private static void badValuesAreBadInput(CommandLine cli) {
        // `--input a.csv --min-suport 0.1`: without this, picocli takes the misspelt option as another input file
        // (--input takes several), and the user reads "input file --min-suport does not exist".
        cli.setUnmatchedOptionsAllowedAsOptionParameters(false);
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> {
            String why = unconvertible(e);
            if (why == null) {
                return usage.handleParseException(e, args);
            }
            CommandLine cmd = e.getCommandLine();
            return report(new UserFacingException(why), cmd.getCommandSpec().qualifiedName(), cmd.getErr());
        });
    }

    /** What is wrong with the value when {@code e} is picocli failing to convert it, else null. */
    static String unconvertible(CommandLine.ParameterException e) {
        // Picocli throws the base class, with the option and the value, only when converting failed ("Invalid
        // value for option ..."); its subclasses are the command line's own mistakes.
        if (e.getClass() != CommandLine.ParameterException.class || e.getValue() == null
                || !(e.getArgSpec() instanceof CommandLine.Model.OptionSpec option)
                || e.getMessage() == null || !e.getMessage().startsWith("Invalid value for")) {
            return null;
        }
        Class<?> type = option.auxiliaryTypes().length > 0 ? option.auxiliaryTypes()[0] : option.type();
        String value = "'" + e.getValue() + "'";
        String why;
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            why = value + " is not a number";
        } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            why = value + (e.getValue().matches("[-+]?[0-9]+") ? " is out of range" : " is not a whole number");
        } else if (type == boolean.class || type == Boolean.class) {
            why = value + " is not true or false";
        } else if (Charset.class.isAssignableFrom(type)) {
            why = "unknown charset " + value + "; e.g. UTF-8, windows-1252, ISO-8859-1";
        } else {
            why = value + " is not valid" + (e.getCause() != null && e.getCause().getMessage() != null
                    ? " (" + e.getCause().getMessage() + ")" : "");
        }
        return option.longestName() + ": " + why;
    }

    /** Expected failures (bad input, corrupt snapshot) print one clear line; only bugs print a stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        // qualified: a subcommand's errors say "affinity models prune: error: ...", not "affinity prune"
        return report(e, cmd.getCommandSpec().qualifiedName(), cmd.getErr());
    }

    static int report(Exception e, String commandName, PrintWriter err) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError oom) { // a worker thread's, handed on wrapped
                return outOfMemory(oom, commandName, err);
            }
        }
        if (e instanceof UserFacingException || e instanceof IllegalArgumentException
                || e.getClass().getName().startsWith("io.affinity.") || e instanceof IOException
                || e instanceof UncheckedIOException) {
            String name = commandName;
            err.println((name.startsWith("affinity") ? name : "affinity " + name) + ": error: "
                    + ErrorMessages.describe(e));
            err.flush();
            return 1;
        }
        e.printStackTrace(err);
        return 2;
    }

    /**
     * One line, as for any other failure, saying how to give the JVM more heap: the stack trace of an
     * OutOfMemoryError says where the heap ran out, which is no help to whoever runs the command.
     */
    static int outOfMemory(OutOfMemoryError e, String commandName, PrintWriter err) {
        String name = commandName.startsWith("affinity") ? commandName : "affinity " + commandName;
        long maxMiB = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        err.println(name + ": error: out of memory (" + (e.getMessage() == null ? "heap exhausted" : e.getMessage())
                + "; the JVM may use at most " + maxMiB + " MiB): give it more, e.g. AFFINITY_JAVA_OPTS="
                + largerHeap(maxMiB) + " (README, \"Large catalogues\", says what a large shop needs)");
        err.flush();
        return 1;
    }

    /**
     * A heap worth trying after running out at {@code maxMiB}: twice it in whole GiB, at least 8 GiB. A fixed 8 GiB
     * was the advice before, which a run that had 6 GiB (the default on this machine) and needed 14 would have
     * followed into a second failure 17 minutes later.
     */
    static String largerHeap(long maxMiB) {
        long gib = Math.max(8, (2 * maxMiB + 1023) / 1024);
        return "-Xmx" + gib + "g";
    }

    /**
     * The arguments {@code spec}'s verb was given, as typed (after the verb's name): what a manifest records so that
     * the run can be repeated.
     */
    static java.util.List<String> verbArguments(CommandLine.Model.CommandSpec spec) {
        java.util.List<String> all = spec.commandLine().getParseResult().originalArgs();
        int verb = all.indexOf(spec.name());
        return java.util.List.copyOf(all.subList(verb + 1, all.size()));
    }

    /** An error whose message is all the user needs. */
    static final class UserFacingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserFacingException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // The version snapshots record in their manifests: the project's and the commit it was built from.
            return new String[] {"affinity " + Manifest.Software.current().affinityVersion() + " (Java "
                    + Runtime.version() + ")"};
        }
    }
}
