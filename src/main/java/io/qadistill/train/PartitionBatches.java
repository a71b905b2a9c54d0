package io.qadistill.train;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which of a partition's rows each step takes. The partition's rows are taken {@code batch} at a time from an
 * endless sequence: epoch 0's order, then epoch 1's, and so on, each drawn from the seed, the partition and the
 * epoch alone. So the rows of step s depend on nothing but s: a resumed run takes exactly the rows the
 * uninterrupted one would have, and the data position of a checkpoint is its step. A batch may straddle two
 * epochs.
 *
 * <p>An epoch's order is a random permutation; with length grouping ({@code groups} > 0, as Hugging Face's
 * {@code group_by_length}) it is then cut into mega-batches of {@code groups} batches, each sorted by length
 * (longest first) and its batches shuffled. A batch is padded to its longest window and the cost of a step grows
 * with the padded positions (attention with their square), so batches of like lengths compute far less than random
 * ones; each epoch still takes every row once, and which rows share a batch is still random (at the scale of a
 * mega-batch). The mega-batches are aligned to the global batch boundaries (which move from epoch to epoch when
 * the rows are not a multiple of the batch), so that every batch lies within one mega-batch.
 */
public final class PartitionBatches {
  private final int rows;
  private final int batch;
  private final long seed;
  private final int partition;
  private final int[] lengths;
  private final int groups;
  private long cachedEpoch = -1;
  private int[] cached;

  /** Plain random batches. */
  public PartitionBatches(int rows, int batch, long seed, int partition) {
    this(rows, batch, seed, partition, null, 0);
  }

  /** Batches grouped by length: {@code lengths} of the partition's rows, {@code groups} batches per mega-batch. */
  public PartitionBatches(int[] lengths, int batch, long seed, int partition, int groups) {
    this(lengths.length, batch, seed, partition, lengths.clone(), groups);
  }

  private PartitionBatches(int rows, int batch, long seed, int partition, int[] lengths, int groups) {
    if (rows < 1 || batch < 1 || groups < 0) {
      throw new IllegalArgumentException("a partition of " + rows + " rows in batches of " + batch + ", groups of "
          + groups);
    }
    this.rows = rows;
    this.batch = batch;
    this.seed = seed;
    this.partition = partition;
    this.lengths = lengths;
    this.groups = lengths == null ? 0 : groups;
  }

  /** The plan {@code batching} gives a partition of {@code partitionRows} (in their stored order). */
  public static PartitionBatches of(List<TrainRow> partitionRows, BatchSettings batching, int partition) {
    int[] lengths = partitionRows.stream().mapToInt(TrainRow::length).toArray();
    return new PartitionBatches(lengths.length, batching.batchSize(), batching.seed(), partition, lengths,
        batching.lengthGroups());
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
      SplittableRandom random = new SplittableRandom(mix(mix(seed, partition), epoch));
      cached = permutation(rows, random);
      if (groups > 0) {
        // the first batch boundary inside this epoch: the epoch starts at global position epoch × rows
        int head = (int) ((batch - Math.floorMod(epoch * rows, (long) batch)) % batch);
        group(cached, 0, Math.min(head, rows), random);
        for (int from = head; from < rows; from += groups * batch) {
          group(cached, from, (int) Math.min(rows, (long) from + (long) groups * batch), random);
        }
      }
      cachedEpoch = epoch;
    }
    return cached;
  }

  /**
   * Sorts order[from, to) by length, longest first (ties keep their random order), then shuffles its whole
   * batches; a part batch (the segment's end, straddling into the next epoch) stays last.
   */
  private void group(int[] order, int from, int to, SplittableRandom random) {
    Integer[] segment = Arrays.stream(order, from, to).boxed().toArray(Integer[]::new);
    Arrays.sort(segment, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    int whole = segment.length / batch;
    int at = from;
    for (int b : permutation(whole, random)) {
      for (int i = b * batch; i < (b + 1) * batch; i++) {
        order[at++] = segment[i];
      }
    }
    for (int i = whole * batch; i < segment.length; i++) {
      order[at++] = segment[i];
    }
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
