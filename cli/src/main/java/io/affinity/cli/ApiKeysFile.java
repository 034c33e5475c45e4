package io.affinity.cli;

import io.affinity.api.AccessControl;
import io.affinity.api.ApiKey;
import io.affinity.api.ApiScope;
import io.affinity.api.RequestRate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code serve --api-keys-file}: one key per line, optionally followed by its scopes ({@code KEY recommendations},
 * {@code KEY profiles,consent}), by the client it belongs to ({@code KEY recommendations client=shop}, for the
 * metrics per client) and by the client's rate limit ({@code rate=50/s}); a key without scopes (the format before scopes existed) has every scope; {@code #} starts a
 * comment line. Messages name the file and line, never a key.
 */
final class ApiKeysFile {
    private static final Pattern CLIENT = Pattern.compile("(?:^|\\s)client=(\\S*)");
    private static final Pattern RATE = Pattern.compile("(?:^|\\s)rate=(\\S*)");

    private ApiKeysFile() {
    }

    /**
     * The keys the file's bytes list; fails with one line naming {@code FILE:LINE} and what is wrong there.
     *
     * @param bytes the file's content, read once by the caller (so the keys and what its {@link #follower} compares
     *              with are the same read)
     */
    static List<ApiKey> parse(Path file, byte[] bytes) {
        List<String> lines = FollowedFile.utf8(bytes, "API keys file", file).lines().toList();
        List<ApiKey> keys = new ArrayList<>();
        Map<String, Integer> lineOfKey = new HashMap<>();
        Map<String, Map.Entry<RequestRate, Integer>> rateOfClient = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] parts = line.split("\\s+", 2);
            String key = parts[0];
            String rest = parts.length == 1 ? "" : parts[1];
            Setting named = setting(CLIENT, "client", rest, where);
            String client = named.value() == null ? ApiKey.UNNAMED_CLIENT : clientName(named.value(), where);
            Setting limited = setting(RATE, "rate", named.rest(), where);
            RequestRate rate = limited.value() == null ? RequestRate.UNLIMITED : RequestRate.parse(limited.value());
            if (rate == null) {
                throw new AffinityCli.UserFacingException(where + "rate '" + limited.value() + "' is not one: "
                        + "requests per second, minute or hour, such as rate=50/s, rate=600/min or rate=1000/h");
            }
            rest = limited.rest();
            Map.Entry<RequestRate, Integer> clientRate = rateOfClient.putIfAbsent(client, Map.entry(rate, i + 1));
            if (clientRate != null && !clientRate.getKey().equals(rate)) {
                throw new AffinityCli.UserFacingException(where + "client '" + client + "' has rate "
                        + clientRate.getKey() + " on line " + clientRate.getValue() + " and " + rate + " here: its "
                        + "keys share one rate, so give every key of a client the same rate= (or none)");
            }
            if (key.length() < AccessControl.MIN_SECRET_LENGTH) {
                throw new AffinityCli.UserFacingException(where + "API key must be at least "
                        + AccessControl.MIN_SECRET_LENGTH + " characters, has " + key.length());
            }
            Integer earlier = lineOfKey.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new AffinityCli.UserFacingException(where + "the same API key as line " + earlier
                        + " (list each key once, with all its scopes)");
            }
            keys.add(new ApiKey(key, rest.isEmpty() ? EnumSet.allOf(ApiScope.class) : scopes(rest, where), client,
                    rate));
        }
        if (keys.isEmpty()) {
            throw new AffinityCli.UserFacingException("API keys file " + file + " holds no key");
        }
        return keys;
    }

    /**
     * The scopes after a key. A wrong one is named by its position, not shown: in a keys file of the format before
     * scopes, text after a space may be the rest of a key.
     */
    private static Set<ApiScope> scopes(String text, String where) {
        Set<ApiScope> scopes = EnumSet.noneOf(ApiScope.class);
        String[] labels = text.split("\\s*,\\s*", -1);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].equals("all")) {
                scopes.addAll(EnumSet.allOf(ApiScope.class));
                continue;
            }
            ApiScope scope = ApiScope.byLabel(labels[i]);
            if (scope == null) {
                throw new AffinityCli.UserFacingException(where + "scope " + (i + 1) + " after the key is not one of "
                        + ApiScope.labels() + ", all (scopes are separated by commas; a key has no spaces; "
                        + "client= and rate= may follow)");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    /** A {@code name=value} setting after a key (null when absent), and the text after the key without it. */
    private record Setting(String value, String rest) {
    }

    /** Takes the {@code name=} setting {@code pattern} finds out of {@code rest}; given twice is an error. */
    private static Setting setting(Pattern pattern, String name, String rest, String where) {
        Matcher m = pattern.matcher(rest);
        if (!m.find()) {
            return new Setting(null, rest);
        }
        String without = (rest.substring(0, m.start()) + " " + rest.substring(m.end())).trim();
        if (pattern.matcher(without).find()) {
            throw new AffinityCli.UserFacingException(where + name + "= is given twice; a key has one " + name);
        }
        return new Setting(m.group(1), without);
    }

    /** The client's name after {@code client=}: shown in the message, since it is not part of a key. */
    private static String clientName(String name, String where) {
        if (!ApiKey.CLIENT_NAME.matcher(name).matches()) {
            throw new AffinityCli.UserFacingException(where + "client name '" + name + "' is not one: lower-case "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 40 characters");
        }
        if (name.equals(AccessControl.WARM_UP_CLIENT)) {
            throw new AffinityCli.UserFacingException(where + "client name '" + name + "' is the server's own "
                    + "(its warm-up requests); choose another");
        }
        return name;
    }

    /**
     * How many keys have each scope, and each client (with its rate): "2 keys; recommendations 2, profiles 1,
     * consent 1, exports 1; clients crm 1, shop 1 (rate 50/s)".
     */
    static String describe(List<ApiKey> keys) {
        StringBuilder s = new StringBuilder().append(keys.size()).append(keys.size() == 1 ? " key; " : " keys; ");
        for (ApiScope scope : ApiScope.values()) {
            s.append(scope == ApiScope.RECOMMENDATIONS ? "" : ", ").append(scope.label()).append(' ')
                    .append(keys.stream().filter(k -> k.scopes().contains(scope)).count());
        }
        s.append("; clients ").append(keys.stream().collect(Collectors.groupingBy(ApiKey::client, TreeMap::new,
                Collectors.toList())).entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size()
                        + (e.getValue().get(0).rate().unlimited() ? "" : " (rate " + e.getValue().get(0).rate() + ")"))
                .collect(Collectors.joining(", ")));
        return s.toString();
    }

    /**
     * Follows the file while the server runs: a changed file's keys replace the ones in force (a key removed is
     * refused from the next request on); a file that cannot be read or is wrong leaves the keys as they are.
     */
    static FollowedFile follower(Path file, AccessControl access, byte[] loadedFrom) {
        return new FollowedFile("API keys file", file, loadedFrom, "the API keys loaded before stay", bytes -> {
            List<ApiKey> keys = parse(file, bytes);
            access.replaceApiKeys(keys);
            return "API keys reloaded from " + file + ": " + describe(keys);
        }, access::recordRefusedKeysReload);
    }
}
