package io.affinity.training.mining;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams itemsets in the FIMI result format, {@code 38 39 #SUP: 3031}, one per line, from one or more mining
 * threads, in task order: the file is byte for byte the same whatever the number of threads.
 *
 * <p>Each task formats into its own 64 KiB buffers. The task that is next in file order (the head) writes its
 * full buffers straight to the file; any other task keeps them until the head reaches it. A thread whose
 * kept buffers exceed {@code maxPendingBytes} waits for the head, so memory stays bounded however large the
 * output; the head never waits, so the run always progresses.
 *
 * <p>Digits are written into byte buffers by hand, and each item's text is prepared once: millions of lines
 * through a Writer and String.valueOf would dominate the run time.
 */
final class ItemsetFileWriter implements TaskSinks, Closeable {
    private static final byte[] SUPPORT_MARK = "#SUP: ".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 1 << 16;
    /** Item ids below this get their text prepared (a few MB at most). */
    private static final int MAX_CACHED_ID = 1 << 20;

    private final OutputStream out;
    private final long maxPendingBytes;
    /** "id " as bytes, per id below the cache bound. */
    private final byte[][] itemText;
    /** Support counts below this get their "#SUP: count\n" text cached, per thread. */
    private final int supportCacheSize;

    // Guarded by this.
    private int head;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private long pendingBytes;
    /** Full-size buffers already written, for reuse: out-of-order output would otherwise churn the heap. */
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private long lines;
    private IOException failure;

    private record Chunk(byte[] data, int length) {
    }

    private static final class Pending {
        final List<Chunk> chunks = new ArrayList<>();
        boolean complete;
    }

    /**
     * @param itemBound       one more than the largest item id (the database's), for the text cache
     * @param maxPendingBytes how much out-of-order output all threads together may keep before waiting
     */
    ItemsetFileWriter(OutputStream out, int itemBound, long maxPendingBytes) {
        this(out, itemBound, 0, maxPendingBytes);
    }

    /** @param transactions the largest support count possible, for the support text cache */
    ItemsetFileWriter(OutputStream out, int itemBound, int transactions, long maxPendingBytes) {
        this.out = out;
        this.maxPendingBytes = maxPendingBytes;
        int cached = Math.min(itemBound, MAX_CACHED_ID);
        itemText = new byte[cached][];
        for (int id = 0; id < cached; id++) {
            itemText[id] = ItemsetText.item(id);
        }
        supportCacheSize = Math.min(transactions + 1, MAX_CACHED_ID);
    }

    /** One buffer per thread, reused from task to task: there can be thousands of small tasks. */
    private final ThreadLocal<TaskBuffer> buffers = ThreadLocal.withInitial(TaskBuffer::new);

    @Override
    public ItemsetSink open(int task) {
        TaskBuffer b = buffers.get();
        b.task = task;
        b.lines = 0;
        return b;
    }

    @Override
    public void close(int task, ItemsetSink sink) {
        TaskBuffer b = (TaskBuffer) sink;
        b.handOver(true);
        synchronized (this) {
            lines += b.lines;
        }
    }

    /** Lines written so far (complete tasks). */
    synchronized long lines() {
        return lines;
    }

    /** One task's formatting buffer. */
    private final class TaskBuffer implements FormattedItemsetSink {
        private int task;
        private byte[] buf = new byte[CHUNK];
        private int pos;
        private long lines;
        /**
         * "#SUP: count\n" per support count, filled on first use: formatting a number costs divisions, which the
         * C1-only JIT the launcher uses for mine does not turn into multiplications, and supports repeat a lot.
         * Per thread, so that no array is published between threads without synchronisation.
         */
        private final byte[][] supportText = new byte[supportCacheSize][];

        @Override
        public void accept(int[] items, int length, long supportCount) {
            // Worst case per item: 10 digits and a space; hand over early rather than check per byte.
            if (pos + 11L * length + SUPPORT_MARK.length + 21 > buf.length) {
                handOver(false);
                if (11L * length + SUPPORT_MARK.length + 21 > buf.length) {
                    throw new IllegalArgumentException("itemset too long to write: " + length + " items");
                }
            }
            byte[] b = buf;
            int p = pos;
            byte[][] text = itemText;
            for (int i = 0; i < length; i++) {
                int id = items[i];
                if (id < text.length) {
                    byte[] t = text[id];
                    for (byte x : t) {
                        b[p++] = x;
                    }
                } else {
                    p = ItemsetText.writeNumber(b, p, id);
                    b[p++] = ' ';
                }
            }
            pos = writeSupport(b, p, supportCount);
            lines++;
        }

        @Override
        public void acceptFormatted(byte[] text, int textLength, int length, long supportCount) {
            if (pos + textLength + SUPPORT_MARK.length + 21 > buf.length) {
                handOver(false);
                if (textLength + SUPPORT_MARK.length + 21 > buf.length) {
                    throw new IllegalArgumentException("itemset too long to write: " + length + " items");
                }
            }
            System.arraycopy(text, 0, buf, pos, textLength);
            pos = writeSupport(buf, pos + textLength, supportCount);
            lines++;
        }

        private int writeSupport(byte[] b, int p, long supportCount) {
            byte[][] sup = supportText;
            if (supportCount < sup.length) {
                byte[] t = sup[(int) supportCount];
                if (t == null) {
                    t = ItemsetText.support(supportCount);
                    sup[(int) supportCount] = t;
                }
                System.arraycopy(t, 0, b, p, t.length);
                return p + t.length;
            }
            System.arraycopy(SUPPORT_MARK, 0, b, p, SUPPORT_MARK.length);
            p = ItemsetText.writeNumber(b, p + SUPPORT_MARK.length, supportCount);
            b[p++] = '\n';
            return p;
        }

        /** Gives the buffer to the file (head) or to the pending list; {@code last} marks the task complete. */
        void handOver(boolean last) {
            synchronized (ItemsetFileWriter.this) {
                try {
                    if (failure != null) {
                        throw new UncheckedIOException(failure);
                    }
                    if (task == head) {
                        pending.remove(task);
                        if (pos > 0) {
                            out.write(buf, 0, pos);
                        }
                        pos = 0;
                        if (last) {
                            advance();
                        }
                        return;
                    }
                    Pending p = pending.computeIfAbsent(task, t -> new Pending());
                    if (pos > buf.length / 2) {
                        // Hand the buffer itself over and continue in a recycled one.
                        p.chunks.add(new Chunk(buf, pos));
                        pendingBytes += pos;
                        byte[] next = free.poll();
                        buf = next != null ? next : new byte[CHUNK];
                        pos = 0;
                    } else if (pos > 0) {
                        // A small remainder (end of a task) is copied out so that the thread keeps its buffer.
                        p.chunks.add(new Chunk(Arrays.copyOf(buf, pos), pos));
                        pendingBytes += pos;
                        pos = 0;
                    }
                    p.complete = last;
                    while (!last && pendingBytes > maxPendingBytes && task != head && failure == null) {
                        ItemsetFileWriter.this.wait();
                    }
                } catch (IOException e) {
                    failure = e;
                    ItemsetFileWriter.this.notifyAll();
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new InterruptedIOException("interrupted writing itemsets"));
                }
            }
        }
    }

    /** The head task is complete: write the tasks that follow it, as far as they are available. */
    private void advance() throws IOException {
        head++;
        Pending p;
        while ((p = pending.get(head)) != null) {
            for (Chunk chunk : p.chunks) {
                out.write(chunk.data(), 0, chunk.length());
                pendingBytes -= chunk.length();
                if (chunk.data().length == CHUNK && free.size() < 64) {
                    free.push(chunk.data());
                }
            }
            p.chunks.clear();
            if (!p.complete) {
                break; // still running: it is the head now and writes directly
            }
            pending.remove(head);
            head++;
        }
        notifyAll();
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            out.flush();
        } finally {
            out.close();
        }
    }
}
