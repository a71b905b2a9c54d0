package io.qadistill.train;

import java.util.SplittableRandom;

/**
 * Which of a partition's rows each step takes. The partition's rows are taken {@code batch} at a time from an
 * endless sequence: epoch 0's order, then epoch 1's, and so on, each a permutation drawn from the seed, the
 * partition and the epoch alone. So the rows of step s depend on nothing but s: a resumed run takes exactly the
 * rows the uninterrupted one would have, and the data position of a checkpoint is its step. A batch may
 * straddle two epochs.
 */
public final class BatchPlan {
  private final int rows;
  private final int batch;
  private final long seed;
  private final int partition;
  private long cachedEpoch = -1;
  private int[] cached;

  public BatchPlan(int rows, int batch, long seed, int partition) {
    if (rows < 1 || batch < 1) {
      throw new IllegalArgumentException("a partition of " + rows + " rows in batches of " + batch);
    }
    this.rows = rows;
    this.batch = batch;
    this.seed = seed;
    this.partition = partition;
  }

  /** Indices into the partition's rows (in their stored order) of the rows step {@code step} (0-based) takes. */
  public int[] rows(long step) {
    int[] out = new int[batch];
    long first = step * batch;
    for (int i = 0; i < batch; i++) {
      long k = first + i;
      out[i] = order(k / rows)[(int) (k % rows)];
    }
    return out;
  }

  /** The epoch (0-based, fractional) reached after {@code steps} steps. */
  public double epochs(long steps) {
    return (double) steps * batch / rows;
  }

  private int[] order(long epoch) {
    if (epoch != cachedEpoch) {
      cached = permutation(rows, new SplittableRandom(mix(mix(seed, partition), epoch)));
      cachedEpoch = epoch;
    }
    return cached;
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) { // Fisher-Yates
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A seed for a sub-stream: SplittableRandom's own mixing of the combined value decorrelates neighbours. */
  static long mix(long seed, long value) {
    return seed * 0x9E3779B97F4A7C15L + value;
  }
}
