package io.qadistill.train;

import io.qadistill.common.UsageException;
import io.qadistill.model.ModelFingerprint;
import io.qadistill.model.StudentSpec;
import java.io.Serializable;

/**
 * What a training run (distill, or finetune: its {@code alpha_ce = 0} case) reads, trains and writes.
 *
 * @param features the features table (the --out of featurize)
 * @param logits the logits table (the --out of teacher-logits), or null when fine-tuning
 * @param teacher the teacher whose logits to use: its fingerprint, or its model directory (or .pt file), whose
 *     fingerprint is taken when the run starts; null when the table holds one teacher's. A hidden-state term needs
 *     the directory (at a path every executor can read): the teacher computes its hidden states during training
 * @param out the output directory, on the driver's local file system: the final model directory
 * @param student how the student is made
 * @param loss T, alpha_ce, alpha_squad, alpha_hidden
 * @param optimizer AdamW and the schedule
 * @param batches batch size, epochs or steps, partitions, seed, length groups, local steps
 * @param checkpoints when to checkpoint, whether to resume
 * @param logEvery a progress line every this many steps, or this fraction of the run's steps when below 1
 *     (step/total, loss and its parts, learning rate, windows/s, ETA); metrics.jsonl gets every step
 * @param threads PyTorch threads per training task; 0 = the local cores per partition locally, spark.task.cpus on a
 *     cluster (set it to spark.executor.cores so that one training task has its executor)
 */
public record TrainConfig(String features, String logits, String teacher, String out, StudentSpec student,
                          DistillLoss loss, OptimizerSettings optimizer, BatchSettings batches,
                          CheckpointSettings checkpoints, double logEvery, int threads) implements Serializable {
  public static final int LOG_EVERY = 50;

  public TrainConfig {
    if (features == null || features.isBlank()) {
      throw new UsageException("no features table: give --features (the --out of featurize)");
    }
    if (out == null || out.isBlank()) {
      throw new UsageException("no output directory: give --out");
    }
    if (loss.needsTeacher() && logits == null) {
      throw new UsageException("distilling with alpha_ce " + loss.alphaCe() + " needs the teacher's logits: give "
          + "--logits (the --out of teacher-logits), or fine-tune with alpha_ce 0");
    }
    if (loss.hiddenWeight() > 0 && (teacher == null || ModelFingerprint.isFingerprint(teacher))) {
      throw new UsageException("alpha_hidden " + loss.alphaHidden() + " compares the student's hidden states with "
          + "the teacher's, which the teacher computes as training goes: give --teacher its model directory"
          + (teacher == null ? "" : " (not its fingerprint " + teacher + ")"));
    }
    if (TrainPlan.interval(logEvery, "log every") == 0) {
      throw new UsageException("log every 0 steps: give a number of steps ≥ 1 or a fraction (default " + LOG_EVERY
          + ")");
    }
    if (threads < 0) {
      throw new UsageException("threads " + threads + " must be ≥ 0 (0: automatic)");
    }
  }

  /** Defaults for everything but the inputs, the output and the student. */
  public static TrainConfig defaults(String features, String logits, String out, StudentSpec student) {
    return new TrainConfig(features, logits, null, out, student,
        logits == null ? DistillLoss.FINE_TUNE : DistillLoss.DEFAULT, OptimizerSettings.DEFAULT, BatchSettings.DEFAULT,
        CheckpointSettings.DEFAULT, LOG_EVERY, 0);
  }

  /** "distill", or "finetune" when the loss needs no teacher: what logs and Spark's job groups call the run. */
  public String what() {
    return loss.needsTeacher() ? "distill" : "finetune";
  }

  /** The logits to read: none when fine-tuning. */
  String logitsToRead() {
    return loss.needsTeacher() ? logits : null;
  }

  public TrainConfig withBatches(BatchSettings b) {
    return new TrainConfig(features, logits, teacher, out, student, loss, optimizer, b, checkpoints, logEvery,
        threads);
  }

  public TrainConfig withOptimizer(OptimizerSettings o) {
    return new TrainConfig(features, logits, teacher, out, student, loss, o, batches, checkpoints, logEvery,
        threads);
  }

  public TrainConfig withLoss(DistillLoss l) {
    return new TrainConfig(features, logits, teacher, out, student, l, optimizer, batches, checkpoints, logEvery,
        threads);
  }

  public TrainConfig withCheckpoints(CheckpointSettings c) {
    return new TrainConfig(features, logits, teacher, out, student, loss, optimizer, batches, c, logEvery, threads);
  }

  public TrainConfig withLogEvery(double n) {
    return new TrainConfig(features, logits, teacher, out, student, loss, optimizer, batches, checkpoints, n,
        threads);
  }

  public TrainConfig withOut(String o) {
    return new TrainConfig(features, logits, teacher, o, student, loss, optimizer, batches, checkpoints, logEvery,
        threads);
  }
}
