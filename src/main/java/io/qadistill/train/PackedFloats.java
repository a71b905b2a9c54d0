package io.qadistill.train;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    int size = 4;
    for (int[] run = {0, 0}, at = {0}; at[0] < values.length; ) {
      next(values, at, run);
      size += 8 + 4 * run[1];
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(values.length);
    int[] at = {0};
    int[] run = {0, 0};
    while (at[0] < values.length) {
      int from = at[0];
      next(values, at, run);
      out.putInt(run[0]).putInt(run[1]);
      out.asFloatBuffer().put(values, from + run[0], run[1]);
      out.position(out.position() + 4 * run[1]);
    }
    return new PackedFloats(out.array());
  }

  /** From at[0]: run[0] zeros, then run[1] values up to the next run of MIN_ZERO_RUN zeros; moves at[0] past them. */
  private static void next(float[] values, int[] at, int[] run) {
    int i = at[0];
    int zeros = zeroRun(values, i);
    int to = i + zeros;
    while (to < values.length) {
      int z = zeroRun(values, to);
      if (z >= MIN_ZERO_RUN || to + z == values.length) {
        break;
      }
      to += Math.max(1, z);
    }
    run[0] = zeros;
    run[1] = to - i - zeros;
    at[0] = to;
  }

  private static int zeroRun(float[] values, int i) {
    int j = i;
    while (j < values.length && values[j] == 0f) {
      j++;
    }
    return j - i;
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

  /** Bytes this takes (what it costs to send). */
  public long bytes() {
    return bytes.length;
  }
}
