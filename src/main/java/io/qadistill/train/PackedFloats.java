package io.qadistill.train;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A float array as bytes with its runs of zeros left out: (zeros, count, count floats) repeated, little-endian,
 * after the array's length. Exact. What travels between driver and executors in training: a partition's gradient,
 * the summed gradient the driver broadcasts, a replica's state. The word embeddings (two thirds of a MiniLM-sized
 * student) get a gradient only in the rows of a batch's tokens, so a step's gradient packs to about a third of the
 * dense array; AdamW's moments of a fresh run pack to nothing. A byte array, so that Spark's Java and Kryo
 * serializers both ship it as it is (and a byte array broadcast reads faster than a float array: BroadcastBench).
 */
public final class PackedFloats implements Serializable {
  /** Zero runs shorter than this are kept as values: a run costs two ints. */
  private static final int MIN_ZERO_RUN = 8;

  private final byte[] bytes;

  private PackedFloats(byte[] bytes) {
    this.bytes = bytes;
  }

  /** {@code values}, packed. */
  public static PackedFloats of(float[] values) {
    // one pass finds the runs (zeros, count), then one bulk copy per run: this is on every training step's path,
    // twice (a partition packs its gradient, the driver the sum), and scanning twice cost 40 ms for a 3-layer student
    int[] runs = new int[64];
    int pairs = 0;
    long kept = 0;
    int n = values.length;
    int i = 0;
    while (i < n) {
      int zerosFrom = i;
      while (i < n && values[i] == 0f) {
        i++;
      }
      int from = i;
      while (i < n) {
        if (values[i] != 0f) {
          i++;
          continue;
        }
        int z = i;
        while (i < n && values[i] == 0f) {
          i++;
        }
        if (i - z >= MIN_ZERO_RUN || i == n) {
          i = z;
          break;
        }
      }
      if (2 * pairs + 2 > runs.length) {
        runs = Arrays.copyOf(runs, 2 * runs.length);
      }
      runs[2 * pairs] = from - zerosFrom;
      runs[2 * pairs + 1] = i - from;
      kept += i - from;
      pairs++;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(4 + 8L * pairs + 4 * kept)).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(n);
    int at = 0;
    for (int r = 0; r < pairs; r++) {
      int zeros = runs[2 * r];
      int count = runs[2 * r + 1];
      out.putInt(zeros).putInt(count);
      at += zeros;
      out.asFloatBuffer().put(values, at, count);
      out.position(out.position() + 4 * count);
      at += count;
    }
    return new PackedFloats(out.array());
  }

  /** The number of values. */
  public int length() {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** The values, in a new array. */
  public float[] unpack() {
    float[] out = new float[length()];
    unpackInto(out);
    return out;
  }

  /** Writes the values into {@code out} (of {@link #length()}), zeros included; no allocation. */
  public void unpackInto(float[] out) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = in.getInt();
    if (out.length != n) {
      throw new IllegalArgumentException(n + " packed values into an array of " + out.length);
    }
    int i = 0;
    while (in.hasRemaining()) {
      int zeros = in.getInt();
      Arrays.fill(out, i, i + zeros, 0f);
      i += zeros;
      int values = in.getInt();
      in.asFloatBuffer().get(out, i, values);
      in.position(in.position() + 4 * values);
      i += values;
    }
    Arrays.fill(out, i, n, 0f);
  }

  /** Adds the values into {@code out} (of {@link #length()}); no allocation (summing partitions' gradients). */
  public void addInto(float[] out) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = in.getInt();
    if (out.length != n) {
      throw new IllegalArgumentException(n + " packed values added into an array of " + out.length);
    }
    int i = 0;
    while (in.hasRemaining()) {
      i += in.getInt();
      int values = in.getInt();
      FloatBuffer run = in.asFloatBuffer();
      for (int j = 0; j < values; j++) {
        out[i + j] += run.get(j);
      }
      in.position(in.position() + 4 * values);
      i += values;
    }
  }

  /** Bytes this takes (what it costs to send). */
  public long bytes() {
    return bytes.length;
  }
}
