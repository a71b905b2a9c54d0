package io.qadistill.train;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a round's partitions send back, summed by {@code treeAggregate}: the gradient of the summed loss, the loss
 * and its parts (distillation, hard labels, hidden states) summed over windows, the windows and tokens, the longest time a partition spent computing its
 * gradient and applying its update, and what the driver checks: the replicas' checksums and the partitions that
 * found no replica (see {@link Replica}). The empty sum (the aggregation's zero) holds no array, so the task
 * closure stays small.
 *
 * <p>A task sends its gradient {@link #packed()} ({@link PackedFloats}: zero runs left out). A partition whose
 * gradient is the whole step's (one partition) keeps it on its replica and sends none. A round of local steps
 * sends the partition's parameters and AdamW moments in place of the gradient (summed alike, divided by the
 * partitions on the driver), the loss sums of all its steps and their gradient norms summed; a round that fetches
 * a replica's state sends it in place of the gradient from one partition.
 */
public final class GradientSum implements Serializable {
  private float[] gradient;
  private PackedFloats packed;
  private double loss;
  private double distill;
  private double squad;
  private double hidden;
  private long windows;
  private long tokens;
  private double computeSeconds;
  private double updateSeconds;
  private double inTaskSeconds;
  private double gradNorms;
  private long bytes;
  private TreeMap<Integer, Integer> checksums;
  private TreeSet<Integer> lost;

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

  /** The result of a partition that found no replica, or one of another step, where it needed one. */
  static GradientSum lost(int partition) {
    GradientSum sum = new GradientSum();
    sum.lost = new TreeSet<>(Set.of(partition));
    return sum;
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
    } else if (other.packed != null) {
      other.packed.addInto(gradient());
    } else if (other.gradient != null) {
      float[] theirs = other.gradient;
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
    hidden += other.hidden;
    windows += other.windows;
    tokens += other.tokens;
    computeSeconds = Math.max(computeSeconds, other.computeSeconds);
    updateSeconds = Math.max(updateSeconds, other.updateSeconds);
    inTaskSeconds = Math.max(inTaskSeconds, other.inTaskSeconds);
    gradNorms += other.gradNorms;
    bytes += other.bytes;
    if (other.checksums != null) {
      checksums = checksums == null ? new TreeMap<>() : checksums;
      checksums.putAll(other.checksums);
    }
    if (other.lost != null) {
      lost = lost == null ? new TreeSet<>() : lost;
      lost.addAll(other.lost);
    }
    return this;
  }

  /** This sum, with {@code hidden}: the hidden-state loss summed over its windows, before its weight. */
  GradientSum withHidden(double hidden) {
    this.hidden = hidden;
    return this;
  }

  /** This sum, with {@code norms}: gradient norms computed on the executor (local steps; a kept gradient's). */
  GradientSum withGradNorms(double norms) {
    gradNorms = norms;
    return this;
  }

  /** This sum, with the time its replica took to apply the update that preceded its gradient. */
  GradientSum withUpdateSeconds(double seconds) {
    updateSeconds = seconds;
    return this;
  }

  /** This sum, with partition {@code partition}'s replica checksum. */
  GradientSum withChecksum(int partition, int checksum) {
    checksums = new TreeMap<>(Map.of(partition, checksum));
    return this;
  }

  /**
   * This sum, packed, with the time its task took from its start besides computing and updating: getting the
   * broadcast, unpacking it, copying the parameters into the model, packing; what a task returns.
   */
  GradientSum packedSince(long taskStartNanos) {
    packed();
    inTaskSeconds = (System.nanoTime() - taskStartNanos) / 1e9 - computeSeconds - updateSeconds;
    return this;
  }

  /** The longest a partition's task spent besides computing its gradient and updating its replica. */
  public double inTaskSeconds() {
    return inTaskSeconds;
  }

  /** Gradient norms computed on the executors, summed over steps and partitions (0 when the driver computes it). */
  public double gradNorms() {
    return gradNorms;
  }

  /** This sum with its gradient held as {@link PackedFloats}; {@link #gradient()} unpacks it. */
  public GradientSum packed() {
    if (gradient != null) {
      packed = PackedFloats.of(gradient);
      bytes = packed.bytes();
      gradient = null;
    }
    return this;
  }

  /** The summed gradient (the array itself), or null for the empty sum. */
  public float[] gradient() {
    if (packed != null) {
      gradient = packed.unpack();
      packed = null;
    }
    return gradient;
  }

  /** Bytes of the packed gradient this sum holds now (0 when unpacked or empty). */
  long packedBytes() {
    return packed == null ? 0 : packed.bytes();
  }

  /** Bytes of the packed arrays the partitions sent, summed. */
  public long bytes() {
    return bytes;
  }

  /** The replicas' checksums by partition, of the rounds that asked for them (empty otherwise). */
  public Map<Integer, Integer> checksums() {
    return checksums == null ? Map.of() : checksums;
  }

  /** The partitions that found no replica to continue from (an executor lost and replaced). */
  public Set<Integer> lost() {
    return lost == null ? Set.of() : lost;
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

  /** The hidden-state loss summed over windows, before its weight (0 without one). */
  public double hidden() {
    return hidden;
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

  /** The longest a partition's replica spent applying its update. */
  public double updateSeconds() {
    return updateSeconds;
  }
}
