package io.qadistill.train;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * What a step's partitions send back, summed by {@code treeAggregate}: the gradient of the summed loss, the loss
 * and its parts summed over windows, the windows and tokens, and the longest time a partition spent computing.
 * The empty sum (the aggregation's zero) holds no gradient array, so the task closure stays small.
 *
 * <p>Serialized with runs of zeros left out: the word embeddings (two thirds of a MiniLM-sized student) get a
 * gradient only in the rows of the batch's tokens, so a partition's result is about a third of the dense array.
 * Exact; it applies with Spark's default Java serializer (Kryo sends the dense array).
 */
public final class GradientSum implements Serializable {
  /** Zero runs shorter than this are written as values: a run costs two ints. */
  private static final int MIN_ZERO_RUN = 8;
  /** Floats written or read at a time. */
  private static final int CHUNK = 16_384;

  private transient float[] gradient;
  private double loss;
  private double distill;
  private double squad;
  private long windows;
  private long tokens;
  private double computeSeconds;

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

  /** Adds {@code other} into this one (reusing this one's arrays) and returns this one. */
  public GradientSum add(GradientSum other) {
    if (other.gradient != null) {
      if (gradient == null) {
        gradient = other.gradient;
      } else {
        if (gradient.length != other.gradient.length) {
          throw new IllegalStateException("gradients of " + gradient.length + " and " + other.gradient.length + " values");
        }
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] += other.gradient[i];
        }
      }
    }
    loss += other.loss;
    distill += other.distill;
    squad += other.squad;
    windows += other.windows;
    tokens += other.tokens;
    computeSeconds = Math.max(computeSeconds, other.computeSeconds);
    return this;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    if (gradient == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(gradient.length);
    byte[] bytes = new byte[CHUNK * Float.BYTES];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int i = 0;
    while (i < gradient.length) { // (zeros, values, the values) until the end
      int zeros = zeroRun(i);
      int from = i + zeros;
      int to = from;
      while (to < gradient.length && zeroRun(to) < MIN_ZERO_RUN) {
        to += Math.max(1, zeroRun(to));
      }
      out.writeInt(zeros);
      out.writeInt(to - from);
      for (int k = from; k < to; k += CHUNK) {
        int n = Math.min(CHUNK, to - k);
        buffer.clear();
        buffer.asFloatBuffer().put(gradient, k, n);
        out.write(bytes, 0, n * Float.BYTES);
      }
      i = to;
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    int length = in.readInt();
    if (length < 0) {
      return;
    }
    gradient = new float[length];
    byte[] bytes = new byte[CHUNK * Float.BYTES];
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int i = 0;
    while (i < length) {
      i += in.readInt();
      int values = in.readInt();
      for (int k = 0; k < values; k += CHUNK) {
        int n = Math.min(CHUNK, values - k);
        in.readFully(bytes, 0, n * Float.BYTES);
        buffer.clear();
        buffer.asFloatBuffer().get(gradient, i, n);
        i += n;
      }
    }
  }

  /** The number of zeros from {@code i} on. */
  private int zeroRun(int i) {
    int j = i;
    while (j < gradient.length && gradient[j] == 0f) {
      j++;
    }
    return j - i;
  }

  /** The summed gradient (the array itself). */
  public float[] gradient() {
    return gradient;
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
