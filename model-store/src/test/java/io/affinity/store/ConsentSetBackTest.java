package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.Consent;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollback warning of {@link ModelStore#consentSetBack} across software versions. A version published before
 * manifests recorded the consent file's time stands for its list with its publishing time, which is later than the
 * file's: a version trained afterwards from the very same file looked "older" and every switch to it (the first
 * train after an upgrade, CURRENT followed) warned that the newer list's opt-outs were lost.
 */
@UnitTest
class ConsentSetBackTest {
    private static final String SHA = "bfa09dfe3092bea75f3abaa8a952eec2bd60bee67f6f5899e6a051a09f66aaf1";
    private static final String FILE_TIME = "2020-01-01T00:00:00Z";

    @TempDir
    Path tmp;

    @Test
    void theSameListUnderAnOlderSoftwaresPublishingTimeIsNoSetBack() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String old = publish(store, SHA, "UTF-8");
        asAnOlderReleaseWroteIt(store, old);
        String upgraded = publish(store, SHA, "UTF-8");

        assertEquals(Optional.empty(), store.consentSetBack(old, upgraded));
    }

    @Test
    void anotherListOrEncodingStillWarns() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String old = publish(store, SHA, "UTF-8");
        asAnOlderReleaseWroteIt(store, old);
        String otherList = publish(store, SHA.replace('b', 'c'), "UTF-8");
        String otherEncoding = publish(store, SHA, "windows-1252");

        for (String to : new String[] {otherList, otherEncoding}) {
            String warning = store.consentSetBack(old, to).orElseThrow();
            assertTrue(warning.startsWith("version " + to + " serves its consent list of " + FILE_TIME
                    + ", older than the one of " + old), warning);
        }
    }

    private static String publish(ModelStore store, String sha256, String encoding) throws Exception {
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        b.putConsent("C12001", Map.of(Consent.Channel.EMAIL, Consent.State.OPTED_OUT));
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("file", "/srv/exports/consent.csv");
        section.put("bytes", 108);
        section.put("sha256", sha256);
        section.put("encoding", encoding);
        section.put(Snapshot.CONSENT_FILE_MODIFIED, FILE_TIME);
        b.section("consent", section);
        return b.publish();
    }

    /** The manifest as releases before the file's time was recorded wrote it: the list's time is createdAt. */
    private static void asAnOlderReleaseWroteIt(ModelStore store, String version) throws Exception {
        Path manifest = store.directory().resolve(version).resolve("manifest.json");
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
        ((ObjectNode) m.get("sections").get("consent")).remove(Snapshot.CONSENT_FILE_MODIFIED);
        Files.write(manifest, Snapshot.sealManifest(m));
    }
}
