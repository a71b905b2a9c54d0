package io.qadistill.train;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's side of the partitions' {@link Replica}s: it runs the rounds ({@link Round}), decides what each
 * sends (the state to start from, the last step's summed gradient), and keeps its own copy of the state: the one
 * the run started from, then each one it fetched (for a checkpoint or the end) or, with local steps, the mean of
 * each round. A replica that is lost (its executor lost and replaced) is rebuilt from that copy, and so are all
 * the others: the run goes back to the copy's step and redoes the steps since, which give what they gave (every
 * step's rows and dropout come from its number), so it continues identically.
 *
 * <p>Per step of one global gradient step: with one partition, nothing but the loss sums travel (the replica keeps
 * its own gradient as its next update); with P, each partition's packed gradient comes up and their sum goes down
 * to every executor, packed (the embeddings' rows that no window of the step touched are left out). The driver's
 * copy costs the driver nothing per step; fetching it costs a round that returns 12 bytes a parameter.
 */
final class Replicas {
  /**
   * Values of the state a fetching round returns at most: 64 MB. A round's result is held three times over on the
   * driver while it arrives (the executor's copy, its serialized form, the array read back; all in one JVM locally),
   * so larger rounds raised the embedded default's peak heap by hundreds of MB for no gain in time.
   */
  private static final int FETCH_VALUES = 1 << 24;

  /** Thrown by a round that found a replica lost; the caller rolls back ({@link #rollback()}). */
  static final class Lost extends RuntimeException {
    Lost(Set<Integer> partitions, long step) {
      super("the replica of partition" + (partitions.size() > 1 ? "s " : " ") + partitions + " was lost before step "
          + (step + 1) + " (an executor lost and replaced)");
    }
  }

  private final JavaSparkContext spark;
  private final JavaRDD<TrainRow> rows;
  private final Worker.Spec spec;
  private final TrainPlan plan;
  private final String what;
  private float[] copy;
  private long copyStep;
  private boolean reset = true;
  private PackedFloats update;
  private long updateStep;
  private double updateScale;

  /**
   * Replicas of the run {@code spec} over {@code rows} (one training partition each), starting from {@code state}
   * (parameters and AdamW's moments end to end) after {@code step} updates; {@code what} names the rounds' jobs.
   */
  Replicas(JavaSparkContext spark, JavaRDD<TrainRow> rows, Worker.Spec spec, TrainPlan plan, String what, long step,
           float[] state) {
    this.spark = spark;
    this.rows = rows;
    this.spec = spec;
    this.plan = plan;
    this.what = what;
    this.copy = state;
    this.copyStep = step;
  }

  /**
   * Round of {@code k} steps from {@code step} (k = 1 unless the run takes local steps), with the replicas'
   * checksums compared when {@code check}: its statistics. Throws {@link Lost} when a replica was lost and
   * {@link IllegalStateException} when the replicas diverged.
   */
  StepStats round(long step, int k, boolean check) {
    spark.setJobGroup(what, what + ": step " + (step + k) + "/" + plan.steps(), false);
    boolean local = plan.localSteps() > 1;
    long s0 = System.nanoTime();
    Round.Payload payload = reset || local ? Round.Payload.state(copyStep, copy)
        : update != null ? Round.Payload.update(updateStep, update, updateScale) : null;
    Broadcast<Round.Payload> sent = payload == null ? null : spark.broadcast(payload);
    long sb = System.nanoTime();
    GradientSum sum = Round.run(rows, spec, local ? Round.Input.localSteps(step, k) : Round.Input.step(step,
        check), sent);
    if (sent != null) {
      sent.destroy();
    }
    long s1 = System.nanoTime();
    if (!sum.lost().isEmpty()) {
      throw new Lost(sum.lost(), step);
    }
    reset = false;
    update = null;
    double norm;
    long end = step + k;
    if (local) {
      float[] mean = sum.gradient();
      for (int i = 0; i < mean.length; i++) {
        mean[i] /= plan.partitions();
      }
      copy = mean;
      copyStep = end;
      norm = sum.gradNorms() / (plan.partitions() * (double) k);
    } else if (plan.partitions() == 1) {
      norm = sum.gradNorms(); // the replica kept the gradient as its next update
    } else {
      float[] gradient = sum.gradient();
      Optimizer.Clip clip = Optimizer.clip(gradient, sum.windows(), spec.optimizer());
      update = PackedFloats.of(gradient);
      updateStep = step;
      updateScale = clip.scale();
      norm = clip.norm();
    }
    if (check && !local) { // replicas of local steps differ within a round by design
      requireEqual(sum.checksums(), plan.partitions(), step, null);
    }
    long s2 = System.nanoTime();
    double n = sum.windows();
    double compute = sum.computeSeconds();
    double updateSeconds = local ? (s2 - s1) / 1e9 : sum.updateSeconds();
    double exchange = (local ? s1 - s0 : s2 - s0) / 1e9 - compute - (local ? 0 : updateSeconds);
    return new StepStats(end, sum.loss() / n, sum.distill() / n, sum.squad() / n, sum.hidden() / n,
        Optimizer.learningRate(spec.optimizer(), end - 1, plan.steps()), norm, sum.windows(), sum.tokens(),
        end * plan.partitions() * (double) spec.batches().batchSize() / plan.windows(), compute, exchange,
        (sb - s0) / 1e9, sum.inTaskSeconds(), updateSeconds,
        payload == null ? 0 : payload.bytes(), sum.bytes());
  }

  /**
   * The state after {@code step} updates (parameters and both moments end to end), fetched from a replica once
   * the replicas have applied the pending update, their checksums compared with each other and with it; it
   * becomes the driver's copy. Throws {@link Lost} when a replica was lost.
   */
  float[] fetch(long step) {
    if (copyStep == step) {
      return copy;
    }
    spark.setJobGroup(what, what + ": fetch the state of step " + step, false);
    Broadcast<Round.Payload> sent = update == null ? null
        : spark.broadcast(Round.Payload.update(updateStep, update, updateScale));
    float[] state = new float[copy.length];
    Map<Integer, Integer> checksums = Map.of();
    try {
      for (int from = 0; from < state.length; from += FETCH_VALUES) {
        int to = Math.min(state.length, from + FETCH_VALUES);
        GradientSum part = Round.run(rows, spec, Round.Input.fetch(step, from, to, from == 0),
            from == 0 ? sent : null);
        if (!part.lost().isEmpty()) {
          throw new Lost(part.lost(), step);
        }
        System.arraycopy(part.gradient(), 0, state, from, to - from);
        checksums = from == 0 ? part.checksums() : checksums;
      }
    } finally {
      if (sent != null) {
        sent.destroy();
      }
    }
    requireEqual(checksums, plan.partitions(), step, Replica.checksum(step, state));
    copy = state;
    copyStep = step;
    update = null;
    return state;
  }

  /**
   * Makes the next round rebuild every replica from the driver's copy, after a {@link Lost}; returns the copy's
   * step, from which the run continues.
   */
  long rollback() {
    reset = true;
    update = null;
    return copyStep;
  }

  /**
   * Fails when the checksums of the replicas of all {@code partitions} differ from each other or from
   * {@code expected} (when not null).
   */
  private static void requireEqual(Map<Integer, Integer> checksums, int partitions, long step, Integer expected) {
    Set<Integer> distinct = new HashSet<>(checksums.values());
    if (expected != null) {
      distinct.add(expected);
    }
    if (checksums.size() != partitions || distinct.size() > 1) {
      throw new IllegalStateException("the replicas of the parameters and AdamW's state diverged after step " + step
          + ": checksums by partition " + checksums + (expected != null ? ", the fetched state's " + expected : "")
          + ". The same update on the same inputs must give the same floats on every executor; training stops "
          + "rather than continue from states that differ");
    }
  }

  /** Parameters and AdamW's two moments end to end, as a {@link Replica} holds them. */
  static float[] state(float[] params, float[] firstMoments, float[] secondMoments) {
    int n = params.length;
    float[] state = new float[3 * n];
    System.arraycopy(params, 0, state, 0, n);
    System.arraycopy(firstMoments, 0, state, n, n);
    System.arraycopy(secondMoments, 0, state, 2 * n, n);
    return state;
  }
}
