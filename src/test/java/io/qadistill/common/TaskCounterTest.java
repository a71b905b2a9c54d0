package io.qadistill.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.qadistill.testing.LocalSpark;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/** The progress count of a stage whose one task is still running: a plain accumulator would read 0. */
class TaskCounterTest {
  /** Holds the task until the test has looked (local mode: the task runs in this JVM). */
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  @Test
  void countsWhatARunningTaskAddedFromItsHeartbeatsAndAFinishedTaskOnce() throws Exception {
    SparkSession spark = LocalSpark.get();
    try (TaskCounter counter = TaskCounter.start(spark.sparkContext(), "test.rows")) {
      LongAccumulator acc = counter.accumulator();
      CompletableFuture<Long> job = CompletableFuture.supplyAsync(() -> spark.range(0, 10, 1, 1)
          .mapPartitions((MapPartitionsFunction<Long, Long>) rows -> {
            acc.add(7);
            RELEASE.await(2, TimeUnit.MINUTES);
            return rows;
          }, Encoders.LONG()).count());
      // heartbeats come every 10 s (spark.executor.heartbeatInterval's default)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (counter.getAsLong() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      long whileRunning = counter.getAsLong();
      boolean running = !job.isDone();
      long accumulatorWhileRunning = acc.value();
      RELEASE.countDown();
      assertThat(job.get(2, TimeUnit.MINUTES)).isEqualTo(10);

      assertThat(running).as("the task was still running").isTrue();
      assertThat(accumulatorWhileRunning).as("the plain accumulator while the task ran").isZero();
      assertThat(whileRunning).as("the counter while the task ran").isEqualTo(7);
      // the task's end moves its share to the finished sum, once (listener events arrive after the job returns)
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(counter.getAsLong()).as("after the task ended").isEqualTo(7);
      assertThat(acc.value()).isEqualTo(7);
    }
  }
}
