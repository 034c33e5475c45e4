package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of the Prometheus text exposition format (0.0.4) a scrape must follow, checked without a Prometheus
 * parser (none is a dependency): every line a comment or a sample, each family's HELP and TYPE once and before its
 * samples, a family's samples together, names and labels well formed, values numbers, no sample twice, counters
 * not negative, histogram buckets cumulative with {@code +Inf} equal to {@code _count}, and a final line break.
 */
final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) (" + NAME + ") (.*)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {
    }

    static void check(String text) {
        assertTrue(text.endsWith("\n"), "ends with a line break");
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> finished = new HashSet<>();
        Set<String> samples = new HashSet<>();
        Map<String, Double> lastBucket = new LinkedHashMap<>();
        Map<String, Double> infBucket = new HashMap<>();
        String family = null;
        for (String line : text.split("\n")) {
            Matcher c = COMMENT.matcher(line);
            if (c.matches()) {
                String name = c.group(2);
                if (!name.equals(family)) {
                    assertFalse(finished.contains(name), "family " + name + " split: " + line);
                    if (family != null) {
                        finished.add(family);
                    }
                    family = name;
                }
                if (c.group(1).equals("TYPE")) {
                    assertTrue(TYPES.contains(c.group(3)), line);
                    assertFalse(types.containsKey(name), "TYPE twice: " + line);
                    types.put(name, c.group(3));
                } else {
                    assertTrue(helped.add(name), "HELP twice: " + line);
                }
                continue;
            }
            assertFalse(line.startsWith("#"), "not a HELP or TYPE comment: " + line);
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                fail("not a sample line: " + line);
            }
            String name = m.group(1);
            String owner = owner(name, types);
            if (owner == null) {
                fail("sample before its family's TYPE: " + line);
            }
            assertEquals(family, owner, "sample outside its family's block: " + line);
            String labels = m.group(3) == null ? "" : m.group(3);
            Map<String, String> parsed = labels(labels, line);
            assertTrue(samples.add(name + "{" + labels + "}"), "sample twice: " + line);
            double value = value(m.group(4), line);
            String type = types.get(owner);
            if (type.equals("counter") || name.endsWith("_bucket") || name.endsWith("_count")) {
                assertTrue(value >= 0, "a count below zero: " + line);
            }
            if (type.equals("histogram") && name.equals(owner + "_bucket")) {
                String le = parsed.remove("le");
                assertNotNull(le, "bucket without le: " + line);
                String series = parsed.toString();
                Double previous = lastBucket.put(owner + series, value);
                assertTrue(previous == null || previous <= value, "buckets not cumulative: " + line);
                if (le.equals("+Inf")) {
                    infBucket.put(owner + series, value);
                } else {
                    value(le, line);
                }
            }
            if (type.equals("histogram") && name.equals(owner + "_count")) {
                assertEquals(infBucket.get(owner + parsed), value, "+Inf bucket differs from _count: " + line);
            }
        }
    }

    /** The family a sample belongs to: its own name, or a histogram's or summary's for its suffixed samples. */
    private static String owner(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static Map<String, String> labels(String labels, String line) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher l = LABEL.matcher(labels);
        int at = 0;
        while (at < labels.length()) {
            assertTrue(l.find(at) && l.start() == at, "malformed labels: " + line);
            assertFalse(out.containsKey(l.group(1)), "label twice: " + line);
            out.put(l.group(1), l.group(2));
            at = l.end();
        }
        return out;
    }

    private static double value(String text, String line) {
        if (text.equals("+Inf") || text.equals("-Inf") || text.equals("NaN")) {
            return text.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new AssertionError("not a number: '" + text + "' in " + line);
        }
    }

    /** The value of an unlabelled sample. */
    static long sample(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " not in the scrape:\n" + text);
    }
}
