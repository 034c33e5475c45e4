package io.affinity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.api.AccessControl;
import io.affinity.api.ApiKey;
import io.affinity.api.ApiScope;
import io.affinity.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys file's format, and its reload while the server runs (HTTP behaviour: ServeProcessTest). */
@UnitTest
class ApiKeysFileTest {
    private static final String A = "key-a-0123456789abcdef";
    private static final String B = "key-b-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void aKeyWithoutScopesHasEveryScopeAndAllMeansEvery() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# comment\n\n  " + A + "\n" + B
                + "\t exports , profiles\nkey-c-0123456789abcdef all\n");
        List<ApiKey> keys = ApiKeysFile.parse(file, Files.readAllBytes(file));
        assertEquals(Set.of(ApiScope.values()), keys.get(0).scopes());
        assertEquals(Set.of(ApiScope.EXPORTS, ApiScope.PROFILES), keys.get(1).scopes());
        assertEquals(Set.of(ApiScope.values()), keys.get(2).scopes());
        assertEquals("3 keys; recommendations 2, profiles 3, consent 2, exports 3; clients unnamed 3",
                ApiKeysFile.describe(keys));
    }

    /** {@code client=NAME} after a key (before or after its scopes) names who calls with it, for the metrics. */
    @Test
    void aKeyMayNameItsClient() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), A + " recommendations client=shop\n" + B
                + " client=crm profiles, exports\nkey-c-0123456789abcdef client=shop\nkey-d-0123456789abcdef\n");
        List<ApiKey> keys = ApiKeysFile.parse(file, Files.readAllBytes(file));
        assertEquals(List.of("shop", "crm", "shop", ApiKey.UNNAMED_CLIENT), keys.stream().map(ApiKey::client).toList());
        assertEquals(Set.of(ApiScope.RECOMMENDATIONS), keys.get(0).scopes());
        assertEquals(Set.of(ApiScope.PROFILES, ApiScope.EXPORTS), keys.get(1).scopes());
        assertEquals(Set.of(ApiScope.values()), keys.get(2).scopes(), "a client and no scopes: every scope");
        assertEquals("4 keys; recommendations 3, profiles 3, consent 2, exports 3; clients crm 1, shop 2, unnamed 1",
                ApiKeysFile.describe(keys));
        for (String[] wrong : new String[][] {
            {A + " recommendations client=Shop Pages", "keys:1: client name 'Shop' is not one: lower-case letters"},
            {A + " client=", "keys:1: client name '' is not one"},
            {A + " client=a client=b", "keys:1: client= is given twice; a key has one client"},
            {A + " client=affinity-warm-up", "keys:1: client name 'affinity-warm-up' is the server's own"}}) {
            Path bad = Files.writeString(dir.resolve("keys"), wrong[0] + "\n");
            AffinityCli.UserFacingException e = assertThrows(AffinityCli.UserFacingException.class,
                    () -> ApiKeysFile.parse(bad, Files.readAllBytes(bad)));
            assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains(wrong[1]), e.getMessage());
            assertFalse(e.getMessage().contains(A), "no key in the message: " + e.getMessage());
        }
    }

    /** {@code rate=N/s|min|h} limits a client; its keys share the rate, so they must give the same. */
    @Test
    void aClientsKeysGiveItsRate() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), A + " recommendations client=shop rate=50/s\n" + B
                + " rate=50/s client=shop\nkey-c-0123456789abcdef exports client=crm rate=600/min\n"
                + "key-d-0123456789abcdef client=other\n");
        List<ApiKey> keys = ApiKeysFile.parse(file, Files.readAllBytes(file));
        assertEquals(50, keys.get(0).rate().perSecond());
        assertEquals(keys.get(0).rate(), keys.get(1).rate());
        assertEquals(Set.of(ApiScope.values()), keys.get(1).scopes());
        assertEquals(10, keys.get(2).rate().perSecond(), 1e-12);
        assertTrue(keys.get(3).rate().unlimited());
        assertTrue(ApiKeysFile.describe(keys).endsWith("; clients crm 1 (rate 10/s), other 1, shop 2 (rate 50/s)"),
                ApiKeysFile.describe(keys));
        for (String[] wrong : new String[][] {
            {A + " client=shop rate=50", "keys:1: rate '50' is not one: requests per second, minute or hour"},
            {A + " rate=1/s rate=2/s", "keys:1: rate= is given twice"},
            {A + " client=shop rate=1/s\n" + B + " client=shop", "keys:2: client 'shop' has rate 1/s on line 1 and "
                    + "unlimited here: its keys share one rate"}}) {
            Path bad = Files.writeString(dir.resolve("keys"), wrong[0] + "\n");
            AffinityCli.UserFacingException e = assertThrows(AffinityCli.UserFacingException.class,
                    () -> ApiKeysFile.parse(bad, Files.readAllBytes(bad)));
            assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains(wrong[1]), e.getMessage());
            assertFalse(e.getMessage().contains(A) || e.getMessage().contains(B), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithoutShowingIt() {
        byte[] latin1 = (A + "\u00e9 exports\n").getBytes(StandardCharsets.ISO_8859_1);
        AffinityCli.UserFacingException e = assertThrows(AffinityCli.UserFacingException.class,
                () -> ApiKeysFile.parse(dir.resolve("keys"), latin1));
        assertEquals("API keys file " + dir.resolve("keys") + " is not UTF-8 text", e.getMessage());
    }

    @Test
    void aReloadPutsAChangedFileInForceAndKeepsTheKeysWhenTheFileIsWrongOrGone() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), A + " recommendations\n");
        byte[] read = Files.readAllBytes(file);
        AccessControl access = AccessControl.withScopedKeys(null, ApiKeysFile.parse(file, read));
        FollowedFile reloader = ApiKeysFile.follower(file, access, read);
        assertNull(reloader.check(), "unchanged: nothing to say");

        Files.writeString(file, A + " recommendations\n" + B + " exports\n");
        assertEquals("API keys reloaded from " + file + ": 2 keys; recommendations 1, profiles 0, consent 0, exports 1; "
                + "clients unnamed 2", reloader.check());
        assertEquals(2, access.apiKeyCount());
        assertNull(reloader.check());

        Files.writeString(file, A + " recommendations\n" + A + " exports\n");
        String refused = reloader.check();
        assertEquals("affinity serve: WARNING: the API keys loaded before stay in force: " + file + ":2: the same "
                + "API key as line 1 (list each key once, with all its scopes)", refused);
        assertNull(reloader.check(), "the same problem is said once");
        assertEquals(2, access.apiKeyCount());
        assertEquals(1, access.refusedKeysReloads());

        Files.delete(file);
        String gone = reloader.check();
        assertTrue(gone.startsWith("affinity serve: WARNING: the API keys loaded before stay in force: API keys file "
                + file + " cannot be read"), gone);
        assertNull(reloader.check());
        assertEquals(2, access.refusedKeysReloads());

        Files.writeString(file, "# all keys withdrawn\n");
        assertTrue(reloader.check().endsWith("API keys file " + file + " holds no key"));
        assertEquals(2, access.apiKeyCount(), "an empty file does not open the endpoints");

        Files.writeString(file, B + " exports\n");
        assertTrue(reloader.check().startsWith("API keys reloaded"));
        assertEquals(1, access.apiKeyCount());
        for (String said : List.of(String.valueOf(refused), gone)) {
            assertFalse(said.contains(A) || said.contains(B), said);
        }
    }

    @Test
    void keysCannotBeAddedToAServerStartedWithout() {
        assertThrows(IllegalStateException.class, () -> AccessControl.none().replaceApiKeys(
                List.of(ApiKey.withEveryScope(A))));
        AccessControl keyed = AccessControl.withScopedKeys(null, List.of(ApiKey.withEveryScope(A)));
        assertThrows(IllegalArgumentException.class, () -> keyed.replaceApiKeys(List.of()));
    }
}
