package io.affinity.training.mining;

/**
 * Where the itemsets of each mining task go. The miner splits a run into tasks, one per frequent item of the
 * first level (its conditional tree), numbered in the order a single thread runs them; every task is opened,
 * fed and closed on one worker thread, and different tasks may run at the same time on different threads.
 */
interface TaskSinks {
    /** The sink for task {@code task}; called on the thread that will mine it. */
    ItemsetSink open(int task);

    /** Task {@code task} is complete: every itemset of it went to {@code sink}. */
    void close(int task, ItemsetSink sink);

    /** Tasks handed to one sink for the whole run, in task order, on the calling thread. */
    static TaskSinks single(ItemsetSink sink) {
        return new TaskSinks() {
            @Override
            public ItemsetSink open(int task) {
                return sink;
            }

            @Override
            public void close(int task, ItemsetSink s) {
            }
        };
    }
}
