package io.affinity.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** What a file or directory is, whatever path names it: the key this JVM's lock registries are kept by. */
final class FileIdentity {
    private FileIdentity() {
    }

    /** Device and inode where the file system has them, else the real path. */
    static Object of(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return key != null ? key : path.toRealPath();
    }
}
