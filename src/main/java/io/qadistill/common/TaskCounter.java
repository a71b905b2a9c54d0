package io.qadistill.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A count that tasks add to and the driver reads while they run, for {@link ProgressLog}. A plain accumulator's
 * value moves only when a task ends, so a stage of a few long tasks (a small run, or big partitions) would log
 * 0 until its end. Executors also send each running task's accumulator values with their heartbeats (every
 * {@code spark.executor.heartbeatInterval}, 10 s by default); this listener keeps the latest per running task and
 * moves it to the finished sum when the task ends, so the count grows while tasks run. A failed task's share
 * is dropped (its retry counts again), as Spark does for the accumulator itself.
 */
public final class TaskCounter extends SparkListener implements LongSupplier, AutoCloseable {
  private final SparkContext sc;
  private final LongAccumulator accumulator;
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private volatile long finished;

  private TaskCounter(SparkContext sc, String name) {
    this.sc = sc;
    this.accumulator = sc.longAccumulator(name);
    sc.addSparkListener(this);
  }

  /** A counter named {@code name} (Spark UI), listening until {@link #close()}. */
  public static TaskCounter start(SparkContext sc, String name) {
    return new TaskCounter(sc, name);
  }

  /** What tasks add to; serializable into a task's closure. */
  public LongAccumulator accumulator() {
    return accumulator;
  }

  /** Finished tasks' counts plus running tasks' last reported ones. */
  @Override
  public long getAsLong() {
    long sum = finished;
    for (long v : running.values()) {
      sum += v;
    }
    return sum;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
        : CollectionConverters.asJava(update.accumUpdates())) {
      long value = valueOf(task._4());
      if (value >= 0) {
        running.put((Long) task._1(), value);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    // the listener bus delivers events one at a time, so the move cannot race with a heartbeat's update
    running.remove(end.taskInfo().taskId());
    if (end.taskInfo().successful()) {
      long value = valueOf(end.taskInfo().accumulables());
      if (value > 0) {
        finished += value;
      }
    }
  }

  /** This counter's value among a task's accumulables, or -1 when it is not there. */
  private long valueOf(scala.collection.Seq<AccumulableInfo> infos) {
    for (AccumulableInfo info : CollectionConverters.asJava(infos)) {
      if (info.id() == accumulator.id() && info.update().isDefined()) {
        return ((Number) info.update().get()).longValue();
      }
    }
    return -1;
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
