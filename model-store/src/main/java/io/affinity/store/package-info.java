/**
 * The model snapshot format: a {@link io.affinity.store.ModelStore} directory holds one immutable directory per
 * published version ({@code items.cmap}, {@code rules.cmap}, {@code customers.cmap}, {@code profiles.cmap} (format 2 on):
 * Chronicle Map files with codec-encoded values, see {@code ValueCodecs}; {@code popular.bin}, see {@code PopularFile}; {@code manifest.json},
 * see {@link io.affinity.store.Manifest}) and a {@code CURRENT} file naming the active version.
 *
 * <p>Publishing writes into {@code .tmp-*}, fsyncs, verifies by reopening, renames atomically, then switches
 * {@code CURRENT} atomically. Opening verifies length and CRC32C of every file before mapping anything.
 * Chronicle Map leaves a file byte-identical after open/read/close, but a held segment lock is written into the
 * mapped file (8-byte lock word per segment), so those words are excluded from the checksum (recorded per file in
 * the manifest): verification is then correct even while other readers, in this or another process, use the file.
 */
package io.affinity.store;
