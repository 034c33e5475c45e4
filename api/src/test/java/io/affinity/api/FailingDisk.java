package io.affinity.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A disk for journals ({@link JournalFiles.Channels}) that fails on demand as a full or failing one does: writes
 * stop part-way with "No space left on device" (after writing {@link #partialBytes} of the buffer, as a real
 * short write does), or the force after a complete write fails with an I/O error (the line is in the file, and
 * perhaps on disk or not), or reads fail (a disk or network file system that cannot be read for a while).
 * Otherwise reads, truncation and everything else work, as they do on a full disk.
 */
final class FailingDisk implements JournalFiles.Channels {
    enum Mode {
        /** Everything works. */
        HEALTHY,
        /** A write writes part of its buffer, then fails: the disk is full. */
        FULL,
        /** Writes succeed; forcing them to disk fails (an I/O error: the data may or may not be there). */
        FORCE_FAILS,
        /** Opening works; reading fails with an I/O error. */
        READ_FAILS
    }

    volatile Mode mode = Mode.HEALTHY;
    /** Only files whose name ends so fail (null: every file); e.g. ".compacting" for compactions alone. */
    volatile String onlyNamesEndingWith;
    /** Bytes a failing write still writes before it fails. */
    volatile int partialBytes = 7;

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        return new Channel(FileChannel.open(file, options), file);
    }

    private boolean failsFor(Path file, Mode m) {
        String suffix = onlyNamesEndingWith;
        return mode == m && (suffix == null || file.getFileName().toString().endsWith(suffix));
    }

    private final class Channel extends FileChannel {
        private final FileChannel real;
        private final Path file;

        Channel(FileChannel real, Path file) {
            this.real = real;
            this.file = file;
        }

        private int write(ByteBuffer src, long position, boolean positional) throws IOException {
            if (failsFor(file, Mode.FULL)) {
                int n = Math.min(partialBytes, src.remaining());
                if (n > 0) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + n);
                    int written = positional ? real.write(part, position) : real.write(part);
                    src.position(src.position() + written);
                }
                throw new IOException("No space left on device");
            }
            return positional ? real.write(src, position) : real.write(src);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return write(src, -1, false);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return write(src, position, true);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failsFor(file, Mode.FORCE_FAILS)) {
                throw new IOException("Input/output error");
            }
            real.force(metaData);
        }

        private void readable() throws IOException {
            if (failsFor(file, Mode.READ_FAILS)) {
                throw new IOException("Input/output error");
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            readable();
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            readable();
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            readable();
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException("journals do not transfer");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("journals are not mapped");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
