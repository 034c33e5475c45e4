package io.affinity.training.models;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Runs a fixed number of workers to completion on their own daemon threads; training and evaluation share it. */
public final class Workers {
    private Workers() {
    }

    /**
     * Runs {@code worker.apply(t)} for t in 0..threads-1 and waits for all; one worker runs on the caller's thread.
     * A worker's failure is rethrown (as IllegalStateException with the cause) and the other workers are stopped.
     */
    public static void runAll(int threads, IntFunction<Runnable> worker) {
        if (threads <= 1) {
            worker.apply(0).run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "affinity-train");
            th.setDaemon(true);
            return th;
        });
        try {
            Future<?>[] fs = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                fs[t] = pool.submit(worker.apply(t));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("worker failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
