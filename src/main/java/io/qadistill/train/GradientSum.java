package io.qadistill.train;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a step's partitions send back, summed by {@code treeAggregate}: the gradient of the summed loss, the loss
 * and its parts summed over windows, the windows and tokens, and the longest time a partition spent computing.
 * The empty sum (the aggregation's zero) holds no gradient array, so the task closure stays small.
 *
 * <p>A task sends its sum {@link #packed()}: the gradient as bytes with its runs of zeros left out. The word
 * embeddings (two thirds of a MiniLM-sized student) get a gradient only in the rows of the batch's tokens, so a
 * partition's result is about a third of the dense array. Exact, and plain fields only, so that Spark's Java and
 * Kryo serializers both ship it as it is.
 *
 * <p>A round of local steps sends the same object with the partition's parameters and AdamW moments in place of the
 * gradient (summed alike, divided by the partitions on the driver), the loss sums of all its steps and their
 * gradient norms summed.
 */
public final class GradientSum implements Serializable {
  /** Zero runs shorter than this are kept as values: a run costs two ints. */
  private static final int MIN_ZERO_RUN = 8;

  private float[] gradient;
  private byte[] packed;
  private double loss;
  private double distill;
  private double squad;
  private long windows;
  private long tokens;
  private double computeSeconds;
  private double taskSeconds;
  private double gradNorms;

  /** The empty sum. */
  public GradientSum() {}

  public GradientSum(float[] gradient, double loss, double distill, double squad, long windows, long tokens,
                     double computeSeconds) {
    this.gradient = gradient;
    this.loss = loss;
    this.distill = distill;
    this.squad = squad;
    this.windows = windows;
    this.tokens = tokens;
    this.computeSeconds = computeSeconds;
  }

  /**
   * Adds {@code other} into this one (reusing this one's arrays) and returns this one. An empty sum takes the
   * other's gradient as it is, packed or not: treeAggregate folds each task's result into a zero before the
   * task returns it, and that must not unpack it.
   */
  public GradientSum add(GradientSum other) {
    if (gradient == null && packed == null) {
      gradient = other.gradient;
      packed = other.packed;
    } else if (other.gradient != null || other.packed != null) {
      float[] theirs = other.gradient();
      float[] mine = gradient();
      if (mine.length != theirs.length) {
        throw new IllegalStateException("gradients of " + mine.length + " and " + theirs.length + " values");
      }
      for (int i = 0; i < mine.length; i++) {
        mine[i] += theirs[i];
      }
    }
    loss += other.loss;
    distill += other.distill;
    squad += other.squad;
    windows += other.windows;
    tokens += other.tokens;
    computeSeconds = Math.max(computeSeconds, other.computeSeconds);
    taskSeconds = Math.max(taskSeconds, other.taskSeconds);
    gradNorms += other.gradNorms;
    return this;
  }

  /** This sum, with {@code norms}: the gradient norms of a partition's local steps, summed (0 otherwise). */
  GradientSum withGradNorms(double norms) {
    gradNorms = norms;
    return this;
  }

  /**
   * This sum, packed, with the time its task took from its start: getting the broadcast parameters, computing,
   * packing; what a task returns.
   */
  GradientSum packedSince(long taskStartNanos) {
    packed();
    taskSeconds = (System.nanoTime() - taskStartNanos) / 1e9;
    return this;
  }

  /** The longest a partition's task took, receiving the parameters and packing its result included. */
  public double taskSeconds() {
    return taskSeconds;
  }

  /** The local steps' gradient norms, summed over steps and partitions. */
  public double gradNorms() {
    return gradNorms;
  }

  /**
   * This sum with its gradient held as bytes, (zeros, count, count floats) repeated, little-endian; what a task
   * returns. {@link #gradient()} unpacks it.
   */
  public GradientSum packed() {
    if (gradient == null) {
      return this;
    }
    int bytes = 4;
    for (int[] run = {0, 0}, at = {0}; at[0] < gradient.length; ) {
      next(at, run);
      bytes += 8 + 4 * run[1];
    }
    ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(gradient.length);
    int[] at = {0};
    int[] run = {0, 0};
    while (at[0] < gradient.length) {
      int from = at[0];
      next(at, run);
      out.putInt(run[0]).putInt(run[1]);
      out.asFloatBuffer().put(gradient, from + run[0], run[1]);
      out.position(out.position() + 4 * run[1]);
    }
    packed = out.array();
    gradient = null;
    return this;
  }

  /** From at[0]: run[0] zeros, then run[1] values up to the next run of MIN_ZERO_RUN zeros; moves at[0] past them. */
  private void next(int[] at, int[] run) {
    int i = at[0];
    int zeros = zeroRun(i);
    int to = i + zeros;
    while (to < gradient.length) {
      int z = zeroRun(to);
      if (z >= MIN_ZERO_RUN || to + z == gradient.length) {
        break;
      }
      to += Math.max(1, z);
    }
    run[0] = zeros;
    run[1] = to - i - zeros;
    at[0] = to;
  }

  private int zeroRun(int i) {
    int j = i;
    while (j < gradient.length && gradient[j] == 0f) {
      j++;
    }
    return j - i;
  }

  /** The summed gradient (the array itself), or null for the empty sum. */
  public float[] gradient() {
    if (packed != null) {
      ByteBuffer in = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[in.getInt()];
      int i = 0;
      while (in.hasRemaining()) {
        i += in.getInt();
        int values = in.getInt();
        in.asFloatBuffer().get(out, i, values);
        in.position(in.position() + 4 * values);
        i += values;
      }
      gradient = out;
      packed = null;
    }
    return gradient;
  }

  /** Bytes of the packed gradient (0 when not packed). */
  long packedBytes() {
    return packed == null ? 0 : packed.length;
  }

  public double loss() {
    return loss;
  }

  public double distill() {
    return distill;
  }

  public double squad() {
    return squad;
  }

  public long windows() {
    return windows;
  }

  public long tokens() {
    return tokens;
  }

  /** The longest a partition spent computing its gradient (the step waits for that one). */
  public double computeSeconds() {
    return computeSeconds;
  }
}
