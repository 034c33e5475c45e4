package io.affinity.cli;

import io.affinity.api.AccessControl;
import io.affinity.api.ApiKey;
import io.affinity.api.ApiScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code serve --api-keys-file}: one key per line, optionally followed by its scopes ({@code KEY recommendations},
 * {@code KEY profiles,consent}); a key without scopes (the format before scopes existed) has every scope; {@code #}
 * starts a comment line. Messages name the file and line, never a key.
 */
final class ApiKeysFile {
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
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] parts = line.split("\\s+", 2);
            String key = parts[0];
            if (key.length() < AccessControl.MIN_SECRET_LENGTH) {
                throw new AffinityCli.UserFacingException(where + "API key must be at least "
                        + AccessControl.MIN_SECRET_LENGTH + " characters, has " + key.length());
            }
            Integer earlier = lineOfKey.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new AffinityCli.UserFacingException(where + "the same API key as line " + earlier
                        + " (list each key once, with all its scopes)");
            }
            keys.add(new ApiKey(key, parts.length == 1 ? EnumSet.allOf(ApiScope.class) : scopes(parts[1], where)));
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
                        + ApiScope.labels() + ", all (scopes are separated by commas; a key has no spaces)");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    /** How many keys have each scope: "2 keys; recommendations 2, profiles 1, consent 1, exports 1". */
    static String describe(List<ApiKey> keys) {
        StringBuilder s = new StringBuilder().append(keys.size()).append(keys.size() == 1 ? " key; " : " keys; ");
        for (ApiScope scope : ApiScope.values()) {
            s.append(scope == ApiScope.RECOMMENDATIONS ? "" : ", ").append(scope.label()).append(' ')
                    .append(keys.stream().filter(k -> k.scopes().contains(scope)).count());
        }
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
