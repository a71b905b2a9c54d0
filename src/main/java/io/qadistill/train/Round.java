package io.qadistill.train;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One round of training as a function of its inputs (what MLlib's {@code runMiniBatchSGD} does per iteration):
 * one Spark job of one task per training partition, whose results {@code treeAggregate} sums. Each task finds its
 * partition's {@link Worker} in its executor (or builds it from the cached rows), takes what the round's
 * {@link Payload} holds (a state to start from, the last step's summed gradient) into its {@link Replica}, and does
 * the round's {@link Kind}. The task closure is small: the arrays travel by broadcast.
 */
final class Round {
  /** What a round does on every partition. */
  public enum Kind {
    /** Applies the pending update, then computes the gradient of step {@code step} on the partition's batch. */
    STEP,
    /** From the payload's state, {@code k} AdamW steps on the partition's own batches; returns the state. */
    LOCAL_STEPS,
    /** Applies the pending update; partition 0 returns values [from, to) of its state. */
    FETCH
  }

  /**
   * The round's small inputs, in the task closure.
   *
   * @param kind what the round does
   * @param step the step whose gradient to compute (STEP), the first local step (LOCAL_STEPS), or the updates the
   *     replicas are to have applied (FETCH)
   * @param k local steps in the round (LOCAL_STEPS)
   * @param checksum whether each replica returns its checksum
   * @param from the first value of the state to return (FETCH)
   * @param to the value after the last (FETCH)
   */
  public record Input(Kind kind, long step, int k, boolean checksum, int from, int to) implements Serializable {
    static Input step(long step, boolean checksum) {
      return new Input(Kind.STEP, step, 1, checksum, 0, 0);
    }

    static Input localSteps(long first, int k) {
      return new Input(Kind.LOCAL_STEPS, first, k, false, 0, 0);
    }

    static Input fetch(long step, int from, int to, boolean checksum) {
      return new Input(Kind.FETCH, step, 0, checksum, from, to);
    }
  }

  /**
   * The round's arrays, broadcast to every executor: a state every replica starts from (parameters and AdamW's
   * moments end to end, after {@code stateStep} updates), and the summed gradient of step {@code updateStep} with
   * the scale that makes it the clipped mean ({@link Optimizer#clip}); either may be null.
   */
  public record Payload(long stateStep, PackedFloats state, long updateStep, PackedFloats update, double updateScale)
      implements Serializable {
    static Payload state(long step, float[] state) {
      return new Payload(step, PackedFloats.of(state), -1, null, 0);
    }

    static Payload update(long step, PackedFloats gradient, double scale) {
      return new Payload(-1, null, step, gradient, scale);
    }

    /** Bytes of its arrays: what each executor receives. */
    long bytes() {
      return (state == null ? 0 : state.bytes()) + (update == null ? 0 : update.bytes());
    }
  }

  private Round() {}

  /**
   * Runs the round {@code input} over {@code rows} (cached, one training partition each) for the run
   * {@code spec}, with {@code payload} (null: none); returns the partitions' results summed.
   */
  public static GradientSum run(JavaRDD<TrainRow> rows, Worker.Spec spec, Input input, Broadcast<Payload> payload) {
    return rows.mapPartitionsWithIndex(new Task(spec, input, payload), false)
        .treeAggregate(new GradientSum(), GradientSum::add, GradientSum::add);
  }

  /** A round's task on one partition. */
  private record Task(Worker.Spec spec, Input input, Broadcast<Payload> payload)
      implements Function2<Integer, Iterator<TrainRow>, Iterator<GradientSum>> {
    @Override
    public Iterator<GradientSum> call(Integer partition, Iterator<TrainRow> rows) {
      Worker worker = Worker.of(spec, partition, rows);
      long start = System.nanoTime(); // after building the worker, which only the first round does
      GradientSum sum = worker.round(input, payload == null ? null : payload.value());
      return List.of(sum.packedSince(start)).iterator();
    }
  }
}
