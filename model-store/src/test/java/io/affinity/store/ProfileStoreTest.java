package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.CustomerProfile.PriceSensitivity;
import io.affinity.recommender.CustomerProfile.Stage;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Customer profiles (format 2): round trip, reading format 1 snapshots, and damage detection. */
@UnitTest
class ProfileStoreTest {
    @TempDir
    Path tmp;

    static CustomerProfile profile(Tier tier, double cheaperShare) {
        return new CustomerProfile(12, 7, 1234.5, 4, 5, 3, "champions", 0.93, 1.7, 180.25, 2100.75, tier,
                Stage.ACTIVE, Strategy.ENHANCE, 0.88, cheaperShare, PriceSensitivity.HIGH,
                List.of("RETROSPOT MUG", "LANTERN"));
    }

    @Test
    void profilesRoundTripAndAreCounted() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = TestData.small().fill(store.newSnapshot());
        b.putProfile("12345", profile(Tier.GOLD, 0.25));
        b.putProfile("99", profile(Tier.LEAD, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.putProfile("99", profile(Tier.LEAD, 0)));
        String version = b.publish();
        try (Snapshot s = store.open(version)) {
            assertEquals(profile(Tier.GOLD, 0.25), s.profile("12345").orElseThrow());
            CustomerProfile lead = s.profile("99").orElseThrow();
            assertTrue(Double.isNaN(lead.cheaperVariantShare()));
            assertEquals(Tier.LEAD, lead.tier());
            assertTrue(s.profile("nobody").isEmpty());
            assertEquals(2 + 20, s.manifest().counts().profiles()); // TestData profiles half of its 40
            assertEquals(Manifest.CURRENT_FORMAT_VERSION, s.manifest().formatVersion());
            List<String> visited = new ArrayList<>();
            s.forEachProfile((id, p) -> visited.add(id));
            assertEquals(22, visited.size());
            assertEquals(22, new java.util.HashSet<>(visited).size());
        }
    }

    @Test
    void formatOneSnapshotOpensWithoutProfiles() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = TestData.small().fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        // Rewrite it as the previous software wrote it: format 1, no profiles file, no profiles count.
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", 1);
        ((ObjectNode) m.get("counts")).remove("profiles");
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = ((ArrayNode) m.get("files")).iterator(); it.hasNext(); ) {
            String name = it.next().get("name").asText();
            if (name.equals("profiles.cmap") || name.equals("consent.cmap") || name.equals("upsell.cmap")) {
                it.remove();
            }
        }
        ((ObjectNode) m.get("counts")).remove("consent");
        ((ObjectNode) m.get("counts")).remove("upsell");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        Files.delete(dir.resolve("upsell.cmap"));
        Files.delete(dir.resolve("profiles.cmap"));
        Files.delete(dir.resolve("consent.cmap"));
        try (Snapshot s = store.open(version)) {
            assertEquals(1, s.manifest().formatVersion());
            assertTrue(s.profile("12345").isEmpty());
            assertTrue(s.consent("C12001", Consent.Channel.EMAIL).isEmpty());
            assertTrue(s.consentAsOf().isEmpty(), "no consent list, no time for it");
            assertTrue(s.customer(TestData.small().customers.keySet().iterator().next()).isPresent());
        }
    }

    @Test
    void consentRoundTripsPerChannel() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        b.putConsent("1", java.util.Map.of(Consent.Channel.EMAIL, Consent.State.PENDING, Consent.Channel.WEB,
                Consent.State.OPTED_IN));
        b.putConsent("2", java.util.Map.of());
        assertThrows(IllegalArgumentException.class, () -> b.putConsent("2", java.util.Map.of()));
        try (Snapshot s = store.open(b.publish())) {
            assertEquals(Consent.State.PENDING, s.consent("1", Consent.Channel.EMAIL).orElseThrow());
            assertEquals(Consent.State.OPTED_IN, s.consent("1", Consent.Channel.WEB).orElseThrow());
            assertTrue(s.consent("1", Consent.Channel.SMS).isEmpty());
            assertTrue(s.consent("2", Consent.Channel.EMAIL).isEmpty());
            assertTrue(s.consent("3", Consent.Channel.EMAIL).isEmpty());
            assertEquals(2, s.manifest().counts().consent());
            // No consent section with the list file's time (a snapshot from before training recorded it): the
            // publishing time stands in, later than the file can have been written.
            assertEquals(s.manifest().createdAtInstant(), s.consentAsOf().orElseThrow());
        }
        SnapshotBuilder timed = store.newSnapshot();
        timed.putConsent("1", java.util.Map.of(Consent.Channel.EMAIL, Consent.State.OPTED_IN));
        timed.section("consent", java.util.Map.of(Snapshot.CONSENT_FILE_MODIFIED, "2026-11-20T06:00:00Z"));
        try (Snapshot s = store.open(timed.publish())) {
            assertEquals(java.time.Instant.parse("2026-11-20T06:00:00Z"), s.consentAsOf().orElseThrow());
        }
        SnapshotBuilder garbled = store.newSnapshot();
        garbled.putConsent("1", java.util.Map.of(Consent.Channel.EMAIL, Consent.State.OPTED_IN));
        garbled.section("consent", java.util.Map.of(Snapshot.CONSENT_FILE_MODIFIED, "last tuesday"));
        try (Snapshot s = store.open(garbled.publish())) {
            assertEquals(s.manifest().createdAtInstant(), s.consentAsOf().orElseThrow());
        }
        ByteWriter w = new ByteWriter(16);
        ValueCodecs.encodeConsent(java.util.Map.of(Consent.Channel.SMS,
                new Consent.ListEntry(Consent.State.OPTED_OUT, null)), w);
        byte[] bad = w.toByteArray();
        bad[3] = 9; // the SMS byte (after the codec version, the channel count and email): no such state
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeConsent("1", bad, tmp.resolve("c")));
    }

    /**
     * Profiling (format 8) is stored like the contact channels, and the manifest counts the list's entries per
     * channel so that a request skips the lookup for a channel nobody is listed for; a snapshot from before the
     * count (format 7 and older) may list any channel but profiling, which it could not hold.
     */
    @Test
    void profilingConsentIsStoredAndTheManifestSaysWhichChannelsTheListNames() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        b.putConsent("1", java.util.Map.of(Consent.Channel.PROFILING, Consent.State.OPTED_OUT,
                Consent.Channel.EMAIL, Consent.State.CONFIRMED));
        b.putConsent("2", java.util.Map.of(Consent.Channel.EMAIL, Consent.State.OPTED_IN));
        String version = b.publish();
        try (Snapshot s = store.open(version)) {
            assertEquals(8, s.manifest().formatVersion());
            assertEquals(Consent.State.OPTED_OUT, s.consent("1", Consent.Channel.PROFILING).orElseThrow());
            assertEquals(Consent.State.CONFIRMED, s.consent("1", Consent.Channel.EMAIL).orElseThrow());
            assertTrue(s.consent("2", Consent.Channel.PROFILING).isEmpty());
            assertEquals(2, s.manifest().sections().get(Snapshot.CONSENT_CHANNELS_SECTION).get("email").asLong());
            assertTrue(s.mayListConsent(Consent.Channel.PROFILING));
            assertTrue(s.mayListConsent(Consent.Channel.EMAIL));
            assertFalse(s.mayListConsent(Consent.Channel.SMS));
            assertFalse(s.mayListConsent(Consent.Channel.WEB));
        }
        try (Snapshot s = store.open(store.newSnapshot().publish())) {
            for (Consent.Channel ch : Consent.Channel.values()) {
                assertFalse(s.mayListConsent(ch), "an empty list names nobody for " + ch);
            }
        }
        // As format 7 wrote it: no per-channel count.
        Path dir = store.directory().resolve(version);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        m.put("formatVersion", 7);
        ((ObjectNode) m.get("sections")).remove(Snapshot.CONSENT_CHANNELS_SECTION);
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        try (Snapshot s = store.open(version)) {
            assertFalse(s.mayListConsent(Consent.Channel.PROFILING));
            assertTrue(s.mayListConsent(Consent.Channel.SMS));
        }
        // Format 8 without the count (a manifest made or edited by hand), or with a count that is no number: the
        // list may name anyone for any channel, so it is looked up rather than an objection in it ignored.
        m.put("formatVersion", 8);
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        try (Snapshot s = store.open(version)) {
            assertTrue(s.mayListConsent(Consent.Channel.PROFILING));
            assertEquals(Consent.State.OPTED_OUT, s.consent("1", Consent.Channel.PROFILING).orElseThrow());
        }
        ((ObjectNode) m.get("sections")).putObject(Snapshot.CONSENT_CHANNELS_SECTION).put("profiling", "many");
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        try (Snapshot s = store.open(version)) {
            assertTrue(s.mayListConsent(Consent.Channel.PROFILING));
            assertFalse(s.mayListConsent(Consent.Channel.SMS), "a count that does not name a channel: none listed");
        }
    }

    @Test
    void consentRowTimesRoundTripToTheMillisecond() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        SnapshotBuilder b = store.newSnapshot();
        java.time.Instant unsubscribed = java.time.Instant.parse("2026-11-18T09:30:15.250Z");
        java.time.Instant early = java.time.Instant.parse("1969-12-31T23:59:59.999Z"); // a negative epoch time
        b.putListedConsent("1", java.util.Map.of(
                Consent.Channel.EMAIL, new Consent.ListEntry(Consent.State.OPTED_OUT, unsubscribed),
                Consent.Channel.SMS, new Consent.ListEntry(Consent.State.OPTED_IN, null),
                Consent.Channel.PUSH, new Consent.ListEntry(Consent.State.CONFIRMED, early)));
        try (Snapshot s = store.open(b.publish())) {
            assertEquals(new Consent.ListEntry(Consent.State.OPTED_OUT, unsubscribed),
                    s.listedConsent("1", Consent.Channel.EMAIL).orElseThrow());
            assertEquals(new Consent.ListEntry(Consent.State.OPTED_IN, null),
                    s.listedConsent("1", Consent.Channel.SMS).orElseThrow());
            assertEquals(new Consent.ListEntry(Consent.State.CONFIRMED, early),
                    s.listedConsent("1", Consent.Channel.PUSH).orElseThrow());
            assertTrue(s.listedConsent("1", Consent.Channel.WEB).isEmpty());
            assertEquals(Consent.State.OPTED_OUT, s.consent("1", Consent.Channel.EMAIL).orElseThrow());
        }
    }

    @Test
    void consentValuesOfCodecVersionOneStillDecodeWithoutTimes() {
        // What format 2-5 snapshots hold: v=1, four channels, a state byte each (email opted out, web opted in).
        byte[] v1 = {1, 4, 2, 0, 0, 1};
        assertEquals(java.util.Map.of(
                        Consent.Channel.EMAIL, new Consent.ListEntry(Consent.State.OPTED_OUT, null),
                        Consent.Channel.WEB, new Consent.ListEntry(Consent.State.OPTED_IN, null)),
                ValueCodecs.decodeConsent("1", v1, tmp.resolve("c")));
        // In v=1 the high bit is no flag: such a byte is damage, not a time.
        byte[] flagged = {1, 4, (byte) 0x82, 0, 0, 1};
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeConsent("1", flagged, tmp.resolve("c")));
        // In v=2 a flagged unknown state is damage too.
        byte[] timedUnknown = {2, 4, (byte) 0x80, 0, 0, 0, 0};
        assertThrows(CorruptSnapshotException.class,
                () -> ValueCodecs.decodeConsent("1", timedUnknown, tmp.resolve("c")));
    }

    @Test
    void formatTwoWithoutProfilesFileIsCorrupt() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        String version = TestData.small().fill(store.newSnapshot()).publish();
        Path dir = store.directory().resolve(version);
        ObjectNode m = (ObjectNode) Json.MAPPER.readTree(dir.resolve("manifest.json").toFile());
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = ((ArrayNode) m.get("files")).iterator(); it.hasNext(); ) {
            if (it.next().get("name").asText().equals("profiles.cmap")) {
                it.remove();
            }
        }
        Files.write(dir.resolve("manifest.json"), Snapshot.sealManifest(m));
        CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.open(version).close());
        assertTrue(e.getMessage().contains("profiles.cmap"), e.getMessage());
    }

    @Test
    void damagedProfileValueIsReportedNotGuessed() {
        ByteWriter w = new ByteWriter(64);
        ValueCodecs.encodeProfile(profile(Tier.PLATINUM, 0.5), w);
        byte[] bytes = w.toByteArray();
        Path file = tmp.resolve("profiles.cmap");
        assertEquals(profile(Tier.PLATINUM, 0.5), ValueCodecs.decodeProfile("7", bytes, file));
        byte[] newer = bytes.clone();
        newer[0] = (byte) (ValueCodecs.PROFILE_CODEC_VERSION + 1);
        assertThrows(SnapshotFormatException.class, () -> ValueCodecs.decodeProfile("7", newer, file));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(CorruptSnapshotException.class, () -> ValueCodecs.decodeProfile("7", truncated, file));
    }
}
