package io.affinity.training.models;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Runs work to completion on daemon threads of its own; training and evaluation share it. */
public final class Workers {
    private Workers() {
    }

    /**
     * Runs {@code worker.apply(t)} for t in 0..threads-1 and waits for all (one thread: on the caller's thread).
     * A worker's failure is rethrown as {@link #call} says, and the other workers are stopped.
     */
    public static void runAll(int threads, IntFunction<Runnable> worker) {
        if (threads <= 1) {
            worker.apply(0).run();
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            Runnable r = worker.apply(t);
            tasks.add(() -> {
                r.run();
                return null;
            });
        }
        call(threads, tasks);
    }

    /**
     * The results of {@code tasks}, in their order, computed on up to {@code threads} threads at once. A task's
     * unchecked exception or error is rethrown as it was, so callers see the real cause (the first failed task's,
     * in task order); a checked one is wrapped in an IllegalStateException. The other tasks are then interrupted.
     */
    public static <T> List<T> call(int threads, List<? extends Callable<T>> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), r -> {
            Thread th = new Thread(r, "affinity-train");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<T>> futures = new ArrayList<>(tasks.size());
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            List<T> out = new ArrayList<>(tasks.size());
            for (Future<T> f : futures) {
                out.add(await(f, "running a worker"));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The result of a task running elsewhere; its unchecked exception or error is rethrown as it was, a checked
     * one wrapped in an IllegalStateException, and an interrupt while waiting restores the flag and throws one.
     */
    public static <T> T await(Future<T> task, String what) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(what + " failed", e.getCause());
        }
    }
}
