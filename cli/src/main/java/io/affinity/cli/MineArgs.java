package io.affinity.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fast path for {@code affinity mine}'s plain command lines. Picocli builds its command model by reflection
 * over classes compiled for Java 5, which the JDK's class-data and AOT caches cannot hold, so for mine (a
 * one-second job) that cost a sizable part of the whole run. This parser accepts only the unremarkable case
 * (known options, each once, {@code --name value} or {@code --name=value}, plain numbers) and sets the same
 * fields picocli would; for anything else it returns null and picocli parses as usual, so help, version and
 * every error message stay picocli's. {@code MineArgsTest} and {@code MineArgsFuzzTest} check the two agree.
 */
final class MineArgs {
    private static final Pattern INTEGER = Pattern.compile("0|[1-9][0-9]{0,8}");
    private static final Pattern LONG = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,17})?([eE]-?[0-9]{1,2})?");

    private MineArgs() {
    }

    /** The options of {@code mine ARGS} (without the verb), or null when picocli should parse them. */
    static MineCommand parse(String[] args) {
        MineCommand c = new MineCommand();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0 && name.startsWith("--")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!seen.add(name)) {
                return null; // picocli reports the repetition
            }
            if (name.equals("--prune-redundant")) {
                if (value != null) {
                    return null;
                }
                c.pruneRedundant = true;
                continue;
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    return null;
                }
                value = args[++i];
            }
            if (value.isEmpty() || value.startsWith("-")) {
                return null; // picocli has its own rules for values that look like options
            }
            switch (name) {
                case "--input" -> c.input = Path.of(value);
                case "--format" -> c.format = value;
                case "--min-support" -> {
                    if (!DECIMAL.matcher(value).matches()) {
                        return null;
                    }
                    c.minSupport = Double.parseDouble(value);
                }
                case "--min-confidence" -> {
                    if (!DECIMAL.matcher(value).matches()) {
                        return null;
                    }
                    c.minConfidence = Double.parseDouble(value);
                }
                case "--min-lift" -> {
                    if (!DECIMAL.matcher(value).matches()) {
                        return null;
                    }
                    c.minLift = Double.parseDouble(value);
                }
                case "--max-length" -> {
                    if (!INTEGER.matcher(value).matches()) {
                        return null;
                    }
                    c.maxLength = Integer.parseInt(value);
                }
                case "--output" -> c.output = Path.of(value);
                case "--target" -> c.target = value;
                case "--threads" -> {
                    if (!INTEGER.matcher(value).matches()) {
                        return null;
                    }
                    c.threads = Integer.parseInt(value);
                }
                case "--max-itemsets" -> {
                    if (!LONG.matcher(value).matches()) {
                        return null;
                    }
                    c.maxItemsets = Long.parseLong(value);
                }
                case "--top-k" -> {
                    if (!INTEGER.matcher(value).matches()) {
                        return null;
                    }
                    c.topK = Integer.parseInt(value);
                }
                case "--sort" -> c.sort = value;
                case "--rules-output" -> c.rulesOutput = Path.of(value);
                case "--output-format" -> c.outputFormat = value;
                default -> {
                    return null; // help, version, unknown options, positional arguments
                }
            }
        }
        if (c.input == null || !seen.contains("--min-support")) {
            return null; // picocli names the missing required option
        }
        return c;
    }
}
