package io.affinity.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Contents of a snapshot's {@code manifest.json}, written last when a snapshot is published.
 *
 * @param formatVersion version of the snapshot format as a whole ({@link #CURRENT_FORMAT_VERSION})
 * @param version       the snapshot's version id, equal to its directory name
 * @param createdAt     ISO-8601 instant of publishing (kept as text: no Jackson time module needed)
 * @param software      what wrote it
 * @param inputs        the training input files (path, bytes, SHA-256 of the content)
 * @param parameters    training parameters as given to the builder
 * @param sections      free-form JSON sections, e.g. {@code ingestReport}
 * @param counts        entry counts, checked against the files when opening
 * @param files         every data file with its length and checksum
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int formatVersion, String version, String createdAt, Software software, List<InputFile> inputs,
                       Map<String, Object> parameters, Map<String, JsonNode> sections, Counts counts,
                       List<FileEntry> files) {

    /**
     * The snapshot format this software writes and the newest it reads. 1: items, rules, customers, popular.
     * 2: adds {@code profiles.cmap} (customer value profiles) and {@code consent.cmap} (contact consent per
     * channel as loaded at training time), both possibly empty and required from 2 on; version 1 snapshots
     * still open, without profiles or consent. 3: adds {@code upsell.cmap} (observed trade-ups per source item),
     * possibly empty and required from 3 on; version 1 and 2 snapshots still open, without trade-ups.
     * 4: item values may carry a catalogue unit cost (item codec version 2) and the catalogue index may hold items
     * never bought and the catalogue file's extra attributes; the files are the same as in 3, and version 1 to 3
     * snapshots still open (their items have no cost). Older software refuses a version 4 snapshot at open
     * instead of failing later on an item it cannot decode.
     * 5: adds {@code profiles.keys} and {@code rules.keys}, the sorted keys of {@code profiles.cmap} and
     * {@code rules.cmap} ({@link KeyFile}), required from 5 on: profiles and rules are listed by them and lookups,
     * never by iterating the maps, whose segment update lock a killed process can leave held in the shared file.
     * And the catalogue index records the analysis it was written with in its Lucene commit data
     * ({@link CatalogAnalysis#COMMIT_KEY}); training writes it with accent folding
     * ({@link CatalogAnalysis#ASCII_FOLDING}). Version 1 to 4 snapshots still open: they are iterated as before (a
     * lock left held there fails iteration with {@link SnapshotLockedException}) and their index (no analysis
     * recorded) is queried with the lower-case-only analysis it was written with. Older software refuses a version 5
     * snapshot: it would parse an accented query without folding and silently miss the folded terms.
     * 6: consent values may carry the time the consent list gives for each customer and channel (consent codec
     * version 2, from the list's {@code updated_at} column); the files are those of 5, and version 1 to 5 snapshots
     * still open (their consent has no per-row time: the list's time stands for every row). Older software refuses a
     * version 6 snapshot at open instead of failing a consent check on a value it cannot decode.
     * 7: each item of a customer's history, and each repeat purchase of a precomputed list, records the units the
     * customer returned (customer codec 2, recs codec 2), so that a repeat explanation says what was sent back; the
     * files are those of 6, and version 1 to 6 snapshots still open (none returned, as they did not record
     * returns). Older software refuses a version 7 snapshot at open instead of failing a request on a history it
     * cannot decode.
     * 8: consent values may name the channel {@code profiling} (a fifth channel: the customer's word on being
     * profiled at all), and the manifest's {@code consentChannels} section counts the list's entries per channel, so
     * that a request can skip the lookup for a channel the list never names; version 1 to 7 snapshots still open
     * (no profiling entries: they could not hold one). Older software refuses a version 8 snapshot at open instead
     * of failing a consent check on a value it cannot decode, or serving a customer who objects to profiling.
     */
    public static final int CURRENT_FORMAT_VERSION = 8;
    /**
     * Top-level manifest key holding the CRC32C (8 lower-case hex digits) of the rest of the manifest, so that the
     * manifest is verified like every file it lists. Every publish writes it; a manifest without it (published by
     * an earlier release of format 4 or before) opens as before, its content checked only against the files.
     */
    public static final String CHECKSUM_FIELD = "manifestChecksum";
    /** Checksum algorithm of {@link FileEntry#checksum()}: CRC32C, as 8 lower-case hex digits. */
    public static final String CHECKSUM_ALGORITHM = "CRC32C";

    public Manifest {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        sections = sections == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(sections));
        files = files == null ? List.of() : List.copyOf(files);
    }

    public Instant createdAtInstant() {
        return Instant.parse(createdAt);
    }

    public Optional<FileEntry> file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** @param affinityVersion version of the Affinity software; @param javaVersion {@code java.version} */
    public record Software(String affinityVersion, String javaVersion) {
        /** This build's: the project version with its commit (see {@link ModelStore#softwareVersion}), this JVM's. */
        public static Software current() {
            return new Software(ModelStore.affinityVersion(), System.getProperty("java.version"));
        }
    }

    /** A file a model (or an evaluation) was made from: its absolute path, size and SHA-256 (lower-case hex). */
    public record InputFile(String path, long bytes, String sha256) {
        /** The provenance of {@code file} as it is now (read whole for the digest). */
        public static InputFile of(Path file) throws IOException {
            Path abs = file.toAbsolutePath().normalize();
            return new InputFile(abs.toString(), Files.size(abs), Checksums.sha256(abs));
        }
    }

    /**
     * @param items     entries in items.cmap
     * @param rules     distinct rules (a rule with k antecedent items is stored under k keys but counted once)
     * @param ruleKeys  entries (item ids) in rules.cmap
     * @param customers entries in customers.cmap
     * @param popular   items in popular.bin
     * @param profiles  entries in profiles.cmap (format 2; 0 in format 1 manifests, which have no such field)
     * @param consent   entries (customers) in consent.cmap (format 2; 0 in format 1)
     * @param upsell    entries (source items) in upsell.cmap (format 3; 0 before)
     */
    public record Counts(long items, long rules, long ruleKeys, long customers, long popular, long profiles,
                         long consent, long upsell) {
        /** Counts without profiles or consent (format 1 contents). */
        public Counts(long items, long rules, long ruleKeys, long customers, long popular) {
            this(items, rules, ruleKeys, customers, popular, 0, 0, 0);
        }

        /** Counts without trade-ups (format 2 contents). */
        public Counts(long items, long rules, long ruleKeys, long customers, long popular, long profiles,
                      long consent) {
            this(items, rules, ruleKeys, customers, popular, profiles, consent, 0);
        }
    }

    /**
     * @param name              file name inside the snapshot directory
     * @param bytes             exact length
     * @param checksumAlgorithm {@link #CHECKSUM_ALGORITHM}
     * @param checksum          checksum of the content, with {@code checksumExcludes} read as zeros
     * @param checksumExcludes  byte ranges that legitimately change while the file is in use (Chronicle Map lock
     *                          words), or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileEntry(String name, long bytes, String checksumAlgorithm, String checksum,
                            ChecksumExclusion checksumExcludes) {
        /** Without a name the entry cannot be found or verified (lookups by name would fail on it). */
        public FileEntry {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("file entry without a name");
            }
        }
    }

    /**
     * {@code count} ranges of {@code length} bytes at {@code offset + i * stride}: the per-segment lock words of a
     * Chronicle Map file. Readers take and release these locks (in any process), so their bytes are not content.
     */
    public record ChecksumExclusion(String reason, long offset, long stride, int count, int length) {
        /** Bounds keep the excluded ranges inside a file of up to 2^62 bytes and apart, so no arithmetic overflows. */
        public ChecksumExclusion {
            if (offset < 0 || length < 1 || count < 0 || stride < length || offset > MAX_OFFSET
                    || stride > MAX_OFFSET / Math.max(1, count)) {
                throw new IllegalArgumentException("invalid checksum exclusion: offset " + offset + ", stride " + stride
                        + ", count " + count + ", length " + length);
            }
        }

        private static final long MAX_OFFSET = 1L << 61;
    }
}
