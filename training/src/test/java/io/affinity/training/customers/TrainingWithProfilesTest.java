package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.Consent;
import io.affinity.recommender.CustomerProfile;
import io.affinity.store.ModelStore;
import io.affinity.store.Snapshot;
import io.affinity.testing.IntegrationTest;
import io.affinity.training.TrainingParameters;
import io.affinity.training.TrainingPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training pipeline publishes profiles and consent with the model (bundled May-June 2011 sample). */
@IntegrationTest
class TrainingWithProfilesTest {
    private static final Path SAMPLE = Path.of("..", "data", "sample", "online-retail-2011-05-06.csv.gz");

    @TempDir
    Path dir;

    /**
     * A customer who asked to be erased (or objected to profiling) while the order exports still hold their orders:
     * nothing of theirs in the model (history, profile, precomputed list, consent row), every one of their rows
     * counted, the list recorded by digest and counts, never by id.
     */
    @Test
    void anExcludedCustomerLeavesNoTraceInTheModelAndEveryRowIsCounted() throws Exception {
        Path consent = Files.writeString(dir.resolve("consent.csv"), "customer_id,channel,state\n12748,email,confirmed\n"
                + "13089,email,confirmed\n");
        Path erased = Files.writeString(dir.resolve("erased.csv"), "customer_id,requested\n12748.0,2026-11-20\n");
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(SAMPLE)), progress::add).consentFile(consent)
                .excludedCustomers(io.affinity.training.ingest.ExcludedCustomers.read(erased)).run(dir.resolve("models"));
        // Independently: the sample's distinct lines naming customer 12748 (its repeated lines count as duplicates).
        java.util.Set<String> lines = new java.util.HashSet<>();
        try (var csv = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(SAMPLE)), java.nio.charset.StandardCharsets.UTF_8))) {
            for (var r : csv) {
                if (r.getFieldCount() > 6 && r.getField(6).strip().replace(".0", "").equals("12748")) {
                    lines.add(String.join(",", r.getFields()));
                }
            }
        }
        assertTrue(lines.size() > 100, "12748 is the sample's most frequent customer: " + lines.size());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertTrue(s.profile("12748").isEmpty());
            assertTrue(s.customer("12748").isEmpty());
            assertTrue(s.precomputed("12748").isEmpty());
            assertTrue(s.precomputed("13089").isPresent());
            assertTrue(s.listedConsent("12748", Consent.Channel.EMAIL).isEmpty());
            assertTrue(s.profile("13089").isPresent(), "other customers are profiled as before");
            assertTrue(s.listedConsent("13089", Consent.Channel.EMAIL).isPresent());
            com.fasterxml.jackson.databind.JsonNode section = s.manifest().sections().get("excludedCustomers");
            assertEquals(1, section.get("customers").asInt());
            assertEquals(lines.size(), section.get("rowsExcluded").asLong());
            assertEquals(1, section.get("consentCustomersDropped").asInt());
            assertEquals(1, s.manifest().sections().get("consent").get("customers").asInt());
            assertEquals(lines.size(), s.manifest().sections().get("ingestReport").get("rejected")
                    .get("excluded_customer").get("count").asLong());
            assertFalse(s.manifest().sections().toString().contains("12748"), "no id in the manifest");
        }
        assertTrue(progress.stream().anyMatch(l -> l.contains("excluded customers: file " + erased.toAbsolutePath())
                && l.endsWith(": 1 customers; " + String.format(java.util.Locale.ROOT, "%,d", lines.size())
                + " rows and 1 consent-list customers left out")), progress.toString());
    }

    @Test
    void publishesAProfileForEveryCustomerAndTheConsentFile() throws Exception {
        Path consent = dir.resolve("consent.csv");
        // 12748.0: a spreadsheet's float of customer 12748; 99999999 buys nothing in the sample.
        // With the optional updated_at column, given for two of the three rows.
        // 13089 objects to profiling: their orders are read as anonymous baskets, so nothing of them is modelled.
        Files.writeString(consent, "customer_id,channel,state,updated_at\n12748,email,confirmed,2026-10-01T12:00:00Z\n"
                + "12748.0,sms,opted_out,\n99999999,web,opted_out,2026-10-02T08:30:00+02:00\n"
                + "13089,profiling,opted_out,\n");
        // written by the CRM three days before this training run: run-time changes after it are newer than the list
        java.time.Instant written = java.time.Instant.now().minus(java.time.Duration.ofDays(3))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Files.setLastModifiedTime(consent, java.nio.file.attribute.FileTime.from(written));
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(SAMPLE)), progress::add)
                .consentFile(consent).run(dir.resolve("models"));
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("consent: file " + consent.toAbsolutePath())
                && l.contains(": 3 customers, 1 of them not in the transactions")
                && l.endsWith("; 2 of 4 channel entries give updated_at")), progress.toString());
        assertTrue(progress.stream().anyMatch(l -> l.matches("consent: 1 customer\\(s\\) object to profiling "
                + "\\(1 by the list's profiling,opted_out, 0 by a run-time change in the consent journal\\); 1 of them "
                + "have orders in the transactions, whose [1-9][0-9]* order\\(s\\) are read as anonymous baskets: this "
                + "model holds no history, profile, list or value of theirs")), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            com.fasterxml.jackson.databind.JsonNode section = s.manifest().sections().get("consent");
            assertEquals(3, section.get("customers").asInt());
            assertEquals(1, section.get("customersNotInTransactions").asInt());
            com.fasterxml.jackson.databind.JsonNode objections = s.manifest().sections().get("profilingObjections");
            assertEquals(1, objections.get("customers").asInt());
            assertEquals(1, objections.get("byConsentList").asInt());
            assertEquals(0, objections.get("byConsentJournal").asInt());
            assertEquals(1, objections.get("inTransactions").asInt());
            long anonymised = objections.get("ordersAnonymised").asLong();
            assertTrue(s.manifest().sections().get("consentJournal") == null, "no journal in a new store");
            assertTrue(progress.stream().anyMatch(l -> l.contains(", whose " + anonymised + " order(s) are read")));
            assertEquals(Consent.State.OPTED_OUT, s.consent("13089", Consent.Channel.PROFILING).orElseThrow());
            assertTrue(s.customer("13089").isEmpty(), "no history of the objecting customer");
            assertTrue(s.profile("13089").isEmpty(), "no profile of the objecting customer");
            assertTrue(s.precomputed("13089").isEmpty(), "no list of the objecting customer");
            // their orders still count as baskets (rules describe items, not them): every accepted order is mined
            assertEquals(s.manifest().sections().get("ingestReport").get("ordersAccepted").asLong(),
                    s.manifest().sections().get("training").get("baskets").asLong());
            assertEquals(4, section.get("entries").asInt());
            assertEquals(2, section.get("entriesWithTime").asInt());
            assertEquals(new Consent.ListEntry(Consent.State.CONFIRMED, java.time.Instant.parse("2026-10-01T12:00:00Z")),
                    s.listedConsent("12748", Consent.Channel.EMAIL).orElseThrow());
            assertEquals(new Consent.ListEntry(Consent.State.OPTED_OUT, null),
                    s.listedConsent("12748", Consent.Channel.SMS).orElseThrow());
            assertEquals(java.time.Instant.parse("2026-10-02T06:30:00Z"),
                    s.listedConsent("99999999", Consent.Channel.WEB).orElseThrow().updatedAt());
            assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(consent))), section.get("sha256").asText());
            assertEquals(Files.size(consent), section.get("bytes").asLong());
            assertEquals(written.toString(), section.get("fileModified").asText());
            assertEquals(written, s.consentAsOf().orElseThrow());
            assertEquals(Consent.State.OPTED_OUT, s.consent("99999999", Consent.Channel.WEB).orElseThrow());
            // every customer but the 3 of the sample who returned all they bought (no purchase day left)
            assertEquals(3, s.manifest().sections().get("customerModels").get("customersReturnedEverything").asInt());
            assertEquals(s.customerCount() - 3, s.manifest().counts().profiles());
            CustomerProfile p = s.profile("12748").orElseThrow();
            assertTrue(p.transactions() > 1 && p.pAlive() > 0 && p.expectedValue12() > 0);
            assertEquals(Consent.State.CONFIRMED, s.consent("12748", Consent.Channel.EMAIL).orElseThrow());
            assertEquals(Consent.State.OPTED_OUT, s.consent("12748", Consent.Channel.SMS).orElseThrow());
            assertTrue(s.consent("12748", Consent.Channel.PUSH).isEmpty());
            assertEquals("2011-06-30", s.manifest().sections().get("customerModels").get("calibrationEnd").asText());
            // In tier order on every run: the manifest of the same data must not change with the JVM's hash seed.
            List<String> cutPoints = new ArrayList<>();
            s.manifest().sections().get("customerModels").get("tiers").get("cutPoints").fieldNames()
                    .forEachRemaining(cutPoints::add);
            assertEquals(List.of("platinum", "gold", "iron"), cutPoints);
            List<CustomerProfile.Tier> tiers = new ArrayList<>();
            s.forEachProfile((id, profile) -> tiers.add(profile.tier()));
            assertEquals(s.customerCount() - 3, tiers.size()); // every profile has a tier
            assertTrue(tiers.contains(CustomerProfile.Tier.PLATINUM) && tiers.contains(CustomerProfile.Tier.LEAD));
        }
    }

    @Test
    void aDegenerateCustomerModelFitIsPrintedAsAWarningAndRecorded() throws Exception {
        // three customers, nobody seen to lapse: BG/NBD ends on a limiting case (audit 9's tiny.csv)
        Path tiny = Files.writeString(dir.resolve("tiny.csv"), String.join("\n",
                "customer_id,order_id,timestamp,item_id,quantity,unit_price",
                "alice,O1,2024-01-05T10:00:00,A1,1,2.50", "alice,O1,2024-01-05T10:00:00,B1,2,1.00",
                "bob,O2,2024-02-05T10:00:00,A1,1,2.50", "bob,O2,2024-02-05T10:00:00,C1,1,3.00",
                "carol,O3,2024-03-05T10:00:00,B1,1,1.00", "carol,O4,2024-04-05,C1,1,3.00", "alice,O5,2024-05-05,A1,1,2.50",
                ""));
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(tiny)),
                new io.affinity.training.RecommenderParameters("rules", 10, 90, 1, true, false), progress::add)
                .run(dir.resolve("models"));
        List<String> printed = progress.stream().filter(l -> l.startsWith("WARNING: ")).map(l -> l.substring(9))
                .toList();
        assertFalse(printed.isEmpty(), progress.toString());
        assertTrue(printed.get(0).startsWith("BG/NBD fit is degenerate: "), printed.toString());
        // train has no --calibration-end to move: the advice is more data
        assertTrue(printed.get(0).endsWith("use a longer export (more history)"), printed.get(0));
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            List<String> recorded = new ArrayList<>();
            s.manifest().sections().get("customerModels").get("warnings").forEach(w -> recorded.add(w.asText()));
            assertEquals(printed, recorded);
        }
    }

    @Test
    void theExportWhoseProfilesCameOutNaNIsPublishedWithAProfilePerCustomer() throws Exception {
        // EdgeOfParameterSpaceTest's two customers: BG/NBD's expectation was NaN, so training published no profile.
        Path export = Files.writeString(dir.resolve("two.csv"), String.join("\n",
                "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
                "500001,20001,ITEM 1,2,2011-02-28 10:00:00,10.00,12000,United Kingdom",
                "500002,20001,ITEM 1,1,2011-03-01 10:00:00,10.00,12000,United Kingdom",
                "500003,20001,ITEM 1,3,2011-03-02 10:00:00,10.00,12000,United Kingdom",
                "500004,20001,ITEM 1,1,2011-03-03 10:00:00,10.00,12000,United Kingdom",
                "500005,20002,ITEM 2,1,2011-12-02 10:00:00,5.00,12001,United Kingdom",
                "500006,20002,ITEM 2,2,2011-12-31 10:00:00,5.00,12001,United Kingdom",
                "500007,20002,ITEM 2,4,2012-01-29 10:00:00,5.00,12001,United Kingdom",
                "500008,20002,ITEM 2,1,2012-02-27 10:00:00,5.00,12001,United Kingdom", ""));
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(export)),
                new io.affinity.training.RecommenderParameters("rules", 10, 90, 1, true, false), progress::add)
                .run(dir.resolve("models"));
        assertFalse(progress.stream().anyMatch(l -> l.startsWith("customer models: skipped")), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(2, s.manifest().counts().profiles());
            assertTrue(s.manifest().sections().get("customerModels").get("skipped") == null);
            CustomerProfile monthly = s.profile("12001").orElseThrow();
            assertEquals(0.8, monthly.pAlive(), 1e-4);
            assertEquals(1.95, monthly.expectedTransactions90(), 0.01);
        }
    }

    @Test
    void customerModelsThatCannotBeFittedAreSkippedWithALineAsWellAsTheManifestNote() throws Exception {
        // Only alice comes back: Gamma-Gamma needs two repeat customers. The snapshot is published without
        // profiles, and training says so (it used to say so only in the manifest).
        Path thin = Files.writeString(dir.resolve("thin.csv"), String.join("\n",
                "customer_id,order_id,timestamp,item_id,quantity,unit_price",
                "alice,O1,2024-01-05,A1,1,2.50", "bob,O2,2024-02-05,A1,1,2.50", "carol,O3,2024-03-05,B1,1,1.00",
                "alice,O4,2024-04-05,C1,1,3.00", ""));
        List<String> progress = new ArrayList<>();
        new TrainingPipeline(TrainingParameters.defaults(List.of(thin)),
                new io.affinity.training.RecommenderParameters("rules", 10, 90, 1, true, false), progress::add)
                .run(dir.resolve("models"));
        String reason = "Gamma-Gamma needs at least 2 customers with repeat transactions, had 1";
        assertTrue(progress.contains("customer models: skipped, " + reason + " (no profiles or tiers: next-best "
                + "offers rank without activity or strategy, campaign exports answer 409)"), progress.toString());
        try (Snapshot s = ModelStore.open(dir.resolve("models")).openCurrent()) {
            assertEquals(0, s.manifest().counts().profiles());
            assertEquals(reason, s.manifest().sections().get("customerModels").get("skipped").asText());
        }
    }

    @Test
    void badConsentFileStopsTrainingBeforeAnythingIsPublished() throws Exception {
        Path consent = dir.resolve("consent.csv");
        Files.writeString(consent, "customer_id,channel,state\n12748,email,yes please\n");
        ConsentFile.ConsentFileException e = assertThrows(ConsentFile.ConsentFileException.class,
                () -> new TrainingPipeline(TrainingParameters.defaults(List.of(SAMPLE)), line -> { })
                        .consentFile(consent).run(dir.resolve("models")));
        assertTrue(e.getMessage().contains("consent.csv:2"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("models")) && ModelStore.open(dir.resolve("models")).currentVersion().isPresent());
    }
}
