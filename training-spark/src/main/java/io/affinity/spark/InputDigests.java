package io.affinity.spark;

import io.affinity.store.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Each file a job read, with its size and the SHA-256 of its bytes, for the manifest's {@code inputs} as
 * {@code affinity train} records them: what pins a version's data when the paths (a directory, a glob, a path the
 * next export overwrites) no longer say which bytes were read. Digested by executors, one task per file, where the
 * files are stored, so that the driver does not read the whole input a second time.
 */
final class InputDigests {
    private InputDigests() {
    }

    /** @param files the qualified paths of the files read, in load order */
    static List<Manifest.InputFile> of(JavaSparkContext jsc, List<String> files, Configuration hadoop) {
        if (files.isEmpty()) {
            return List.of();
        }
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(hadoop));
        // as text: a manifest record is no Serializable for the trip back from the executors
        List<String> digests = jsc.parallelize(files, files.size())
                .map(file -> {
                    Manifest.InputFile d = digest(file, conf.value().value());
                    return d.bytes() + " " + d.sha256();
                }).collect();
        List<Manifest.InputFile> inputs = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            String[] sizeAndSha = digests.get(f).split(" ");
            inputs.add(new Manifest.InputFile(files.get(f), Long.parseLong(sizeAndSha[0]), sizeAndSha[1]));
        }
        return inputs;
    }

    /** The file's length and SHA-256, read whole through its Hadoop file system. */
    static Manifest.InputFile digest(String file, Configuration hadoop) {
        Path path = new Path(file);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = fs.open(path)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
            return new Manifest.InputFile(file, bytes, HexFormat.of().formatHex(sha.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException("input file " + file + " could not be read for its SHA-256: "
                    + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
