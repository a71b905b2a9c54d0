package io.qadistill.train;

import io.qadistill.common.UsageException;
import java.io.Serializable;

/**
 * How the windows are dealt out.
 *
 * @param batchSize windows per partition per step (run_squad_w_distillation.py's per_gpu_train_batch_size, 8);
 *     a step's global batch is partitions × batchSize
 * @param epochs passes over the data when {@code maxSteps} is 0 (3)
 * @param maxSteps steps in all, overriding {@code epochs}; 0 = from epochs
 * @param partitions training partitions (one task each, one per executor); 0 = one per executor (1 locally)
 * @param seed the shuffling of each partition's rows per epoch, and dropout (42)
 */
public record Batching(int batchSize, double epochs, long maxSteps, int partitions, long seed) implements Serializable {
  public static final Batching DEFAULT = new Batching(8, 3.0, 0, 0, 42);

  public Batching {
    if (batchSize < 1) {
      throw new UsageException("batch size " + batchSize
          + " must be ≥ 1 (windows per partition per step; default 8)");
    }
    if (maxSteps < 0) {
      throw new UsageException("max steps " + maxSteps + " must be ≥ 0 (0: from --epochs)");
    }
    if (maxSteps == 0 && !(epochs > 0) || Double.isInfinite(epochs)) {
      throw new UsageException("epochs " + epochs + " must be > 0 (or give --max-steps)");
    }
    if (partitions < 0) {
      throw new UsageException("partitions " + partitions + " must be ≥ 0 (0: one per executor)");
    }
  }

  /** The steps of a run over {@code windows} windows in {@code partitions} partitions. */
  public long totalSteps(long windows, int partitions) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    long perEpoch = (windows + (long) partitions * batchSize - 1) / ((long) partitions * batchSize);
    return Math.max(1, (long) Math.ceil(epochs * perEpoch));
  }

  public Batching withMaxSteps(long steps) {
    return new Batching(batchSize, epochs, steps, partitions, seed);
  }

  public Batching withPartitions(int p) {
    return new Batching(batchSize, epochs, maxSteps, p, seed);
  }
}
