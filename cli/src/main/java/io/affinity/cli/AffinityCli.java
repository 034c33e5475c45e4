package io.affinity.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./affinity} command line: one entry point for every verb. */
@Command(name = "affinity", mixinStandardHelpOptions = true, versionProvider = AffinityCli.Version.class,
        description = "Recommendations and market-basket analysis for retailers.",
        subcommands = {TrainCommand.class, ServeCommand.class, MineCommand.class, RulesCommand.class,
                EvaluateCommand.class, CustomersCommand.class,
                CommandLine.HelpCommand.class})
public final class AffinityCli {
    /** Held strongly: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");

    public static void main(String[] args) {
        // Lucene logs its memory-mapping and vector-API choices through java.util.logging at start-up: facts for
        // its developers, noise on a user's terminal. Warnings that matter come through our own messages.
        LUCENE_LOG.setLevel(java.util.logging.Level.SEVERE);
        System.exit(run(args));
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
        return cli.execute(args);
    }

    /** Expected failures (bad input, corrupt snapshot) print one clear line; only bugs print a stack trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof UserFacingException || e instanceof IllegalArgumentException
                || e.getClass().getName().startsWith("io.affinity.") || e instanceof java.io.IOException) {
            err.println("affinity " + cmd.getCommandName() + ": error: " + e.getMessage());
            err.flush();
            return 1;
        }
        e.printStackTrace(err);
        return 2;
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
            String v = AffinityCli.class.getPackage().getImplementationVersion();
            return new String[] {"affinity " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
