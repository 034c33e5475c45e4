package io.affinity.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command that published a version, as typed: recorded in the manifest's {@value #SECTION} section so that an
 * auditor can run it again ({@code models show --command}) instead of piecing it together from parameters, which
 * leave out what was a default in that release. With the recorded software version and the inputs' SHA-256 it pins
 * the run; the arguments are those given (paths as typed), so the directory they were typed in is recorded too.
 *
 * @param verb             {@code train} or {@code spark-train}
 * @param arguments        the verb's arguments in order, as given
 * @param workingDirectory the directory the command ran in (relative paths in the arguments start there)
 * @param launcher         the {@code affinity} launcher that started it (its absolute path, which the launcher passes
 *                         as the system property {@value #LAUNCHER_PROPERTY}), or null when not started by it
 */
public record Invocation(String verb, List<String> arguments, String workingDirectory, String launcher) {
    /** The system property the launcher sets to its own path. */
    public static final String LAUNCHER_PROPERTY = "affinity.launcher";
    /** The manifest section that holds it. */
    public static final String SECTION = "invocation";
    /** Characters no POSIX shell splits on or expands: such an argument is written as it is. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

    public Invocation {
        if (verb == null || verb.isBlank()) {
            throw new IllegalArgumentException("an invocation needs its verb");
        }
        if (workingDirectory == null || workingDirectory.isBlank()) {
            throw new IllegalArgumentException("an invocation needs the directory it ran in");
        }
        arguments = arguments == null ? List.of() : List.copyOf(arguments);
        launcher = launcher == null || launcher.isBlank() ? null : launcher;
    }

    /** Not started by the launcher (a test, {@code java -jar}, {@code spark-submit}). */
    public Invocation(String verb, List<String> arguments, String workingDirectory) {
        this(verb, arguments, workingDirectory, null);
    }

    /** This process's: {@code arguments} as given, run in the JVM's working directory, by the launcher if it was. */
    public static Invocation current(String verb, List<String> arguments) {
        return new Invocation(verb, arguments, Path.of("").toAbsolutePath().toString(),
                System.getProperty(LAUNCHER_PROPERTY));
    }

    /** The invocation a manifest section records; empty for a version published before they were recorded. */
    public static Optional<Invocation> of(JsonNode section) {
        if (section == null || section.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.treeToValue(section, Invocation.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("manifest section " + SECTION + " is not an invocation: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * A POSIX shell line that runs it again: {@code cd DIR && LAUNCHER VERB ARGS} (the launcher that ran it, or
     * {@code affinity} when unknown), each word quoted where a shell would split or expand it.
     */
    public String commandLine() {
        return Stream.concat(Stream.of("cd", quoted(workingDirectory), "&&",
                        launcher == null ? "affinity" : quoted(launcher), verb),
                arguments.stream().map(Invocation::quoted)).collect(Collectors.joining(" "));
    }

    private static String quoted(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
