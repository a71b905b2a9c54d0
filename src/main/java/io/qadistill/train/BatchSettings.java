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
 * @param lengthGroups batches per mega-batch of length-grouped batches (Hugging Face's {@code group_by_length},
 *     see {@link PartitionBatches}); 0 = plain random batches (50, as Hugging Face's mega-batch)
 * @param localSteps steps each partition takes on its own (AdamW on its own batches, from the driver's
 *     parameters and optimizer state) before the driver averages parameters and state; 1 = every step one
 *     gradient step over the global batch (1)
 */
public record BatchSettings(int batchSize, double epochs, long maxSteps, int partitions, long seed, int lengthGroups,
                       int localSteps) implements Serializable {
  public static final int LENGTH_GROUPS = 50;
  public static final int BATCH_SIZE = 8;
  public static final double EPOCHS = 3.0;
  public static final long SEED = 42;
  public static final BatchSettings DEFAULT = new BatchSettings(BATCH_SIZE, EPOCHS, 0, 0, SEED);

  public BatchSettings {
    if (batchSize < 1) {
      throw new UsageException("batch size " + batchSize
          + " must be ≥ 1 (windows per partition per step; default " + BATCH_SIZE + ")");
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
    if (lengthGroups < 0) {
      throw new UsageException("length groups " + lengthGroups + " must be ≥ 0 (batches per length-sorted "
          + "mega-batch; 0: random batches; default " + LENGTH_GROUPS + ")");
    }
    if (localSteps < 1) {
      throw new UsageException("local steps " + localSteps + " must be ≥ 1 (1: a global gradient step each step)");
    }
  }

  /** Length-grouped batches ({@value #LENGTH_GROUPS} per mega-batch), one global gradient step per step. */
  public BatchSettings(int batchSize, double epochs, long maxSteps, int partitions, long seed) {
    this(batchSize, epochs, maxSteps, partitions, seed, LENGTH_GROUPS, 1);
  }

  /** The steps of a run over {@code windows} windows in {@code partitions} partitions. */
  public long totalSteps(long windows, int partitions) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    long perEpoch = (windows + (long) partitions * batchSize - 1) / ((long) partitions * batchSize);
    return Math.max(1, (long) Math.ceil(epochs * perEpoch));
  }

  public BatchSettings withMaxSteps(long steps) {
    return new BatchSettings(batchSize, epochs, steps, partitions, seed, lengthGroups, localSteps);
  }

  public BatchSettings withPartitions(int p) {
    return new BatchSettings(batchSize, epochs, maxSteps, p, seed, lengthGroups, localSteps);
  }

  public BatchSettings withLengthGroups(int groups) {
    return new BatchSettings(batchSize, epochs, maxSteps, partitions, seed, groups, localSteps);
  }

  public BatchSettings withLocalSteps(int k) {
    return new BatchSettings(batchSize, epochs, maxSteps, partitions, seed, lengthGroups, k);
  }
}
