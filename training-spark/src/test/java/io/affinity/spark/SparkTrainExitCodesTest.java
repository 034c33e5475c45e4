package io.affinity.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What an orchestrator (cron, Airflow) sees when the job fails: the exit code and the last line of its standard
 * error, as {@code affinity train} gives them (README, "Scheduled retraining").
 */
@UnitTest
class SparkTrainExitCodesTest {
    private final StringWriter err = new StringWriter();
    private final CommandLine cli = new CommandLine(new SparkTrain()).setErr(new PrintWriter(err, true));

    private int handle(Exception e) throws Exception {
        return SparkTrain.EXIT_CODES.handleExecutionException(e, cli, null);
    }

    private String lastLine() {
        String[] lines = err.toString().strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void aStoreOrFileThatCannotBeUsedIsOneLineAndExit1() throws Exception {
        assertEquals(1, handle(new AccessDeniedException("/srv/models/TRAIN.lock")));
        assertEquals("affinity spark-train: /srv/models/TRAIN.lock: permission denied", err.toString().strip());
    }

    /** Executors lost, a bug: not the input's fault, so not exit 1; Spark logged the tasks' failures above. */
    @Test
    void aSparkJobThatFailedForOtherReasonsExits2WithItsTraceAndSaysSoLast() throws Exception {
        SparkException aborted = new SparkException("Job aborted due to stage failure: Task 3 in stage 7.0 failed 4 "
                + "times, most recent failure: ExecutorLostFailure (executor 2 exited)\nDriver stacktrace: ...");
        assertEquals(2, handle(aborted));
        assertTrue(err.toString().contains("\tat "), err.toString());
        assertEquals("affinity spark-train: the Spark job failed (SparkException: Job aborted due to stage failure: "
                + "Task 3 in stage 7.0 failed 4 times, most recent failure: ExecutorLostFailure (executor 2 exited)); "
                + "nothing was published, the model store is as it was", lastLine());
    }

    @Test
    void theDriverOutOfMemoryIsOneLineSayingHowToGiveItMore() throws Exception {
        assertEquals(1, handle(new IllegalStateException("collecting", new OutOfMemoryError("Java heap space"))));
        String line = err.toString().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("affinity spark-train: out of memory on the driver (Java heap space; its JVM may "
                + "use at most "), line);
        assertTrue(line.contains("spark-submit --driver-memory 8g"), line);
    }
}
